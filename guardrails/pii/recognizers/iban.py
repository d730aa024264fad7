"""IBANs as customers type them: any case, grouped by spaces or dashes, followed by more
words ("es20 1405 3235 2691 5956 4190 never arrived").

Presidio's stock IBAN pattern is greedy: it runs on into the next word, the mod-97 check
then fails and the whole IBAN is dropped. Each country's IBAN has a fixed length (ISO
13616 registry), so this recognizer reads exactly that many characters after the country
code and reports it (1.0) when the mod-97 checksum holds.

Any other IBAN-shaped string is redacted too (0.6), valid or not: too short or too long
for its country, an unknown country code, letters where check digits belong. A mistyped
IBAN is still the customer's bank account. The shape: two letters, two letters or
digits, then either a compact run of 10-30 letters and digits or groups of four separated
by single spaces or dashes, holding at least eight digits in all (ordinary words never do).
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
_SHAPED = re.compile(
    r"(?<![\w-])[A-Za-z]{2}[0-9A-Za-z]{2}"
    r"(?:[0-9A-Za-z]{10,30}|(?:[ -][0-9A-Za-z]{4}){2,7}(?:[ -][0-9A-Za-z]{1,3})?)(?![\w-])")
MIN_SHAPED_DIGITS = 8
_SEPARATORS = " -"


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
        elif char in _SEPARATORS and count and i + 1 < len(text) and text[i + 1].isalnum() and text[i - 1] not in _SEPARATORS:
            i += 1
        else:
            return None
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
            compact = re.sub(r"[ -]", "", text[match.start():end]).upper()
            if iban_checksum_ok(compact):  # a failed checksum may mean the read ran into the next word
                results.append(self._result(match.start(), end, 1.0))
        position = 0
        while (match := _SHAPED.search(text, position)) is not None:
            head = match.group(0)[:4]
            if head[:2].upper() not in IBAN_LENGTHS and not any(c.isdigit() for c in head[2:]):
                position = match.start() + 1  # "IBAN DE89...": the IBAN starts at DE89, not at the word
                continue
            position = match.end()
            end = _without_trailing_words(text, match.start(), match.end())
            if sum(c.isdigit() for c in text[match.start():end]) >= MIN_SHAPED_DIGITS:
                results.append(self._result(match.start(), end, 0.6))
        return results

    def _result(self, start: int, end: int, score: float) -> RecognizerResult:
        return RecognizerResult("IBAN_CODE", start, end, score, recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})


def _without_trailing_words(text: str, start: int, end: int) -> int:
    """Drop trailing groups with no digit ("... 3000 then"): a word after the IBAN, not a part."""
    while True:
        cut = max(text.rfind(" ", start, end), text.rfind("-", start, end))
        if cut <= start + 4 or any(c.isdigit() for c in text[cut + 1:end]):
            return end
        end = cut
