"""Decision signals at the level of files rather than chunks (research; not in the product).

A long article is cut into many chunks, so the first chunk's margin over the second is often a margin
over its own sibling, and the first chunk alone covers only part of the question's words. These
signals look at the first file instead:

- ``file_margin``: the best vector score of the first file minus the best of any other file;
- ``file_agreement``: the first file by vector score is the first file by BM25 score (among the results);
- ``file_chunks``: the share of the first ten results that belong to the first file;
- ``file_coverage``: the share of the question's IDF weight found in any chunk of the first file;
- ``sparse_file_ratio``: the best BM25 score of another file over the first file's (a ratio: no scale).
"""

from __future__ import annotations

import json

from research.kbs.data import cache_dir
from research.kbs.harness import FILE_DEPTH, Runner, code_hash, ingest

VERSION = 1


def _best(results, source_is, score):
    values = [score(c) for c in results if source_is(c.source) and score(c) is not None]
    return max(values) if values else None


def file_signals(retriever, query: str, results, rows_of_file: dict[str, list[int]]) -> dict[str, float]:
    if not results:
        return {"file_margin": 0.0, "file_agreement": 0.0, "file_chunks": 0.0, "file_coverage": 0.0,
                "sparse_file_ratio": 1.0}
    first = results[0].source
    dense = lambda c: c.dense_score  # noqa: E731
    sparse = lambda c: c.sparse_score  # noqa: E731
    own_dense, other_dense = _best(results, lambda s: s == first, dense), _best(results, lambda s: s != first, dense)
    own_sparse, other_sparse = _best(results, lambda s: s == first, sparse), _best(results, lambda s: s != first, sparse)
    by_dense = max((c for c in results if c.dense_score is not None), key=dense, default=None)
    by_sparse = max((c for c in results if c.sparse_score is not None), key=sparse, default=None)
    index = retriever.keywords
    terms = list(dict.fromkeys(index.query_terms(query)))
    weights = {t: index.idf(t) for t in terms}
    present = frozenset().union(*(index.row_terms(row) for row in rows_of_file.get(first, [])))
    return {
        "file_margin": (own_dense or 0.0) - (other_dense or 0.0),
        "file_agreement": float(by_dense is not None and by_sparse is not None and by_dense.source == by_sparse.source),
        "file_chunks": sum(c.source == first for c in results[:10]) / 10,
        "file_coverage": sum(w for t, w in weights.items() if t in present) / (sum(weights.values()) or 1.0),
        "sparse_file_ratio": (other_sparse or 0.0) / own_sparse if own_sparse else 1.0,
    }


def collect_file_signals(name: str, rows, embedder) -> list[dict]:
    """The file signals of every row of ``research.kbs.decision.collect(name)``, in its order (cached)."""
    path = cache_dir() / f"file-signals-v{VERSION}-{name}-{code_hash()}-{len(rows)}.json"
    if path.exists():
        return json.loads(path.read_text())
    from research.kbs.evaluate import kb_by_name

    kb = kb_by_name("stackfaq-train" if name == "stackfaq" else name)
    runner = Runner(ingest(kb, embedder), embedder, chain=False)
    try:
        index = runner.retriever.keywords
        rows_of_file: dict[str, list[int]] = {}
        for row, meta in enumerate(index.metadatas):
            rows_of_file.setdefault(meta.get("source", ""), []).append(row)
        regions = [q.region for q in kb.questions] if name != "stackfaq" else []
        out = []
        for number, row in enumerate(rows):
            region = regions[number] if number < len(regions) else None  # collect's order: the KB's questions first
            results = runner.retriever.retrieve(row.query, top_k=FILE_DEPTH, region=region).results
            out.append(file_signals(runner.retriever, row.query, results, rows_of_file))
    finally:
        runner.close()
    path.write_text(json.dumps(out))
    return out
