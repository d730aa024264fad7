"""Plain-text knowledge files (``.txt``): policies and FAQs exported from a word processor or a
help desk as text.

Plain text has no markup to parse: a blank line ends a paragraph, and a paragraph's line breaks
are mended into spaces (list items keep their lines), as for PDF text (``ingest/text_lines.py``).
A one-line paragraph is a section heading when it is numbered ("2 Card fees", "2.1 Replacement
cards" one level down), underlined with ``===`` or ``---``, or written in capitals; the file's
first line, when short and unpunctuated (or underlined), is its title.
"""

from __future__ import annotations

import re

from ingest.document import DocumentMeta, LoadedDocument
from ingest.outline import Block, heading, sections_from_blocks, text
from ingest.text_lines import NUMBERED_HEADING, SENTENCE_END, TITLE_WORDS, mend_lines

_UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")


def load_text(content: str, source: str) -> LoadedDocument:
    blocks: list[Block] = []
    for number, (start, lines) in enumerate(_paragraphs(content)):
        level = _heading_level(lines, first=number == 0)
        if level:
            blocks.append(heading(lines[0], level, start))
        else:
            blocks.append(text(mend_lines(lines), start))
    sections, title = sections_from_blocks(blocks)
    return LoadedDocument(source=source, meta=DocumentMeta(title=title), sections=sections)


def _paragraphs(content: str) -> list[tuple[int, list[str]]]:
    """(first line number, stripped lines) of each run of non-blank lines; an underline after a
    line makes that line a paragraph of its own."""
    out: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 1
    for number, raw in enumerate(content.splitlines(), start=1):
        line = raw.strip()
        if not line:
            if current:
                out.append((start, current))
            current = []
            continue
        if _UNDERLINE.match(line) and len(current) >= 1 and len(line) >= 3:
            heading_line = current.pop()
            if current:
                out.append((start, current))
            out.append((number - 1, [heading_line, line]))
            current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        out.append((start, current))
    return out


def _heading_level(lines: list[str], first: bool) -> int:
    if len(lines) == 2 and _UNDERLINE.match(lines[1]):
        return 1 if first else 2
    if len(lines) != 1:
        return 0
    line = lines[0]
    words = line.split()
    if first and len(words) <= TITLE_WORDS and not SENTENCE_END.search(line):
        return 1
    if NUMBERED_HEADING.match(line) and len(words) <= 9:
        return line.split()[0].rstrip(".").count(".") + 2  # under the title: "1." is a section, "1.1" below it
    if len(words) <= 8 and line.isupper() and any(c.isalpha() for c in line) and not SENTENCE_END.search(line):
        return 2
    return 0
