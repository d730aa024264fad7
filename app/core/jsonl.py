"""JSON-lines files: one JSON object per line, blank lines ignored."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.errors import InvalidInputError


class JsonlError(InvalidInputError):
    """A line of a JSON-lines file is not a JSON object; the message names the file and line."""


def read_jsonl(path: Path | str) -> list[dict]:
    """Every non-blank line of ``path`` as a dict, in order."""
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise JsonlError(f"{path} line {number}: invalid JSON ({exc.msg} at column {exc.colno}) — "
                             "write one JSON object per line") from None
        if not isinstance(row, dict):
            raise JsonlError(f"{path} line {number}: expected a JSON object — write one object per line")
        rows.append(row)
    return rows
