#!/usr/bin/env python3
"""Retrieval and turn latency: hybrid retrieval at 1,000 to 100,000 chunks, a whole answer
turn without an LLM, and llama-index's default retriever side by side with Beacon's.

1. scale: stores of N synthetic chunks (text built from the demo KB's sentences, random
   unit vectors) written through ``KnowledgeStore.upsert`` in the production layout; the
   labelled queries, embedded by the real model, go through ``HybridRetriever``, with the
   vector query exact (the default) and again with Chroma's approximate index.
2. turn: the demo KB ingested with the real model; every labelled query goes through the
   answer chain with the extractive generator.
3. baseline: on the same demo store, llama-index's ``VectorStoreIndex`` retriever against
   ``HybridRetriever`` in hybrid and dense modes: quality (``evals.retrieval.score``) and latency.

Everything runs in temporary folders; nothing touches ``.beacon``. Prints Markdown tables
and writes ``bench/results/retrieval.json``.

    .venv/bin/python bench/retrieval.py                              # everything: about 12 minutes
    .venv/bin/python bench/retrieval.py --scales 1000,10000 --parts scale
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import importlib.metadata
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from machine import machine  # bench/ is on sys.path when a script here runs

ROOT = Path(__file__).resolve().parents[1]
# Python puts bench/ first on the path, where bench/ingest.py would shadow the ingest package.
sys.path.insert(0, str(ROOT))

from app.core.settings import Settings
from app.index.embedding.onnx_minilm import OnnxMiniLMEmbedder
from app.index.retrieval import QUESTION_SUFFIX, HybridRetriever
from app.index.store import KnowledgeStore
from evals.retrieval import LabelledQuery, score
from research.retrieval.queries import demo_queries

KNOWLEDGE = ROOT / "knowledge"
RESULTS = ROOT / "bench" / "results" / "retrieval.json"
DIMENSION = 384  # OnnxMiniLMEmbedder.dimension
STAGES = ("embed_ms", "retrieve_ms", "sparse_ms", "fuse_ms")
STAGE_NAMES = {"embed_ms": "embed", "retrieve_ms": "vector query", "sparse_ms": "BM25", "fuse_ms": "fuse"}
TOP_K = 10  # evals.retrieval.score reads the first 10 results
WRITE_BATCH = 2000  # chunks per store.upsert call (it writes 1,000 records per Chroma call)
CLUSTER_NOISE = 0.03  # per dimension: |noise| is about 0.6, so a vector keeps cosine ~0.85 to its centre


# --- measuring ------------------------------------------------------------------------

def pct(values: list[float]) -> dict:
    """p50 and p95 (inclusive quantiles) in ms, and the number of samples."""
    if not values:
        return {"n": 0, "p50": None, "p95": None}
    if len(values) == 1:
        return {"n": 1, "p50": round(values[0], 2), "p95": round(values[0], 2)}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"n": len(values), "p50": round(cuts[49], 2), "p95": round(cuts[94], 2)}


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def rss_mb() -> int:
    with open("/proc/self/status") as status:
        return int(next(line.split()[1] for line in status if line.startswith("VmRSS"))) // 1024


def versions() -> dict:
    out = {}
    for dist in ("chromadb", "llama-index-core", "llama-index-vector-stores-chroma", "bm25s", "onnxruntime", "numpy"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = None
    return out


def demo_store(tmp: Path, embedder) -> tuple[Settings, KnowledgeStore, float]:
    """The demo KB ingested with the real model into a fresh temporary data dir."""
    from ingest.sync import sync_knowledge

    settings = Settings(data_dir=tmp / "demo", knowledge_dir=KNOWLEDGE)
    store = KnowledgeStore(settings, embedder.model_id).open()
    started = time.perf_counter()
    report = sync_knowledge(KNOWLEDGE, store, embedder, settings)
    if not report.ok:
        raise SystemExit(f"ingesting {KNOWLEDGE} failed: {[f.error for f in report.files if f.error]}")
    return settings, store, time.perf_counter() - started


# --- 1. retrieval at scale --------------------------------------------------------------

class SyntheticKB:
    """Documents shaped like the demo KB's: each copies a random demo document's type,
    region, category and tags and its number of chunks; each chunk copies the length (in
    words) of a random demo chunk of the same type and is filled with demo sentences; FAQ
    chunks take a demo question as their section and so get a question vector too."""

    def __init__(self, store: KnowledgeStore, seed: int) -> None:
        from ingest.document import DocumentMeta

        ids, documents, metadatas = store.all_chunks()
        chunks = [(d, m) for d, m in zip(documents, metadatas) if m.get("vector_of") == "chunk"]
        self.sentences = sorted({s for d, _ in chunks for s in re.split(r"(?<=[.!?])\s+|\n+", d)
                                 if len(s.split()) >= 4})
        by_source: dict[str, list[tuple[str, dict]]] = {}
        for d, m in chunks:
            by_source.setdefault(m["source"], []).append((d, m))
        self.documents = [by_source[s] for s in sorted(by_source)]
        self.lengths = {kind: sorted(len(d.split()) for d, m in chunks if m["doc_type"] == kind)
                        for kind in {m["doc_type"] for _, m in chunks}}
        self.sections = {kind: sorted({m["section"] for _, m in chunks if m["doc_type"] == kind}) for kind in self.lengths}
        self.meta_type = DocumentMeta
        self.seed = seed

    def chunks(self, total: int):
        """Yield (chunk, doc_hash) for ``total`` chunks, the same ones for the same seed."""
        from ingest.chunking import Chunk

        rng = random.Random(self.seed)
        made, doc = 0, 0
        while made < total:
            template = rng.choice(self.documents)
            first = template[0][1]
            kind = first["doc_type"]
            meta = self.meta_type(title=f"{first['title']} {doc}", doc_type=kind, category=first["category"],
                                  region=first["region"], audience=first["audience"], effective_date="2026-08-15",
                                  version="1.0", tags=tuple(t for t in first["tags"].split(", ") if t))
            source = f"synthetic/{kind}-{doc:06d}.md"
            doc_hash = hashlib.sha256(source.encode()).hexdigest()[:32]
            for index in range(min(len(template), total - made)):
                words, text = rng.choice(self.lengths[kind]), []
                while sum(len(s.split()) for s in text) < words:
                    text.append(rng.choice(self.sentences))
                section = rng.choice(self.sections[kind])
                question = section if first["question"] else None
                body = " ".join(text)
                yield Chunk(chunk_id=f"{source}#{index}", source=source, text=body,
                            embed_text=f"{section}\n{body}", section_path=(section,), line=index * 4 + 1,
                            meta=meta, question=question), doc_hash
                made += 1
            doc += 1


def write_synthetic(store: KnowledgeStore, kb: SyntheticKB, total: int, seed: int,
                    centres: np.ndarray | None = None) -> dict:
    """Insert ``total`` chunks (and their question vectors) with random unit vectors:
    uniform on the sphere, or with ``centres`` scattered around them (cosine about 0.85)."""
    from ingest.nodes import records, to_node

    vectors = np.random.default_rng(seed)
    node_s = upsert_s = 0.0
    stored = 0
    batch: list[tuple] = []

    def flush() -> None:
        nonlocal node_s, upsert_s, stored
        started = time.perf_counter()
        # One records() call per chunk: its doc_chunk_count is then wrong, but only the sync reads it.
        out = [r for chunk, doc_hash in batch for r in records([chunk], doc_hash, "2026-11-23T00:00:00+00:00")]
        matrix = vectors.standard_normal((len(out), DIMENSION)).astype(np.float32)
        if centres is not None:
            matrix = centres[vectors.integers(len(centres), size=len(out))] + CLUSTER_NOISE * matrix
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        nodes = [to_node(rid, chunk, meta, vector) for (rid, _, chunk, meta), vector in zip(out, matrix.tolist())]
        mid = time.perf_counter()
        store.upsert(nodes)
        upsert_s += time.perf_counter() - mid
        node_s += mid - started
        stored += len(nodes)
        batch.clear()

    for item in kb.chunks(total):
        batch.append(item)
        if len(batch) == WRITE_BATCH:
            flush()
    if batch:
        flush()
    return {"records": stored, "make_nodes_s": round(node_s, 2), "upsert_s": round(upsert_s, 2)}


def run_queries(retriever: HybridRetriever, queries: list[LabelledQuery], mode: str = "hybrid") -> list[dict]:
    rows = []
    for q in queries:
        started = time.perf_counter()
        got = retriever.retrieve(q.query, TOP_K, q.region, mode=mode)
        rows.append({"total_ms": (time.perf_counter() - started) * 1000, "region": q.region is not None,
                     **got.timings, "hits": [(r.source, r.section) for r in got.results]})
    return rows


def stage_summary(rows: list[dict]) -> dict:
    out = {"total_ms": pct([r["total_ms"] for r in rows])}
    for stage in STAGES:
        out[stage] = pct([r[stage] for r in rows])
    return out


def measure_scale(tmp: Path, kb: SyntheticKB, embedder, total: int, queries: list[LabelledQuery], seed: int,
                  warmup: int, centres: np.ndarray | None) -> dict:
    load_before = loadavg()
    settings = Settings(data_dir=tmp / f"scale-{total}")
    store = KnowledgeStore(settings, embedder.model_id).open()
    started = time.perf_counter()
    written = write_synthetic(store, kb, total, seed, centres)
    insert_s = time.perf_counter() - started
    retriever = HybridRetriever(store, embedder, alpha=settings.retrieval_alpha, candidates=settings.retrieval_candidates,
                                exact_max_records=settings.exact_search_max_records)
    started = time.perf_counter()
    retriever.keywords.refresh()  # what the first retrieval of a fresh process pays for BM25
    bm25_s = time.perf_counter() - started
    started = time.perf_counter()
    retriever.retrieve(queries[0].query, TOP_K, queries[0].region)
    first_ms = (time.perf_counter() - started) * 1000
    run_queries(retriever, queries[:warmup])
    rows = run_queries(retriever, queries)
    # The same queries with Chroma's approximate index answering the vector query (what an index
    # above BEACON_EXACT_SEARCH_MAX_RECORDS uses), and how often its top results differ.
    approximate = HybridRetriever(store, embedder, alpha=settings.retrieval_alpha,
                                  candidates=settings.retrieval_candidates, exact_max_records=0)
    run_queries(approximate, queries[:warmup])
    chroma_rows = run_queries(approximate, queries)
    # KeywordIndex.refresh asks the store for its fingerprint (a Chroma count) on every search.
    fingerprint_ms = []
    for _ in range(50):
        started = time.perf_counter()
        store.fingerprint()
        fingerprint_ms.append((time.perf_counter() - started) * 1000)
    result = {
        "chunks": total, **written,
        "loadavg_1m": [load_before, loadavg()],  # other work on the machine inflates the latencies
        "insert_s": round(insert_s, 2),
        "bm25_build_s": round(bm25_s, 2),
        "first_query_ms": round(first_ms, 1),
        "disk_mb": round(sum(f.stat().st_size for f in (settings.data_dir).rglob("*") if f.is_file()) / 2**20),
        "rss_mb_after": rss_mb(),
        "fingerprint_ms": pct(fingerprint_ms),
        "all": stage_summary(rows),
        "with_region": stage_summary([r for r in rows if r["region"]]),
        "no_region": stage_summary([r for r in rows if not r["region"]]),
        "vector_query_exact": retriever.keywords.records <= settings.exact_search_max_records,
        "chroma_vector_query": stage_summary(chroma_rows),
        "same_results_as_chroma": round(sum(a["hits"] == b["hits"] for a, b in zip(rows, chroma_rows)) / len(rows), 3),
    }
    del retriever, approximate, store
    gc.collect()
    return result


# --- 2. a whole turn --------------------------------------------------------------------

def measure_turns(settings: Settings, store: KnowledgeStore, embedder, queries: list[LabelledQuery],
                  warmup: int) -> dict:
    from app.chain.factory import build_chain

    chain = build_chain(settings, store, embedder)
    chain.retriever.warm_up()
    for q in queries[:warmup]:
        chain.answer(q.query, region=q.region)
    turns, walls = [], []
    for q in queries:
        started = time.perf_counter()
        answer = chain.answer(q.query, region=q.region)  # no session id: every turn is a first turn
        walls.append((time.perf_counter() - started) * 1000)
        turns.append(answer)
    stages = sorted({k for a in turns for k in a.latency_ms}, key=lambda k: (k == "total_ms", k))
    order = ["checks_ms", "rewrite_ms", *STAGES, "confidence_ms", "generate_ms", "total_ms"]
    stages = [s for s in order if s in stages] + [s for s in stages if s not in order]
    return {
        "queries": len(queries),
        "generator": settings.generator,
        "outcomes": dict(Counter(a.flags[-1] if a.flags else "answered" for a in turns)),
        "stages": {s: pct([a.latency_ms[s] for a in turns if s in a.latency_ms]) for s in stages},
        "wall_ms": pct(walls),
    }


# --- 3. llama-index's default retriever side by side -------------------------------------

def collapse_question_vectors(pairs: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(record id, source, section) -> ranked (source, section), one entry per chunk: a
    question vector ("…#q") and its chunk's own vector count once, at the better rank."""
    seen, out = set(), []
    for record_id, source, section in pairs:
        chunk_id = record_id.removesuffix(QUESTION_SUFFIX)
        if chunk_id not in seen:
            seen.add(chunk_id)
            out.append((source, section))
    return out


def measure_baseline(store: KnowledgeStore, embedder, queries: list[LabelledQuery], warmup: int) -> dict:
    from llama_index.core import VectorStoreIndex
    from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from app.index.embedding.llama_adapter import LlamaIndexEmbedding

    index = VectorStoreIndex.from_vector_store(ChromaVectorStore(chroma_collection=store.collection),
                                               embed_model=LlamaIndexEmbedding(embedder))
    retrievers: dict[str | None, object] = {}

    def llama_retriever(region: str | None):
        if region not in retrievers:
            filters = None if region is None else MetadataFilters(
                filters=[MetadataFilter(key="region", value=[region, "global"], operator=FilterOperator.IN)])
            retrievers[region] = index.as_retriever(similarity_top_k=TOP_K, filters=filters)
        return retrievers[region]

    def llama(q: LabelledQuery) -> list[tuple[str, str]]:
        got = llama_retriever(q.region).retrieve(q.query)
        return collapse_question_vectors([(n.node.node_id, n.node.metadata.get("source", ""),
                                           n.node.metadata.get("section", "")) for n in got])

    beacon = HybridRetriever(store, embedder)
    beacon.warm_up()
    systems = {
        "llama-index VectorStoreIndex retriever (top 10, #q collapsed)": llama,
        "Beacon HybridRetriever, dense": lambda q: [(r.source, r.section) for r in
                                                     beacon.retrieve(q.query, TOP_K, q.region, mode="dense").results],
        "Beacon HybridRetriever, hybrid": lambda q: [(r.source, r.section) for r in
                                                      beacon.retrieve(q.query, TOP_K, q.region, mode="hybrid").results],
    }
    out = {}
    for name, search in systems.items():
        for q in queries[:warmup]:
            search(q)
        latencies, lengths = [], []

        def timed(q: LabelledQuery) -> list[tuple[str, str]]:
            started = time.perf_counter()
            got = search(q)
            latencies.append((time.perf_counter() - started) * 1000)
            lengths.append(len(got))
            return got

        scores = score(queries, timed)
        out[name] = {**scores.to_json(), "latency_ms": pct(latencies),
                     "mean_results": round(sum(lengths) / len(lengths), 2), "misses_at_1": scores.misses}
    return out


# --- output -------------------------------------------------------------------------------

def fmt(summary: dict) -> str:
    return f"{summary['p50']:.1f} / {summary['p95']:.1f}" if summary["n"] else "–"


def print_tables(result: dict) -> None:
    m = result["machine"]
    print(f"\n{result['date']}: {m['cores']} cores ({m['cpu']}), Python {m['python']}, "
          f"load average (1 min) {m['loadavg_1m_before']} before, {m['loadavg_1m_after']} after\n")
    if "scale" in result:
        s = result["scale"]
        print(f"Retrieval at scale, hybrid, top {TOP_K}, {s['vectors']} vectors, {s['queries']} queries "
              f"({s['queries_with_region']} with a region filter), ms p50 / p95:\n")
        print("| chunks (records) | **total** | embed | vector query | BM25 | fuse | total, no filter | total, region filter "
              "| vector query, region filter |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for r in s["runs"]:
            a = r["all"]
            print(f"| {r['chunks']:,} ({r['records']:,}) | **{fmt(a['total_ms'])}** | {fmt(a['embed_ms'])} | "
                  f"{fmt(a['retrieve_ms'])} | {fmt(a['sparse_ms'])} | {fmt(a['fuse_ms'])} | "
                  f"{fmt(r['no_region']['total_ms'])} | {fmt(r['with_region']['total_ms'])} | "
                  f"{fmt(r['with_region']['retrieve_ms'])} |")
        print("\nThe vector query exact (the default up to BEACON_EXACT_SEARCH_MAX_RECORDS) against Chroma's "
              "approximate index, same queries:\n")
        print("| chunks (records) | vector query, first arm | vector query, Chroma | total, first arm | total, Chroma "
              "| same top results | first arm exact |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for r in s["runs"]:
            a, c = r["all"], r.get("chroma_vector_query")
            if c:
                print(f"| {r['chunks']:,} ({r['records']:,}) | {fmt(a['retrieve_ms'])} | {fmt(c['retrieve_ms'])} | "
                      f"{fmt(a['total_ms'])} | {fmt(c['total_ms'])} | {r['same_results_as_chroma']:.3f} | "
                      f"{'yes' if r.get('vector_query_exact') else 'no: over BEACON_EXACT_SEARCH_MAX_RECORDS'} |")
        print("\nBuilding the stores:\n")
        print("| chunks (records) | insert s (make nodes + Chroma upsert) | records/s | BM25 build s (first retrieval) "
              "| first query ms (after BM25) | store fingerprint ms p50 | store on disk MB | process RSS MB after "
              "| load average before / after |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for r in s["runs"]:
            print(f"| {r['chunks']:,} ({r['records']:,}) | {r['insert_s']:.1f} ({r['make_nodes_s']:.1f} + "
                  f"{r['upsert_s']:.1f}) | {r['records'] / r['insert_s']:.0f} | {r['bm25_build_s']:.2f} | "
                  f"{r['first_query_ms']:.0f} | {r['fingerprint_ms']['p50']:.1f} | {r['disk_mb']} | {r['rss_mb_after']} | "
                  f"{r['loadavg_1m'][0]} / {r['loadavg_1m'][1]} |")
    if "turn" in result:
        t = result["turn"]
        print(f"\nOne turn on the demo KB ({t['demo_chunks']} chunks, {t['demo_records']} records), extractive generator, "
              f"{t['queries']} queries; outcomes {t['outcomes']}; load average {t['loadavg_1m'][0]} / {t['loadavg_1m'][1]}:\n")
        print("| stage | turns | p50 ms | p95 ms |\n| --- | --- | --- | --- |")
        for stage, summary in t["stages"].items():
            bold = "**" if stage == "total_ms" else ""
            print(f"| {stage} | {summary['n']} | {bold}{summary['p50']:.2f}{bold} | {summary['p95']:.2f} |")
        print(f"| wall time around `answer()` | {t['wall_ms']['n']} | {t['wall_ms']['p50']:.2f} | {t['wall_ms']['p95']:.2f} |")
    if "baseline" in result:
        b = result["baseline"]
        first = next(iter(b["systems"].values()))
        print(f"\nSide by side on the demo KB, {first['queries']} answerable queries, top {TOP_K}; load average "
              f"{b['loadavg_1m'][0]} / {b['loadavg_1m'][1]}:\n")
        print("| retriever | hit@1 | hit@5 | MRR | results per query | latency p50 / p95 ms |\n| --- | --- | --- | --- | --- | --- |")
        for name, r in b["systems"].items():
            print(f"| {name} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['mrr']:.3f} | {r['mean_results']} | "
                  f"{fmt(r['latency_ms'])} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1000,10000,100000", help="chunk counts for part 1, comma-separated")
    parser.add_argument("--parts", default="scale,turn,baseline", help="any of scale, turn, baseline")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=10, help="queries run before each measured pass")
    parser.add_argument("--scale-stride", type=int, default=2,
                        help="part 1 uses every n-th labelled query (2: 211 of 422, to keep the run short)")
    parser.add_argument("--vectors", choices=["random", "clustered"], default="random",
                        help="part 1: uniform random unit vectors, or scattered around the demo KB's real ones")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    began = time.perf_counter()

    result: dict = {
        "date": dt.date.today().isoformat(),
        "machine": machine(loadavg_1m_before=loadavg()),
        "versions": versions(),
        "settings": {"retrieval_alpha": Settings().retrieval_alpha, "retrieval_candidates": Settings().retrieval_candidates,
                     "top_k": TOP_K, "seed": args.seed, "warmup_queries": args.warmup},
    }
    queries = demo_queries()
    embedder = OnnxMiniLMEmbedder(batch_size=Settings().embedding_batch_size)
    embedder.warm_up()
    with tempfile.TemporaryDirectory(prefix="beacon-bench-retrieval-") as tmp:
        tmp = Path(tmp)
        settings, store, sync_s = demo_store(tmp, embedder)
        demo = {"demo_chunks": store.chunk_count(), "demo_records": store.count(), "demo_ingest_s": round(sync_s, 1)}
        print(f"demo KB ingested: {demo}", flush=True)
        if "turn" in parts:
            load_before = loadavg()
            result["turn"] = {**demo, **measure_turns(settings, store, embedder, queries, args.warmup),
                              "loadavg_1m": [load_before, loadavg()]}
            print(f"turns done ({time.perf_counter() - began:.0f} s)", flush=True)
        if "baseline" in parts:
            load_before = loadavg()
            result["baseline"] = {**demo, "systems": measure_baseline(store, embedder, queries, args.warmup),
                                  "loadavg_1m": [load_before, loadavg()]}
            print(f"baseline done ({time.perf_counter() - began:.0f} s)", flush=True)
        if "scale" in parts:
            kb = SyntheticKB(store, args.seed)
            centres = None
            if args.vectors == "clustered":
                centres = np.array(store.collection.get(include=["embeddings"])["embeddings"], dtype=np.float32)
            scale_queries = queries[:: args.scale_stride]
            runs = []
            for total in [int(n) for n in args.scales.split(",")]:
                runs.append(measure_scale(tmp, kb, embedder, total, scale_queries, args.seed, args.warmup, centres))
                print(f"{total:,} chunks done ({time.perf_counter() - began:.0f} s): insert {runs[-1]['insert_s']} s, "
                      f"p50 {runs[-1]['all']['total_ms']['p50']} ms", flush=True)
            result["scale"] = {"queries": len(scale_queries), "vectors": args.vectors,
                               "queries_with_region": sum(q.region is not None for q in scale_queries),
                               "synthetic_sentences": len(kb.sentences), "runs": runs}
    result["machine"]["loadavg_1m_after"] = loadavg()
    result["run_s"] = round(time.perf_counter() - began, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print_tables(result)
    print(f"\nwhole run: {result['run_s']:.0f} s; results in {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
