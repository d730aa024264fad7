"""The company's own identifiers (``BEACON_PII_ID_PATTERNS``): customer numbers, order and ticket
references in the formats only the company knows, redacted like any other personal data.

Each entry is a type name and a regular expression, e.g. ``{"ACME_CUSTOMER_ID": "AC-?\\d{8}"}``.
The expression is matched as a whole word and in any case ("ac-20481937" too), so an editor
writes the format, not the boundaries. The demo's own formats stay in ``lodestar_ids.py``.
"""

from __future__ import annotations

import re
from typing import Mapping

from presidio_analyzer import Pattern, PatternRecognizer

SCORE = 0.9  # a format the company defines is as sure as a checksum
TYPE_NAME = re.compile(r"[A-Z][A-Z0-9_]{2,39}")


class CompanyIdError(ValueError):
    """An entry of BEACON_PII_ID_PATTERNS that cannot be used; the message says how to write it."""


def checked_patterns(patterns: Mapping[str, str], reserved: frozenset[str] = frozenset()) -> dict[str, str]:
    """The entries as given, each checked: an upper-case type name that no built-in type uses, and
    an expression that compiles and matches some text but not the empty string."""
    for name, expression in patterns.items():
        if not isinstance(name, str) or not TYPE_NAME.fullmatch(name):
            raise CompanyIdError(f"type {name!r} must be 3-40 capitals, digits or underscores, e.g. ACME_CUSTOMER_ID")
        if name in reserved:
            raise CompanyIdError(f"type {name} is one of Beacon's own; give the company's a name of its own, "
                                 f"e.g. ACME_{name}")
        if not isinstance(expression, str) or not expression.strip():
            raise CompanyIdError(f"{name}: the pattern is empty; write the format as a regular expression, "
                                 r'e.g. "AC-?\\d{8}"')
        try:
            compiled = re.compile(expression)
        except re.error as exc:
            raise CompanyIdError(f"{name}: {expression!r} is not a regular expression ({exc}); escape a literal "
                                 "character with a backslash") from None
        if compiled.fullmatch(""):
            raise CompanyIdError(f"{name}: {expression!r} matches empty text, so it would redact nothing useful; "
                                 r"require at least one character, e.g. \d{8} rather than \d*")
    return dict(patterns)


def company_id_recognizers(patterns: Mapping[str, str]) -> list[PatternRecognizer]:
    return [PatternRecognizer(supported_entity=name, name=f"CompanyId:{name}",
                              patterns=[Pattern(name.lower(), rf"(?<![\w-])(?:{expression})(?![\w-])", SCORE)])
            for name, expression in patterns.items()]
