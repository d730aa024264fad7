"""HTML manuals and help-centre exports as generators build them: permalinks on headings, the site
name in ``<title>``, redirect stubs, code blocks with buttons, in-page contents, declared charsets
(ingest/loaders/html.py, ingest/html_text.py, ingest/reading.py)."""

from __future__ import annotations

import pytest

from ingest.loaders.html import load_html
from ingest.reading import parse_document


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
