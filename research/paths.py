"""Where research code finds things: the repository, the demo knowledge base, and the sets
written here (each subject keeps its own in a ``data/`` folder beside its scripts)."""

from __future__ import annotations

import os
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


def public_datasets() -> Path:
    """The public data nobody here wrote (``../shared/datasets`` beside the repository, or
    ``PUBLIC_DATASETS_DIR``). It is read from there, never copied into the repository. The
    variable has no BEACON_ prefix: Beacon's settings refuse BEACON_* names they do not know."""
    return Path(os.environ.get("PUBLIC_DATASETS_DIR") or REPO.parent / "shared" / "datasets")
