"""Card and account numbers as customers type them: a run of 8 to 19 digits, plain or
grouped by single spaces or dashes, after a cue word ("card", "acct", "Kartennummer",
"no.", ...; cues.py). A mistyped card number is still a card number, so the checksum only
raises the confidence: with a cue the run is reported whether or not Luhn holds.

The nearest cue before the run names the type: card words give CREDIT_CARD, account and
bank words BANK_ACCOUNT, routing words ABA_ROUTING_NUMBER, a bare "number"/"no."
CREDIT_CARD when Luhn holds and BANK_ACCOUNT otherwise. Phone cues are left to the phone
recognizer. Runs shaped like dates (2024-03-12, 12-03-2024) are not numbers to hide.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from guardrails.pii.recognizers.checksums import luhn_valid
from guardrails.pii.recognizers.cues import nearest_family
from guardrails.pii.recognizers.phone_numbers import INTERNATIONAL, PHONE_LAYOUT

RUN = re.compile(r"(?<![\w.,/+-])\d(?:[ -]?\d){7,18}(?![\w/]|[.,]\d)")
DATE_SHAPED = re.compile(r"^(?:(?:19|20)\d{2}[ -]\d{1,2}[ -]\d{1,2}|\d{1,2}[ -]\d{1,2}[ -](?:19|20)\d{2})$")
CUE_WINDOW = 40
CARD_GROUPS = re.compile(r"^\d{4}(?:[ -]\d{4})+(?:[ -]\d{1,4})?$|^\d{4}[ -]\d{6}[ -]\d{4,5}$")
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
            if DATE_SHAPED.match(value) or any(match.start() < b and match.end() > a for a, b in phones):
                continue  # "+1 800-212-3456" is one phone number, not "+1" and an account
            family = nearest_family(text, match.start(), CUE_WINDOW)
            if family is None or family == "phone":
                continue
            if family == "number" and PHONE_LAYOUT.match(value) and not CARD_GROUPS.match(value):
                continue  # "my number is 07400 123456": the phone recognizer's
            digits = re.sub(r"\D", "", value)
            luhn = 13 <= len(digits) <= 19 and luhn_valid(digits)
            entity = TYPE_OF_FAMILY.get(family) or ("CREDIT_CARD" if luhn else "BANK_ACCOUNT")
            score = 0.95 if luhn and entity == "CREDIT_CARD" else 0.8
            results.append(RecognizerResult(entity, match.start(), match.end(), score, recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}))
        return results
