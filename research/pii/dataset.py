"""Writes research/pii/data/pii.jsonl: hand-written customer messages with generated PII.

Each message is written here with {SLOT}s; the slot is filled by a checksum-valid
synthetic value (research/pii/values.py) and its exact offsets become a gold span. Slots
starting with BAD_ are look-alikes with broken checksums and produce no span.
Every fourth message of each group is held out (tag "heldout"): the held-out part was
written together with the rest, before any tuning, and is only reported, never tuned on.

    .venv/bin/python -m research.pii.dataset      # rewrites the file (deterministic)
"""

from __future__ import annotations

import json
import re

from research.paths import PII_DATA
from research.pii.values import Values

OUT = PII_DATA / "pii.jsonl"
SEED = 20240611

SLOTS = {
    "CARD": ("card", "CREDIT_CARD"), "IBAN": ("iban", "IBAN_CODE"), "SEED": ("seed", "SEED_PHRASE"),
    "SEED24": ("seed24", "SEED_PHRASE"), "SEED18": ("seed18", "SEED_PHRASE"), "SEED_TYPO": ("seed_bad", "SEED_PHRASE"),
    "WIF": ("wif", "PRIVATE_KEY"), "HEXKEY": ("hex64", "PRIVATE_KEY"), "TXHASH": ("hex64", "TRANSACTION_ID"),
    "BTC": ("btc_p2pkh", "CRYPTO_WALLET"), "P2SH": ("btc_p2sh", "CRYPTO_WALLET"), "BECH32": ("bech32", "CRYPTO_WALLET"),
    "TAPROOT": ("taproot", "CRYPTO_WALLET"), "ETH": ("eth", "CRYPTO_WALLET"), "ETHLOW": ("eth_lower", "CRYPTO_WALLET"),
    "TON": ("ton", "CRYPTO_WALLET"), "TONRAW": ("ton_raw", "CRYPTO_WALLET"), "SOL": ("solana", "CRYPTO_WALLET"),
    "PHONE": ("phone", "PHONE_NUMBER"), "PHONE_GB": ("phone_gb", "PHONE_NUMBER"), "PHONE_US": ("phone_us", "PHONE_NUMBER"),
    "EMAIL": ("email", "EMAIL_ADDRESS"), "NAME": ("person", "PERSON"), "name": ("person_lower", "PERSON"),
    "FIRST": ("first_name", "PERSON"), "SORT": ("sort_code", "UK_SORT_CODE"), "ACCT": ("uk_account", "BANK_ACCOUNT"),
    "USACCT": ("us_account", "BANK_ACCOUNT"), "ABA": ("aba", "ABA_ROUTING_NUMBER"),
    "LSID": ("customer_id", "LODESTAR_CUSTOMER_ID"), "TXREF": ("tx_ref", "LODESTAR_TX_REF"), "SSN": ("ssn", "US_SSN"),
    "NINO": ("nino", "UK_NINO"), "IP": ("ip", "IP_ADDRESS"), "PASSPORT": ("passport", "US_PASSPORT"),
    "DOB": ("dob", "DATE_OF_BIRTH"),
    "BAD_CARD": ("bad_card", None), "BAD_IBAN": ("bad_iban", None), "BAD_ETH": ("bad_eth", None),
    "BAD_BECH32": ("bad_bech32", None), "BAD_BTC": ("bad_btc", None),
}
# Addresses and postcodes are written in the messages themselves, marked [[ADDRESS:...]] / [[UK_POSTCODE:...]].
INLINE = re.compile(r"\[\[([A-Z_]+):(.+?)\]\]")
SLOT = re.compile(r"\{([A-Za-z0-9_]+)\}")


def _value(values: Values, kind: str) -> str:
    special = {
        "seed24": lambda: values.seed(24), "seed18": lambda: values.seed(18), "seed_bad": lambda: values.seed(12, valid=False),
        "eth_lower": lambda: values.eth(lower=True), "person_lower": lambda: values.person("lower"),
        "phone_gb": lambda: values.phone("GB"), "phone_us": lambda: values.phone("US"),
        "bad_iban": lambda: values.iban(valid=False),
    }
    return special[kind]() if kind in special else getattr(values, kind)()


def render(template: str, values: Values) -> tuple[str, list[dict]]:
    text, spans, pos = "", [], 0
    tokens = sorted([(m.start(), m.end(), "slot", m.group(1)) for m in SLOT.finditer(template)] +
                    [(m.start(), m.end(), "inline", (m.group(1), m.group(2))) for m in INLINE.finditer(template)])
    for start, end, kind, payload in tokens:
        text += template[pos:start]
        if kind == "slot":
            generator, entity = SLOTS[payload]
            value = _value(values, generator)
        else:
            entity, value = payload
        if entity:
            spans.append({"start": len(text), "end": len(text) + len(value), "type": entity})
        text += value
        pos = end
    return text + template[pos:], spans


def build() -> list[dict]:
    from research.pii.messages import CLEAN, LOOKALIKE, PII

    values = Values(SEED)
    rows = []
    for group, templates in (("pii", PII), ("clean", CLEAN), ("lookalike", LOOKALIKE)):
        for i, (template, *tags) in enumerate(templates):
            text, spans = render(template, values)
            split = "heldout" if i % 4 == 3 else "dev"
            rows.append({"id": f"{group}-{i:03d}", "text": text, "spans": spans, "tags": [group, split, *tags]})
    return rows


def main() -> None:
    rows = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} messages to {OUT}")


if __name__ == "__main__":
    main()
