"""Pseudo-relevance feedback on the question's vector (Rocchio), across help centres.

A customer's casual words ("my laptop died, i have the 25 words on paper") sit far from an article's; the
articles the question's vector finds first are, on the whole, nearer to the right one than the question is.
Rocchio's classic step moves the question's vector toward the mean of its ``m`` nearest records' vectors by
``gamma`` before the search is run (the search, the fusion and the best-sentence step all read the moved
vector). Nothing is trained; no label is read to build it. File hit@1 / hit@5 per source, and the setting chosen
leaving one source out (best mean hit@1 over the others, ties to no feedback).

    python -m research.kbs.query_feedback [--kb electrum --kb monero ...] [--out FILE]
"""

from __future__ import annotations

import itertools
import json

import numpy as np

from app.chain.factory import build_retriever
from app.index.store import KnowledgeStore
from research.kbs.harness import bundled_embedder, file_hits, grid_args, ingest, print_left_out_choice

NEAREST = (3, 5, 10)
GAMMA = (0.0, 0.1, 0.2, 0.3, 0.5)


class FeedbackEmbedder:
    """``inner`` with each query's vector moved toward its ``m`` nearest records' (exact search)."""

    def __init__(self, inner, keywords, m: int, gamma: float) -> None:
        self.inner, self.keywords, self.m, self.gamma = inner, keywords, m, gamma

    def embed_query(self, text: str) -> list[float]:
        query = np.asarray(self.inner.embed_query(text), dtype=np.float32)
        query /= max(float(np.linalg.norm(query)), 1e-12)
        if self.gamma == 0:
            return query.tolist()
        files = self.keywords.files
        found = files.nearest(query, self.m)
        index = {rid: i for i, rid in enumerate(files.vector_ids)}
        near = np.asarray([files.vectors[index[rid]] for rid, _ in found], dtype=np.float32)
        near /= np.maximum(np.linalg.norm(near, axis=1, keepdims=True), 1e-12)
        moved = query + self.gamma * near.mean(axis=0)
        return (moved / max(float(np.linalg.norm(moved)), 1e-12)).tolist()

    def __getattr__(self, name):
        return getattr(self.inner, name)


def hits(name: str, embedder, settings: list[tuple[int, float]]) -> dict[tuple[int, float], tuple[int, int, int]]:
    from research.kbs.evaluate import kb_by_name

    kb = kb_by_name(name)
    ingested = ingest(kb, embedder)
    store = KnowledgeStore(ingested.settings, embedder.model_id).open()
    retriever = build_retriever(ingested.settings, store, embedder)
    retriever.warm_up()
    out = {}
    for m, gamma in settings:
        retriever.embedder = FeedbackEmbedder(embedder, retriever.keywords, m, gamma)
        out[(m, gamma)] = file_hits(retriever, kb.questions)
    retriever.embedder = embedder
    return out


def main() -> None:
    sources, out_file = grid_args(__doc__.splitlines()[0])
    embedder = bundled_embedder()
    settings = [(3, 0.0)] + [(m, g) for m, g in itertools.product(NEAREST, GAMMA) if g > 0]
    by_source = {name: hits(name, embedder, settings) for name in sources}
    print("| m | gamma | " + " | ".join(sources) + " |\n|---|---|" + "---|" * len(sources))
    for m, gamma in settings:
        cells = " | ".join(f"{f / n:.3f} / {v / n:.3f}" for f, v, n in (by_source[s][(m, gamma)] for s in sources))
        print(f"| {m if gamma else '-'} | {gamma} | {cells} |")
    print_left_out_choice({st: {s: by_source[s][st] for s in sources} for st in settings}, sources, (3, 0.0),
                          "(m, gamma)")
    if out_file:
        with open(out_file, "w", encoding="utf-8") as out:
            json.dump([{"m": m, "gamma": g, **{s: list(by_source[s][(m, g)]) for s in sources}} for m, g in settings],
                      out, indent=1)


if __name__ == "__main__":
    main()
