"""HTML manuals and help-centre exports as generators build them: permalinks on headings, the site
name in ``<title>``, redirect stubs, code blocks with buttons, in-page contents, declared charsets
(ingest/loaders/html.py, ingest/html_text.py, ingest/reading.py)."""

from __future__ import annotations

import pytest

from app.core.source_urls import NOT_FROM_PATH
from ingest.errors import KnowledgeFileError, NothingToIndex
from ingest.loaders.html import load_html
from ingest.reading import decode, parse_document


def _shape(source: str, content: str):
    document = parse_document(content, source, load_html)
    return document.meta.title, [(s.path, s.text) for s in document.sections]


@pytest.mark.parametrize(("content", "expected"), [
    pytest.param(  # Node's API docs: a "#" mark in a span, an aria-hidden legacy anchor, a "[src]" link
        "<h2>Assert<span><a class='mark' href='#assert'>#</a></span><a aria-hidden='true' class='legacy'></a></h2>"
        "<p>Tests invariants.</p><h3>Class: AssertionError<a class='srclink' href='https://x.test/a.js#L9'>[src]</a>"
        "<span><a class='mark' href='#class'>#</a></span></h3><p>An error.</p>",
        ("Assert", [((), "Tests invariants."), (("Class: AssertionError",), "An error.")]), id="node-mark",
    ),
    pytest.param(  # Sphinx's headerlink; other generators' bare symbols
        "<h1>Cards<a class='headerlink' href='#cards' title='Link to this heading'>¶</a></h1><p>Intro.</p>"
        "<h2>Fees <a href='#fees'>§</a></h2><p>Free.</p><h2>Limits <a href='#limits'>🔗</a></h2><p>5,000.</p>",
        ("Cards", [((), "Intro."), (("Fees",), "Free."), (("Limits",), "5,000.")]), id="sphinx-and-symbols",
    ),
    pytest.param(  # a heading that is a link to itself keeps its words, whatever the link's class
        "<h1>Cards</h1><h2><a class='anchor' href='#freeze'>Freeze a card</a></h2><p>Tap Freeze.</p>"
        "<h2>C# <a class='anchor' href='#cs'>#</a></h2><p>The SDK.</p>",
        ("Cards", [(("Freeze a card",), "Tap Freeze."), (("C#",), "The SDK.")]), id="linked-heading-kept",
    ),
])
def test_heading_permalinks_are_not_heading_text(content, expected):
    assert _shape("api/page.html", content) == expected


@pytest.mark.parametrize(("head", "body", "title"), [
    ("<title>How do I reset my password? – Acme Help Center</title>", "<p>Tap Reset.</p>",
     "How do I reset my password?"),
    ("<title>Index | Cardkit v20.1 Documentation</title>", "<p>Pages.</p>", "Index"),
    ("<title>Reset - Acme</title><meta property='og:site_name' content='acme'>", "<p>Tap Reset.</p>", "Reset"),
    ("<title>Reset | Acme | Cards</title><meta name='application-name' content='Acme | Cards'>", "<p>x</p>", "Reset"),
    ("<title>Reset - Acme</title><meta property='og:title' content='Reset your password'>", "<p>x</p>",
     "Reset your password"),
    # the words before the separator are the page's own heading: what follows is the site
    ("<title>Control Flow - The Cardkit Language</title>", "<h2>Control Flow</h2><p>Loops.</p>", "Control Flow"),
    ("<title>Fees - Cards</title>", "<p>Free.</p>", "Fees - Cards"),  # nothing says "Cards" is the site
    ("<title>Before - after</title><meta property='og:site_name' content='Acme'>", "<p>x</p>", "Before - after"),
    ("<title>Acme Help Center</title>", "<p>Tap Reset.</p>", "Acme Help Center"),
])
def test_title_element_loses_the_site_name(head, body, title):
    assert _shape("hc/reset.html", f"<html><head>{head}</head><body>{body}</body></html>")[0] == title


def test_a_title_heading_wins_over_the_title_element():
    content = "<title>Reset | Acme Docs</title><meta property='og:title' content='Other'><h1>Reset it</h1><p>x</p>"
    assert _shape("hc/reset.html", content)[0] == "Reset it"


def test_a_site_name_shown_as_the_banner_heading_is_dropped_from_the_title():
    content = ("<title>Hash Maps - The Cardkit Language</title><div class='menu-bar'><h1 class='menu-title'>"
               "The Cardkit Language</h1></div><main><h2>Storing keys</h2><p>Keys.</p></main>")
    assert _shape("book/maps.html", content)[0] == "Hash Maps"


@pytest.mark.parametrize("head", [
    "<meta http-equiv='refresh' content='0; URL=new-page.html'>",
    "<meta http-equiv='Refresh' content=\"3;url='https://help.acme.test/new-page'\">",
])
def test_a_redirect_stub_is_skipped_not_indexed(head):
    content = f"<html><head><title>Redirecting...</title>{head}</head><body><p>Redirecting to... " \
              "<a href='new-page.html'>new-page.html</a>.</p><script>go()</script></body></html>"
    with pytest.raises(NothingToIndex, match=r"a redirect to another page \((?:https://help\.acme\.test/)?new-page"):
        parse_document(content, "old-page.html", load_html)


@pytest.mark.parametrize("head", [
    "<meta http-equiv='refresh' content='300'>",  # a page that reloads itself
    "<meta http-equiv='refresh' content='0; URL=new-page.html'>",  # a page with its own text still says it
])
def test_a_refresh_on_a_page_with_text_of_its_own_keeps_it(head):
    words = " ".join(["Cards are free."] * (1 if "300" in head else 20))
    title, sections = _shape("cards.html", f"<head><title>Cards</title>{head}</head><p>{words}</p>")
    assert (title, sections[0][1]) == ("Cards", words)


@pytest.mark.parametrize(("pre", "code"), [
    pytest.param("<pre><input type='checkbox' aria-label='Show ES modules'><code class='mjs'>import a from 'a';</code>"
                 "<code class='cjs'>const a = require('a');</code><button class='copy-button'>copy</button></pre>",
                 "import a from 'a';\n\nconst a = require('a');", id="node-variants-and-copy-button"),
    pytest.param("<pre><code>npm install\nnpm test\n</code><button>Copy</button><span hidden>Copied!</span></pre>",
                 "npm install\nnpm test", id="one-code-and-buttons"),
    pytest.param("<pre>$ beacon sync\n  done</pre>", "$ beacon sync\n  done", id="bare-pre"),
])
def test_code_blocks_keep_code_only(pre, code):
    assert _shape("api/page.html", f"<h1>Use</h1><p>Run:</p>{pre}")[1] == [((), f"Run:\n\n```\n{code}\n```")]


@pytest.mark.parametrize(("contents", "expected"), [
    pytest.param(  # npm's docs: a "Table of contents" section, a <ul> nested straight in the <ul>
        "<section id='toc'><h2>Table of contents</h2><div><ul><li><a href='#synopsis'>Synopsis</a></li>"
        "<li><a href='#config'>Configuration</a></li><ul><li><a href='#json'><a href='../json.html'><code>json</code>"
        "</a></a></li></ul></ul>"
        "</div></section>",
        [(("Synopsis",), "npm access list"), (("Configuration", "json"), "Default: false")], id="npm-docs",
    ),
    pytest.param(  # a theme's "On this page" box without a heading of its own over a plain list
        "<p><b>On this page</b></p><ul><li><a href='#synopsis'>Synopsis</a><ul><li><a href='#config'>"
        "Configuration</a></li></ul></li></ul>",
        [((), "On this page"), (("Synopsis",), "npm access list"), (("Configuration", "json"), "Default: false")],
        id="list-only",
    ),
])
def test_in_page_contents_are_dropped_and_hold_no_sections(contents, expected):
    content = (f"<h1>npm-access</h1>{contents}<h3 id='synopsis'>Synopsis</h3><pre>npm access list</pre>"
               "<h3 id='config'>Configuration</h3><h4 id='json'>json</h4><p>Default: false</p>")
    title, sections = _shape("commands/npm-access.html", content)
    assert (title, [(path, text.strip("`\n")) for path, text in sections]) == ("npm-access", expected)


@pytest.mark.parametrize("content", [
    "<h2>Contents</h2><ul><li><a href='#fees'>Fees</a></li><li>Limits, see <a href='#limits'>limits</a></li></ul>",
    "<h2>Contents</h2><ul><li><a href='fees.html'>Fees</a></li><li><a href='limits.html#top'>Limits</a></li></ul>",
])
def test_a_list_that_is_not_only_in_page_links_is_kept(content):
    assert _shape("cards.html", f"<h1>Cards</h1>{content}")[1][0][0] == ("Contents",)


def test_a_page_that_is_only_its_contents_is_a_contents_page():
    with pytest.raises(NothingToIndex, match="a contents page"):
        parse_document("<h1>Cards</h1><h2>On this page</h2><ul><li><a href='#fees'>Fees</a></li></ul>",
                       "cards.html", load_html)


@pytest.mark.parametrize(("raw", "text"), [
    pytest.param("<meta charset='iso-8859-15'><p>Prix : 5 €</p>".encode("iso-8859-15"), "Prix : 5 €",
                 id="meta-charset"),
    pytest.param("<meta http-equiv='Content-Type' content='text/html; charset=ISO-8859-1'><p>Café “x”</p>"
                 .encode("cp1252"), "Café “x”", id="latin-1-read-as-windows-1252"),
    pytest.param("<?xml version='1.0' encoding='Shift_JIS'?><html><p>カード</p></html>".encode("shift_jis"),
                 "カード", id="xml-declaration"),
])
def test_html_in_the_charset_it_declares_is_read(raw, text):
    assert text in decode(raw, "hc/page.html")


@pytest.mark.parametrize(("source", "raw"), [
    ("hc/page.html", "<p>Café</p>".encode("latin-1")),  # declares nothing
    ("hc/page.html", "<meta charset='klingon'><p>Café</p>".encode("latin-1")),  # a charset Python does not know
    ("hc/page.html", "<meta charset='utf-8'><p>Café</p>".encode("latin-1")),  # a wrong declaration
    ("hc/page.md", "<meta charset='latin-1'>\n\nCafé".encode("latin-1")),  # not an HTML file
])
def test_undeclared_or_wrongly_declared_bytes_are_still_refused(source, raw):
    with pytest.raises(KnowledgeFileError, match=r"not valid UTF-8 \(byte 0xe9\)"):
        decode(raw, source)


def test_a_page_laid_out_in_a_table_reads_as_a_page():
    content = ("<table><tr><td><h1>Freeze a card</h1><p>Open the app.</p><p>Tap Freeze.</p>"
               "<table><tr><td><b>It fails like this:</b><pre>error 42: card frozen</pre><b>or it hangs.</b></td></tr>"
               "</table><h2>Fees</h2><ul><li>Free</li><li>Fast</li></ul></td><td>Contact us any time.</td></tr>"
               "</table>")
    assert _shape("layout.html", content) == ("Freeze a card", [
        ((), "Open the app.\n\nTap Freeze.\n\nIt fails like this:\n\n```\nerror 42: card frozen\n```\n\n"
             "or it hangs."),
        (("Fees",), "- Free\n- Fast\n\nContact us any time.")])


@pytest.mark.parametrize(
    ("table", "rows"),
    [
        ("<tr><th>Plan</th><th>Includes</th></tr><tr><td>Plus</td><td><ul><li>Card</li><li>Vault</li></ul></td></tr>",
         "Plan: Plus; Includes: Card, Vault"),
        ("<tr><th>Plan</th><th>Fee</th></tr><tr><td>Plus</td><td><p>4.99 a month</p></td></tr>",
         "Plan: Plus; Fee: 4.99 a month"),
    ],
    ids=["list-in-a-cell", "paragraph-in-a-cell"],
)
def test_a_data_table_stays_one_line_a_row(table, rows):
    assert _shape("plans.html", f"<h1>Plans</h1><table>{table}</table>") == ("Plans", [((), rows)])


@pytest.mark.parametrize(("head", "front", "url"), [
    ("<link rel='canonical' href='https://acme.zendesk.com/hc/en-us/articles/4410-Reset'>", "",
     "https://acme.zendesk.com/hc/en-us/articles/4410-Reset"),
    ("<meta property='og:url' content='https://help.acme.example/reset'>", "", "https://help.acme.example/reset"),
    ("<link rel='alternate canonical' href='/hc/reset'><meta property='og:url' content='https://x.example/other'>", "",
     "/hc/reset"),  # the canonical link first; a path from the site's root is read on the pattern's site
    ("<link rel='canonical' href='reset.html'><meta property='og:url' content='https://help.acme.example/reset'>", "",
     "https://help.acme.example/reset"),  # a relative canonical says nothing certain: og:url is used
    ("<link rel='canonical' href='https://x.example/a'>", "---\nurl: https://help.acme.example/mine\n---\n",
     "https://help.acme.example/mine"),  # the file's front matter wins
    ("<link rel='stylesheet' href='https://cdn.example/site.css'>", "", None),
    # a slug moves the page away from its path: its canonical link still says where it is, else it has no address
    ("<link rel='canonical' href='https://help.acme.example/reset-pin'>", "---\nslug: reset-pin\n---\n",
     "https://help.acme.example/reset-pin"),
    ("", "---\nslug: reset-pin\n---\n", NOT_FROM_PATH),
])
def test_an_exports_own_address_is_its_canonical_link(head, front, url):
    document = parse_document(f"{front}<html><head>{head}</head><body><h1>Reset</h1><p>Tap Reset.</p></body></html>",
                              "hc/reset.html", load_html)
    assert document.meta.url == url
