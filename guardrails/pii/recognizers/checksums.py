"""Checksums and encodings used by the recognizers, written from the public specs.

Base58Check (Bitcoin wiki), bech32/bech32m (BIP-173/BIP-350), EIP-55, CRC16-XMODEM
(TON user-friendly addresses), Luhn (ISO/IEC 7812) and the ABA routing checksum.
Every function takes a raw string and returns a plain bool/bytes: no exceptions
escape, because recognizers call them on arbitrary matched text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from Crypto.Hash import keccak

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(BASE58_ALPHABET)}


def base58_decode(text: str) -> bytes | None:
    number = 0
    for char in text:
        digit = _B58_INDEX.get(char)
        if digit is None:
            return None
        number = number * 58 + digit
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    leading_zeros = len(text) - len(text.lstrip("1"))
    return b"\x00" * leading_zeros + body


def base58_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rem = divmod(number, 58)
        out = BASE58_ALPHABET[rem] + out
    return "1" * (len(data) - len(data.lstrip(b"\x00"))) + out


def double_sha256(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def base58check_decode(text: str) -> bytes | None:
    """Payload without the 4-byte checksum, or None when the checksum is wrong."""
    raw = base58_decode(text)
    if raw is None or len(raw) < 5:
        return None
    payload, check = raw[:-4], raw[-4:]
    return payload if double_sha256(payload)[:4] == check else None


def base58check_encode(payload: bytes) -> str:
    return base58_encode(payload + double_sha256(payload)[:4])


# --- bech32 / bech32m (BIP-173, BIP-350) ---------------------------------------
BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST = 1
_BECH32M_CONST = 0x2BC830A3


def _bech32_polymod(values: list[int]) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= generator[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_verify(address: str) -> bool:
    """True for a valid bech32 (witness v0) or bech32m (v1+, e.g. taproot) address."""
    if address.lower() != address and address.upper() != address:
        return False  # BIP-173 forbids mixed case
    address = address.lower()
    pos = address.rfind("1")
    if pos < 1 or pos + 7 > len(address) or len(address) > 90:
        return False
    hrp, data_part = address[:pos], address[pos + 1 :]
    if any(c not in BECH32_CHARSET for c in data_part):
        return False
    data = [BECH32_CHARSET.find(c) for c in data_part]
    const = _bech32_polymod(_hrp_expand(hrp) + data)
    witness_version = data[0]
    if witness_version == 0:
        return const == _BECH32_CONST
    return const == _BECH32M_CONST


def bech32_encode(hrp: str, witness_version: int, program: bytes) -> str:
    """Segwit address for tests and the labelled set (bech32 for v0, bech32m above)."""
    data = [witness_version] + _convert_bits(program, 8, 5)
    const = _BECH32_CONST if witness_version == 0 else _BECH32M_CONST
    polymod = _bech32_polymod(_hrp_expand(hrp) + data + [0] * 6) ^ const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32_CHARSET[d] for d in data + checksum)


def _convert_bits(data: bytes, from_bits: int, to_bits: int) -> list[int]:
    acc, bits, out = 0, 0, []
    maxv = (1 << to_bits) - 1
    for value in data:
        acc = (acc << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & maxv)
    if bits:
        out.append((acc << (to_bits - bits)) & maxv)
    return out


# --- Ethereum EIP-55 -----------------------------------------------------------
def keccak256_hex(text: str) -> str:
    return keccak.new(digest_bits=256, data=text.encode("ascii")).hexdigest()


def eip55_checksum(address_hex40: str) -> str:
    """Mixed-case checksummed form of a 40-hex-digit address (no 0x)."""
    lower = address_hex40.lower()
    digest = keccak256_hex(lower)
    return "".join(c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(lower))


# --- TON user-friendly addresses ----------------------------------------------
def crc16_xmodem(data: bytes) -> int:
    return binascii.crc_hqx(data, 0)


def ton_friendly_verify(text: str) -> bool:
    """48 chars of base64/base64url decoding to flag, workchain, 32-byte hash, CRC16."""
    if len(text) != 48:
        return False
    try:
        raw = base64.urlsafe_b64decode(text.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError):
        return False
    if len(raw) != 36 or raw[0] & 0x3F != 0x11:
        return False
    return crc16_xmodem(raw[:34]) == int.from_bytes(raw[34:], "big")


def ton_friendly_encode(workchain: int, account: bytes, bounceable: bool = True, url_safe: bool = True) -> str:
    body = bytes([0x11 if bounceable else 0x51, workchain & 0xFF]) + account
    raw = body + crc16_xmodem(body).to_bytes(2, "big")
    return (base64.urlsafe_b64encode if url_safe else base64.b64encode)(raw).decode()


# --- Cards and bank routing ----------------------------------------------------
def luhn_valid(digits: str) -> bool:
    if not digits.isdigit():
        return False
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def aba_valid(digits: str) -> bool:
    """ABA routing checksum: 3*(d1+d4+d7) + 7*(d2+d5+d8) + (d3+d6+d9) divisible by 10."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    d = [int(c) for c in digits]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0
