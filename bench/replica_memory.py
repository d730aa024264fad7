#!/usr/bin/env python3
"""A whole ``beacon serve`` replica at scale (issue 17): its memory and its first turn with
``--chunks`` chunks (100,000 by default) in a Chroma server and the keyword index published in
PostgreSQL, against the same replica over the demo KB.

The chunks are the synthetic ones of ``bench/keyword_index.py`` (shaped like the demo KB's), written
straight into the Chroma server's collection with random unit vectors: the replica's memory does not
depend on what the vectors say, and embedding 100,000 chunks would take most of the run. The keyword
index is built and published once, as ``beacon ingest`` does. Then a real ``beacon serve`` process
starts against both stores; the script measures how long it takes to be ready, its first turn
(``POST /v1/chat``), the next 20 turns, and its memory from ``/proc/PID/smaps_rollup`` afterwards:
RSS, the process's own (private) pages, and anonymous memory (heap) apart from file pages.

    .venv/bin/python bench/replica_memory.py                  # 100,000 chunks: about 10 minutes
    .venv/bin/python bench/replica_memory.py --chunks 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from machine import machine, memory_mb  # bench/ is on sys.path when a script here runs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx
import numpy as np

from keyword_index import demo_chunks_store, synthetic_records
from load import KEY, _env, start_server

RESULTS = ROOT / "bench" / "results" / "replica_memory.json"
BATCH = 2000


def fill_chroma(settings, total: int, template_store) -> float:
    """Write ``total`` synthetic chunks into the collection a replica opens; returns seconds."""
    from app.index.embedding import build_embedder
    from app.index.store import KnowledgeStore

    model_id = build_embedder(settings).model_id
    store = KnowledgeStore(settings, model_id).open()
    ids, documents, metadatas = synthetic_records(template_store, total, seed=7)
    rng = np.random.default_rng(7)
    started = time.perf_counter()
    for start in range(0, len(ids), BATCH):
        vectors = rng.standard_normal((len(ids[start:start + BATCH]), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.collection.upsert(ids=ids[start:start + BATCH], embeddings=vectors.tolist(),
                                metadatas=metadatas[start:start + BATCH], documents=documents[start:start + BATCH])
    return time.perf_counter() - started


def publish_keyword_index(settings) -> float:
    from app.index.embedding import build_embedder
    from app.index.keyword_index import versions_for
    from app.index.store import KnowledgeStore

    store = KnowledgeStore(settings, build_embedder(settings).model_id).open()
    started = time.perf_counter()
    versions_for(store).publish(store)
    return time.perf_counter() - started


def measure_replica(data_dir: Path, shared: dict, questions: list[str]) -> dict:
    started = time.perf_counter()
    base, server = start_server(data_dir, shared, ingest=False)
    ready_s = time.perf_counter() - started
    try:
        headers = {"Authorization": f"Bearer {KEY}"}
        latencies = []
        for n, question in enumerate(questions):
            began = time.perf_counter()
            response = httpx.post(f"{base}/v1/chat", headers=headers, timeout=120,
                                  json={"session_id": f"memory-{n}", "message": question})
            response.raise_for_status()
            latencies.append((time.perf_counter() - began) * 1000)
        return {"ready_s": round(ready_s, 2), "first_turn_ms": round(latencies[0], 1),
                "next_turns_p50_ms": round(statistics.median(latencies[1:]), 1),
                "memory": memory_mb(server.pid)}
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=100_000)
    args = parser.parse_args()
    from app.core.settings import Settings
    from research.retrieval.queries import demo_queries
    from tests.conftest import VAULT_KEY
    from tests.services import ChromaServer, ThrowawayPostgres

    questions = [q.query for q in demo_queries() if q.answerable][:21]
    folder = Path(tempfile.mkdtemp(prefix="beacon-replica-memory-"))
    rows = []
    try:
        template = demo_chunks_store(folder / "template")
        for label, chunks in (("demo KB", None), (f"{args.chunks:,} chunks", args.chunks)):
            postgres = ThrowawayPostgres().start()
            chroma = ChromaServer(folder / f"chroma-{len(rows)}").start()
            try:
                shared = {"BEACON_DATABASE_URL": postgres.url(), "BEACON_CHROMA_URL": chroma.url,
                          "BEACON_VAULT_KEY": VAULT_KEY}
                row: dict = {"kb": label}
                if chunks is None:
                    import subprocess

                    subprocess.run([sys.executable, "-m", "app.cli.commands", "ingest"], cwd=ROOT, check=True,
                                   stdout=subprocess.DEVNULL, env={**_env(folder / "ingest-demo"), **shared})
                else:
                    settings = Settings(data_dir=folder / "ingest-big", database_url=postgres.url(),
                                        chroma_url=chroma.url, vault_key=VAULT_KEY)
                    row["fill_chroma_s"] = round(fill_chroma(settings, chunks, template), 1)
                    row["publish_keyword_index_s"] = round(publish_keyword_index(settings), 1)
                row.update(measure_replica(folder / f"replica-{len(rows)}", shared, questions))
                rows.append(row)
                print(json.dumps(row), flush=True)
            finally:
                chroma.stop()
                postgres.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    RESULTS.write_text(json.dumps({"date": dt.date.today().isoformat(), "machine": machine(), "rows": rows},
                                  indent=2) + "\n")
    print("| KB | ready s | first turn ms | next 20 turns p50 ms | RSS MB | private MB | heap MB | file pages MB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        m = row["memory"]
        print(f"| {row['kb']} | {row['ready_s']} | {row['first_turn_ms']} | {row['next_turns_p50_ms']} | "
              f"{m['rss_mb']} | {m['private_mb']} | {m['heap_mb']} | {m['file_mb']} |")


if __name__ == "__main__":
    main()
