"""The README stays a first page, and the paths the docs point at exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), REPO / "research" / "README.md"]
# A backticked repository path: a top-level folder of the project, then more path.
RUNTIME = {"knowledge/uploads/"}  # made by the first upload, named by the docs before it exists
PATH = re.compile(r"`((?:app|ingest|guardrails|evals|research|bench|tests|docs|knowledge)/[\w./*-]*)`")


def test_the_readme_is_a_first_page():
    lines = (REPO / "README.md").read_text().splitlines()
    assert len(lines) <= 150, f"README.md has {len(lines)} lines: move reference to docs/"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_path_a_page_names_exists(page):
    missing = []
    for path in PATH.findall(page.read_text()):
        path = path.rstrip(".")
        found = list(REPO.glob(path)) if "*" in path else [REPO / path] if (REPO / path).exists() else []
        if not found and path not in RUNTIME:
            missing.append(path)
    assert missing == []
