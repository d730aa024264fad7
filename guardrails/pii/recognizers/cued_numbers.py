"""Card and account numbers as customers type them: a run of 8 to 19 digits, plain or
grouped by spaces (one or two), dashes, dots ("4111.1111.1111.1111") or a line break,
after a cue word ("card", "acct", "Kartennummer", "no.", ...; cues.py), or right before one
("4111 1111 1111 1111 is my card number", "... - card"). A mistyped card number is still
a card number, so the checksum only raises the confidence: with a cue the run is reported
whether or not Luhn holds.

The nearest cue before the run names the type: card words give CREDIT_CARD, account and
bank words BANK_ACCOUNT, routing words ABA_ROUTING_NUMBER, a bare "number"/"no."
CREDIT_CARD when Luhn holds and BANK_ACCOUNT otherwise. Phone cues are left to the phone
recognizer. Runs that are dates (2024-03-12, 12.03.2027) are not numbers to hide; a dotted
run needs at least two dots or two groups of four ("4683.1963"), so that an amount
("0.00012345 BTC", "1234.56") is never one.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from guardrails.pii.recognizers.checksums import luhn_valid
from guardrails.pii.recognizers.cues import family_after, nearest_family
from guardrails.pii.recognizers.number_shapes import looks_like_date
from guardrails.pii.recognizers.phone_numbers import INTERNATIONAL, MAX_DIGITS, PHONE_LAYOUT

_GAP = r"(?:[ \t]{1,2}|-|[ \t]*\n[ \t]*)"
# (no "1.5" or "3,000" before: the run would be the tail of an amount; "no.8094..." is fine)
RUN = re.compile(r"(?<![\w,/+-])(?<!\d[.,])(?:\d(?:" + _GAP + r"?\d){7,18}|\d{1,6}(?:\.\d{1,6}){2,9}|\d{4}\.\d{4})"
                 r"(?![\w/]|[.,]\d)")
MIN_DIGITS, MAX_RUN_DIGITS = 8, 19
CUE_WINDOW = 40
CARD_GROUPS = re.compile(r"^\d{4}(?:(?:[ .-]|  )\d{4})+(?:(?:[ .-]|  )\d{1,4})?$|^\d{4}[ -]\d{6}[ -]\d{4,5}$")
TYPE_OF_FAMILY = {"card": "CREDIT_CARD", "account": "BANK_ACCOUNT", "routing": "ABA_ROUTING_NUMBER"}


class CuedNumberRecognizer(EntityRecognizer):
    ENTITIES = ["CREDIT_CARD", "BANK_ACCOUNT", "ABA_ROUTING_NUMBER"]

    def __init__(self) -> None:
        super().__init__(supported_entities=self.ENTITIES, name="CuedNumberRecognizer", supported_language="en")

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        phones = [m.span() for m in INTERNATIONAL.finditer(text) if m.group(0).startswith("+")]
        for match in RUN.finditer(text):
            value = match.group(0)
            digits = re.sub(r"\D", "", value)
            if not MIN_DIGITS <= len(digits) <= MAX_RUN_DIGITS or looks_like_date(value) or any(
                    match.start() < b and match.end() > a for a, b in phones):
                continue  # "+1 800-212-3456" is one phone number, not "+1" and an account
            family = nearest_family(text, match.start(), CUE_WINDOW) or family_after(text, match.end(), ("card", "account"))
            if family is None or (family == "phone" and len(digits) <= MAX_DIGITS):
                continue  # a phone number after a phone cue is the phone recognizer's
            if (family == "number" and len(digits) <= MAX_DIGITS and PHONE_LAYOUT.match(value)
                    and not CARD_GROUPS.match(value)):
                continue  # "my number is 07400 123456": the phone recognizer's
            luhn = 13 <= len(digits) <= 19 and luhn_valid(digits)
            entity = TYPE_OF_FAMILY.get(family) or ("CREDIT_CARD" if luhn else "BANK_ACCOUNT")
            score = 0.95 if luhn and entity == "CREDIT_CARD" else 0.8
            results.append(RecognizerResult(entity, match.start(), match.end(), score, recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}))
        return results

