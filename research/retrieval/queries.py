"""The demo knowledge base's labelled questions (written here): which file and section answers
each, or that none does. Used by the retrieval report, the confidence calibration, the
benchmarks and the demo-KB tests."""

from __future__ import annotations

from evals.retrieval import LabelledQuery, load_queries
from research.paths import RETRIEVAL_DATA

QUERY_FILES = tuple(RETRIEVAL_DATA / name for name in ("queries_faq.jsonl", "queries_policy.jsonl",
                                                       "queries_unanswerable.jsonl"))
ROUTINE_LABELS = RETRIEVAL_DATA / "queries_topic_labels.jsonl"  # the real incidents among them


def demo_queries() -> list[LabelledQuery]:
    return load_queries(QUERY_FILES)
