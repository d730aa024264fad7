"""Lodestar's own identifiers. Formats (defined here, used by the app and the KB):

* customer number: "LS-" + 8 digits, e.g. LS-20481937        -> LODESTAR_CUSTOMER_ID
* transaction reference: "TX-" + 10 upper-case letters/digits
  with at least one digit, e.g. TX-8F3K2M9Q1Z              -> LODESTAR_TX_REF

Customers type them in lower case too ("ls-20481937"), so matching ignores case;
a space instead of the dash is accepted because chat users do that.
"""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer


class CustomerNumberRecognizer(PatternRecognizer):
    PATTERNS = [Pattern("lodestar_customer", r"\bLS[- ]?\d{8}\b", 0.9)]

    def __init__(self) -> None:
        super().__init__(supported_entity="LODESTAR_CUSTOMER_ID", patterns=self.PATTERNS, name="CustomerNumberRecognizer")


class TransactionReferenceRecognizer(PatternRecognizer):
    PATTERNS = [Pattern("lodestar_tx_ref", r"\bTX[- ]?(?=[A-Z]*\d)[A-Z0-9]{10}\b", 0.85)]

    def __init__(self) -> None:
        super().__init__(supported_entity="LODESTAR_TX_REF", patterns=self.PATTERNS, name="TransactionReferenceRecognizer")
