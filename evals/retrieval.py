"""Retrieval quality on labelled queries: hit@1, hit@5 and MRR.

A query hits when a returned chunk comes from an expected source and its section path
starts with the expected section (labels name the top-level section; chunks may sit
deeper under it). A label with an empty section is file-level: any chunk of the file hits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from app.core.jsonl import read_jsonl


@dataclass(frozen=True)
class LabelledQuery:
    id: str
    query: str
    expected: tuple[tuple[str, str], ...]
    region: str | None
    answerable: bool


def load_queries(files: Iterable[Path]) -> list[LabelledQuery]:
    """Labelled queries from JSON-lines files: ``id``, ``query``, ``expected`` [{source, section}],
    and optionally ``region`` and ``answerable``."""
    return [
        LabelledQuery(
            id=row["id"],
            query=row["query"],
            expected=tuple((e["source"], e["section"]) for e in row["expected"]),
            region=row.get("region"),
            answerable=bool(row.get("answerable", True)),
        )
        for path in files
        for row in read_jsonl(path)
    ]


def is_hit(source: str, section: str, expected: tuple[tuple[str, str], ...]) -> bool:
    """An empty expected section stands for the whole file (file-level labels)."""
    return any(source == s and (not sec or section == sec or section.startswith(sec + " > ")) for s, sec in expected)


def first_hit_rank(results: list[tuple[str, str]], expected) -> int | None:
    """1-based rank of the first relevant (source, section) in ``results``."""
    for rank, (source, section) in enumerate(results, start=1):
        if is_hit(source, section, expected):
            return rank
    return None


@dataclass
class RetrievalScores:
    queries: int
    hit_at_1: float
    hit_at_5: float
    mrr: float
    misses: list[str]

    def to_json(self) -> dict:
        return {"queries": self.queries, "hit@1": round(self.hit_at_1, 4), "hit@5": round(self.hit_at_5, 4),
                "mrr": round(self.mrr, 4)}


def score(queries: list[LabelledQuery], search: Callable[[LabelledQuery], list[tuple[str, str]]]) -> RetrievalScores:
    """Run ``search`` (returning ranked (source, section) pairs) over the answerable queries."""
    answerable = [q for q in queries if q.answerable]
    ranks = []
    misses = []
    for q in answerable:
        rank = first_hit_rank(search(q)[:10], q.expected)
        ranks.append(rank)
        if rank != 1:
            misses.append(q.id)
    n = len(answerable) or 1
    return RetrievalScores(
        queries=len(answerable),
        hit_at_1=sum(r == 1 for r in ranks) / n,
        hit_at_5=sum(r is not None and r <= 5 for r in ranks) / n,
        mrr=sum(1 / r for r in ranks if r) / n,
        misses=misses,
    )
