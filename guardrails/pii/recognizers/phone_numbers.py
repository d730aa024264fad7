"""Phone numbers of every region libphonenumber knows (type PHONE_NUMBER).

* International numbers ("+" or "00", then the country code) are found anywhere: a "+"
  followed by seven or more digits is a phone number in customer text. The `phonenumbers`
  package raises the score when the number is possible (0.9) or valid (1.0) for its
  region; an impossible one still scores 0.75, because a mistyped number is still personal.
* National numbers (no country code) cannot be told from other digit runs by their shape,
  so they need a phone cue before them ("call me on", "mobile:", "Handynummer", "tel.",
  cues.py), then any run of 5 to 15 digits grouped by spaces, dashes, dots, slashes or
  parentheses counts, in any region's layout. After a bare "number"/"no." the run must
  also be laid out like a phone number (groups, a leading 0 or an area code in brackets).
* Presidio's PhoneRecognizer still runs for the regions most customers are in
  (contact_details.PHONE_REGIONS) and finds their national numbers with no cue.
"""

from __future__ import annotations

import re

import phonenumbers
from presidio_analyzer import EntityRecognizer, RecognizerResult

from guardrails.pii.recognizers.cues import nearest_family

INTERNATIONAL = re.compile(r"(?<![\w+])(?<!\d[ -])(?:\+|\b00)\s?[1-9](?:[\s.\-/]?\(?\d+\)?){1,8}(?!\w)")
NATIONAL = re.compile(r"(?<![\w+.,/])\(?\d+\)?(?:[ .\-/]{1,2}\(?\d+\)?){0,7}(?![\w/]|[.,]\d)")
# Grouped like a phone number: a leading 0 or area code in parentheses, or groups of digits.
PHONE_LAYOUT = re.compile(r"^(?:\(\d+\)|0\d*|\d+)(?:[ .\-/]{1,2}\(?\d+\)?)+$|^0\d{4,}$")
DATE_SHAPED = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
MIN_INTERNATIONAL_DIGITS, MIN_NATIONAL_DIGITS, MAX_DIGITS = 7, 5, 15
CUE_WINDOW = 40


class PhoneNumberRecognizer(EntityRecognizer):
    def __init__(self) -> None:
        super().__init__(supported_entities=["PHONE_NUMBER"], name="AnyRegionPhoneRecognizer", supported_language="en")

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        results, taken = [], []
        for match in INTERNATIONAL.finditer(text):
            start, end = match.start(), _trim(text, match.start(), match.end())
            digits = re.sub(r"\D", "", text[start:end])
            digits = digits[2:] if text[start] == "0" else digits
            score = _international_score(digits)
            if score:
                results.append(self._result(start, end, score))
                taken.append((start, end))
        for match in NATIONAL.finditer(text):
            start, end = match.start(), _trim(text, match.start(), match.end())
            if any(start < b and end > a for a, b in taken):
                continue
            value = text[start:end]
            digits = sum(c.isdigit() for c in value)
            if not MIN_NATIONAL_DIGITS <= digits <= MAX_DIGITS or DATE_SHAPED.match(value):
                continue
            family = nearest_family(text, start, CUE_WINDOW)
            if family == "phone":
                results.append(self._result(start, end, 0.8))
            elif family == "number" and PHONE_LAYOUT.match(value):
                results.append(self._result(start, end, 0.6))  # "my number is 521 2345"
        return results

    def _result(self, start: int, end: int, score: float) -> RecognizerResult:
        return RecognizerResult("PHONE_NUMBER", start, end, score, recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})


def _trim(text: str, start: int, end: int) -> int:
    """No trailing separator or unmatched parenthesis."""
    while end > start and (text[end - 1] in " .-/(" or (text[end - 1] == ")" and "(" not in text[start:end - 1])):
        end -= 1
    return end


def _international_score(digits: str) -> float:
    if not MIN_INTERNATIONAL_DIGITS <= len(digits) <= MAX_DIGITS:
        return 0.0
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return 0.75
    if phonenumbers.is_valid_number(number):
        return 1.0
    return 0.9 if phonenumbers.is_possible_number(number) else 0.75
