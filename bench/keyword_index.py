#!/usr/bin/env python3
"""The keyword index at scale: what a searching process pays for BM25, before (each process
builds it in memory from the store on its first query) and now (built once at ingest,
memory-mapped by every process), and what PostgreSQL's own full-text search would give instead.

1. **Scale.** A synthetic KB of ``--chunks`` chunks shaped like the demo KB's (``bench/retrieval.py``'s
   generator; no Chroma and no model: the chunks go straight to the index builders, in the
   layout ``KnowledgeStore.all_chunks`` returns). Each option runs in its own fresh process and
   reports its build, its start (what a replica pays before its first search), its first query,
   query latency, and its memory from ``/proc/self/smaps_rollup``: RSS, split into heap
   (anonymous memory: the process's own) and file pages (the mapped index: one copy in the page
   cache for every replica on the machine, dropped by the kernel under pressure). For the old
   index the lists it reads from the store are part of what it keeps (its documents and metadata).
2. **Quality.** The labelled queries on the demo KB, sparse search alone and hybrid: BM25 in
   memory (before), BM25 memory-mapped (now) and PostgreSQL full-text search (``ts_rank_cd``),
   hit@1 / hit@5 / MRR.

    .venv/bin/python bench/keyword_index.py                    # 100,000 chunks: about 5 minutes
    .venv/bin/python bench/keyword_index.py --chunks 10000     # a quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import machine, memory_mb  # bench/ is on sys.path when a script here runs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "keyword_index.json"
KNOWLEDGE = ROOT / "knowledge"


def memory() -> dict:
    """This process's RSS, heap and file pages (the mapped index among them): ``machine.memory_mb``."""
    own = memory_mb()
    return {"rss_mb": own["rss_mb"], "heap_mb": own["heap_mb"], "file_mb": own["file_mb"]}


def pct(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"p50": round(statistics.median(ordered), 2), "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2)}


# -- the synthetic chunks ------------------------------------------------------------------------
def demo_chunks_store(folder: Path):
    """The demo KB ingested with the hash embedder: SyntheticKB reads its texts and metadata."""
    from app.core.settings import Settings
    from app.index.embedding import build_embedder
    from app.index.store import KnowledgeStore
    from ingest.sync import sync_knowledge

    settings = Settings(data_dir=folder, knowledge_dir=KNOWLEDGE, embedding_backend="hash")
    embedder = build_embedder(settings)
    store = KnowledgeStore(settings, embedder.model_id).open()
    sync_knowledge(KNOWLEDGE, store, embedder, settings)
    return store


def synthetic_records(store, total: int, seed: int) -> tuple[list, list, list]:
    """(ids, documents, metadatas) as the store would return them for ``total`` chunks."""
    from llama_index.core.schema import MetadataMode
    from llama_index.core.vector_stores.utils import node_to_metadata_dict

    from retrieval import SyntheticKB  # bench/retrieval.py: bench/ is on sys.path
    from ingest.nodes import records, to_node

    ids, documents, metadatas = [], [], []
    for chunk, doc_hash in SyntheticKB(store, seed).chunks(total):
        for rid, _, item, meta in records([chunk], doc_hash, "2026-11-23T00:00:00+00:00"):
            node = to_node(rid, item, meta, [0.0])
            ids.append(rid)
            documents.append(node.get_content(metadata_mode=MetadataMode.NONE))
            metadatas.append(node_to_metadata_dict(node, remove_text=True, flat_metadata=True))
    return ids, documents, metadatas


class ListStore:
    """What the old in-memory index reads from a store, served from lists."""

    def __init__(self, ids, documents, metadatas) -> None:
        self._chunks = (ids, documents, metadatas)

    def all_chunks(self):
        return self._chunks

    def fingerprint(self):
        return (len(self._chunks[0]), 0)


def old_keyword_index_class():
    """``KeywordIndex`` as it was before this change (main at 481b7d6), loaded from git."""
    source = subprocess.run(["git", "show", "481b7d6:app/index/keyword_index.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    namespace: dict = {"__name__": "old_keyword_index"}
    exec(compile(source, "old_keyword_index.py", "exec"), namespace)
    return namespace["KeywordIndex"]


# -- one option in its own process ---------------------------------------------------------------
def child(option: str, data: Path, queries: list[str]) -> dict:
    import numpy as np

    started = time.perf_counter()
    if option == "in-memory (before)":
        ids, documents, metadatas = pickle.loads((data / "chunks.pickle").read_bytes())
        loaded = memory()
        index = old_keyword_index_class()(ListStore(ids, documents, metadatas))
        started = time.perf_counter()  # the lists stand for Chroma's answer, which the old index asked for
        index.refresh()
        del ids, documents, metadatas
        search = index.search
    else:
        from app.index.keyword_files import KeywordFiles

        loaded = memory()
        index = KeywordFiles(data / "files")
        search = index.search
    start_s = time.perf_counter() - started
    first = time.perf_counter()
    rows = search(queries[0], 20)
    first_ms = (time.perf_counter() - first) * 1000
    _ = [index.metadatas[r] for r, _ in rows]  # what the retriever reads of each hit
    latencies = []
    mask = np.ones(len(index.ids), dtype=np.float32)
    for query in queries:
        began = time.perf_counter()
        found = search(query, 20, mask if len(latencies) % 4 == 0 else None)
        _ = [index.documents[r] for r, _ in found[:5]]
        latencies.append((time.perf_counter() - began) * 1000)
    after = memory()
    return {"option": option, "start_s": round(start_s, 2), "first_query_ms": round(first_ms, 1),
            "query_ms": pct(latencies), "memory_before_index": loaded, "memory": after,
            "index_heap_mb": after["heap_mb"] - loaded["heap_mb"]}


# -- quality on the labelled set ------------------------------------------------------------------
def quality(store, folder: Path, database_url: str | None) -> list[dict]:
    from app.core.settings import Settings
    from app.index.embedding import build_embedder
    from app.index.keyword_index import KeywordIndex, LocalVersions
    from app.index.retrieval import HybridRetriever
    from evals.retrieval import score
    from research.retrieval.queries import demo_queries

    queries = [q for q in demo_queries() if q.answerable]
    settings = Settings(data_dir=folder / "demo-real", knowledge_dir=KNOWLEDGE)
    from app.index.store import KnowledgeStore
    from ingest.sync import sync_knowledge

    embedder = build_embedder(settings)
    real = KnowledgeStore(settings, embedder.model_id).open()
    sync_knowledge(KNOWLEDGE, real, embedder, settings)
    old = old_keyword_index_class()(real)
    new = KeywordIndex(real, LocalVersions(settings.data_dir))
    results = []
    for name, index in (("BM25 in memory (before)", old), ("BM25 memory-mapped (now)", new)):
        # exact_max_records=0: both arms search vectors with Chroma, as the old index knew no other way
        retriever = HybridRetriever(real, embedder, keyword_index=index, alpha=settings.retrieval_alpha,
                                    candidates=settings.retrieval_candidates, exact_max_records=0)
        if name.startswith("BM25 in memory"):
            retriever._sparse = _old_sparse(retriever)  # the filter mask as the old code made it
        for mode in ("sparse", "hybrid"):
            ranked = [[(r.source, r.section) for r in retriever.retrieve(q.query, 10, q.region, mode=mode).results]
                      for q in queries]
            results.append({"index": name, "mode": mode, **_scores(score, queries, ranked)})
    if database_url:
        results += postgres_fts_quality(real, queries, database_url, score)
    return results


def _old_sparse(retriever):
    from app.index.retrieval import _allowed

    def sparse(query, region, audience):
        index = retriever.keywords
        mask = index.mask(_allowed(region, audience), key=(region, audience)) if (region or audience) else None
        scores = {index.ids[row]: s for row, s in index.search(query, retriever.candidates, mask)}
        return scores, {c: retriever._chunk(c) for c in scores}

    return sparse


def _scores(score, queries, ranked) -> dict:
    by_id = {q.id: r for q, r in zip(queries, ranked)}
    got = score(queries, lambda q: by_id[q.id]).to_json()
    return {k: round(v, 3) for k, v in got.items() if k in ("hit@1", "hit@5", "mrr")}


def postgres_fts_quality(store, queries, database_url: str, score) -> list[dict]:
    """PostgreSQL's own full-text search over the same chunks: ts_rank_cd on an 'english'
    tsvector of the same keyword text, the query's words OR-ed (AND finds nothing for most
    questions). Sparse alone; its scores are on another scale than BM25's, so the fused
    ranking and the confidence model would need refitting before it could serve."""
    import psycopg

    from app.index.keyword_files import keyword_text

    ids, documents, metadatas = store.all_chunks()
    rows = [(i, keyword_text(d, m), m.get("source", ""), m.get("section", ""), m.get("region"))
            for i, d, m in zip(ids, documents, metadatas) if m.get("vector_of") != "question"]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS fts_chunks")
        conn.execute("CREATE TABLE fts_chunks (id text, raw text, source text, section text, region text)")
        with conn.cursor().copy("COPY fts_chunks (id, raw, source, section, region) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.execute("ALTER TABLE fts_chunks ADD COLUMN body tsvector")
        conn.execute("UPDATE fts_chunks SET body = to_tsvector('english', raw)")
        ranked = []
        for q in queries:
            terms = [t for t in conn.execute("SELECT lexeme FROM unnest(to_tsvector('english', %s))",
                                             (q.query,)).fetchall()]
            if not terms:
                ranked.append([])
                continue
            tsquery = " | ".join(t[0].replace("'", "") for t in terms)
            where = "AND (region = %s OR region = 'global')" if q.region else ""
            params = (tsquery, q.region, tsquery) if q.region else (tsquery, tsquery)
            found = conn.execute(f"SELECT source, section FROM fts_chunks WHERE body @@ to_tsquery('english', %s) "
                                 f"{where} ORDER BY ts_rank_cd(body, to_tsquery('english', %s)) DESC LIMIT 10",
                                 params).fetchall()
            ranked.append([tuple(r) for r in found])
        conn.execute("DROP TABLE fts_chunks")
    return [{"index": "PostgreSQL full-text search (ts_rank_cd)", "mode": "sparse", **_scores(score, queries, ranked)}]


def postgres_fts_latency(ids, documents, metadatas, queries: list[str], database_url: str) -> dict:
    """The same search at scale: a GIN index over 'english' tsvectors, OR-ed query words."""
    import psycopg

    from app.index.keyword_files import keyword_text

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS fts_scale")
        conn.execute("CREATE TABLE fts_scale (id text, raw text)")
        started = time.perf_counter()
        with conn.cursor().copy("COPY fts_scale (id, raw) FROM STDIN") as copy:
            for i, d, m in zip(ids, documents, metadatas):
                if m.get("vector_of") != "question":
                    copy.write_row((i, keyword_text(d, m)))
        conn.execute("ALTER TABLE fts_scale ADD COLUMN body tsvector")
        conn.execute("UPDATE fts_scale SET body = to_tsvector('english', raw)")
        conn.execute("CREATE INDEX ON fts_scale USING gin (body)")
        conn.execute("ANALYZE fts_scale")
        build_s = time.perf_counter() - started
        latencies = []
        for query in queries:
            began = time.perf_counter()
            terms = conn.execute("SELECT lexeme FROM unnest(to_tsvector('english', %s))", (query,)).fetchall()
            if terms:
                tsquery = " | ".join(t[0].replace("'", "") for t in terms)
                conn.execute("SELECT id FROM fts_scale WHERE body @@ to_tsquery('english', %s) "
                             "ORDER BY ts_rank_cd(body, to_tsquery('english', %s)) DESC LIMIT 20",
                             (tsquery, tsquery)).fetchall()
            latencies.append((time.perf_counter() - began) * 1000)
        conn.execute("DROP TABLE fts_scale")
    return {"option": "PostgreSQL full-text search", "build_s": round(build_s, 1), "query_ms": pct(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--no-postgres", action="store_true", help="leave PostgreSQL full-text search out")
    args = parser.parse_args()
    from research.retrieval.queries import demo_queries

    queries = [q.query for q in demo_queries()]
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]), queries)))
        return
    from app.index.keyword_files import build_keyword_files

    postgres = None
    if not args.no_postgres:
        from tests.services import ServiceMissing, ThrowawayPostgres

        try:
            postgres = ThrowawayPostgres().start()
        except ServiceMissing as exc:
            print(f"PostgreSQL full-text search left out: {exc}", file=sys.stderr)
    try:
        with tempfile.TemporaryDirectory(prefix="beacon-kw-") as scratch:
            folder = Path(scratch)
            store = demo_chunks_store(folder / "demo")
            started = time.perf_counter()
            ids, documents, metadatas = synthetic_records(store, args.chunks, args.seed)
            print(f"{len(ids)} records made in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            (folder / "chunks.pickle").write_bytes(pickle.dumps((ids, documents, metadatas)))
            started = time.perf_counter()
            manifest = build_keyword_files(folder / "files", ids, documents, metadatas, len(ids), "bench")
            ingest_build_s = time.perf_counter() - started
            disk_mb = sum(p.stat().st_size for p in (folder / "files").iterdir()) / 2**20
            scale = []
            for option in ("in-memory (before)", "memory-mapped (now)"):
                out = subprocess.run([sys.executable, __file__, "--child", option, str(folder)], check=True,
                                     capture_output=True, text=True, cwd=ROOT).stdout
                scale.append(json.loads(out.strip().splitlines()[-1]))
                print(scale[-1], file=sys.stderr)
            if postgres is not None:
                scale.append(postgres_fts_latency(ids, documents, metadatas, queries, postgres.url()))
            del ids, documents, metadatas
            labelled = quality(store, folder, postgres.url() if postgres else None)
    finally:
        if postgres is not None:
            postgres.stop()
    result = {"date": dt.date.today().isoformat(), "machine": machine(), "chunks": args.chunks,
              "rows_indexed": manifest["rows"], "ingest_build_s": round(ingest_build_s, 1),
              "index_files_mb": round(disk_mb, 1), "scale": scale, "quality": labelled}
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n{args.chunks:,} chunks ({manifest['rows']:,} indexed rows); build at ingest {ingest_build_s:.1f} s, "
          f"files {disk_mb:.0f} MB\n")
    print("| option | start s (before the first search) | first query ms | query p50 / p95 ms | RSS MB | heap MB | file pages MB |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in scale:
        mem = row.get("memory", {})
        print(f"| {row['option']} | {row.get('start_s', row.get('build_s'))} | {row.get('first_query_ms', '')} | "
              f"{row['query_ms']['p50']} / {row['query_ms']['p95']} | {mem.get('rss_mb', '')} | "
              f"{mem.get('heap_mb', '')} | {mem.get('file_mb', '')} |")
    print("\n| index | mode | hit@1 | hit@5 | MRR |\n| --- | --- | --- | --- | --- |")
    for row in labelled:
        print(f"| {row['index']} | {row['mode']} | {row['hit@1']} | {row['hit@5']} | {row['mrr']} |")


if __name__ == "__main__":
    main()
