"""Markdown knowledge files: optional YAML/JSON front matter, then a heading hierarchy."""

from __future__ import annotations

import posixpath
import re

from ingest.document import LoadedDocument, Section
from ingest.frontmatter import split_front_matter
from ingest.markdown_text import ADMONITION, GITHUB_ALERT, REFERENCE_DEF, admonition_label, clean_inline
from ingest.schema import parse_meta

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


def load_markdown(text: str, source: str) -> LoadedDocument:
    raw, key_lines, body, body_line = split_front_matter(text, source)
    meta = parse_meta(raw, source, key_lines)
    links: list[str] = []
    sections, first_heading = _sections(body, body_line, posixpath.dirname(source), links)
    if meta.title is None and first_heading:
        meta.title = first_heading
    return LoadedDocument(source=source, meta=meta, sections=sections, links=links)


def _sections(body: str, first_line: int, source_dir: str, links: list[str]) -> tuple[list[Section], str | None]:
    """Split the body at headings. The first heading, if it is a level-1 heading, is the
    document title and not part of any section path."""
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = first_line
    title: str | None = None
    fence: str | None = None
    admonition = alert = in_comment = False
    seen_heading = False
    at_heading = False  # the section's line is its heading's, not its first text line's

    def flush() -> None:
        text = "\n".join(buffer).strip("\n")
        if text.strip():
            sections.append(Section(path=tuple(h for _, h in stack), text=text, line=start))
        buffer.clear()

    for number, line in enumerate(body.split("\n"), start=first_line):
        if fence:  # inside a code block nothing is a heading; keep the text as is
            if line.strip().startswith(fence):
                fence = None
            else:
                buffer.append(line)
            continue
        if in_comment or "<!--" in line:
            line, in_comment = _strip_comment(line, in_comment)
            if not line.strip():
                continue
        if match := _FENCE.match(line):
            fence = match.group(1)
            continue
        if admonition:
            if line.startswith(("    ", "\t")) or not line.strip():
                buffer.append(clean_inline(line.strip(), source_dir, links))
                continue
            admonition = False
        if alert:
            if line.lstrip().startswith(">"):
                buffer.append(clean_inline(line.lstrip()[1:].strip(), source_dir, links))
                continue
            alert = False
        if match := _HEADING.match(line):
            flush()
            level, heading = len(match.group(1)), clean_inline(match.group(2), source_dir, links).strip()
            seen_heading = True
            if title is None and level == 1 and not sections:
                title = heading  # the title is no section: text under it starts where it starts
                start = number + 1
                continue
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, heading))
            start, at_heading = number, True
            continue
        if match := ADMONITION.match(line):
            admonition = True
            buffer.append(admonition_label(match.group(1), match.group(2)))
            continue
        if match := GITHUB_ALERT.match(line):
            alert = True
            buffer.append(admonition_label(match.group(1), None) + (" " + match.group(2) if match.group(2) else ""))
            continue
        if REFERENCE_DEF.match(line):
            continue
        if line.lstrip().startswith(">"):
            line = line.lstrip()[1:].lstrip()
        if not buffer and not line.strip():
            if not at_heading:
                start = number + 1
            continue
        buffer.append(clean_inline(line.rstrip(), source_dir, links))
    flush()
    return sections, title


def _strip_comment(line: str, in_comment: bool) -> tuple[str, bool]:
    out = []
    while line:
        if in_comment:
            end = line.find("-->")
            if end < 0:
                return "".join(out), True
            line, in_comment = line[end + 3 :], False
        else:
            begin = line.find("<!--")
            if begin < 0:
                out.append(line)
                break
            out.append(line[:begin])
            line, in_comment = line[begin + 4 :], True
    return "".join(out), in_comment
