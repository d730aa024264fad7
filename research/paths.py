"""Where research code finds things: the repository, the demo knowledge base, and the sets
written here (each subject keeps its own in a ``data/`` folder beside its scripts)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO_KB = REPO / "knowledge"
RESEARCH = REPO / "research"
RETRIEVAL_DATA = RESEARCH / "retrieval" / "data"
TOPICS_DATA = RESEARCH / "topics" / "data"
INJECTION_DATA = RESEARCH / "injection" / "data"
PII_DATA = RESEARCH / "pii" / "data"
OUTPUT_CHECKS_DATA = RESEARCH / "output_checks" / "data"
BENCH_RESULTS = REPO / "bench" / "results"
