"""Signals about the first result's file, for the confidence model.

A long article is cut into many chunks, so the first chunk's margin over the second is often a
margin over its own sibling, and the first chunk alone holds only part of the question's words.
These signals look at the first file among all the candidates vector and keyword search passed to
fusion; none of them is on a KB's own score scale except the cosine margin (research/kbs/README.md,
"The decision with the reranker's probability", has the leave-one-KB-out figures):

- ``file_margin``: the best cosine of the first file's chunks minus the best of any other file's;
- ``file_agreement``: 1 when the best chunk by cosine and the best by BM25 come from the same file;
- ``file_chunks``: the share of the first ten candidates (fused order) from the first file;
- ``file_coverage``: the share of the question's IDF weight found in the first file's candidates;
- ``sparse_file_ratio``: the best BM25 score of another file over the first file's best (a ratio).
"""

from __future__ import annotations

from typing import Protocol

FIELD = 10  # candidates read for file_chunks


class _Index(Protocol):
    row_of: dict[str, int]

    def row_terms(self, row: int) -> frozenset[str]: ...


def _best(scores: dict[str, float], sources: dict[str, str], first: str, same: bool) -> float | None:
    values = [s for c, s in scores.items() if (sources[c] == first) == same]
    return max(values) if values else None


def file_signals(first: str, order: list[str], sources: dict[str, str], dense: dict[str, float],
                 sparse: dict[str, float], index: _Index, weights: dict[str, float]) -> dict[str, float]:
    """``first`` is the first result's file; ``order`` every candidate chunk id in fused order;
    ``sources`` each candidate's file; ``weights`` the IDF of each of the question's terms."""
    own_dense, other_dense = _best(dense, sources, first, True), _best(dense, sources, first, False)
    own_sparse, other_sparse = _best(sparse, sources, first, True), _best(sparse, sources, first, False)
    top_dense = max(dense, key=dense.get, default=None)
    top_sparse = max(sparse, key=sparse.get, default=None)
    rows = [index.row_of[c] for c in order if sources[c] == first and c in index.row_of]
    present = frozenset().union(*(index.row_terms(row) for row in rows))
    return {
        "file_margin": (own_dense or 0.0) - (other_dense or 0.0),
        "file_agreement": float(top_dense is not None and top_sparse is not None
                                and sources[top_dense] == sources[top_sparse] == first),
        "file_chunks": sum(sources[c] == first for c in order[:FIELD]) / FIELD,
        "file_coverage": sum(w for t, w in weights.items() if t in present) / (sum(weights.values()) or 1.0),
        "sparse_file_ratio": (other_sparse or 0.0) / own_sparse if own_sparse else 1.0,
    }
