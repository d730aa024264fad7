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


class KnowledgeDirError(ConflictError):
    """The knowledge directory itself is missing or unusable."""
