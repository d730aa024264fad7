"""PII detection and redaction (Presidio + our recognizers). See redactor.py."""

from guardrails.pii.redactor import KnowledgeWords, PiiEntity, Redaction, Redactor
from guardrails.pii.vault import PiiVault

__all__ = ["KnowledgeWords", "PiiEntity", "PiiVault", "Redaction", "Redactor"]
