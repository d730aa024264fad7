"""Lines of extracted or plain text put back into paragraphs: what the PDF and plain-text loaders
share. A line break inside a sentence is mended into a space, a word hyphenated across lines is
joined, and list items keep lines of their own."""

from __future__ import annotations

import re

NUMBERED_HEADING = re.compile(r"^(?:(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?)|(?:[A-Z]\.)|(?:[IVX]{1,4}\.))\s+[A-Z][^.!?:;]{1,90}$")
SENTENCE_END = re.compile(r"[.!?:;)\"”]$")
TITLE_WORDS = 12  # a first line this short, unpunctuated, titles the document
BULLET = re.compile(r"^(?:[-•▪◦*·]|\d{1,2}[.)]|[a-z][.)])\s+")


def mend_lines(lines: list[str]) -> str:
    """One paragraph from its extracted lines: hyphenated words joined, line breaks made spaces,
    list items kept on lines of their own."""
    out = ""
    for line in lines:
        if not out:
            out = line
        elif BULLET.match(line):
            out += "\n" + line
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha() and line[:1].islower():
            out = out[:-1] + line
        else:
            out += " " + line
    return " ".join(out.split(" ")).strip()
