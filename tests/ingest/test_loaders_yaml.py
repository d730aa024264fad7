"""ingest/loaders/yaml_faq.py: top-level document fields plus a list of FAQ entries."""

from __future__ import annotations

import pytest

from ingest.errors import KnowledgeFileError
from ingest.frontmatter import load_yaml
from ingest.loaders.yaml_faq import load_yaml_faq
from ingest.reading import parse_document

FAQ = """title: Crypto transfers FAQ
category: crypto
region: eu
effective_date: 2026-09-01
tags: [crypto]
faqs:
  - question: Can I cancel a crypto transfer?
    answer: |
      No. Crypto transfers are irreversible once broadcast.

      Check the address twice.
    tags: [withdrawals, safety]

  - question: How long does a withdrawal take?
    answer: Usually under an hour.
    region: gb
    audience: business
"""


def test_entries_with_per_entry_overrides():
    document = parse_document(FAQ, "faq/crypto-transfers.yaml", load_yaml_faq)
    assert (document.meta.title, document.meta.doc_type, document.meta.region) == ("Crypto transfers FAQ", "faq", "EU")
    assert [(s.path, s.question, s.line, s.text) for s in document.sections] == [
        (("Can I cancel a crypto transfer?",), "Can I cancel a crypto transfer?", 7,
         "No. Crypto transfers are irreversible once broadcast.\n\nCheck the address twice."),
        (("How long does a withdrawal take?",), "How long does a withdrawal take?", 14, "Usually under an hour."),
    ]
    first, second = (s.meta for s in document.sections)
    assert (first.region, first.audience, first.tags, first.effective_date) == (
        "EU", "customer", ("withdrawals", "safety"), "2026-09-01")
    assert (second.region, second.audience, second.tags, second.category) == ("UK", "business", ("crypto",), "crypto")


@pytest.mark.parametrize(
    ("text", "expected_title", "expected_questions"),
    [
        ("questions:\n  - question: Why?\n    answer: Because.\n", "Faq", ["Why?"]),
        ("entries:\n  - {question: 'A?', answer: 'a'}\n  - {question: 'B?', answer: 'b'}\n", "Faq", ["A?", "B?"]),
        ("title: T\ntype: FAQ\nfaqs:\n  - question: 42\n    answer: 7\n", "T", ["42"]),
    ],
    ids=["questions-key", "entries-key-flow-style", "numbers-as-text"],
)
def test_entry_list_spellings(text, expected_title, expected_questions):
    document = parse_document(text, "faq/faq.yaml", load_yaml_faq)
    assert document.meta.title == expected_title
    assert [s.question for s in document.sections] == expected_questions


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("title: T\nfaqs:\n  - question: How do I a?\n  - question: How do I b?\n    answer: B\n", 3,
         "FAQ entry is missing its answer"),
        ("title: T\nfaqs:\n  - answer: A\n", 3, "FAQ entry is missing its question"),
        ("title: T\nfaqs:\n  - question: Q?\n    answer: ''\n", 4, "FAQ entry is missing its answer"),
        ("title: T\nfaqs:\n  - question: Q?\n    answer:\n", 4, "FAQ entry is missing its answer"),
        ("title: T\nfaqs:\n  - question: Q?\n    answer: [a, b]\n", 4, "answer must be text"),
        ("title: T\nfaqs:\n  - just a string\n", 2, "an FAQ entry is not a mapping"),
        ("title: T\nfaqs: []\n", 2, "faqs: must be a non-empty list"),
        ("title: T\nfaqs: not a list\n", 2, "faqs: must be a non-empty list"),
        ("title: T\nquestion: Q?\n", 1, "no faqs: list found"),
        ("- a\n- b\n", 1, "must be a mapping with a faqs: list"),
        ("title: T\ntype: policy\nfaqs:\n  - question: Q?\n    answer: A\n", 2, "cannot have type policy"),
        ("title: T\nfaqs:\n  - question: Q?\n    answer: A\n    region: mars\n", 5,
         "region 'mars' is not a region"),
        ("title: T\nfaqs:\n  - question: Q?\n    answer: A\n    tags: {a: 1}\n", 5, "tags must be a list of words"),
        ("title: T\nregion: [EU\nfaqs: []\n", 3, "not valid YAML"),
        ("title: T\nfaqs:\n  - question: How do I a?\n    answer: A\n  - question: how do I A\n    answer: B\n", 5,
         "duplicate FAQ question 'how do I A' (first at line 3)"),
    ],
    ids=["missing-answer", "missing-question", "empty-answer", "null-answer", "list-answer", "entry-not-mapping",
         "empty-list", "list-not-list", "no-list", "top-level-list", "wrong-type", "bad-entry-region",
         "bad-entry-tags", "invalid-yaml", "duplicate-question"],
)
def test_yaml_faq_errors_point_at_the_line(text, line, message):
    with pytest.raises(KnowledgeFileError) as caught:
        parse_document(text, "faq/broken.yaml", load_yaml_faq)
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"faq/broken.yaml line {line}: ")


def test_load_yaml_shifts_line_numbers_by_the_first_line():
    data = load_yaml("a: 1\nb:\n  c: 2\n", "x.md", first_line=10)
    assert (data.line, data.key_lines, data["b"].line, data["b"].key_lines) == (10, {"a": 10, "b": 11}, 12, {"c": 12})


@pytest.mark.parametrize("date", ["2026-13-01", "2026-02-30"])
def test_impossible_date_is_a_knowledge_file_error(date):
    text = f"title: T\neffective_date: {date}\nfaqs:\n  - question: Q?\n    answer: A\n"
    with pytest.raises(KnowledgeFileError) as caught:
        parse_document(text, "faq/dates.yaml", load_yaml_faq)
    assert caught.value.line == 2
