"""ingest/schema.py: validate the fields a file gives, infer the ones it does not."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.source_urls import NOT_FROM_PATH, SourceUrls
from ingest.document import DocumentMeta, Section
from ingest.errors import KnowledgeFileError
from ingest.schema import (
    complete_meta,
    infer_doc_type,
    looks_like_question,
    parse_meta,
    slugify,
    title_from_filename,
)


@pytest.mark.parametrize(
    ("raw", "field", "expected"),
    [
        ({"title": "  Cards FAQ "}, "title", "Cards FAQ"),
        ({"name": "Cards FAQ"}, "title", "Cards FAQ"),
        ({"type": "FAQ"}, "doc_type", "faq"),
        ({"kind": "Policy"}, "doc_type", "policy"),
        ({"category": "Crypto Wallets"}, "category", "crypto-wallets"),
        ({"topic": "cards"}, "category", "cards"),
        ({"region": "eu"}, "region", "EU"),
        ({"region": "EEA"}, "region", "EU"),
        ({"region": "gb"}, "region", "UK"),
        ({"region": "uk"}, "region", "UK"),
        ({"locale": "usa"}, "region", "US"),
        ({"jurisdiction": "US"}, "region", "US"),
        ({"region": "all"}, "region", "global"),
        ({"region": "*"}, "region", "global"),
        ({"audience": "Business"}, "audience", "business"),
        ({"audience": "all"}, "audience", "all"),
        ({"effective_date": dt.date(2026, 7, 1)}, "effective_date", "2026-07-01"),
        ({"effective_date": dt.datetime(2026, 7, 1, 23, 59)}, "effective_date", "2026-07-01"),
        ({"effective_date": "2026-07-01"}, "effective_date", "2026-07-01"),
        ({"Updated At": "2026-08-14T09:30:00Z"}, "effective_date", "2026-08-14"),
        ({"last_updated": "2026-08-14T23:30:00-05:00"}, "effective_date", "2026-08-14"),
        ({"Effective Date": "2026-01-31"}, "effective_date", "2026-01-31"),
        ({"version": "4.2"}, "version", "4.2"),
        ({"version": 3}, "version", "3"),
        ({"tags": ["cards", "fees"]}, "tags", ("cards", "fees")),
        ({"tags": "cards, fees ,"}, "tags", ("cards", "fees")),
        ({"labels": "deposits,sepa"}, "tags", ("deposits", "sepa")),
        ({"keywords": ("a",)}, "tags", ("a",)),
        ({"title": "First", "name": "Second"}, "title", "First"),
        ({"url": " https://help.example.com/hc/articles/4410 "}, "url", "https://help.example.com/hc/articles/4410"),
        ({"permalink": "/resources/user-guides/restore_account.html"}, "url",
         "/resources/user-guides/restore_account.html"),
        ({"html_url": "https://acme.zendesk.com/hc/en-us/articles/1"}, "url",
         "https://acme.zendesk.com/hc/en-us/articles/1"),
    ],
)
def test_parse_meta_accepts_and_normalises(raw, field, expected):
    assert getattr(parse_meta(raw, "faq/x.md"), field) == expected


def test_a_site_generators_permalink_pattern_is_left_out_with_a_warning():
    """Jekyll's ``permalink: /:categories/:title/`` says how to build addresses, not this page's."""
    warnings: list[str] = []
    meta = parse_meta({"permalink": "/:categories/:title/"}, "_posts/x.md", {"permalink": 3}, warnings)
    assert meta.url == NOT_FROM_PATH  # nor does BEACON_KB_URL_TEMPLATE's path-built address hold for it
    assert warnings == ["_posts/x.md line 3: permalink '/:categories/:title/' is neither a web address nor a path "
                        "from the site's root; ignored (the field is read as url)"]


@pytest.mark.parametrize(("raw", "moved"), [
    ({"slug": "freeze-a-card"}, True),            # Hugo and Docusaurus: the page's address ends in its slug
    ({"slug": "/"}, True),                        # Docusaurus: the docs' home page
    ({"id": "card-freeze"}, True),                # Docusaurus: the id names the page when no slug does
    ({"slug": "freeze"}, False), ({"id": "freeze"}, False),  # the file's own name: the path holds
    ({"slug": "x", "url": "/cards/freeze-a-card/"}, False),  # the page says where it is
    ({"title": "Freeze"}, False),
])
def test_a_page_moved_away_from_its_path_gets_no_address_from_the_pattern(raw, moved):
    meta = parse_meta(raw, "cards/freeze.md", {}, [])
    assert (meta.url == NOT_FROM_PATH) is moved
    assert SourceUrls("https://help.example.com/{page}/").url_of("cards/freeze.md", meta.url) == (
        None if moved else "https://help.example.com" + (meta.url or "/cards/freeze/"))


def test_parse_meta_ignores_unknown_keys_and_leaves_missing_fields_unset():
    meta = parse_meta({"author": "Ann", "slug": "x", "id": 7}, "faq/x.md")
    assert meta == DocumentMeta()


@pytest.mark.parametrize(
    ("raw", "line", "problem", "fix"),
    [
        ({"title": ""}, 2, "title is empty", "give title a value"),
        ({"title": "   "}, 2, "title is empty", "give title a value"),
        ({"title": None}, 2, "title is empty", "give title a value"),
        ({"type": "guide"}, 3, "type 'guide' is not a known type", "faq, policy"),
        ({"region": "mars"}, 4, "region 'mars' is not a region", "short code in capitals"),
        ({"audience": "everyone"}, 5, "audience 'everyone' is not a known audience", "customer, business, all"),
        ({"category": "!!!"}, 6, "has no letters or digits", "short slug"),
        ({"effective_date": "soon"}, 7, "effective_date 'soon' is not a date", "YYYY-MM-DD"),
        ({"effective_date": "2026-02-30"}, 7, "is not a date", "YYYY-MM-DD"),
        ({"tags": {"a": 1}}, 8, "tags must be a list of words", "tags: [cards, fees]"),
        ({"tags": [["nested"]]}, 8, "tags must be a list of words", "tags: [cards, fees]"),
        ({"tags": 5}, 8, "tags must be a list of words", "tags: [cards, fees]"),
        ({"region": ["EU", "UK"]}, 4, "region must be a single value, not a list", "on one line"),
        ({"title": {"en": "Cards"}}, 2, "title must be a single value, not a dict", "on one line"),
        ({"url": "cards/freeze"}, 9, "url 'cards/freeze' is neither a web address nor a path from the site's root",
         "url: https://help.example.com/cards/freeze or url: /cards/freeze"),
    ],
)
def test_parse_meta_rejects_invalid_fields_at_their_line(raw, line, problem, fix):
    lines = {"title": 2, "type": 3, "region": 4, "audience": 5, "category": 6, "effective_date": 7, "tags": 8,
             "url": 9}
    with pytest.raises(KnowledgeFileError) as caught:
        parse_meta(raw, "faq/x.md", lines)
    error = caught.value
    assert (error.source, error.line) == ("faq/x.md", line)
    assert problem in error.problem
    assert fix in error.fix
    assert str(error) == f"faq/x.md line {line}: {error.problem} — {error.fix}"




@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("How do I freeze my card?", True),
        ("Can I cancel a transfer", True),
        ("What happens when I close my account", True),
        ("I lost my phone, what now", True),
        ("Fees?", True),
        ("How to", False),  # a question word, but too short to be a question
        ("Card fees", False),
        ("Dos and don'ts", False),
        ("Currency exchange", False),
        ("Whatever you need", False),
        ("Do you charge fees for ATMs", True),
        ("Identity documents we accept today", False),
        *[
            pytest.param(heading, False)
            for heading in (
                "Documents we accept from you",
                "Domestic transfer limits explained",
                "Issuing a replacement card",
                "Cancellation of your plan explained",
            )
        ],
    ],
)
def test_looks_like_question(heading, expected):
    assert looks_like_question(heading) is expected


def _sections(*paths: tuple[str, ...]) -> list[Section]:
    return [Section(path=path, text="text", line=number) for number, path in enumerate(paths, start=1)]


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        ([("How do I a?",), ("How do I b?",), ("Contact",)], "faq"),
        ([("How do I a?",), ("How do I a?", "Step one"), ("How do I a?", "Step two"), ("Fees",), ("Limits",)],
         "policy"),
        ([("How do I a?",), ("Fees",)], "policy"),  # half is not most
        ([("Fees",), ("Fees", "How do I pay?"), ("Fees", "Why was I charged?")], "policy"),  # only top headings count
        ([(), ("Why?",)], "faq"),  # an intro without a heading does not count
        ([()], "policy"),
        ([], "policy"),
        pytest.param(
            [("Documents we accept from you",), ("Domestic transfer limits explained",), ("Issuing a new card",)],
            "policy",
        ),
    ],
)
def test_infer_doc_type(paths, expected):
    assert infer_doc_type(_sections(*paths)) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("help-center/getting-started.md", "Getting started"),
        ("faq/my_guide--v2.md", "My guide v2"),
        ("top.md", "Top"),
        ("faq/export.csv", "Export"),
    ],
)
def test_title_from_filename(source, expected):
    assert title_from_filename(source) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Crypto Wallets", "crypto-wallets"), ("  KYC / AML ", "kyc-aml"), ("help-center", "help-center"), ("!!!", "")],
)
def test_slugify(text, expected):
    assert slugify(text) == expected


@pytest.mark.parametrize(
    ("meta", "source", "paths", "expected"),
    [
        (
            DocumentMeta(), "help-center/travel-tips.md", [("Before you go",)],
            DocumentMeta("Travel tips", "policy", "help-center", "global", "customer", None, None, ()),
        ),
        (
            DocumentMeta(title="Cards FAQ"), "faq/cards.md", [("How do I freeze my card?",)],
            DocumentMeta("Cards FAQ", "faq", "faq", "global", "customer", None, None, ()),
        ),
        (
            DocumentMeta(), "loose-notes.md", [()],
            DocumentMeta("Loose notes", "policy", "general", "global", "customer", None, None, ()),
        ),
        (
            DocumentMeta("Mine", "faq", "cards", "UK", "business", "2026-01-01", "2", ("a",)), "x/y.md",
            [("Fees",)],
            DocumentMeta("Mine", "faq", "cards", "UK", "business", "2026-01-01", "2", ("a",)),
        ),
    ],
)
def test_complete_meta_fills_every_gap(meta, source, paths, expected):
    assert complete_meta(meta, source, _sections(*paths)) == expected
