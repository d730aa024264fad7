"""The words a knowledge base writes in lower case: its terms, not names.

A help centre writes a person's name with a capital ("Alice sends Bob …") and its own terms in
lower case wherever they occur in a sentence ("start monerod", "call get_tx_key", "signed up").
The PII name tagger, reading a customer's lower-case message, sometimes takes such a term for a
name; the redactor drops that detection when the customer wrote every word of it in lower case
and the knowledge base writes each of them in lower case in its prose (guardrails/pii/redactor.py;
the numbers that chose the rule: research/pii/README.md, "Names that are the help centre's words").

Links, addresses, file names and code are not prose: "john@example.com", "app.lodestar.example"
or a URL's path is no sign that "john" or "lodestar" is a term.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

WORD = re.compile(r"[^\W_][\w'’-]*")
# Code, and any token with a dot or an "@" inside it: a link, an e-mail or web address, a file name.
NOT_PROSE = re.compile(r"```.*?```|`[^`\n]*`|\S*\w[@.:/]\w\S*", re.S)


def word_key(word: str) -> str:
    """A word as the vocabulary keeps it: case-folded, without a possessive "'s"."""
    return re.sub(r"['’]s$", "", word.casefold())


def lower_case_words(texts: Iterable[str]) -> set[str]:
    """The keys of the words these texts write in lower case in their prose."""
    found: set[str] = set()
    for text in texts:
        for match in WORD.finditer(NOT_PROSE.sub(" ", text)):
            if match.group().islower():
                found.add(word_key(match.group()))
    return found


def written_lower(text: str) -> list[str] | None:
    """The words of ``text`` when the writer wrote every one of them in lower case, else None."""
    words = WORD.findall(text)
    return words if words and all(w == w.lower() for w in words) else None
