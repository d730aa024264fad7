"""ingest/loaders/csv_faq.py and ingest/html_text.py: help-desk exports, one article per row."""

from __future__ import annotations

import pytest

from ingest.errors import KnowledgeFileError
from ingest.html_text import html_to_text, looks_like_html
from ingest.loaders.csv_faq import load_csv_faq
from ingest.reading import parse_document

HEADER = "Article ID,Title,Body,Category,Region,Audience,Updated At,Labels\n"

HELPDESK = HEADER + (
    '101,How do I add money?,"<p>Two ways:</p>\n'
    '<ul><li><strong>Bank transfer</strong> &ndash; free</li>'
    '<li>Card top-up, see <a href=""../policies/fees.md"">fees</a></li></ul>",'
    "Payments,eu,customer,2026-08-14T09:30:00Z,deposits;top-up\n"
    "102,How long does SEPA take?,Up to 1 business day.,payments,GB,business,2026-08-15,sepa\n"
    '103,Why was my card declined?,"Check the balance, then the limits.",Cards,,,,\n'
)


def test_helpdesk_export():
    document = parse_document(HELPDESK, "faq/helpdesk-export.csv", load_csv_faq)
    assert (document.meta.title, document.meta.doc_type, document.meta.category) == (
        "Helpdesk export", "faq", "payments")
    assert document.links == ["policies/fees.md"]
    rows = [(s.path, s.question, s.line, s.text, s.meta.category, s.meta.region, s.meta.audience,
             s.meta.effective_date, s.meta.tags) for s in document.sections]
    assert rows == [
        (("How do I add money?",), "How do I add money?", 2,
         "Two ways:\n\n- Bank transfer – free\n- Card top-up, see fees",
         "payments", "EU", "customer", "2026-08-14", ("deposits", "top-up")),
        (("How long does SEPA take?",), "How long does SEPA take?", 4, "Up to 1 business day.",
         "payments", "UK", "business", "2026-08-15", ("sepa",)),
        (("Why was my card declined?",), "Why was my card declined?", 5, "Check the balance, then the limits.",
         "cards", "global", "customer", None, ()),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("question,answer,tags\nHow do I pay?,With a card.,cards;payments\n",
         [("How do I pay?", "With a card.", ("cards", "payments"))]),
        ("Subject,Content,Keywords\nWhy?,Because.,a\n", [("Why?", "Because.", ("a",))]),
        ("QUESTION,Answer\n  Padded?  ,  trimmed  \n", [("Padded?", "trimmed", ())]),
        ("question;answer;region;tags\nHow do I pay?;With a card, or a transfer.;UK;a, b\nWhy?;Because;US;c\n",
         [("How do I pay?", "With a card, or a transfer.", ("a", "b")), ("Why?", "Because", ("c",))]),
        ("question\tanswer\nTabbed?\tYes\n", [("Tabbed?", "Yes", ())]),
        ("Title,Body\r\nWindows?,Yes\r\n", [("Windows?", "Yes", ())]),
        ("Title,Body\nBlank rows?,Skipped\n,\n\nNext?,Kept\n", [("Blank rows?", "Skipped", ()), ("Next?", "Kept", ())]),
    ],
    ids=["question-answer", "subject-content", "case-and-padding", "semicolon-delimited", "tab-delimited", "crlf",
         "blank-rows"],
)
def test_column_spellings_and_delimiters(text, expected):
    document = parse_document(text, "faq/export.csv", load_csv_faq)
    assert [(s.question, s.text, s.meta.tags) for s in document.sections] == expected


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Article ID,Body\n1,A\n", 1, "the CSV header has no question column"),
        ("Title,Text\nQ?,A\n", 1, "the CSV header has no answer column"),
        (HEADER, 2, "the CSV has a header but no rows"),
        (HEADER + '1,Q1?,"multi\nline\nbody",cards,EU,customer,2026-01-01,a\n2,Q2?,"",cards,EU,customer,,\n', 5,
         "row has an empty answer"),
        (HEADER + '1,Q1?,"multi\nline",cards,EU,customer,2026-01-01,a\n2,  ,B,cards,EU,customer,,\n', 4,
         "row has an empty question"),
        (HEADER + '1,Q1?,"multi\nline\nbody",cards,EU,customer,2026-01-01,a\n2,Q2?,B,cards,EU\n', 5,
         "row has 5 cells but the header has 8"),
        (HEADER + "1,Q1?,A,cards,EU,customer,2026-01-01,a,extra\n", 2, "row has 9 cells but the header has 8"),
        (HEADER + '1,Q1?,"a\n\nb",cards,mars,customer,2026-01-01,a\n', 2, "region 'mars' is not a region"),
        (HEADER + "1,Q1?,A,cards,EU,customer,last week,a\n", 2, "updated_at 'last week' is not a date"),
        (HEADER + "1,How do I pay?,A,cards,EU,customer,,\n2,how do i PAY,B,cards,EU,customer,,\n", 3,
         "duplicate FAQ question 'how do i PAY' (first at line 2)"),
    ],
    ids=["no-question-column", "no-answer-column", "header-only", "empty-answer-after-multiline",
         "empty-question", "ragged-row-after-multiline", "too-many-cells", "bad-region", "bad-date", "duplicate"],
)
def test_csv_errors_point_at_the_row(text, line, message):
    with pytest.raises(KnowledgeFileError) as caught:
        parse_document(text, "faq/export.csv", load_csv_faq)
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"faq/export.csv line {line}: ")


def test_unclosed_quote_is_an_error_not_silent_data_loss():
    text = 'Title,Body\nQ1?,"unclosed answer\nQ2?,B\nQ3?,C\n'
    with pytest.raises(KnowledgeFileError) as caught:
        load_csv_faq(text, "faq/export.csv")
    assert caught.value.line == 2


def test_long_cell_within_the_file_limit_loads():
    body = "<p>" + "A long article. " * 9_000 + "</p>"
    document = load_csv_faq(f'Title,Body\nLong?,"{body}"\n', "faq/export.csv")
    assert len(document.sections[0].text) > 131_072


@pytest.mark.parametrize(
    ("html", "text", "links"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo", []),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n- b", []),
        ("Line<br>break", "Line break", []),
        ("<p>Fee&nbsp;&amp;&nbsp;limit</p>", "Fee & limit", []),
        ('<a href="https://x.example">x</a> <a href="../y.md">y</a> <a href="../y.md">again</a>', "x y again",
         ["https://x.example", "../y.md"]),
        ('<img src="a.png" alt="Freeze toggle"> done', "done", []),
        ("<p>Keep</p><script>drop()</script><style>p{}</style>", "Keep", []),
        ("<table><tr><th>Plan</th><th>Fee</th></tr><tr><td>Plus</td><td>4.99</td></tr></table>",
         "Plan: Plus; Fee: 4.99", []),
    ],
)
def test_html_to_text(html, text, links):
    assert html_to_text(html) == (text, links)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("<p>x</p>", True), ("a<br/>b", True), ('<a href="x">y</a>', True), ("1 < 2 and 3 > 2", False),
     ("Use <Card> menu", False)],
)
def test_looks_like_html(text, expected):
    assert looks_like_html(text) is expected


def test_each_row_of_a_help_desk_export_keeps_its_articles_address():
    text = ("id,title,body,html_url\n"
            "1,How do I freeze my card?,Tap Card > Freeze.,https://acme.zendesk.com/hc/en-us/articles/1-Freeze\n"
            "2,What does a transfer cost?,Nothing in the UK.,\n")
    document = parse_document(text, "faq/export.csv", load_csv_faq)
    assert [s.meta.url for s in document.sections] == ["https://acme.zendesk.com/hc/en-us/articles/1-Freeze", None]
    with pytest.raises(KnowledgeFileError, match=r"faq/export.csv line 2: html_url 'articles/1' is neither a web "
                                                 r"address nor a path from the site's root"):
        parse_document("id,title,body,html_url\n1,Q?,A,articles/1\n", "faq/export.csv", load_csv_faq)
