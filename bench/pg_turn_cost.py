"""What one replica's turns cost PostgreSQL, per turn and per store: statements, transactions,
row versions, write-ahead log, and CPU.

One ``beacon serve`` replica over a throwaway, durable PostgreSQL cluster (fsync on, with
``pg_stat_statements`` loaded) and a ``chroma run`` server, driven by ``bench/load.py``'s clients
(the same conversations: a name and a card number in the first message, then questions, the
region in the context). The counts are the database's own (``pg_stat_statements``,
``pg_stat_database``, ``pg_stat_user_tables``, the WAL position) over the measured turns only,
so they do not depend on how busy the machine is; the CPU milliseconds do.

    .venv/bin/python bench/pg_turn_cost.py      # 400 turns from 8 conversations: about 3 minutes
    .venv/bin/python bench/pg_turn_cost.py --turns 100 --json
    .venv/bin/python bench/pg_turn_cost.py --toast      # pglz against lz4 on a growing ticket body

It writes ``bench/results/pg_turn_cost.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import Budget, Client, _env, server_cpu_s, start_server  # noqa: E402
from machine import machine  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "pg_turn_cost.json"

# Which store a statement belongs to, by the first table it names (in this order).
STORES = (
    ("rate limits", ("rate_buckets", "daily_counts")),
    ("session state + vault", ("session_state",)),
    ("conversations (turns)", ("turns", "sessions", "feedback")),
    ("decision log", ("decisions",)),
    ("tickets", ("tickets", "resume_codes")),
    ("sealed values", ("sealed_values", "reveals")),
    ("transaction control", ("begin", "commit", "rollback", "savepoint", "release")),
)
# The database's stats arrive from each backend at most once a second, and from an idle one
# within ten: wait this long before each snapshot so every counted turn is in it, and no other.
STATS_SETTLE_S = 11
_WORD = re.compile(r"[a-z_]+")


def store_of(query: str) -> str:
    words = _WORD.findall(query.lower())
    for word in words:
        for store, tables in STORES:
            if word in tables:
                return store
    return "other"


def snapshot(conn) -> dict:
    statements = conn.execute(
        # One text may have several entries (a NULL parameter plans apart from a typed one): add them up.
        "SELECT s.query, sum(s.calls)::bigint, sum(s.rows)::bigint, sum(s.total_exec_time + s.total_plan_time)::float8 "
        "FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database() "
        "GROUP BY s.query").fetchall()
    tables = conn.execute("SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del FROM pg_stat_user_tables"
                          ).fetchall()
    commits, rollbacks = conn.execute("SELECT xact_commit, xact_rollback FROM pg_stat_database "
                                      "WHERE datname = current_database()").fetchone()
    wal = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    return {"statements": {q: (calls, rows, ms) for q, calls, rows, ms in statements},
            "tables": {name: counts for name, *counts in tables}, "commits": commits, "rollbacks": rollbacks,
            "wal": wal}


def difference(conn, before: dict, after: dict, turns: int) -> dict:
    by_store: dict[str, dict] = {}
    for query, (calls, rows, ms) in after["statements"].items():
        was = before["statements"].get(query, (0, 0, 0.0))
        if calls == was[0] or "pg_stat" in query or "pg_current_wal" in query:
            continue
        store = by_store.setdefault(store_of(query), {"statements": 0, "ms": 0.0, "queries": []})
        store["statements"] += calls - was[0]
        store["ms"] += ms - was[2]
        store["queries"].append((calls - was[0], round((ms - was[2]) / turns, 3), " ".join(query.split())[:100]))
    tables = {}
    for name, counts in after["tables"].items():
        delta = [a - b for a, b in zip(counts, before["tables"].get(name, [0, 0, 0, 0]))]
        if any(delta):
            tables[name] = dict(zip(("inserted", "updated", "hot_updated", "deleted"), (d / turns for d in delta)))
    wal = conn.execute("SELECT pg_wal_lsn_diff(%s, %s)", (after["wal"], before["wal"])).fetchone()[0]
    return {
        "statements_per_turn": sum(s["statements"] for s in by_store.values()) / turns,
        "commits_per_turn": (after["commits"] - before["commits"]) / turns,
        "rollbacks_per_turn": (after["rollbacks"] - before["rollbacks"]) / turns,
        "wal_bytes_per_turn": float(wal) / turns,
        "by_store": {store: {"statements_per_turn": s["statements"] / turns, "exec_ms_per_turn": s["ms"] / turns,
                             "queries": sorted(s["queries"], reverse=True)}
                     for store, s in sorted(by_store.items())},
        "row_versions_per_turn": tables,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8, help="conversations at once (each its own session)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--toast", action="store_true",
                        help="instead: PostgreSQL's CPU to read and rewrite a growing ticket body, pglz against lz4")
    args = parser.parse_args()
    if args.toast:
        compare_compression()
        return

    import httpx  # noqa: F401 (load's clients need it)
    import psycopg

    from research.retrieval.queries import demo_queries
    from tests.conftest import VAULT_KEY
    from tests.services import ChromaServer, ThrowawayPostgres

    questions = [q.query for q in demo_queries() if q.answerable]
    folder = Path(tempfile.mkdtemp(prefix="beacon-pgcost-"))
    postgres = ThrowawayPostgres(durable=True).start()
    chroma = server = None
    try:
        with psycopg.connect(postgres.url(), autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
        postgres.stop(remove=False)
        postgres.start()
        with psycopg.connect(postgres.url(), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pg_stat_statements")
        chroma = ChromaServer(folder / "chroma").start()
        shared = {"BEACON_DATABASE_URL": postgres.url(), "BEACON_CHROMA_URL": chroma.url,
                  "BEACON_VAULT_KEY": VAULT_KEY, "BEACON_EMBEDDING_THREADS": "1"}
        subprocess.run([sys.executable, "-m", "app.cli.commands", "ingest"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, env={**_env(folder / "ingest"), **shared})
        base, server = start_server(folder / "replica", shared, ingest=False)
        _drive(base, 2, 20, questions, "warm-")
        time.sleep(STATS_SETTLE_S)
        with psycopg.connect(postgres.url(), autocommit=True) as conn:
            before = snapshot(conn)
        cpu_before = server_cpu_s([], postgres=True), server_cpu_s([server.pid], postgres=False)
        turns = _drive(base, args.clients, args.turns, questions, "cost-")
        cpu_after = server_cpu_s([], postgres=True), server_cpu_s([server.pid], postgres=False)
        time.sleep(STATS_SETTLE_S)
        with psycopg.connect(postgres.url(), autocommit=True) as conn:
            result = difference(conn, before, snapshot(conn), turns)
        result.update(turns=turns, postgres_cpu_ms_per_turn=1000 * (cpu_after[0] - cpu_before[0]) / turns,
                      replica_cpu_ms_per_turn=1000 * (cpu_after[1] - cpu_before[1]) / turns)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if chroma is not None:
            chroma.stop()
        postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)
    result = {"date": dt.date.today().isoformat(), "machine": machine(), **result}
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2) if args.json else report(result))


def compare_compression(turns: int = 300) -> None:
    """A ticket body growing by a follow-up (a question and a reply) a turn, read under its row lock
    and written back, as a turn does; the backend's CPU from /proc, each method twice."""
    import os
    import random

    import psycopg
    from psycopg.types.json import Jsonb

    from research.retrieval.queries import demo_queries
    from tests.services import ThrowawayPostgres

    questions = [q.query for q in demo_queries()]
    tick = os.sysconf("SC_CLK_TCK")

    def cpu_s(pid: int) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    postgres = ThrowawayPostgres(durable=True).start()
    try:
        with psycopg.connect(postgres.url(), autocommit=True) as conn:
            backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
            for method in ("pglz", "lz4", "pglz", "lz4"):
                rng = random.Random(3)
                conn.execute("DROP TABLE IF EXISTS toast_probe")
                conn.execute("CREATE TABLE toast_probe (id integer PRIMARY KEY, body jsonb)")
                conn.execute(f"ALTER TABLE toast_probe ALTER COLUMN body SET COMPRESSION {method}")
                body = {"ticket_id": "HO-PROBE", "transcript": []}
                conn.execute("INSERT INTO toast_probe VALUES (1, %s)", (Jsonb(body),))
                read_s = write_s = 0.0
                for _ in range(turns):
                    body["transcript"] += [
                        {"role": "customer", "text": rng.choice(questions), "at": "2026-12-03T17:00:00"},
                        {"role": "beacon", "text": " ".join(rng.choice(questions) for _ in range(6)),
                         "at": "2026-12-03T17:00:00", "action": "answer"}]
                    started = cpu_s(backend)
                    with conn.transaction():
                        conn.execute("SELECT body FROM toast_probe WHERE id = 1 FOR UPDATE").fetchone()
                        read = cpu_s(backend)
                        conn.execute("UPDATE toast_probe SET body = %s WHERE id = 1", (Jsonb(body),))
                    write_s += cpu_s(backend) - read
                    read_s += read - started
                stored, text = conn.execute("SELECT pg_column_size(body), octet_length(body::text) "
                                            "FROM toast_probe").fetchone()
                print(f"{method}: {turns} follow-ups (to {2 * turns} entries); backend CPU per read "
                      f"{1000 * read_s / turns:.2f} ms, per update and commit {1000 * write_s / turns:.2f} ms; "
                      f"last body {stored / 1024:.0f} KB stored, {text / 1024:.0f} KB as text")
    finally:
        postgres.stop()


def _drive(base: str, clients_n: int, turns: int, questions: list[str], tag: str) -> int:
    budget = Budget(turns)
    clients = [Client([base], i, questions, time.monotonic() + 3600, budget, seed=1000 + i, tag=tag)
               for i in range(clients_n)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    errors = [e for c in clients for e in c.errors]
    if errors:
        raise RuntimeError(f"{len(errors)} turns failed ({errors[0]}): see the replica's serve.log")
    return sum(len(c.replies) for c in clients)


def report(result: dict) -> str:
    lines = [f"{result['turns']} turns; per turn: {result['statements_per_turn']:.2f} statements, "
             f"{result['commits_per_turn']:.2f} commits, {result['wal_bytes_per_turn'] / 1024:.1f} KB of WAL, "
             f"PostgreSQL CPU {result['postgres_cpu_ms_per_turn']:.2f} ms, replica CPU "
             f"{result['replica_cpu_ms_per_turn']:.1f} ms", "",
             "| store | statements per turn | execution ms per turn |", "| --- | --- | --- |"]
    for store, s in result["by_store"].items():
        lines.append(f"| {store} | {s['statements_per_turn']:.2f} | {s['exec_ms_per_turn']:.3f} |")
    lines += ["", "| table | inserted | updated (HOT) | deleted |", "| --- | --- | --- | --- |"]
    for table, t in sorted(result["row_versions_per_turn"].items()):
        lines.append(f"| {table} | {t['inserted']:.2f} | {t['updated']:.2f} ({t['hot_updated']:.2f}) | "
                     f"{t['deleted']:.2f} |")
    lines += ["", "statements (calls, execution ms per turn, query):"]
    for store, s in result["by_store"].items():
        lines += [f"  {store}:"] + [f"    {calls:5d}  {ms:.3f}  {query}" for calls, ms, query in s["queries"]]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
