#!/usr/bin/env python3
"""Load on ``POST /v1/chat`` against real ``beacon serve`` processes on loopback, extractive mode,
in three deployments side by side in one run:

- **embedded**: one replica with the embedded default (SQLite files, embedded Chroma, memory);
- **shared x1**: one replica over the shared stores (a throwaway PostgreSQL cluster and a
  ``chroma run`` server, ``BEACON_DATABASE_URL`` / ``BEACON_CHROMA_URL``);
- **shared x2**: two replicas over the same stores, each client's turns going to them in turn,
  as a round-robin load balancer would send them (every conversation crosses replicas).

Each client is its own conversation: it introduces itself with its own name and card number
and asks follow-ups. Reported per deployment and level: turns/s, latency p50/p95, errors,
isolation problems (another client's values in a reply, a stored session or an export; a
stored turn missing), the server-side CPU seconds every process used (replicas, PostgreSQL,
Chroma), turns per server CPU-second (throughput per core), and each replica's memory
(RSS and private memory, after the level).

Targets: the shared deployments' turns per CPU-second at least 80% of the embedded one's;
2 cores: at least 20 turns/s at 8 clients with p95 under 500 ms (embedded).

    .venv/bin/python bench/load.py                                  # 8 clients, 30 s each deployment
    .venv/bin/python bench/load.py --levels 1,8 --seconds 20
    .venv/bin/python bench/load.py --deployments embedded           # one of them
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

from machine import machine, memory_mb  # bench/ is on sys.path when a script here runs

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
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**_env(data_dir), "BEACON_PORT": str(port), **(extra_env or {})}
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
    def __init__(self, bases: list[str], index: int, questions: list[str], deadline: float, budget, seed: int,
                 tag: str = "") -> None:
        super().__init__(daemon=True)
        rng = random.Random(seed)
        self.bases = bases
        self.session_id = f"load-{tag}{seed}-{index}"  # the deployments share one database: ids of their own
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
        with httpx.Client(headers=headers, timeout=30) as http:
            turn = 0
            while time.monotonic() < self.deadline and self.budget.take():
                if turn == 0:
                    message = f"Hi, I'm {self.name}, my card is {self.card}. {self.rng.choice(self.questions)}"
                else:
                    message = self.rng.choice(self.questions)
                base = self.bases[turn % len(self.bases)]  # round robin: the conversation crosses replicas
                started = time.perf_counter()
                try:
                    response = http.post(f"{base}/v1/chat", json={
                        "session_id": self.session_id, "message": message,
                        "context": {"region": self.rng.choice(["EU", "UK", "US"])}})
                except httpx.HTTPError as exc:
                    self.latencies.append((time.perf_counter() - started) * 1000)
                    self.errors.append(type(exc).__name__)
                    turn += 1
                    continue
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


def run_level(bases: list[str], clients_n: int, seconds: float, requests: int, questions: list[str],
              processes: list[int] | None = None, tag: str = "", split: tuple[list[int], list[int]] = ([], [])) -> dict:
    budget = Budget(requests)
    deadline = time.monotonic() + seconds
    clients = [Client(bases, i, questions, deadline, budget, seed=clients_n * 1000 + i, tag=tag)
               for i in range(clients_n)]
    cpu_before = server_cpu_s(processes or [])
    split_before = cpu_split(*split)
    started = time.perf_counter()
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    elapsed = time.perf_counter() - started
    cpu_s = server_cpu_s(processes or []) - cpu_before
    split_after = cpu_split(*split)
    by_part = {part: round(split_after[part] - split_before[part], 1) for part in split_after}
    latencies = sorted(ms for c in clients for ms in c.latencies)
    errors = [e for c in clients for e in c.errors]
    turns_ok = len(latencies) - len(errors)
    return {
        "server_cpu_s": round(cpu_s, 1), "cpu_s_by_part": by_part, "turns_per_cpu_s": round(turns_ok / cpu_s, 2) if cpu_s else None,
        "clients": clients_n, "turns": len(latencies), "seconds": round(elapsed, 2),
        "turns_per_s": round(len(latencies) / elapsed, 1) if elapsed else None,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 1) if latencies else None,
        "errors": len(errors), "isolation_problems": isolation_problems(bases[0], clients),
    }


def cpu_split(replicas: list[int], chroma: list[int]) -> dict:
    """CPU seconds used so far by the replicas, PostgreSQL and the Chroma server."""
    return {"replicas": server_cpu_s(replicas, postgres=False), "postgres": server_cpu_s([], postgres=True),
            "chroma": server_cpu_s(chroma, postgres=False)}


def server_cpu_s(pids: list[int], postgres: bool = True) -> float:
    """CPU seconds (user + system) the server side has used: the given processes, and every
    process of the postgres user (the throwaway cluster's server and its backends)."""
    import pwd

    tick = os.sysconf("SC_CLK_TCK")
    try:
        postgres_uid = pwd.getpwnam("postgres").pw_uid
    except KeyError:
        postgres_uid = None
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            mine = pid in pids or (postgres and postgres_uid is not None and entry.stat().st_uid == postgres_uid
                                   and os.geteuid() != postgres_uid)
            if mine:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def replica_memory_mb(pid: int) -> dict:
    """A replica's resident memory, and how much of it is its own (not pages shared with others)."""
    memory = memory_mb(pid)
    return {"rss_mb": memory["rss_mb"], "private_mb": memory["private_mb"]}


def run_deployment(name: str, bases: list[str], servers: list, extra_pids: list[int], args, questions) -> dict:
    pids = [s.pid for s in servers] + extra_pids
    tag = name.replace(" ", "") + "-"
    run_level(bases, 2, 3, 20, questions, tag=f"warm-{tag}")  # warm every replica's first-call paths
    split = ([s.pid for s in servers], extra_pids)
    levels = [run_level(bases, int(n), args.seconds, args.requests, questions, pids, tag, split)
              for n in args.levels.split(",")]
    return {"deployment": name, "replicas": len(bases), "levels": levels,
            "memory_per_replica": [replica_memory_mb(s.pid) for s in servers]}


def stop(servers: list) -> None:
    for server in servers:
        server.terminate()
    for server in servers:
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="8")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--requests", type=int, default=2000, help="most turns per level")
    parser.add_argument("--deployments", default="embedded,shared-1,shared-2")
    parser.add_argument("--threads", type=int, default=0,
                        help="BEACON_EMBEDDING_THREADS for every server (0: every core, each spinning while idle)")
    args = parser.parse_args()
    if args.threads:
        os.environ["BEACON_EMBEDDING_THREADS"] = str(args.threads)
    wanted = args.deployments.split(",")
    questions = [q.query for q in demo_queries() if q.answerable]
    folder = Path(tempfile.mkdtemp(prefix="beacon-load-"))
    results = []
    postgres = chroma = None
    try:
        if "embedded" in wanted:
            base, server = start_server(folder / "embedded")
            try:
                results.append(run_deployment("embedded", [base], [server], [], args, questions))
            finally:
                stop([server])
        if {"shared-1", "shared-2"} & set(wanted):
            from tests.conftest import VAULT_KEY
            from tests.services import ChromaServer, ThrowawayPostgres

            postgres = ThrowawayPostgres(durable=True).start()
            chroma = ChromaServer(folder / "chroma").start()
            shared = {"BEACON_DATABASE_URL": postgres.url(), "BEACON_CHROMA_URL": chroma.url,
                      "BEACON_VAULT_KEY": VAULT_KEY}
            subprocess.run([sys.executable, "-m", "app.cli.commands", "ingest"], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, env={**_env(folder / "ingest"), **shared})
            for name, count in (("shared-1", 1), ("shared-2", 2)):
                if name not in wanted:
                    continue
                started = [start_server(folder / f"{name}-{n}", shared, ingest=False) for n in range(count)]
                try:
                    results.append(run_deployment(f"{name.replace('-', ' x')}", [b for b, _ in started],
                                                  [s for _, s in started], [chroma.pid], args, questions))
                finally:
                    stop([s for _, s in started])
    finally:
        if chroma is not None:
            chroma.stop()
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)
    result = {"date": dt.date.today().isoformat(), "machine": machine(), "embedding_threads": args.threads,
              "server": "beacon serve (own processes), extractive generator, demo KB", "deployments": results}
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    embedded = next((d for d in results if d["deployment"] == "embedded"), None)
    print("| deployment | clients | turns | turns/s | p50 ms | p95 ms | errors | isolation problems | server CPU s "
          "(replicas / PostgreSQL / Chroma) | turns per CPU-s | vs embedded | memory per replica (RSS / private MB) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for deployment in results:
        for index, level in enumerate(deployment["levels"]):
            base_level = embedded["levels"][index] if embedded and index < len(embedded["levels"]) else None
            ratio = (f"{level['turns_per_cpu_s'] / base_level['turns_per_cpu_s']:.0%}"
                     if base_level and base_level["turns_per_cpu_s"] and level["turns_per_cpu_s"] else "")
            memory = ", ".join(f"{m['rss_mb']} / {m['private_mb']}" for m in deployment["memory_per_replica"])
            print(f"| {deployment['deployment']} | {level['clients']} | {level['turns']} | {level['turns_per_s']} | "
                  f"{level['p50_ms']} | {level['p95_ms']} | {level['errors']} | {len(level['isolation_problems'])} | "
                  f"{level['server_cpu_s']} ({' / '.join(str(v) for v in level['cpu_s_by_part'].values())}) | "
                  f"{level['turns_per_cpu_s']} | {ratio} | {memory} |")


def _env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEACON_") or k == "BEACON_EMBEDDING_THREADS"}
    env.update({"BEACON_DATA_DIR": str(data_dir), "BEACON_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
                "BEACON_API_KEYS": KEY, "BEACON_RATE_LIMIT_PER_MINUTE": "1000000"})
    return env


if __name__ == "__main__":
    main()
