#!/usr/bin/env python3
"""Load on ``POST /v1/chat``: a real ``beacon serve`` on loopback (its own process, after
``beacon ingest`` of the demo KB into a temp folder), extractive mode, driven by 1, 8 and 32 concurrent clients, each client
its own conversation. Bounded: every level stops after ``--seconds`` or ``--requests``.

Reports turns per second and latency p50/p95 per level, and checks isolation: each client
introduces itself with its own name and card number and asks follow-ups; no reply, stored
session or export of one client may contain another client's placeholder values, and the
customer-facing replies restore only the client's own values.

Target on 2 cores: at least 20 turns/s at 8 clients with p95 under 500 ms.

    .venv/bin/python bench/load.py                      # 1, 8, 32 clients, 30 s or 600 requests each
    .venv/bin/python bench/load.py --levels 8 --seconds 10
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from machine import machine  # bench/ is on sys.path when a script here runs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx

from research.retrieval.queries import demo_queries

RESULTS = ROOT / "bench" / "results" / "load.json"
KEY = "bench-Fs3Vm7Qw1Lc5Xn9Tj2Bh6"
FIRST_NAMES = ["Olivia", "Noah", "Amelia", "Oscar", "Isla", "Arthur", "Freya", "Leo", "Ava", "Theo", "Mia", "Finn"]
SURNAMES = ["Whitaker", "Okafor", "Lindqvist", "Moreau", "Castellano", "Brennan", "Novak", "Haddad", "Tanaka"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def luhn_card(rng: random.Random) -> str:
    digits = [4] + [rng.randrange(10) for _ in range(14)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    digits.append((10 - total % 10) % 10)
    text = "".join(map(str, digits))
    return " ".join(text[i : i + 4] for i in range(0, 16, 4))


def start_server(data_dir: Path, extra_env: dict | None = None, ingest: bool = True) -> tuple[str, subprocess.Popen]:
    """``beacon ingest`` (unless the data dir already holds the index) then ``beacon serve`` as a
    separate process, as a deployment runs it: the clients of this script never share its
    interpreter (or its GIL)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEACON_")}
    env.update({"BEACON_DATA_DIR": str(data_dir), "BEACON_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
                "BEACON_API_KEYS": KEY, "BEACON_RATE_LIMIT_PER_MINUTE": "1000000", "BEACON_PORT": str(port),
                **(extra_env or {})})
    beacon = [sys.executable, "-m", "app.cli.commands"]
    if ingest:
        subprocess.run([*beacon, "ingest"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    log = open(data_dir / "serve.log", "w")
    server = subprocess.Popen([*beacon, "serve"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError(f"beacon serve exited: see {data_dir / 'serve.log'}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return base, server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not become ready in 60 s")


class Client(threading.Thread):
    def __init__(self, base: str, index: int, questions: list[str], deadline: float, budget, seed: int) -> None:
        super().__init__(daemon=True)
        rng = random.Random(seed)
        self.base = base
        self.session_id = f"load-{seed}-{index}"
        self.name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}{index}"
        self.card = luhn_card(rng)
        self.questions = questions
        self.rng = rng
        self.deadline = deadline
        self.budget = budget
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.replies: list[str] = []

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {KEY}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=30) as http:
            turn = 0
            while time.monotonic() < self.deadline and self.budget.take():
                if turn == 0:
                    message = f"Hi, I'm {self.name}, my card is {self.card}. {self.rng.choice(self.questions)}"
                else:
                    message = self.rng.choice(self.questions)
                started = time.perf_counter()
                response = http.post("/v1/chat", json={"session_id": self.session_id, "message": message,
                                                       "context": {"region": self.rng.choice(["EU", "UK", "US"])}})
                self.latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    self.errors.append(f"HTTP {response.status_code}")
                else:
                    self.replies.append(response.json()["answer"])
                turn += 1


class Budget:
    def __init__(self, requests: int) -> None:
        self.left = requests
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def isolation_problems(base: str, clients: list[Client]) -> list[str]:
    """Another client's name or card in a reply, a stored session or an export."""
    problems = []
    headers = {"Authorization": f"Bearer {KEY}"}
    for client in clients:
        others = [(c.name, c.card) for c in clients if c is not client]
        stored = httpx.get(f"{base}/v1/sessions/{client.session_id}", headers=headers, timeout=30).text
        exported = httpx.get(f"{base}/v1/sessions/{client.session_id}/export", headers=headers, timeout=30).text
        for text in client.replies + [stored, exported]:
            for name, card in others:
                if name in text or card in text or card.replace(" ", "") in text:
                    problems.append(f"{client.session_id} saw another session's data")
        if client.name in stored or client.card in stored:
            problems.append(f"{client.session_id}: raw values in the stored conversation")
        turns = json.loads(stored).get("turns", [])
        if len(turns) != len(client.latencies) - len(client.errors):
            problems.append(f"{client.session_id}: {len(turns)} stored turns for {len(client.replies)} sent")
    return problems


def run_level(base: str, clients_n: int, seconds: float, requests: int, questions: list[str]) -> dict:
    budget = Budget(requests)
    deadline = time.monotonic() + seconds
    clients = [Client(base, i, questions, deadline, budget, seed=clients_n * 1000 + i) for i in range(clients_n)]
    started = time.perf_counter()
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(ms for c in clients for ms in c.latencies)
    errors = [e for c in clients for e in c.errors]
    return {
        "clients": clients_n, "turns": len(latencies), "seconds": round(elapsed, 2),
        "turns_per_s": round(len(latencies) / elapsed, 1) if elapsed else None,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 1) if latencies else None,
        "errors": len(errors), "isolation_problems": isolation_problems(base, clients),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--requests", type=int, default=600, help="most turns per level")
    args = parser.parse_args()
    questions = [q.query for q in demo_queries() if q.answerable]
    folder = Path(tempfile.mkdtemp(prefix="beacon-load-"))
    try:
        base, server = start_server(folder)
        try:
            run_level(base, 2, 3, 20, questions)  # warm the server's first-call paths
            levels = [run_level(base, int(n), args.seconds, args.requests, questions)
                      for n in args.levels.split(",")]
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result = {"date": dt.date.today().isoformat(),
              "machine": machine(),
              "server": "beacon serve (its own process), extractive generator, demo KB", "levels": levels}
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print("| clients | turns | turns/s | p50 ms | p95 ms | errors | isolation problems |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for level in levels:
        print(f"| {level['clients']} | {level['turns']} | {level['turns_per_s']} | {level['p50_ms']} | "
              f"{level['p95_ms']} | {level['errors']} | {len(level['isolation_problems'])} |")


if __name__ == "__main__":
    main()
