"""Customer text made safe to inspect: invisible characters removed, compatibility forms
folded (NFKC), HTML tags dropped while the text they hide is kept.

Every guardrail sees the same normalised text, so a card number split by zero-width spaces
or an instruction hidden in an HTML comment cannot slip past one check and reach a model.
Each output character remembers where it came from, so offsets found on the normalised
text can be reported against the customer's original message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Format characters (Cf: zero-width space/joiners, bidi controls, soft hyphen, BOM, tags)
# are invisible, and control characters other than tab and newline are noise.
_KEEP_CONTROL = {"\t", "\n", "\r"}
# A tag's attributes are not text a person reads; its contents are. Comments are kept as
# text on purpose: an instruction or a card number inside <!-- --> is still there.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]{0,500})?/?>")
_COMMENT_MARK = re.compile(r"<!--|-->")


@dataclass(frozen=True)
class NormalizedText:
    text: str
    origin: tuple[int, ...]  # origin[i] is the index in the original text of text[i]
    original_length: int
    changed: bool
    hidden_markup: bool  # the text had HTML tags or comments (their text is kept)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that produced ``text[start:end]``."""
        if not self.origin or start >= len(self.origin):
            return self.original_length, self.original_length
        first = self.origin[start]
        last = self.origin[min(end, len(self.origin)) - 1] + 1 if end > start else first
        return first, last


def _is_invisible(char: str) -> bool:
    category = unicodedata.category(char)
    return category == "Cf" or (category == "Cc" and char not in _KEEP_CONTROL) or category in ("Co", "Cs", "Cn")


def normalize(text: str) -> NormalizedText:
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    hidden_markup = bool(_TAG.search(text) or _COMMENT_MARK.search(text))
    # Mark the characters markup removal drops, then fold what is left character by
    # character so each output character keeps its origin.
    dropped = bytearray(len(text))
    if hidden_markup:
        for pattern in (_TAG, _COMMENT_MARK):
            for match in pattern.finditer(text):
                dropped[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    out: list[str] = []
    origin: list[int] = []
    previous_space = False
    for index, char in enumerate(text):
        if dropped[index]:
            # A removed tag separates words ("<b>card</b>number" is two words).
            if not previous_space and out:
                out.append(" ")
                origin.append(index)
                previous_space = True
            continue
        if _is_invisible(char):
            continue
        folded = unicodedata.normalize("NFKC", char) if not char.isascii() else char
        for piece in folded:
            out.append(piece)
            origin.append(index)
        previous_space = folded.isspace()
    normalized = "".join(out)
    return NormalizedText(normalized, tuple(origin), len(text), normalized != text, hidden_markup)
