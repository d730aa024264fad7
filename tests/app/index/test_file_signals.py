"""app/index/file_signals.py: the first result's file among the candidates, on hand-made candidates."""

from __future__ import annotations

import pytest

from app.index.file_signals import file_signals


class Index:
    """The keyword index's two lookups the signals read: a chunk's row and its terms."""

    def __init__(self, terms: dict[str, set[str]]) -> None:
        self.row_of = {c: i for i, c in enumerate(terms)}
        self._terms = [frozenset(t) for t in terms.values()]

    def row_terms(self, row: int) -> frozenset[str]:
        return self._terms[row]


SOURCES = {"g1": "guide.md", "g2": "guide.md", "o1": "overview.md", "x1": "other.md"}
INDEX = Index({"g1": {"refund", "invoic"}, "g2": {"rate"}, "o1": {"refund"}, "x1": set()})
WEIGHTS = {"refund": 2.0, "invoic": 1.0, "rate": 1.0}


@pytest.mark.parametrize(("first", "order", "dense", "sparse", "expected"), [
    # the guide leads both searches with two chunks: a clear file margin, agreement, all its words
    ("guide.md", ["g1", "g2", "o1"], {"g1": 0.7, "g2": 0.65, "o1": 0.5}, {"g1": 8.0, "o1": 2.0},
     {"file_margin": pytest.approx(0.2), "file_agreement": 1.0, "file_chunks": 0.2, "file_coverage": 1.0,
      "sparse_file_ratio": 0.25}),
    # vector search prefers the overview, BM25 the guide: no agreement, a negative margin for the guide
    ("guide.md", ["g1", "o1"], {"g1": 0.5, "o1": 0.6}, {"g1": 4.0, "o1": 4.0},
     {"file_margin": pytest.approx(-0.1), "file_agreement": 0.0, "file_chunks": 0.1, "file_coverage": 0.75,
      "sparse_file_ratio": 1.0}),
    # the first file found by vector search only: no BM25 score of its own, so the ratio says nothing (1)
    ("other.md", ["x1", "o1"], {"x1": 0.4}, {"o1": 3.0},
     {"file_margin": pytest.approx(0.4), "file_agreement": 0.0, "file_chunks": 0.1, "file_coverage": 0.0,
      "sparse_file_ratio": 1.0}),
])
def test_file_signals(first, order, dense, sparse, expected):
    assert file_signals(first, order, SOURCES, dense, sparse, INDEX, WEIGHTS) == expected


def test_a_question_without_indexed_words_covers_nothing():
    got = file_signals("guide.md", ["g1"], SOURCES, {"g1": 0.7}, {}, INDEX, {})
    assert got["file_coverage"] == 0.0 and got["sparse_file_ratio"] == 1.0
