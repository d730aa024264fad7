"""A KB's own scale of vector scores, from its titles and headings (what ingest could compute).

Each distinct title and heading of a KB, asked as a question, gives two numbers: the best cosine in the
KB (its own section: how high an on-topic question scores in this KB) and the best cosine among the
other files' chunks (how high a related but wrong passage scores). A question's vector top is then
placed on that scale: ``dense_top_kb`` = (top - median other-file best) / (median own best - median
other-file best), 0 at the KB's level of a wrong file, 1 at its level of a heading's own section.
"""

from __future__ import annotations

import json

import numpy as np

from research.kbs.data import cache_dir
from research.kbs.harness import code_hash, retrieval_runner

SECTION_SEPARATOR = " > "
NEIGHBOURS = 20  # nearest records read per heading to find the best one from another file


def headings(metadatas: list[dict]) -> list[tuple[str, str]]:
    """(heading, its file): every distinct title and last heading of a section path, 2 words or more."""
    seen: dict[str, str] = {}
    for meta in metadatas:
        for text in (meta.get("title") or "", (meta.get("section") or "").split(SECTION_SEPARATOR)[-1]):
            text = text.strip()
            if len(text.split()) >= 2 and text.casefold() not in seen:
                seen[text.casefold()] = (text, meta.get("source", ""))
    return list(seen.values())


def kb_scale(name: str, embedder) -> dict[str, float]:
    """The medians of a KB's own-section and other-file best cosines over its headings (cached)."""
    path = cache_dir() / f"kb-scale-{name}-{code_hash()}.json"
    if path.exists():
        return json.loads(path.read_text())
    runner = retrieval_runner(name, embedder)
    try:
        retriever = runner.retriever
        index = retriever.keywords
        pairs = headings(index.metadatas)
        own, other = [], []
        for (text, source), vector in zip(pairs, embedder.embed_documents([t for t, _ in pairs])):
            hits = retriever.store.nearest(vector, min(NEIGHBOURS, index.records))
            sources = [index.metadatas[index.row_of[rid.removesuffix("#q")]].get("source") for rid, _ in hits]
            own.append(max((s for (_, s), f in zip(hits, sources) if f == source), default=np.nan))
            other.append(max((s for (_, s), f in zip(hits, sources) if f != source), default=np.nan))
    finally:
        runner.close()
    scale = {"own": float(np.nanmedian(own)), "other": float(np.nanmedian(other)), "headings": len(pairs)}
    path.write_text(json.dumps(scale))
    return scale


def placed(dense_top: float, scale: dict[str, float]) -> float:
    return (dense_top - scale["other"]) / max(scale["own"] - scale["other"], 1e-6)
