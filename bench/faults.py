#!/usr/bin/env python3
"""Faults under load: a real ``beacon serve`` (its own process, ``BEACON_GENERATOR=openai``) whose
model endpoint is a loopback fault server that is hung, slow (first token after 10 s), cut
mid-stream, answering garbage, refusing connections, or healthy (the control).

In each scenario 32 concurrent customers, each its own conversation, with a pause of 1 to 3 s
between requests (``--think``: people read and type; 0 makes a closed loop that only measures how
fast 2 cores saturate), loop over the four paths a deployment must keep answering: a question that needs the model (answer), a message that hands
over at once (escalation), a read of the stored conversation (session read) and /healthz
(health). Records p50/p95/max per path, errors, and the fallback reasons the answers carry.

Targets (2 cores): with the endpoint hung, no answer waits longer than the whole-reply deadline
(BEACON_OPENAI_REPLY_DEADLINE_S, 10 s by default), and escalations, session reads and health stay
under 500 ms at p95.

    .venv/bin/python bench/faults.py                          # every scenario, 30 s each: about 5 minutes
    .venv/bin/python bench/faults.py --scenarios hung --seconds 15
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from load import KEY, free_port, start_server  # bench/ is on sys.path when a script here runs
from machine import machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx

from app.core.stats import percentile
from research.retrieval.queries import demo_queries
from tests.fakes.openai_server import FakeOpenAIServer

RESULTS = ROOT / "bench" / "results" / "faults.json"
REPLY = ("Open the app, tap Card, then switch on Freeze [1]. The freeze works straight away, so new card payments "
         "are declined until you switch it off again [1].")
ESCALATIONS = ("I will sue you if this is not fixed today", "someone stole my card last night",
               "I want to make a formal complaint about your service", "I need to talk to a human now")
SCENARIOS = {
    "healthy": {"default_reply": REPLY},
    "hung": {"stall_seconds": 3600},
    "slow": {"stall_seconds": 10, "default_reply": REPLY},
    "cut": {"default_reply": REPLY, "cut_stream_after": 1},
    "garbage": {"garbage": True},
    "refused": None,  # no server on the port
}
PATHS = ("answer", "escalation", "session_read", "health")


class Customer(threading.Thread):
    def __init__(self, base: str, index: int, questions: list[str], deadline: float, think: float) -> None:
        super().__init__(daemon=True)
        self.base, self.index, self.questions, self.deadline = base, index, questions, deadline
        self.think = think
        self.rng = random.Random(index)
        self.session_id = f"fault-{index}"
        self.latencies: dict[str, list[float]] = {path: [] for path in PATHS}
        self.errors: Counter = Counter()
        self.flags: Counter = Counter()
        self.chatted = False

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {KEY}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=120) as http:
            step = self.index  # customers start at different paths, so every path is always in flight
            while time.monotonic() < self.deadline:
                path = PATHS[step % len(PATHS)]
                started = time.perf_counter()
                try:
                    response = self._call(http, path, step)
                except httpx.HTTPError as exc:
                    self.errors[f"{path}: {type(exc).__name__}"] += 1
                    step += 1
                    time.sleep(self.think)
                    continue
                self.latencies[path].append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    self.errors[f"{path}: HTTP {response.status_code}"] += 1
                elif path in ("answer", "escalation"):
                    self.chatted = True
                    self.flags.update(f for f in response.json().get("flags", []) if f.startswith("fallback:"))
                step += 1
                time.sleep(self.rng.uniform(0.5, 1.5) * self.think)

    def _call(self, http: httpx.Client, path: str, step: int) -> httpx.Response:
        if path == "health":
            return http.get("/healthz")
        if path == "session_read":
            # Before this customer's first turn is stored, read the warm-up conversation instead.
            return http.get(f"/v1/sessions/{self.session_id}" if self.chatted else "/v1/sessions/fault-warm")
        message = (self.questions[step % len(self.questions)] if path == "answer"
                   else ESCALATIONS[step % len(ESCALATIONS)])
        return http.post("/v1/chat", json={"session_id": self.session_id, "message": message})


def run_scenario(name: str, index_dir: Path, work: Path, questions: list[str], sessions: int, seconds: float,
                 think: float) -> dict:
    data_dir = work / name
    shutil.copytree(index_dir, data_dir)
    fault = SCENARIOS[name]
    fake = FakeOpenAIServer() if fault is not None else None
    if fake is not None:
        for attribute, value in fault.items():
            setattr(fake, attribute, value)
        fake.__enter__()
    base_url = fake.base_url if fake is not None else f"http://127.0.0.1:{free_port()}/v1"
    env = {"BEACON_GENERATOR": "openai", "BEACON_OPENAI_BASE_URL": base_url, "BEACON_OPENAI_API_KEY": "bench",
           "BEACON_OPENAI_CHAT_MODEL": "fault"}
    base, server = start_server(data_dir, env, ingest=False)
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=120) as http:
            http.post("/v1/chat", json={"session_id": "fault-warm", "message": "what are the ATM fees?"})
        deadline = time.monotonic() + seconds
        customers = [Customer(base, i, questions, deadline, think) for i in range(sessions)]
        for customer in customers:
            customer.start()
        for customer in customers:
            customer.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
        if fake is not None:
            fake.__exit__(None, None, None)
    paths = {}
    for path in PATHS:
        values = [ms for c in customers for ms in c.latencies[path]]
        paths[path] = {"n": len(values), "p50_ms": _round(percentile(values, 0.5)),
                       "p95_ms": _round(percentile(values, 0.95)), "max_ms": _round(max(values, default=None))}
    errors = sum((c.errors for c in customers), Counter())
    flags = sum((c.flags for c in customers), Counter())
    return {"scenario": name, "sessions": sessions, "seconds": seconds, "think_s": think, "paths": paths, "errors": dict(errors),
            "fallbacks": dict(flags.most_common())}


def _round(value):
    return None if value is None else round(value, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--sessions", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=2.0, help="mean pause between one customer's requests, s")
    args = parser.parse_args()
    questions = [q.query for q in demo_queries() if q.answerable]
    work = Path(tempfile.mkdtemp(prefix="beacon-faults-"))
    try:
        index_dir = work / "index"
        index_dir.mkdir()
        _, server = start_server(index_dir)  # ingests the demo KB once; every scenario starts from a copy
        server.terminate()
        server.wait(timeout=30)
        (index_dir / "serve.log").unlink(missing_ok=True)
        results = [run_scenario(name, index_dir, work, questions, args.sessions, args.seconds, args.think)
                   for name in args.scenarios.split(",")]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.write_text(json.dumps({"date": dt.date.today().isoformat(), "machine": machine(),
                                   "server": "beacon serve (its own process), BEACON_GENERATOR=openai, default "
                                             "deadlines, demo KB", "scenarios": results}, indent=2) + "\n")
    print("| scenario | path | turns | p50 ms | p95 ms | max ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for result in results:
        for path, figures in result["paths"].items():
            print(f"| {result['scenario']} | {path} | {figures['n']} | {figures['p50_ms']} | {figures['p95_ms']} | "
                  f"{figures['max_ms']} |")
    for result in results:
        print(f"\n{result['scenario']}: errors {result['errors'] or 'none'}; fallbacks {result['fallbacks'] or 'none'}")


if __name__ == "__main__":
    main()
