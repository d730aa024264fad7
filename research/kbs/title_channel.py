"""A title channel, tried for issue 14 and not kept: each candidate chunk gets beta x the cosine
between the question and its file's title on top of the fused score. Retrieval only, the scan off,
file-level hit@1 / hit@5 per beta over the answerable questions.

    python -m research.kbs.title_channel electrum monero btcpay demo stackfaq-train
"""

from __future__ import annotations

import sys

import numpy as np

from research.kbs.evaluate import kb_by_name
from research.kbs.harness import bundled_embedder, hit_rank, ingest

BETAS = (0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4)


def _cosine(a: np.ndarray, b: np.ndarray | None) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b))) if b is not None else 0.0


def ranks_by_beta(name: str, embedder) -> dict[float, list[int | None]]:
    from app.index.retrieval import HybridRetriever
    from app.index.store import KnowledgeStore

    kb = kb_by_name(name)
    ingested = ingest(kb, embedder, scan=False)
    store = KnowledgeStore(ingested.settings, embedder.model_id).open()
    retriever = HybridRetriever(store, embedder, alpha=ingested.settings.retrieval_alpha,
                                candidates=ingested.settings.retrieval_candidates)
    retriever.warm_up()
    titles: dict[str, np.ndarray | None] = {}
    ranks: dict[float, list[int | None]] = {beta: [] for beta in BETAS}
    for question in (q for q in kb.questions if q.answerable):
        results = retriever.retrieve(question.query, top_k=20, region=question.region).results
        for chunk in results:
            if chunk.source not in titles:
                title = chunk.metadata.get("title") or ""
                titles[chunk.source] = np.array(embedder.embed_documents([title])[0]) if title else None
        query = np.array(embedder.embed_query(question.query))
        for beta in BETAS:
            scored = sorted(((c.score + beta * _cosine(query, titles[c.source]), c.source) for c in results),
                            key=lambda pair: -pair[0])
            ranks[beta].append(hit_rank(list(dict.fromkeys(source for _, source in scored)), question.targets))
    return ranks


def main() -> None:
    embedder = bundled_embedder("minilm")
    for name in sys.argv[1:] or ["electrum", "monero", "btcpay", "demo", "stackfaq-train"]:
        ranks = ranks_by_beta(name, embedder)
        embedder.save()
        n = len(ranks[0])
        cells = {beta: f"{sum(r == 1 for r in v) / n:.3f}/{sum(r is not None and r <= 5 for r in v) / n:.3f}"
                 for beta, v in ranks.items()}
        print(name, f"(n={n})", cells, flush=True)


if __name__ == "__main__":
    main()
