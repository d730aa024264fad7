"""What every document loader produces before sections exist: a flat run of headings and text
blocks, each with its line in the file. ``sections_from_blocks`` turns that run into the heading
hierarchy and picks the title, the same way for Markdown, reStructuredText, HTML and PDF.

Text blocks are already plain text: a paragraph on one line (source line breaks mended), a
list with one ``- item`` per line, a table with one ``Header: value; …`` row per line, code
between ``` fences. Blocks of one section are joined with a blank line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.document import Section
from ingest.schema import looks_like_question


@dataclass
class Block:
    text: str
    line: int  # 1-based, in the file
    level: int = 0  # 1-6 for a heading; 0 for text

    @property
    def is_heading(self) -> bool:
        return self.level > 0


# The heading of an in-page table of contents (wikis, npm's docs, help-centre themes): a loader that
# drops the contents list drops this heading with it, or the sections after it are filed under "Contents".
_CONTENTS_HEADING = re.compile(r"(?:table of contents|contents|page contents|toc|on this page"
                               r"|in this (?:article|page|guide))\s*:?", re.I)


def is_contents_heading(block: Block) -> bool:
    return block.is_heading and bool(_CONTENTS_HEADING.fullmatch(block.text))


def heading(text: str, level: int, line: int) -> Block:
    return Block(" ".join(text.split()), line, level)


def text(content: str, line: int) -> Block:
    return Block(content, line)


# The last line of a text block that introduces what comes next: prose or a list item, not code or a table row.
_INTRODUCES = re.compile(r"^(?!```|\|)(?:\s*(?:[-*•]|\d{1,2}[.)])\s+)?\S.*\s\S.*:\s*$")


def before_picture(block: Block) -> None:
    """``block`` came right before a picture the loader dropped: a last line that introduced it ends with a
    full stop (``without_dangling_colon``). A heading is left as it is."""
    if not block.is_heading:
        block.text = without_dangling_colon(block.text)


def without_dangling_colon(block_text: str) -> str:
    """A text block whose last line introduced a picture ("… it will get a notification that a partially
    signed transaction is available:") ends with a full stop: the picture is not kept, and a colon with
    nothing after it reads as a sentence cut off. A one-word label ("Output:") is left as it is."""
    head, _, last = block_text.rpartition("\n")
    if not _INTRODUCES.match(last):
        return block_text
    last = last.rstrip()[:-1].rstrip()
    last += "" if last.endswith((".", "!", "?")) else "."  # "… that means success!:" keeps its own stop
    return f"{head}\n{last}" if head else last


def fenced(code: str) -> str:
    """Code between fences longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`{3,}", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{code}\n{fence}"


def _title_heading(blocks: list[Block]) -> int | None:
    """Index of the heading that titles the document, if one does: the first block, when it is
    a level-1 heading, or when it is the document's only heading at the highest level used and
    other headings sit below it (pages that start at ``##``). A ``## Question?`` is an FAQ
    entry, never promoted to title."""
    first = next((i for i, b in enumerate(blocks) if b.is_heading or b.text.strip()), None)
    if first is None or not blocks[first].is_heading:
        return None
    top = blocks[first]
    if top.level == 1:
        return first
    levels = [b.level for b in blocks if b.is_heading]
    if min(levels) == top.level and levels.count(top.level) == 1 and len(levels) > 1 \
            and not looks_like_question(top.text):
        return first
    return None


def sections_from_blocks(blocks: list[Block]) -> tuple[list[Section], str | None]:
    """(sections, the title heading's text or None). The title heading is no part of any section
    path; a heading with no text of its own makes no section."""
    title_at = _title_heading(blocks)
    title = blocks[title_at].text if title_at is not None else None
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    buffer: list[str] = []
    start: int | None = None

    def flush() -> None:
        body = "\n\n".join(b for b in buffer if b.strip()).strip("\n")
        if body.strip():
            sections.append(Section(path=tuple(h for _, h in stack), text=body, line=start or 1))
        buffer.clear()

    for index, block in enumerate(blocks):
        if index == title_at:
            continue
        if block.is_heading:
            flush()
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            if block.text:
                stack.append((block.level, block.text))
            start = block.line  # a section's line is its heading's
            continue
        if not block.text.strip():
            continue
        if not buffer and start is None:
            start = block.line
        buffer.append(block.text)
    flush()
    return sections, title


_ENDS_CLAUSE = re.compile(r"[.!?:;…]\W*$")


def _lead_text(paragraphs: list[str]) -> str:
    """A list item's first paragraphs on its line. A paragraph that ends without a stop is the item's
    label, and a colon keeps it apart from the text after it (Electrum's "1. Logging to file: On Linux …",
    not "1. Logging to file On Linux …")."""
    text = paragraphs[0]
    for paragraph in paragraphs[1:]:
        text += (" " if _ENDS_CLAUSE.search(text) else ": ") + paragraph
    return text


def list_item_lines(marker: str, depth: int, parts: list[str | list[str]]) -> list[str]:
    """One list item as lines, its parts in reading order: the paragraphs before anything else
    join the ``- item`` line (a label paragraph with a colon after it); a nested list or a code block
    keeps its own lines where it stood; a paragraph after one of those is a line of its own
    ("Example:", the code, then "Note that the fee is deducted." — not "Example: Note that …" with
    the code after)."""
    lines: list[str] = []
    lead: list[str] = []
    led = False  # the "- item" line is written (or there was nothing to lead with)
    for part in parts:
        if isinstance(part, str):
            if part and led:
                lines.append("  " * depth + part)
            elif part:
                lead.append(part)
            continue
        if not part:
            continue
        if not led and lead:
            lines.append("  " * depth + f"{marker} {_lead_text(lead)}")
        led = True
        lines.extend(part)
    if not led and lead:
        lines.append("  " * depth + f"{marker} {_lead_text(lead)}")
    return lines
