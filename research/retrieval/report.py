"""The retrieval table: each step's effect on hit@1, hit@5 and MRR over the labelled set.

    python -m research.retrieval.report          # uses BEACON_DATA_DIR's index; run `beacon ingest` first
"""

from __future__ import annotations

import json
import statistics
import time

from app.core.settings import load_settings
from app.index.embedding import build_embedder
from app.index.retrieval import HybridRetriever
from app.index.store import KnowledgeStore
from evals.retrieval import score
from research.retrieval.queries import demo_queries

STEPS = [
    ("dense, chunk vectors only", dict(question_vectors=False), "dense"),
    ("dense + FAQ question vectors", {}, "dense"),
    ("BM25 only", {}, "sparse"),
    ("hybrid, reciprocal rank fusion (k=60)", dict(fusion="rrf"), "hybrid"),
    ("hybrid, relative score fusion", {}, "hybrid"),
]


def main() -> None:
    settings = load_settings()
    embedder = build_embedder(settings)
    store = KnowledgeStore(settings, embedder.model_id).open()
    queries = demo_queries()
    rows = []
    for name, options, mode in STEPS:
        retriever = HybridRetriever(store, embedder, alpha=settings.retrieval_alpha,
                                    candidates=settings.retrieval_candidates, **options)
        retriever.warm_up()
        latencies: list[float] = []

        def run(q):
            started = time.perf_counter()
            results = retriever.retrieve(q.query, 10, q.region, mode=mode).results
            latencies.append((time.perf_counter() - started) * 1000)
            return [(r.source, r.section) for r in results]

        scores = score(queries, run)
        rows.append({"step": name, **scores.to_json(), "p50_ms": round(statistics.median(latencies), 1)})
    print("| step | hit@1 | hit@5 | MRR | p50 ms |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['step']} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['mrr']:.3f} | {r['p50_ms']} |")
    print(json.dumps({"queries": rows[0]["queries"], "alpha": settings.retrieval_alpha,
                      "candidates": settings.retrieval_candidates}))


if __name__ == "__main__":
    main()
