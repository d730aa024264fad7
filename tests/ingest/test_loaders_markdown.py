"""ingest/loaders/markdown.py, ingest/frontmatter.py, ingest/site_markup.py and ingest/markdown_text.py."""

from __future__ import annotations

import pytest

from ingest.loaders.markdown import load_markdown
from ingest.reading import parse_document

YAML_FRONT = """---
title: Fee schedule (UK)
type: policy
category: fees
region: UK
audience: customer
effective_date: 2026-07-01
version: "4.2"
tags: [fees, limits]
---
# Ignored because the front matter has a title

## Card fees
Replacement card: 5.99.
"""

JSON_FRONT = """{
  "title": "Privacy FAQ",
  "type": "faq",
  "region": "eu",
  "effective_date": "2026-06-30T12:00:00Z",
  "tags": ["privacy", "gdpr"]
}
# Privacy FAQ

## Can I download my data?
Yes, under Settings > Privacy.
"""

NO_FRONT_FAQ = """# Cards FAQ

## How do I freeze my card?
Open the app and tap Freeze.

## Where can I see my PIN?
Under Card > Show PIN.
"""

NO_FRONT_POLICY = """Intro text before any heading.

## Before you travel
Tell us nothing; just go.

## Paying in local currency
Always pay in the local currency.
"""


@pytest.mark.parametrize(
    ("source", "text", "expected_meta", "first_section"),
    [
        (
            "policies/fees/fee-schedule-uk.md", YAML_FRONT,
            {"title": "Fee schedule (UK)", "doc_type": "policy", "category": "fees", "region": "UK",
             "audience": "customer", "effective_date": "2026-07-01", "version": "4.2", "tags": ("fees", "limits")},
            (("Card fees",), 13, "Replacement card: 5.99."),
        ),
        (
            "faq/privacy.md", JSON_FRONT,
            {"title": "Privacy FAQ", "doc_type": "faq", "category": "faq", "region": "EU", "audience": "customer",
             "effective_date": "2026-06-30", "version": None, "tags": ("privacy", "gdpr")},
            (("Can I download my data?",), 10, "Yes, under Settings > Privacy."),
        ),
        (
            "faq/cards.md", NO_FRONT_FAQ,
            {"title": "Cards FAQ", "doc_type": "faq", "category": "faq", "region": "global", "audience": "customer",
             "effective_date": None, "version": None, "tags": ()},
            (("How do I freeze my card?",), 3, "Open the app and tap Freeze."),
        ),
        (
            "help-center/travelling-abroad.md", NO_FRONT_POLICY,
            {"title": "Travelling abroad", "doc_type": "policy", "category": "help-center", "region": "global"},
            ((), 1, "Intro text before any heading."),
        ),
        (
            "faq/empty-front.md", "---\n---\n## How do I start?\nTap Start.\n",
            {"title": "Empty front", "doc_type": "faq"},
            (("How do I start?",), 3, "Tap Start."),
        ),
        (
            "faq/dots.md", "---\ntitle: T\n...\n\n\n## Why?\nBecause.\n",
            {"title": "T", "doc_type": "faq"},
            (("Why?",), 6, "Because."),
        ),
    ],
    ids=["yaml-front-matter", "json-front-matter", "no-front-matter-faq", "no-front-matter-policy",
         "empty-front-matter", "yaml-closed-with-dots"],
)
def test_front_matter_and_inference(source, text, expected_meta, first_section):
    document = parse_document(text, source, load_markdown)
    assert {name: getattr(document.meta, name) for name in expected_meta} == expected_meta
    section = document.sections[0]
    assert (section.path, section.line, section.text) == first_section


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '!!! warning "Crypto transfers are irreversible"\n    Check the address.\n    Twice.\n\nAfter it.',
            "Warning: Crypto transfers are irreversible\n\nCheck the address. Twice.\n\nAfter it.",
        ),
        ("!!! note\n    Fees may change.", "Note: Fees may change."),
        ('??? tip "Folded"\n\tTabbed body.', "Tip: Folded\n\nTabbed body."),
        ('!!! danger-zone "Careful"\n    x', "Danger zone: Careful\n\nx"),
        ("> [!NOTE]\n> Alert text\n> more text\n\nAfter.", "Note: Alert text more text\n\nAfter."),
        ("> [!important] Same line", "Important: Same line"),
        ("> A plain quote", "A plain quote"),
        ('Tap it. ![Diagram of the recovery steps](images/recovery.png "Flow")', "Tap it."),
        ("Before ![](images/x.png) after", "Before after"),
        ("See [card terms](../policies/cards/card-terms.md).", "See card terms."),
        ("Mail [us](mailto:help@example.com) or <https://example.com/help>.", "Mail us or https://example.com/help."),
        ("Read [the terms][terms].\n\n[terms]: ../policies/terms.md", "Read the terms."),
        ("Tap **Card > Freeze** or __Lock__.", "Tap Card > Freeze or Lock."),
        ("Line one<br>line two", "Line one line two"),
        ("```bash\n# not a heading\nbeacon ingest\n```", "```\n# not a heading\nbeacon ingest\n```"),
        ("~~~\n## still code\n```\n~~~\nafter", "````\n## still code\n```\n````\n\nafter"),
        ("Visible <!-- hidden --> text", "Visible text"),
        ("<!--\n## Hidden heading\nhidden text\n-->\nShown", "Shown"),
        ("a <!-- one --> b <!-- two\nthree --> c", "a b c"),
        ("```\n<!-- kept in code -->\n```", "```\n<!-- kept in code -->\n```"),
        ("#hashtag is text", "#hashtag is text"),
    ],
    ids=["admonition-titled", "admonition-untitled", "admonition-collapsible-tab", "admonition-dashed-kind",
         "github-alert", "github-alert-inline", "blockquote", "image", "image-without-alt", "relative-link",
         "mailto-and-autolink", "reference-link", "emphasis", "html-br", "fenced-code", "tilde-fence",
         "inline-comment", "comment-hiding-heading", "two-comments", "comment-in-code", "hashtag"],
)
def test_markdown_extras_become_plain_text(body, expected):
    document = load_markdown("## Section\n" + body + "\n", "faq/extras.md")
    assert [(s.path, s.text) for s in document.sections] == [(("Section",), expected)]


NESTED = """# Title

Intro paragraph.

## Alpha
alpha text
### Alpha one
a1 text
#### Alpha one deep
deep text
### Alpha two ###
a2 text
## Beta

beta text
#### Beta skip
skip text
## **Gamma** [terms](terms.md)
gamma text
"""


def test_heading_paths_push_and_pop_levels():
    document = load_markdown(NESTED, "policies/nested.md")
    assert document.meta.title == "Title"
    assert [(s.path, s.line, s.text) for s in document.sections] == [
        ((), 3, "Intro paragraph."),
        (("Alpha",), 5, "alpha text"),  # a section's line is its heading's
        (("Alpha", "Alpha one"), 7, "a1 text"),
        (("Alpha", "Alpha one", "Alpha one deep"), 9, "deep text"),
        (("Alpha", "Alpha two"), 11, "a2 text"),
        (("Beta",), 13, "beta text"),
        (("Beta", "Beta skip"), 16, "skip text"),
        (("Gamma terms",), 18, "gamma text"),
    ]


@pytest.mark.parametrize(
    ("text", "title", "paths"),
    [
        ("Intro\n# Big\ntext\n", None, [(), ("Big",)]),  # an H1 after content is a section, not the title
        ("## Only\ntext\n", None, [("Only",)]),
        ("# T\n# Second H1\ntext\n", "T", [("Second H1",)]),
        ("# T\n## Empty\n## Full\ntext\n", "T", [("Full",)]),  # a heading with no text makes no section
    ],
)
def test_title_and_h1_handling(text, title, paths):
    document = load_markdown(text, "faq/x.md")
    assert document.meta.title == title
    assert [s.path for s in document.sections] == paths


@pytest.mark.parametrize(
    ("source", "markdown", "links"),
    [
        ("faq/cards.md", "[terms](../policies/cards/card-terms.md)", ["policies/cards/card-terms.md"]),
        ("faq/cards.md", "[other](other.md#fees)", ["faq/other.md"]),
        ("faq/cards.md", '[sub](./sub/x.md "Title")', ["faq/sub/x.md"]),
        ("faq/cards.md", "[a](x.md) and [b](./x.md) and [c](x.md#y)", ["faq/x.md"]),
        ("faq/cards.md", "[web](https://example.com/x.md)", []),
        ("faq/cards.md", "[mail](mailto:help@example.com)", []),
        ("faq/cards.md", "[top](#section)", []),
        ("faq/cards.md", "[root](/absolute.md)", []),
        ("faq/cards.md", "![alt](images/x.png)", []),
        ("notes.md", "[faq](faq/a.md)", ["faq/a.md"]),
        ("faq/cards.md", "!!! note\n    See [fees](../policies/fees.md).", ["policies/fees.md"]),
        ("faq/cards.md", "```\n[in code](code.md)\n```", []),
    ],
)
def test_relative_links_are_recorded_against_the_kb(source, markdown, links):
    document = load_markdown("## S\n" + markdown + "\n", source)
    assert document.links == links


def test_markdown_faq_marks_each_question_heading():
    document = parse_document(
        "Intro line.\n\n## How do I freeze my card?\nTap Freeze.\n### On the web\nUse the dashboard.\n"
        "## Where is my PIN?\nUnder Card.\n",
        "faq/cards.md", load_markdown,
    )
    assert document.meta.doc_type == "faq"
    assert [(s.path, s.question) for s in document.sections] == [
        ((), None),
        (("How do I freeze my card?",), "How do I freeze my card?"),
        (("How do I freeze my card?", "On the web"), "How do I freeze my card?"),
        (("Where is my PIN?",), "Where is my PIN?"),
    ]
