"""ingest/reading.py: every way a knowledge file can be refused, and what is inferred when it is accepted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.errors import KnowledgeFileError
from ingest.reading import decode, is_supported, read_document

MAX_BYTES = 2_000  # small, so one row of the table can be over the limit


def _write(root: Path, source: str, content: str | bytes) -> Path:
    path = root / source
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


INVALID_FILES = [
    # (source, content, expected line, part of the message)
    ("faq/empty.md", b"", None, "the file is empty"),
    ("faq/blank.yaml", b"  \n\t\n\n", None, "the file is empty"),
    ("faq/picture.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, "this is a binary file"),
    ("faq/latin1.csv", b"Title,Body\nQ1?,A\nCaf\xe9?,Oui\n", 3, "not valid UTF-8 (byte 0xe9)"),
    ("faq/open.md", "---\ntitle: Cards\nregion: EU\n\n## Q?\nA\n", 1, "front matter opens with --- but never closes"),
    ("faq/bad-yaml.md", "---\ntitle: Cards\nregion: EU: UK\ntype: faq\n---\nBody\n", 3, "not valid YAML"),
    ("faq/indented.md", "---\ntitle: Cards\n  region: EU\n---\nBody\n", 3, "not valid YAML"),
    ("faq/bad-json.md", '{\n  "title": "Cards",\n  "region": "EU",\n}\n## S\nBody\n', 4,
     "JSON front matter is not valid"),
    ("faq/list.md", "---\n- title\n- region\n---\nBody\n", 2, "front matter is not a list of key: value fields"),
    ("faq/no-title.md", '---\ntitle: ""\nregion: EU\n---\nBody\n', 2, "title is empty"),
    ("faq/bad-type.md", "---\ntitle: Cards\ntype: guide\n---\nBody\n", 3, "type 'guide' is not a known type"),
    ("faq/bad-region.md", "---\ntitle: Cards\ntype: faq\nregion: Europe\n---\nBody\n", 4,
     "region 'Europe' is not a region"),
    ("faq/bad-json-region.md", '{\n  "title": "Cards",\n  "region": "Mars"\n}\nBody\n', 3,
     "region 'Mars' is not a region"),
    ("faq/bad-audience.md", "---\naudience: staff\n---\nBody\n", 2, "audience 'staff' is not a known audience"),
    ("faq/bad-date.md", "---\ntitle: Cards\neffective_date: next July\n---\nBody\n", 3,
     "effective_date 'next July' is not a date"),
    ("faq/bad-tags.md", "---\ntitle: Cards\ntags:\n  cards: yes\n---\nBody\n", 3, "tags must be a list of words"),
    ("faq/dup.yaml", "faqs:\n  - question: Why?\n    answer: A\n  - question: WHY\n    answer: B\n", 4,
     "duplicate FAQ question 'WHY' (first at line 2)"),
    ("faq/dup.csv", "Title,Body\nWhy?,\"A\nstill A\"\nwhy?,B\n", 4, "duplicate FAQ question 'why?' (first at line 2)"),
    ("faq/huge.md", "# Big\n\n" + "All work and no play. " * 120, None, "over the"),
    ("faq/header-only.md", "---\ntitle: Cards\ntype: faq\n---\n\n\n", None,
     "the file has no content besides its header"),
    ("faq/headings-only.md", "# Cards\n## How?\n## Why?\n", None, "the file has no content besides its header"),
    ("faq/ragged.csv", "Title,Body,Region\nQ?,A,EU\nR?,B\n", 3, "row has 2 cells but the header has 3"),
    pytest.param(
        "faq/dup.md", "# FAQ\n\n## How do I pay?\nA card.\n\n## How do I pay?\n\nA transfer.\n", 6,
        "duplicate FAQ question 'How do I pay?' (first at line 3)",
        id="faq/dup.md",
    ),
    pytest.param(
        "faq/bad-date-value.md", "---\ntitle: Cards\neffective_date: 2026-02-30\n---\nBody\n", 3, "is not a date",
        id="faq/bad-date-value.md",
    ),
    pytest.param(
        "faq/json-one-line.md", '{"title": "Cards", "region": "Mars"}\nBody\n', 1, "region 'Mars'",
        id="faq/json-one-line.md",
    ),
]


@pytest.mark.parametrize(
    ("source", "content", "line", "message"),
    INVALID_FILES,
    ids=[case[0] if isinstance(case, tuple) else case.id for case in INVALID_FILES],
)
def test_invalid_files_are_refused_with_line_and_fix(tmp_path, source, content, line, message):
    path = _write(tmp_path, source, content)
    with pytest.raises(KnowledgeFileError) as caught:
        read_document(path, source, MAX_BYTES)
    error = caught.value
    text = str(error)
    assert error.source == source
    assert error.line == line
    assert message in text
    assert text.startswith(f"{source} line {line}: " if line else f"{source}: ")
    assert re.search(r" — \S", text), "the message must end with a fix"
    assert error.fix and text.endswith(error.fix)


@pytest.mark.parametrize(("size", "max_bytes"), [(2_040_000, 2_000_000), (2_500, 2_000)])
def test_size_message_shows_two_different_sizes(tmp_path, size, max_bytes):
    path = _write(tmp_path, "faq/big.md", b"a" * size)
    with pytest.raises(KnowledgeFileError) as caught:
        read_document(path, "faq/big.md", max_bytes)
    sizes = re.search(r"the file is (.+?), over the (.+?) limit", caught.value.problem)
    assert sizes and sizes.group(1) != sizes.group(2)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"\xef\xbb\xbfTitle,Body\n", "Title,Body\n"),
        (b"a\r\nb\r\n", "a\nb\n"),
        (b"a\rb\r", "a\nb\n"),
        ("Café – 5 €".encode(), "Café – 5 €"),
    ],
    ids=["bom", "crlf", "cr", "utf8"],
)
def test_decode_normalises_bom_and_line_endings(raw, text):
    assert decode(raw, "x.md") == text


@pytest.mark.parametrize(
    ("name", "supported"),
    [("a.md", True), ("a.MARKDOWN", True), ("a.mdx", True), ("a.rst", True), ("a.html", True), ("a.HTM", True),
     ("a.pdf", True), ("a.yaml", True), ("a.yml", True), ("a.CSV", True), ("a.txt", True),
     ("requirements-docs.txt", False), ("LICENSE.txt", False), ("llms.txt", False), ("a.docx", False),
     ("a.png", False), ("Makefile", False)],
)
def test_is_supported(name, supported):
    assert is_supported(Path(name)) is supported


HELP_CENTER_EXPORT = """# Using Lodestar abroad

Most cards work abroad without any setup.

## Before you travel
Check that your card is not frozen.

## Paying in local currency
When a terminal asks, always choose the local currency.
"""


@pytest.mark.parametrize(
    ("source", "content", "expected"),
    [
        ("help-center/travelling-abroad.md", HELP_CENTER_EXPORT,
         {"title": "Using Lodestar abroad", "doc_type": "policy", "category": "help-center", "region": "global",
          "audience": "customer", "effective_date": None, "version": None, "tags": ()}),
        ("help-center/app-troubleshooting.md",
         "Intro.\n\n## Why does the app crash?\nUpdate it.\n\n## How do I reinstall the app?\nFrom the store.\n",
         {"title": "App troubleshooting", "doc_type": "faq", "category": "help-center", "region": "global",
          "audience": "customer"}),
        ("guides/Card Basics.md", "Plain text with no headings at all.\n",
         {"title": "Card Basics", "doc_type": "policy", "category": "guides", "region": "global"}),
        ("loose.md", "Text.\n", {"title": "Loose", "category": "general"}),
        ("faq/export.csv", "Title,Body\nWhy?,Because.\n",
         {"title": "Export", "doc_type": "faq", "category": "faq", "region": "global", "audience": "customer"}),
        ("faq/list.yaml", "faqs:\n  - question: Why?\n    answer: Because.\n",
         {"title": "List", "doc_type": "faq", "category": "faq", "region": "global", "audience": "customer"}),
    ],
)
def test_files_without_front_matter_get_full_metadata(tmp_path, source, content, expected):
    document = read_document(_write(tmp_path, source, content), source, MAX_BYTES)
    assert {name: getattr(document.meta, name) for name in expected} == expected
    for section in document.sections:  # every section carries the completed metadata
        assert section.meta.title == document.meta.title
        assert section.meta.region and section.meta.audience and section.meta.doc_type


@pytest.mark.parametrize(
    ("field_line", "field", "expected"),
    [
        ("region: eu", "region", "EU"),
        ("region: gb", "region", "UK"),
        ("locale: usa", "region", "US"),
        ("region: Global", "region", "global"),
        ("effective_date: 2026-07-01", "effective_date", "2026-07-01"),
        ('effective_date: "2026-07-01"', "effective_date", "2026-07-01"),
        ("effective_date: 2026-07-01T09:30:00Z", "effective_date", "2026-07-01"),
        ('updated_at: "2026-07-01T09:30:00+02:00"', "effective_date", "2026-07-01"),
        ("date: 2026-07-01 09:30:00", "effective_date", "2026-07-01"),
        ('version: "4.10"', "version", "4.10"),
        ("tags: cards, fees", "tags", ("cards", "fees")),
    ],
)
def test_front_matter_values_are_normalised(tmp_path, field_line, field, expected):
    content = f"---\ntitle: Cards\n{field_line}\n---\n## Card fees\nFree.\n"
    document = read_document(_write(tmp_path, "faq/cards.md", content), "faq/cards.md", MAX_BYTES)
    assert getattr(document.meta, field) == expected
    assert getattr(document.sections[0].meta, field) == expected


def test_utf8_bom_and_crlf_file_reads_like_a_clean_one(tmp_path):
    clean = "---\ntitle: Cards\nregion: UK\n---\n## How do I pay?\nBy card.\n"
    messy = b"\xef\xbb\xbf" + clean.replace("\n", "\r\n").encode()
    one = read_document(_write(tmp_path, "a/clean.md", clean), "faq/cards.md", MAX_BYTES)
    two = read_document(_write(tmp_path, "b/messy.md", messy), "faq/cards.md", MAX_BYTES)
    assert one == two
