"""Crypto wallet addresses (type CRYPTO_WALLET), one recognizer per address family.

Where the format carries a checksum it decides: a valid checksum scores 1.0 and an
invalid one drops the match, so a mistyped look-alike is not reported as a wallet.
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from guardrails.pii.recognizers.checksums import (
    base58_decode,
    base58check_decode,
    bech32_verify,
    eip55_checksum,
    ton_friendly_verify,
)
from guardrails.pii.recognizers.context_cues import CueContextRecognizer, cue_regex

ENTITY = "CRYPTO_WALLET"
WALLET_WORDS = ("wallet", "address", "addr", "send", "sent", "deposit", "withdraw(?:al)?", "receiv(?:e|ing)", "transfer")
_CASE_SENSITIVE = re.DOTALL | re.MULTILINE  # base58 and EIP-55 are case-significant


class BitcoinBase58Recognizer(CueContextRecognizer):
    """Legacy P2PKH (1…) and P2SH (3…) addresses: Base58Check over version byte + 20-byte hash."""

    PATTERNS = [Pattern("btc_base58", r"\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b", 0.5)]

    CUES = cue_regex(*WALLET_WORDS, "btc", "bitcoin")

    def __init__(self) -> None:
        super().__init__(
            supported_entity=ENTITY,
            patterns=self.PATTERNS,
            name="BitcoinBase58Recognizer",
            global_regex_flags=_CASE_SENSITIVE,
        )

    def validate_result(self, pattern_text: str) -> bool:
        payload = base58check_decode(pattern_text)
        return payload is not None and len(payload) == 21 and payload[0] in (0x00, 0x05)


class Bech32Recognizer(CueContextRecognizer):
    """Segwit addresses: bech32 (v0, bc1q…) and bech32m (v1 taproot, bc1p…), mainnet and testnet."""

    PATTERNS = [Pattern("bech32", r"\b(?:bc|tb)1[02-9ac-hj-np-z]{11,71}\b", 0.5)]

    CUES = cue_regex(*WALLET_WORDS, "btc", "bitcoin", "segwit", "taproot")

    def __init__(self) -> None:
        super().__init__(
            supported_entity=ENTITY,
            patterns=self.PATTERNS,
            name="Bech32Recognizer",
        )

    def validate_result(self, pattern_text: str) -> bool:
        return bech32_verify(pattern_text)


class EthereumRecognizer(CueContextRecognizer):
    """0x + 40 hex. Mixed case must pass EIP-55; single-case is valid but unchecksummed.

    Single-case addresses keep the pattern score (0.5, raised by context) instead of
    1.0: the format is right but nothing proves it is not some other 20-byte hex id.
    """

    PATTERNS = [Pattern("eth", r"\b0x[0-9a-fA-F]{40}\b", 0.5)]

    CUES = cue_regex(*WALLET_WORDS, "eth", "ethereum", "erc-?20", "usdt", "usdc", "metamask", "polygon", "arbitrum")

    def __init__(self) -> None:
        super().__init__(
            supported_entity=ENTITY,
            patterns=self.PATTERNS,
            name="EthereumRecognizer",
            global_regex_flags=_CASE_SENSITIVE,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        body = pattern_text[2:]
        if body == body.lower() or body == body.upper():
            return None
        return body == eip55_checksum(body)


class TonRecognizer(CueContextRecognizer):
    """TON user-friendly (48 chars base64/base64url with CRC16) and raw (workchain:64 hex)."""

    PATTERNS = [
        Pattern("ton_friendly", r"(?<![\w+/-])[A-Za-z0-9_+/-]{48}(?![\w+/=-])", 0.5),
        Pattern("ton_raw", r"(?<![\w:-])(?:0|-1):[0-9a-fA-F]{64}\b", 0.85),
    ]

    CUES = cue_regex(*WALLET_WORDS, "ton", "toncoin", "tonkeeper", "telegram")

    def __init__(self) -> None:
        super().__init__(
            supported_entity=ENTITY,
            patterns=self.PATTERNS,
            name="TonRecognizer",
            global_regex_flags=_CASE_SENSITIVE,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        if ":" in pattern_text:
            return None  # raw form has no checksum; its shape is already distinctive
        return ton_friendly_verify(pattern_text)


class SolanaRecognizer(CueContextRecognizer):
    """Solana public keys: base58 text decoding to exactly 32 bytes. There is no checksum.

    To avoid flagging ordinary words, the text must mix digits, upper and lower case
    (validated here) and the score stays below the threshold unless the address is long
    (40+ chars, which random base58 keys almost always are) or has wallet/Solana context.
    """

    PATTERNS = [
        Pattern("solana_long", r"\b[1-9A-HJ-NP-Za-km-z]{40,44}\b", 0.55),
        Pattern("solana_short", r"\b[1-9A-HJ-NP-Za-km-z]{32,39}\b", 0.25),
    ]

    CUES = cue_regex(*WALLET_WORDS, "sol", "solana", "phantom", "spl", "solflare")

    def __init__(self) -> None:
        super().__init__(
            supported_entity=ENTITY,
            patterns=self.PATTERNS,
            name="SolanaRecognizer",
            global_regex_flags=_CASE_SENSITIVE,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        if not (any(c.isdigit() for c in pattern_text) and any(c.isupper() for c in pattern_text)
                and any(c.islower() for c in pattern_text)):
            return False
        decoded = base58_decode(pattern_text)
        return None if decoded is not None and len(decoded) == 32 else False
