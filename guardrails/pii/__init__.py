"""PII detection and redaction (Presidio + our recognizers). See redactor.py."""

from guardrails.pii.redactor import PiiEntity, Redaction, Redactor
from guardrails.pii.vault import PiiVault

__all__ = ["PiiEntity", "PiiVault", "Redaction", "Redactor"]
