"""Set aside the sections of a knowledge file that the knowledge-file scan flagged, so the rest of
the file is indexed (issue 13: one hostile or suspicious paragraph must not take a whole help
article out of the index).

A loaded section runs from its line to the line before the next section. A finding takes out every
section its passage overlaps. A finding that overlaps no indexed section (a comment above the first
heading, the front matter) or one that would leave nothing to index quarantines the whole file, as
before: there is then no part of the file that is known to be clean.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ingest.document import LoadedDocument, Section


@dataclass(frozen=True)
class SetAside:
    document: LoadedDocument  # the sections that stay
    spans: list[tuple[int, int]]  # lines (of the scanned text) of the sections set aside, first first


def section_spans(document: LoadedDocument, scanned: str, binary: bool) -> list[tuple[int, int]]:
    """The lines of the scanned text each section covers. A text file is scanned raw, so its
    sections' own line numbers apply; a PDF is scanned as its sections' texts joined by a blank line
    (``ingest.reading.text_to_scan``)."""
    sections = document.sections
    if binary:
        spans, line = [], 1
        for section in sections:
            end = line + section.text.count("\n")
            spans.append((line, end))
            line = end + 2
        return spans
    last_line = scanned.count("\n") + 1
    starts = [s.line for s in sections]
    return [(start, min((s for s in starts if s > start), default=last_line + 1) - 1) for start in starts]


def set_aside(document: LoadedDocument, findings, scanned: str, binary: bool) -> SetAside | None:
    """The document without the flagged sections, or None when the whole file must be quarantined."""
    spans = section_spans(document, scanned, binary)
    dropped: set[int] = set()
    for finding in findings:
        first = finding.start_line or finding.line
        last = finding.end_line or finding.line
        hit = {i for i, (start, end) in enumerate(spans) if start <= last and end >= first}
        if not hit:
            return None
        dropped |= hit
    kept: list[Section] = [s for i, s in enumerate(document.sections) if i not in dropped]
    if not kept:
        return None
    return SetAside(dataclasses.replace(document, sections=kept), [spans[i] for i in sorted(dropped)])
