"""Bank details: UK sort codes and account numbers, US account and ABA routing numbers.

Bare digit runs are everywhere in support chat (amounts, order numbers, years), so
all of these start below the threshold and need a context word ("sort code",
"account", "routing", …) within a few words to be reported. IBAN is in iban.py.
"""

from __future__ import annotations

from presidio_analyzer import Pattern

from guardrails.pii.recognizers.checksums import aba_valid
from guardrails.pii.recognizers.context_cues import CueContextRecognizer, cue_regex

ACCOUNT_CUES = cue_regex(r"acc?oun?t(?:\s*(?:no|num|number|#))?", r"acc(?:\s*no)?", "a/c", "checking", "savings",
                         "acct")  # "acount": customers misspell it


class SortCodeRecognizer(CueContextRecognizer):
    """UK sort code: 12-34-56, 12 34 56 or 123456 next to the words "sort code"."""

    PATTERNS = [
        Pattern("sort_code_dashed", r"\b\d{2}-\d{2}-\d{2}\b", 0.3),
        Pattern("sort_code_plain", r"\b\d{2}\s\d{2}\s\d{2}\b|\b\d{6}\b", 0.05),
    ]

    CUES = cue_regex(r"sort\s*code", "sc", "sort")

    def __init__(self) -> None:
        super().__init__(supported_entity="UK_SORT_CODE", patterns=self.PATTERNS, name="SortCodeRecognizer")


class BankAccountNumberRecognizer(CueContextRecognizer):
    """UK 8-digit and US 6–17-digit account numbers; only with account context."""

    PATTERNS = [Pattern("account_number", r"\b\d{6,17}\b", 0.1),
                Pattern("account_number_spaced", r"\b\d{4}[ -]\d{4}\b", 0.1)]

    CUES = ACCOUNT_CUES
    CHARS_AFTER = 0  # "account 12345678" yes; "12345678 account balance" is rarer than false hits

    def __init__(self) -> None:
        super().__init__(supported_entity="BANK_ACCOUNT", patterns=self.PATTERNS, name="BankAccountNumberRecognizer")


class CuedAbaRoutingRecognizer(CueContextRecognizer):
    """US ABA routing number: 9 digits with the ABA weighted checksum, plus routing context.

    One random 9-digit number in ten passes the checksum, so a valid checksum does not
    by itself make a routing number: it only keeps the match (None), context raises it.
    """

    PATTERNS = [Pattern("aba", r"\b\d{9}\b|\b\d{4}-\d{4}-\d\b", 0.2)]

    CUES = cue_regex("routing", "aba", "rtn", "ach", "wire", "transit")

    def __init__(self) -> None:
        super().__init__(supported_entity="ABA_ROUTING_NUMBER", patterns=self.PATTERNS, name="CuedAbaRoutingRecognizer")

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if aba_valid(pattern_text.replace("-", "")) else False
