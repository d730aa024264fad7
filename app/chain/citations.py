"""Citation markers: every [n] must point at a source that was given."""

from __future__ import annotations

import re
from dataclasses import dataclass

_MARKER = re.compile(r"\s?\[(\d{1,3})\]")


@dataclass
class CitationCheck:
    text: str  # the reply with invalid markers removed
    cited: list[int]  # valid source numbers, in order of first use
    removed: list[int]  # markers that pointed at no source

    @property
    def has_citation(self) -> bool:
        return bool(self.cited)


def check_citations(reply: str, source_count: int) -> CitationCheck:
    cited: list[int] = []
    removed: list[int] = []

    def keep(match: re.Match) -> str:
        number = int(match.group(1))
        if 1 <= number <= source_count:
            if number not in cited:
                cited.append(number)
            return match.group(0)
        removed.append(number)
        return ""

    return CitationCheck(_MARKER.sub(keep, reply).strip(), cited, removed)
