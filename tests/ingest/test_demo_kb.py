"""The demo knowledge base in knowledge/ meets the content requirements, and the eval labels point into it."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from app.core.settings import Settings
from evals.retrieval import is_hit
from ingest.chunking import chunk_document
from ingest.document import LoadedDocument
from ingest.folder import scan
from ingest.reading import read_document
from research.retrieval.queries import demo_queries

KB = Path(__file__).resolve().parents[2] / "knowledge"
SUPPORTED, SKIPPED = scan(KB)
MAX_BYTES = int(Settings.model_fields["max_file_mb"].default * 1_000_000)
BUDGET = Settings.model_fields["chunk_max_tokens"].default


def _source(path: Path) -> str:
    return path.relative_to(KB).as_posix()


@pytest.fixture(scope="module")
def documents() -> dict[str, LoadedDocument]:
    return {_source(path): read_document(path, _source(path), MAX_BYTES) for path in SUPPORTED}


@pytest.fixture(scope="module")
def chunk_sections(documents) -> set[tuple[str, str]]:
    return {(c.source, c.section) for d in documents.values() for c in chunk_document(d, BUDGET)}


@pytest.mark.parametrize("path", SUPPORTED, ids=_source)
def test_every_file_loads_cleanly(path):
    document = read_document(path, _source(path), MAX_BYTES)
    assert document.sections
    assert not document.warnings
    for link in document.links:  # relative links point at files that exist in the KB
        assert (KB / link).is_file(), f"{_source(path)} links to missing {link}"


def test_nothing_in_the_kb_is_skipped():
    assert SKIPPED == []


def test_at_least_60_faq_entries_in_at_least_8_categories(documents):
    entries = [s for d in documents.values() if d.meta.doc_type == "faq" for s in d.sections if s.question]
    categories = Counter(s.meta.category for s in entries)
    assert len(entries) >= 60
    assert len(categories) >= 8, categories


def test_at_least_8_policy_documents(documents):
    assert sum(d.meta.doc_type == "policy" for d in documents.values()) >= 8


@pytest.mark.parametrize("region", ["EU", "UK", "US"])
def test_regional_variants_exist(documents, region):
    regional = [d for d in documents.values() if d.meta.region == region]
    assert any(d.meta.doc_type == "policy" for d in regional), region


@pytest.mark.parametrize("suffix", [".md", ".yaml", ".csv"])
def test_format_is_present(suffix):
    assert any(path.suffix == suffix for path in SUPPORTED)


@pytest.mark.parametrize(
    "field", ["title", "type", "category", "region", "audience", "effective_date", "version", "tags"]
)
def test_front_matter_field_is_documented(field):
    readme = (KB / "README.md").read_text()
    schema = readme.split("## Front matter schema", 1)[1]
    assert re.search(rf"^\| `{field}` \|", schema, re.M), f"{field} is not in the README's schema table"


QUERIES = demo_queries()


def test_query_ids_are_unique_and_answerable_queries_are_labelled():
    assert len({q.id for q in QUERIES}) == len(QUERIES)
    assert all(bool(q.expected) == q.answerable for q in QUERIES)


@pytest.mark.parametrize("query", [q for q in QUERIES if q.expected], ids=lambda q: q.id)
def test_every_labelled_query_points_at_an_existing_section(query, documents, chunk_sections):
    for source, section in query.expected:
        assert source in documents, f"{query.id}: no file {source}"
        assert any(is_hit(src, sec, ((source, section),)) for src, sec in chunk_sections), (
            f"{query.id}: {source} has no section {section!r}"
        )
        if query.region:  # a regional query expects the right regional variant, or a global document
            assert documents[source].meta.region in (query.region, "global"), query.id
