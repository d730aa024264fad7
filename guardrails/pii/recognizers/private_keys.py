"""Private keys (type PRIVATE_KEY) and on-chain transaction hashes (type TRANSACTION_ID).

A bare 64-hex string is either a private key or a transaction/block hash; the format
cannot tell. The words just before it decide: "tx", "hash", "txid", "etherscan", … make
it a TRANSACTION_ID (still redacted: it links to the customer's wallet on a public
ledger, but it is not a security event); anything else is treated as a PRIVATE_KEY,
because wrongly raising a security event is cheaper than echoing a key.
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from guardrails.pii.recognizers.checksums import base58check_decode

TX_HASH_WORDS = re.compile(
    r"\b(?:tx|txn|txid|tx[-_ ]?hash|transaction|hash|etherscan|explorer|block|confirmations?|"
    r"solscan|tonscan|mempool|blockchair|bscscan)\b", re.IGNORECASE)
KEY_WORDS = re.compile(r"\b(?:private|priv|privkey|secret|pk|key|export(?:ed)?)\b", re.IGNORECASE)
_LOOKBEHIND_CHARS = 60


class WifPrivateKeyRecognizer(PatternRecognizer):
    """Wallet Import Format: Base58Check of 0x80 + 32-byte key (+ 0x01 when compressed)."""

    PATTERNS = [Pattern("wif", r"\b[5KL9c][1-9A-HJ-NP-Za-km-z]{50,51}\b", 0.5)]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="PRIVATE_KEY",
            patterns=self.PATTERNS,
            name="WifPrivateKeyRecognizer",
            global_regex_flags=re.DOTALL | re.MULTILINE,
        )

    def validate_result(self, pattern_text: str) -> bool:
        payload = base58check_decode(pattern_text)
        if payload is None or payload[0] not in (0x80, 0xEF):
            return False
        return len(payload) == 33 or (len(payload) == 34 and payload[-1] == 0x01)


class HexKeyOrTxHashRecognizer(PatternRecognizer):
    """64 hex digits, optionally 0x-prefixed: PRIVATE_KEY unless tx-hash words precede it."""

    PATTERNS = [Pattern("hex64", r"(?<![\w:])(?:0x)?[0-9a-fA-F]{64}\b", 0.7)]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="PRIVATE_KEY",
            patterns=self.PATTERNS,
            name="HexKeyOrTxHashRecognizer",
        )
        self.supported_entities = ["PRIVATE_KEY", "TRANSACTION_ID"]

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None,
                regex_flags: int | None = None) -> list[RecognizerResult]:
        results = super().analyze(text, ["PRIVATE_KEY"], nlp_artifacts, regex_flags)
        for result in results:
            before = text[max(0, result.start - _LOOKBEHIND_CHARS):result.start]
            key_at = max((m.end() for m in KEY_WORDS.finditer(before)), default=-1)
            tx_at = max((m.end() for m in TX_HASH_WORDS.finditer(before)), default=-1)
            if tx_at > key_at:  # the nearest cue wins: "tx hash of the key rotation" is a hash
                result.entity_type, result.score = "TRANSACTION_ID", 0.8
            elif key_at >= 0:
                result.score = 0.95
        return results
