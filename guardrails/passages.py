"""A knowledge file's raw text cut into passages and sections, with 1-based line numbers.

The knowledge-file scan reads passages (one paragraph, one table, or a code block together with
the sentence that introduces it) and reports a finding with the passage's lines and the lines of
the section around it, so ingest can set aside that section and index the rest of the file.

- A passage ends at a blank line outside a code fence, and where table rows meet other lines (an
  instruction slipped between the rows of a table is a passage of its own).
- A fenced code block stays whole, and joins the lines just above it when no blank line separates
  them ("Run this:" + the code), so the code is read with what it is offered for.
- A section starts at a heading (Markdown ``#``, or a line underlined with ``===``/``---``/``~~~``
  as in reStructuredText and setext Markdown) and runs to the line before the next heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^\s*(```|~~~)")
_TABLE_ROW = re.compile(r"^\s*(?:\|.*\||\+[-=+]{3,}\+?\s*$)")
_ATX = re.compile(r"^\s{0,3}#{1,6}(?:\s|$)")
_UNDERLINE = re.compile(r"^\s*([=\-~^*+#:'\".])\1{2,}\s*$")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Passage:
    start: int  # first line, 1-based
    end: int  # last line, inclusive
    text: str


def passages(text: str) -> list[Passage]:
    lines = text.split("\n")
    out: list[Passage] = []
    current: list[int] = []  # 0-based line numbers of the open passage
    kind = None  # "table" or "text" for the open passage
    fenced = False

    def flush() -> None:
        nonlocal current, kind
        if current:
            body = "\n".join(lines[i] for i in current)
            if _LETTER.search(body):
                out.append(Passage(current[0] + 1, current[-1] + 1, body))
        current, kind = [], None

    for i, line in enumerate(lines):
        if fenced:
            current.append(i)
            if _FENCE.match(line):
                fenced = False
                flush()
            continue
        if _FENCE.match(line):
            if kind == "table":
                flush()
            fenced = True
            current.append(i)
            continue
        if not line.strip():
            flush()
            continue
        line_kind = "table" if _TABLE_ROW.match(line) else "text"
        if kind is not None and line_kind != kind:
            flush()
        kind = line_kind
        current.append(i)
    flush()
    return out


def heading_lines(text: str) -> list[int]:
    """1-based lines where a section starts (the heading's text line)."""
    lines = text.split("\n")
    starts, fenced = [], False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        if _ATX.match(line):
            starts.append(i + 1)
        elif i and _UNDERLINE.match(line) and lines[i - 1].strip() and not _UNDERLINE.match(lines[i - 1]):
            starts.append(i)  # the text line above the underline (1-based: i)
    return sorted(set(starts))


def section_of(headings: list[int], line_count: int, start: int, end: int) -> tuple[int, int]:
    """The lines of the section(s) holding lines start..end: from the heading at or before ``start``
    to the line before the first heading after ``end`` (the whole file when it has no heading)."""
    first = max((h for h in headings if h <= start), default=1)
    last = min((h - 1 for h in headings if h > end), default=line_count)
    return first, last
