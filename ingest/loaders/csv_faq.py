"""CSV FAQ exports as help-desk tools write them: one article per row, HTML allowed in bodies."""

from __future__ import annotations

import csv
import io
import posixpath
from collections import Counter
from pathlib import PurePosixPath

from ingest.document import DocumentMeta, LoadedDocument, Section
from ingest.errors import KnowledgeFileError
from ingest.html_text import html_to_text, looks_like_html
from ingest.markdown_text import record_link
from ingest.schema import normalise_key, parse_meta, title_from_filename

QUESTION_COLUMNS = ("question", "title", "subject", "article_title")
ANSWER_COLUMNS = ("answer", "body", "content", "article_body", "description")


def load_csv_faq(text: str, source: str) -> LoadedDocument:
    # Exports use commas, or semicolons where the comma is the decimal mark; the header
    # line tells which (sniffing whole rows is fooled by commas inside HTML bodies).
    header_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header_line.count)
    # A whole file may be one long answer; the csv module's default cell limit is 128 KiB.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = _Rows(reader)
    try:
        document = _load_rows(rows, source)
    except csv.Error as exc:
        # strict mode turns an unclosed quote (which would swallow every later row) into
        # an error; report the line where the broken row starts.
        raise KnowledgeFileError(
            source, f"the CSV is malformed ({exc})", 'close the quoted cell that starts here (write a quote inside a cell as "")',
            rows.row_start,
        ) from None
    return document


class _Rows:
    """The csv reader, remembering the line on which each row starts."""

    def __init__(self, reader) -> None:
        self.reader, self.row_start = reader, 1

    def __iter__(self):
        return self

    def __next__(self) -> list[str]:
        self.row_start = self.reader.line_num + 1
        return next(self.reader)


def _load_rows(reader: _Rows, source: str) -> LoadedDocument:
    try:
        header = next(reader)
    except StopIteration:
        raise KnowledgeFileError(source, "the CSV has no header row", "add a header such as Title,Body", 1) from None
    columns = [normalise_key(c) for c in header]
    question_col = _find(columns, QUESTION_COLUMNS)
    answer_col = _find(columns, ANSWER_COLUMNS)
    for found, names, role in ((question_col, QUESTION_COLUMNS, "question"), (answer_col, ANSWER_COLUMNS, "answer")):
        if found is None:
            raise KnowledgeFileError(
                source, f"the CSV header has no {role} column", f"name one column {' or '.join(names[:2])}", 1
            )
    sections: list[Section] = []
    links: list[str] = []
    for row in reader:
        line = reader.row_start
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            raise KnowledgeFileError(
                source, f"row has {len(row)} cells but the header has {len(columns)}",
                "quote cells that contain commas or line breaks", line,
            )
        cells = dict(zip(columns, row))
        question, answer = cells[question_col].strip(), cells[answer_col].strip()
        for value, role in ((question, "question"), (answer, "answer")):
            if not value:
                raise KnowledgeFileError(source, f"row has an empty {role}", f"fill in the {role} or delete the row", line)
        if looks_like_html(answer):
            answer, row_links = html_to_text(answer)
            for target in row_links:
                record_link(target, posixpath.dirname(source), links)
        extra = {k: v for k, v in cells.items() if k not in (question_col, answer_col) and v.strip()}
        extra = {k: v.replace(";", ",") if k in ("labels", "tags", "keywords") else v for k, v in extra.items()}
        try:
            overrides = parse_meta(extra, source)
        except KnowledgeFileError as exc:
            raise KnowledgeFileError(source, exc.problem, exc.fix, line) from None
        sections.append(Section(path=(question,), text=answer, line=line, question=question, meta=overrides))
    if not sections:
        raise KnowledgeFileError(source, "the CSV has a header but no rows", "add at least one FAQ row", 2)
    return LoadedDocument(source=source, meta=_file_meta(source, sections), sections=sections, links=links)


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    return next((name for name in names if name in columns), None)


def _file_meta(source: str, sections: list[Section]) -> DocumentMeta:
    """A CSV export has no document header: the file takes its rows' most common category."""
    categories = Counter(s.meta.category for s in sections if s.meta.category)
    return DocumentMeta(
        title=title_from_filename(PurePosixPath(source).name),
        doc_type="faq",
        category=categories.most_common(1)[0][0] if categories else None,
    )
