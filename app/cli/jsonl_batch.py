"""The JSON-lines loop behind `beacon search --jsonl` and `beacon ask --jsonl`: one object
out per line in, in order; a bad line gets an error object and the batch goes on."""

from __future__ import annotations

import json
from typing import Callable

from app.core.errors import BeaconError
from app.core.regions import customer_region


def answer_lines(lines, out, handle: Callable[[dict], dict], required: str, error_fields: dict) -> bool:
    """Call ``handle`` with each line's object (which must have a string ``required`` field).
    Returns False if any line was bad."""
    ok = True
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            if not isinstance(request, dict) or not isinstance(request.get(required), str):
                raise ValueError(f'expected an object like {{"{required}": "..."}}')
            payload = handle(request)
        except (ValueError, TypeError, BeaconError) as exc:
            ok = False
            payload = {required: None, "error": f"line {number}: {exc}", **error_fields}
        out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        out.flush()
    return ok


def region_of(value) -> str | None:
    """A line's ``region``: a code in any case or a country's name; a ValueError names a bad one."""
    if value is not None and not isinstance(value, str):
        raise ValueError(f"region must be a string such as \"UK\", not {value!r}")
    return customer_region(value)
