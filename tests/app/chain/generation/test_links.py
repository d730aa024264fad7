"""app/chain/generation/links.py: a quote's links to other sites are written back where their text is."""

from __future__ import annotations

import pytest

from app.chain.generation.links import with_links

GUIDE = "https://monero.stackexchange.com/questions/6649/stuck"
SOURCE = ("First, try following this guide. If it doesn't solve your problem, ask on reddit (r/monerosupport) "
          "or in the Monero public chat rooms.")


@pytest.mark.parametrize(("quoted", "source", "links", "expected"), [
    ("First, try following this guide.", SOURCE, [("this guide", GUIDE)],
     f"First, try following [this guide]({GUIDE})."),
    # link text with parentheses; a target with parentheses and a space is escaped, so the link stays whole
    ("Ask on reddit (r/monerosupport).", SOURCE, [("reddit (r/monerosupport)", "https://reddit.com/r/a (b)")],
     "Ask on [reddit (r/monerosupport)](https://reddit.com/r/a%20%28b%29)."),
    # the longer text first: "Monero public chat rooms" is linked whole, its "Monero" is then inside a link
    ("Ask in the Monero public chat rooms.", SOURCE,
     [("Monero", "https://getmonero.org"), ("Monero public chat rooms", "https://matrix.to/#/monero")],
     "Ask in the [Monero public chat rooms](https://matrix.to/#/monero)."),
    # the text twice in the source: which one the link was is not known
    ("Read this guide.", "Read this guide. Then read this guide again.", [("this guide", GUIDE)], "Read this guide."),
    # the text inside code is not linked, and a word is matched whole
    ("```\nthis guide\n```", "```\nthis guide\n```", [("this guide", GUIDE)], "```\nthis guide\n```"),
    ("See these guides.", "See these guides.", [("guide", GUIDE)], "See these guides."),
    # a bracket in the target would read as a citation marker
    ("Read this guide.", "Read this guide.", [("this guide", "https://a.example/x[2]")],
     "Read [this guide](https://a.example/x%5B2%5D)."),
    ("Nothing to link.", "Nothing to link.", [], "Nothing to link."),
])
def test_a_link_is_written_where_its_text_is_certain(quoted, source, links, expected):
    assert with_links(quoted, source, links) == expected
