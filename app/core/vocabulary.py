"""The words a knowledge base uses: its terms, which a customer's lower-case message may hold.

The PII name tagger, reading a customer's lower-case message, sometimes takes a help centre's term
for a name ("setting up monerod on a vps", "my ledger nano", "gmail"). The redactor drops such a
detection when the customer wrote every word of it in lower case, the knowledge base uses each of
them, and none is a first or last name anywhere (guardrails/pii/redactor.py; the numbers that chose
the rule: research/pii/README.md, "Names that are the help centre's words").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

WORD = re.compile(r"[^\W_][\w'’-]*")


def word_key(word: str) -> str:
    """A word as the vocabulary keeps it: case-folded, without a possessive "'s"."""
    return re.sub(r"['’]s$", "", word.casefold())


def used_words(texts: Iterable[str]) -> set[str]:
    """The keys of every word these texts use, in any case."""
    return {word_key(match.group()) for text in texts for match in WORD.finditer(text)}


def written_lower(text: str) -> list[str] | None:
    """The words of ``text`` when the writer wrote every one of them in lower case, else None."""
    words = WORD.findall(text)
    return words if words and all(w == w.lower() for w in words) else None
