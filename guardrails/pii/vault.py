"""Per-conversation map between placeholders and the customer's real values.

In memory only: never persisted, never logged, and `repr` shows counts, not values.
The same value gets the same placeholder for the whole conversation, so "<PERSON_1>"
means one person in every turn; values are normalised first so "4111 1111 1111 1111"
and "4111111111111111" are one card.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection

PLACEHOLDER_RE = re.compile(r"<([A-Z][A-Z0-9_]*?)_(\d+)>")
# Types whose formatting characters carry no meaning: spaces, dashes and dots are dropped.
_SEPARATOR_INSENSITIVE = {"CREDIT_CARD", "IBAN_CODE", "PHONE_NUMBER", "BANK_ACCOUNT", "UK_SORT_CODE",
                          "ABA_ROUTING_NUMBER", "US_SSN", "UK_NINO", "UK_POSTCODE", "LODESTAR_CUSTOMER_ID",
                          "LODESTAR_TX_REF", "US_PASSPORT"}
_SEPARATORS = re.compile(r"[\s.\-()/+]")


def normalise(entity_type: str, value: str, identifiers: Collection[str] = ()) -> str:
    """The form two mentions of one value share. ``identifiers``: the company's own identifier types
    (BEACON_PII_ID_PATTERNS), whose case and separators carry no meaning either."""
    if entity_type in _SEPARATOR_INSENSITIVE or entity_type in identifiers:
        return _SEPARATORS.sub("", value).upper()
    if entity_type == "USERNAME":
        return value.replace("@", "").replace(" ", "").casefold()
    if entity_type == "CRYPTO_WALLET" and value[:2].lower() in ("0x", "bc", "tb"):
        return value.lower()  # hex and bech32 addresses are case-insensitive; base58/base64 ones are not
    if entity_type in ("SEED_PHRASE", "PERSON", "EMAIL_ADDRESS", "ADDRESS", "PRIVATE_KEY", "TRANSACTION_ID"):
        return " ".join(re.findall(r"[^\W\d_]+|\d+", value.casefold())) if entity_type != "PRIVATE_KEY" \
            else value.lower().removeprefix("0x")
    return value.strip()


class PiiVault:
    def __init__(self, identifiers: Collection[str] = ()) -> None:
        self._identifiers = frozenset(identifiers)  # the company's identifier types: "AC-2048" is "ac2048"
        self._placeholder_by_key: dict[tuple[str, str], str] = {}
        self._value_by_placeholder: dict[str, str] = {}
        self._counts: Counter[str] = Counter()

    def placeholder_for(self, entity_type: str, value: str) -> str:
        key = (entity_type, normalise(entity_type, value, self._identifiers))
        placeholder = self._placeholder_by_key.get(key)
        if placeholder is None:
            self._counts[entity_type] += 1
            placeholder = f"<{entity_type}_{self._counts[entity_type]}>"
            self._placeholder_by_key[key] = placeholder
            self._value_by_placeholder[placeholder] = value
        return placeholder

    def restore(self, text: str, types: Collection[str] | None = None) -> str:
        """Put the customer's own values back, optionally only for some entity types."""
        def replace(match: re.Match[str]) -> str:
            value = self._value_by_placeholder.get(match.group(0))
            if value is None or (types is not None and match.group(1) not in types):
                return match.group(0)
            return value

        return PLACEHOLDER_RE.sub(replace, text)

    def values(self) -> dict[str, str]:
        """A copy of placeholder -> original value (for the lead's UI; do not log it)."""
        return dict(self._value_by_placeholder)

    def entries(self) -> list[tuple[str, str, str]]:
        """(placeholder, entity type, value) for each value, in the order they were met: what
        the encrypted store of a handed-over conversation keeps (do not log it)."""
        kinds = {placeholder: kind for (kind, _), placeholder in self._placeholder_by_key.items()}
        return [(placeholder, kinds[placeholder], value) for placeholder, value in self._value_by_placeholder.items()]

    def adopt(self, placeholder: str, entity_type: str, value: str) -> None:
        """Put back a value this conversation had (after a restart), under its own placeholder;
        new values are numbered after it."""
        key = (entity_type, normalise(entity_type, value, self._identifiers))
        self._placeholder_by_key.setdefault(key, placeholder)
        self._value_by_placeholder[placeholder] = value
        self.reserve(placeholder)

    def reserve(self, placeholder: str) -> None:
        """A placeholder already used in this conversation whose value is not known here: new
        values never get its number, so it keeps meaning one thing."""
        match = PLACEHOLDER_RE.fullmatch(placeholder)
        if match:
            self._counts[match.group(1)] = max(self._counts[match.group(1)], int(match.group(2)))

    def clear(self) -> None:
        self._placeholder_by_key.clear()
        self._value_by_placeholder.clear()
        self._counts.clear()

    def __len__(self) -> int:
        return len(self._value_by_placeholder)

    def __repr__(self) -> str:
        return f"PiiVault({len(self)} values hidden)"

    __str__ = __repr__
