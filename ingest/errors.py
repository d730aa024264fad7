"""Problems with knowledge files, phrased for the content editor who has to fix them."""

from __future__ import annotations

from app.core.errors import ConflictError, InvalidInputError


class KnowledgeFileError(InvalidInputError):
    """A knowledge file cannot be ingested. The message names the file, the line and the fix."""

    def __init__(self, source: str, problem: str, fix: str, line: int | None = None) -> None:
        self.source = source
        self.problem = problem
        self.fix = fix
        self.line = line
        where = f"{source} line {line}" if line else source
        super().__init__(f"{where}: {problem} — {fix}")


class NothingToIndex(KnowledgeFileError):
    """A file that reads fine but holds no text of its own: a contents page (a Sphinx toctree,
    a list of links to its own headings). Ingest skips it rather than failing it."""


class KnowledgeDirError(ConflictError):
    """The knowledge directory itself is missing or unusable."""
