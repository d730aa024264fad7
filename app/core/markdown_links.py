"""A web address written as a Markdown link's target, the form the chat and most channels render."""

from __future__ import annotations

from urllib.parse import quote

# Characters an address keeps as they are; brackets, parentheses and spaces are escaped so the Markdown link
# stays whole and nothing in it reads as a citation marker ("[2]").
URL_SAFE = ":/?#@!$&'*+,;=%~-._"


def link_target(url: str) -> str:
    return quote(url, safe=URL_SAFE)


def markdown_link(text: str, url: str) -> str:
    """``[text](url)``, with brackets in ``text`` escaped and the address kept whole."""
    shown = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"[{shown}]({link_target(url)})"
