"""IBANs as customers type them: any case, grouped by spaces or dashes, followed by more
words ("es20 1405 3235 2691 5956 4190 never arrived").

Presidio's stock IBAN pattern is greedy: it runs on into the next word, the mod-97 check
then fails and the whole IBAN is dropped. Each country's IBAN has a fixed length (ISO
13616 registry), so this recognizer reads exactly that many characters after the country
code and reports it (1.0) when the mod-97 checksum holds.

Any other IBAN-shaped string is redacted too (0.6), valid or not: too short or too long
for its country, an unknown country code, letters where check digits belong. A mistyped
IBAN is still the customer's bank account. The shape: two letters, two letters or
digits, then either a compact run of 10-30 letters and digits or groups separated as
customers separate them, holding at least eight digits in all (ordinary words never do).
A head of four letters ("DEAA 3704...", letters where the check digits belong) must be
upper case or give exactly its country's length: "from 0091 1800..." and "back 6123-4567"
start with FR and BA but are words before a number.

Separators between groups, in both readings: one to three spaces, a dot, a dash, a slash,
or one line break ("FR76.3000.6000...", "DE89  3704  0044", an IBAN wrapped onto a second
line); never a blank line.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

# Country code -> total IBAN length, from the public IBAN registry.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29, "BY": 28,
    "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19,
    "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}
_START = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})(\d{2})")
_SEP = r"(?:[ \t]{1,3}|[.\-/]|[ \t]*\n[ \t]*)"
SEPARATOR = re.compile(_SEP)
_SHAPED = re.compile(
    r"(?<![\w.-])[A-Za-z]{2}[0-9A-Za-z]{2}"
    r"(?:[0-9A-Za-z]{10,30}|" + _SEP + r"[0-9A-Za-z]{10,30}|(?:" + _SEP + r"[0-9A-Za-z]{4}){2,7}"
    r"(?:" + _SEP + r"[0-9A-Za-z]{1,3})?)(?![\w-]|\.\w)")
MIN_SHAPED_DIGITS = 8


def iban_checksum_ok(compact: str) -> bool:
    rearranged = compact[4:] + compact[:4]
    try:
        return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1
    except ValueError:
        return False


def _read(text: str, start: int, length: int) -> int | None:
    """End offset after ``length`` IBAN characters from ``start``, single separators
    allowed between them; None if the text runs out or the IBAN runs on into more letters."""
    count, i = 0, start
    while count < length:
        if i >= len(text):
            return None
        char = text[i]
        if char.isascii() and char.isalnum():
            count += 1
            i += 1
            continue
        separator = SEPARATOR.match(text, i) if count else None
        if separator is None or separator.end() >= len(text) or not text[separator.end()].isalnum():
            return None
        i = separator.end()
    if i < len(text) and text[i].isascii() and text[i].isalnum():
        return None
    return i


class CountryLengthIbanRecognizer(EntityRecognizer):
    def __init__(self) -> None:
        super().__init__(supported_entities=["IBAN_CODE"], name="CountryLengthIbanRecognizer", supported_language="en")

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for match in _START.finditer(text):
            length = IBAN_LENGTHS.get(match.group(1).upper())
            if length is None:
                continue
            end = _read(text, match.start(), length)
            if end is None:
                continue
            compact = re.sub(r"[^0-9A-Za-z]", "", text[match.start():end]).upper()
            if iban_checksum_ok(compact):  # a failed checksum may mean the read ran into the next word
                results.append(self._result(match.start(), end, 1.0))
        position = 0
        while (match := _SHAPED.search(text, position)) is not None:
            head = match.group(0)[:4]
            end = _without_trailing_words(text, match.start(), match.end())
            if not any(c.isdigit() for c in head[2:]) and (not _letter_head_ok(head, text[match.start():end])
                                                             or _iban_starts_next(text, match.start() + 4, end)):
                position = match.start() + 1  # "IBAN DE89...": the IBAN starts at DE89, not at the word
                continue
            position = match.end()
            if sum(c.isdigit() for c in text[match.start():end]) >= MIN_SHAPED_DIGITS:
                results.append(self._result(match.start(), end, 0.6))
        return results

    def _result(self, start: int, end: int, score: float) -> RecognizerResult:
        return RecognizerResult("IBAN_CODE", start, end, score, recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})


def _letter_head_ok(head: str, value: str) -> bool:
    """Four letters first: an IBAN only if written in capitals or as long as its country's IBANs."""
    if head[:2].upper() not in IBAN_LENGTHS:
        return False
    return head.isupper() or len(re.sub(r"[^0-9A-Za-z]", "", value)) == IBAN_LENGTHS[head[:2].upper()]


def _iban_starts_next(text: str, position: int, end: int) -> bool:
    """An IBAN of a known country starts right after the first separator ("from GB96 BARC ..."):
    the four letters before it are a word, even when the lengths happen to add up."""
    separator = SEPARATOR.match(text, position)
    start = _START.match(text, separator.end()) if separator and separator.end() < end else None
    return bool(start) and start.group(1).upper() in IBAN_LENGTHS


def _without_trailing_words(text: str, start: int, end: int) -> int:
    """Drop trailing groups with no digit ("... 3000 then"): a word after the IBAN, not a part."""
    while True:
        separators = list(SEPARATOR.finditer(text, start + 4, end))
        if not separators or any(c.isdigit() for c in text[separators[-1].end():end]):
            return end
        end = separators[-1].start()
