"""Hub penalties on retrieval, two unsupervised forms, on the labelled KBs (file hit@1 / hit@5 per KB).

    .venv/bin/python -m research.kbs.hubness [--kb KB ...] [--out FILE]

Many misses on Monero and BTCPay put a page that is near many questions (an overview, a long guide) above the
page that answers. Two ways to find such pages from the KB alone, no labels:
- *chunk*: CSLS-style, each vector's mean cosine to its k nearest vectors of other files; the dense score
  becomes ``cosine - beta * hub`` (k in 5, 10, 20);
- *file*: each chunk's own heading asked as a question; a file's hub score is the share of other files'
  headings it wins; the fused score becomes ``score - gamma * hub``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np

from research.kbs.evaluate import kb_by_name
from research.kbs.harness import bundled_embedder, hit_rank, ranked_files, retrieval_runner

BETAS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
KS = (5, 10, 20)
GAMMAS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)


def _rates(ranks: list[int | None]) -> list[float]:
    return [round(sum(r == 1 for r in ranks) / len(ranks), 3), round(sum(r is not None and r <= 5 for r in ranks) / len(ranks), 3)]


def chunk_hubness(runner, questions) -> dict:
    store = runner.retriever.store
    got = store.collection.get(include=["embeddings", "metadatas"])
    ids, vectors = got["ids"], np.asarray(got["embeddings"], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    sources = np.array([m.get("source", "") for m in got["metadatas"]])
    similarity = vectors @ vectors.T
    similarity[sources[:, None] == sources[None, :]] = -1.0  # neighbours in other files only
    nearest, out = store.nearest, {}
    try:
        for k in KS:
            hub = dict(zip(ids, (-np.sort(-similarity, axis=1)[:, :k]).mean(axis=1)))
            for beta in BETAS:
                if beta == 0.0 and k != KS[0]:
                    continue

                def penalised(vector, top_k, where=None, hub=hub, beta=beta):
                    hits = sorted(((i, s - beta * hub[i]) for i, s in nearest(vector, len(ids), where)), key=lambda x: -x[1])
                    return hits[:top_k]

                store.nearest = penalised
                ranks = [hit_rank(ranked_files(runner.retriever.retrieve(q.query, top_k=10, region=q.region).results), q.targets)
                         for q in questions]
                out[f"k={k} beta={beta}"] = _rates(ranks)
    finally:
        store.nearest = nearest
    return out


def file_hubness(runner, questions) -> dict:
    index = runner.retriever.keywords
    pseudo = {((m.get("section") or "").split(" › ")[-1].strip(), m.get("source")) for m in index.metadatas}
    pseudo = {(q, s) for q, s in pseudo if len(q.split()) >= 2}
    wins = Counter()
    for query, source in sorted(pseudo):
        files = ranked_files(runner.retriever.retrieve(query, top_k=10).results)
        if files and files[0] != source:
            wins[files[0]] += 1
    hub = {f: c / max(1, len(pseudo)) for f, c in wins.items()}
    results = {q.id: runner.retriever.retrieve(q.query, top_k=30, region=q.region).results for q in questions}
    out = {"top hubs": sorted(((f, round(h, 3)) for f, h in hub.items()), key=lambda x: -x[1])[:4]}
    for gamma in GAMMAS:
        ranks = [hit_rank(ranked_files(sorted(results[q.id], key=lambda c: -(c.score - gamma * hub.get(c.source, 0.0)))), q.targets)
                 for q in questions]
        out[f"gamma={gamma}"] = _rates(ranks)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", action="append", help="electrum, monero, btcpay, demo (repeatable; default the three real KBs)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    embedder, result = bundled_embedder(), {}
    for name in args.kb or ["electrum", "monero", "btcpay"]:
        runner = retrieval_runner(name, embedder)
        questions = [q for q in kb_by_name(name).questions if q.targets]
        result[name] = {"n": len(questions), "chunk": chunk_hubness(runner, questions), "file": file_hubness(runner, questions)}
        runner.close()
        print(json.dumps({name: result[name]}), flush=True)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
