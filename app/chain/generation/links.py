"""The links of a quoted passage, given back to the customer.

Ingest keeps a link's text in the chunk ("First, try following this guide.") and its target beside
it (``anchors``). A reply that quoted the text alone would send the customer to a guide they cannot
open. A link to another site (an absolute http(s) URL, app/index/link_targets.py ``external_links``)
is written back into the quote as a Markdown link, the form the chat and most channels render:
"First, try following [this guide](https://…)."

A link goes where its text is only when that is certain: the text occurs once in the source chunk and
once in the quote, outside code. Otherwise the quote is left as it was (a link in the wrong place is
worse than none). A link to another article of the help centre is written the same way when that
article has a public page (its ``url``, or ``BEACON_KB_URL_TEMPLATE``: ``page_links``); without one, the
citations name the article.
"""

from __future__ import annotations

import re

from app.core.markdown_links import link_target
from guardrails.claims import MARKDOWN_LINK

FENCE = re.compile(r"^(`{3,})[^\n]*\n.*?\n\1$", re.M | re.S)  # a fenced code block, whole


def _prose(text: str) -> list[tuple[int, int]]:
    """The spans of ``text`` outside fenced code blocks."""
    spans, start = [], 0
    for fence in FENCE.finditer(text):
        spans.append((start, fence.start()))
        start = fence.end()
    spans.append((start, len(text)))
    return spans


def _pattern(shown: str) -> re.Pattern:
    return re.compile(rf"(?<![\w\[]){re.escape(shown)}(?![\w\]])")


def _places(pattern: re.Pattern, text: str) -> list[re.Match]:
    return [m for start, end in _prose(text) for m in pattern.finditer(text, start, end)]


def placeable(shown: str, source_text: str) -> bool:
    """Whether a link's text says where the link is: it occurs once in its source, outside code."""
    return len(_places(_pattern(shown), source_text)) == 1


def with_links(quoted: str, source_text: str, links: list[tuple[str, str]]) -> str:
    """``quoted`` (text taken from ``source_text``) with each (link text, URL) of ``links`` written
    as a Markdown link where its text is, when that place is certain; longer link texts first, so
    "Monero public chat rooms" is linked whole rather than its "Monero"."""
    for shown, url in sorted(links, key=lambda link: len(link[0]), reverse=True):
        if not placeable(shown, source_text):
            continue
        found = _places(_pattern(shown), quoted)
        taken = [m.span() for m in MARKDOWN_LINK.finditer(quoted)]  # the links already written
        if len(found) != 1 or any(start < found[0].end() and found[0].start() < end for start, end in taken):
            continue
        place = found[0]
        quoted = f"{quoted[:place.start()]}[{shown}]({link_target(url)}){quoted[place.end():]}"
    return quoted
