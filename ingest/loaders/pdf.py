"""PDF policy documents, read with pypdf.

A PDF holds positioned text, not structure. pypdf extracts each page's text in reading order;
the lines are then put back together: a line break inside a sentence is mended into a space,
a word hyphenated across lines is joined, and page headers and footers (a line that repeats on
most pages, or a bare page number) are dropped. Headings come from the document's outline
(bookmarks) when it has one, else from numbered headings ("2.1 Card fees") standing on a line
of their own. The title is the document's Title property, else its first line, else a running
header that opens the first page.

A PDF with no text layer (a scan) or one that needs a password is refused with the fix.
"""

from __future__ import annotations

import io
import re
from collections import Counter

from ingest.document import DocumentMeta, LoadedDocument
from ingest.errors import KnowledgeFileError
from ingest.outline import Block, heading, sections_from_blocks, text
from ingest.text_lines import BULLET, NUMBERED_HEADING, SENTENCE_END, TITLE_WORDS, mend_lines

_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$", re.I)


def load_pdf(raw: bytes, source: str) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise KnowledgeFileError(source, "the PDF is protected by a password",
                                     "export it again without a password, then ingest it")
        pages = [page.extract_text() or "" for page in reader.pages]
        outline = _outline_titles(reader)
        title = _clean((reader.metadata or {}).get("/Title") or "") if reader.metadata else ""
    except KnowledgeFileError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        raise KnowledgeFileError(source, f"pypdf cannot read this PDF ({exc})",
                                 "open it and save it again as a PDF, or export the text as Markdown") from None
    if not any(page.strip() for page in pages):
        raise KnowledgeFileError(source, "the PDF has no text layer (it looks like a scan)",
                                 "run it through OCR or export the document as text, then ingest it")
    page_lines = [[line.strip() for line in page.split("\n")] for page in pages]
    furniture = _page_furniture(page_lines)
    sections, heading_title = sections_from_blocks(_blocks(page_lines, furniture, outline))
    title = title or heading_title or _running_title(page_lines, furniture)
    return LoadedDocument(source=source, meta=DocumentMeta(title=title), sections=sections)


def _clean(value) -> str:
    return " ".join(str(value).split())


def _outline_titles(reader) -> dict[str, int]:
    """Bookmark titles, normalised, with their depth (1 for top level)."""
    titles: dict[str, int] = {}

    def walk(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            elif getattr(item, "title", None):
                titles.setdefault(_key(item.title), depth)

    try:
        walk(reader.outline, 1)
    except Exception:  # a broken outline is no reason to refuse the text  # noqa: BLE001
        return {}
    return titles


def _key(line: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", line.lower()).strip()


def _page_furniture(pages: list[list[str]]) -> set[str]:
    """Lines that repeat on most pages (running headers and footers)."""
    if len(pages) < 3:
        return set()
    counts = Counter(_key(line) for lines in pages for line in set(lines[:3] + lines[-3:]) if line.strip())
    return {line for line, n in counts.items() if line and n >= max(3, len(pages) * 0.6)}


def _running_title(page_lines: list[list[str]], furniture: set[str]) -> str | None:
    """A title printed at the top of every page (a running header) is left out of the text with
    the other page furniture; when nothing else titles the document, the first page's first
    line, if it is such a header, short and unpunctuated, does."""
    first = next((line for line in page_lines[0] if line), "") if page_lines else ""
    if _key(first) in furniture and len(first.split()) <= TITLE_WORDS \
            and not SENTENCE_END.search(first) and not _PAGE_NUMBER.match(first):
        return first
    return None


def _blocks(page_lines: list[list[str]], furniture: set[str], outline: dict[str, int]) -> list[Block]:
    lines: list[tuple[str, int]] = []  # (line, page number)
    for number, page in enumerate(page_lines, start=1):
        for line in page:
            if _key(line) in furniture or _PAGE_NUMBER.match(line):
                continue
            lines.append((line, number))
        lines.append(("", number))  # a page break ends a paragraph only if the text says so
    blocks: list[Block] = []
    paragraph: list[str] = []
    start = 1

    def flush() -> None:
        if paragraph:
            blocks.append(text(mend_lines(paragraph), start))
            paragraph.clear()

    first = True
    for index, (line, page) in enumerate(lines):
        if not line:
            if paragraph and SENTENCE_END.search(paragraph[-1]):
                flush()
            continue
        depth = outline.get(_key(line))
        if depth is None and first and len(line.split()) <= TITLE_WORDS and not SENTENCE_END.search(line):
            depth = 1  # the document's first line, short and unpunctuated: its title
        elif depth is None and not outline and _is_numbered_heading(line, paragraph, lines[index + 1:index + 2]):
            depth = line.split()[0].rstrip(".").count(".") + 1
        first = False
        if depth is not None:
            flush()
            blocks.append(heading(line, depth, page))
            continue
        if paragraph and BULLET.match(line) and not BULLET.match(paragraph[0]):
            flush()  # a list starts
        elif paragraph and BULLET.match(paragraph[0]) and not BULLET.match(line) and line[:1].isupper():
            flush()  # the list is over (a wrapped item goes on in lower case)
        if not paragraph:
            start = page
        paragraph.append(line)
    flush()
    return blocks


def _is_numbered_heading(line: str, paragraph: list[str], following: list[tuple[str, int]]) -> bool:
    """"2.1 Card fees" alone on a line, after a finished sentence (not after "…as follows:",
    which opens a numbered list) and before a line that starts a sentence."""
    if not NUMBERED_HEADING.match(line) or len(line.split()) > 9:
        return False
    if paragraph and (not SENTENCE_END.search(paragraph[-1]) or paragraph[-1].endswith(":")
                      or BULLET.match(paragraph[-1])):
        return False  # inside a sentence, after a list's intro, or the list's next item
    return not following or not following[0][0] or following[0][0][:1].isupper()
