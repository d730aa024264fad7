"""Synthetic PII values for the labelled set: every one passes its real checksum.

Written for this project from the public specs (Luhn, ISO 13616 mod-97, BIP-39,
EIP-55, BIP-173/350, TON CRC16, ABA). Seeded, so the dataset file is reproducible.
"""

from __future__ import annotations

import random

import phonenumbers
from mnemonic import Mnemonic

from guardrails.pii.recognizers.checksums import (
    BASE58_ALPHABET,
    aba_valid,
    base58_encode,
    base58check_encode,
    bech32_encode,
    eip55_checksum,
    luhn_valid,
    ton_friendly_encode,
)

FIRST = ["Sarah", "James", "Priya", "Tom", "Aoife", "Marco", "Fatima", "Lukas", "Chloé", "Daniel", "Emily", "Kwame",
         "Olivia", "Rahul", "Sophie", "Jack", "Niamh", "Carlos", "Hannah", "Mohammed", "Grace", "Pierre", "Zara",
         "Ben", "Laura", "Ingrid", "Tariq", "Megan", "Giulia", "Ryan"]
LAST = ["O'Connor", "Wright", "Patel", "Baker", "Murphy", "Rossi", "Khan", "Schmidt", "Dubois", "Smith", "Johnson",
        "Mensah", "Brown", "Sharma", "Martin", "Taylor", "Byrne", "García", "Müller", "Ahmed", "Williams", "Lefèvre",
        "Hussain", "Cohen", "Fischer", "Larsen", "Okafor", "Jones", "Bianchi", "McDonald"]
IBAN_FORMATS = {"GB": "4a14n", "DE": "18n", "FR": "10n11c2n", "ES": "20n", "NL": "4a10n", "IE": "4a14n", "IT": "1a10n12c"}


class Values:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.mnemo = Mnemonic("english")

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def _bytes(self, n: int) -> bytes:
        return bytes(self.rng.randrange(256) for _ in range(n))

    # cards and banks -----------------------------------------------------------
    def card(self, fmt: str | None = None) -> str:
        prefix, length = self.rng.choice([("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15)])
        body = prefix + self._digits(length - len(prefix) - 1)
        digits = next(body + d for d in "0123456789" if luhn_valid(body + d))
        fmt = fmt or self.rng.choice(["space", "space", "plain", "dash"])
        if fmt == "plain":
            return digits
        groups = [digits[:4], digits[4:10], digits[10:]] if length == 15 else [digits[i:i + 4] for i in range(0, 16, 4)]
        return (" " if fmt == "space" else "-").join(groups)

    def bad_card(self) -> str:
        digits = self.card("plain")
        last = str((int(digits[-1]) + 3) % 10)
        return " ".join((digits[:-1] + last)[i:i + 4] for i in range(0, len(digits), 4))

    def iban(self, fmt: str | None = None, country: str | None = None, valid: bool = True) -> str:
        country = country or self.rng.choice(list(IBAN_FORMATS))
        bban = ""
        for count, kind in _spec(IBAN_FORMATS[country]):
            pool = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if kind == "a" else "0123456789" if kind == "n" else \
                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            bban += "".join(self.rng.choice(pool) for _ in range(count))
        numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
        check = 98 - int(numeric) % 97
        if not valid:
            check = (check + 11) % 97 + 2
        iban = f"{country}{check:02d}{bban}"
        fmt = fmt or self.rng.choice(["space", "plain", "space", "lower"])
        if fmt == "plain":
            return iban
        grouped = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
        return grouped.lower() if fmt == "lower" else grouped

    def sort_code(self) -> str:
        d = self._digits(6)
        return self.rng.choice([f"{d[:2]}-{d[2:4]}-{d[4:]}", f"{d[:2]}-{d[2:4]}-{d[4:]}", f"{d[:2]} {d[2:4]} {d[4:]}"])

    def uk_account(self) -> str:
        return self._digits(8)

    def us_account(self) -> str:
        return self._digits(self.rng.randint(9, 14))

    def aba(self) -> str:
        while True:
            d = self.rng.choice(["0", "1", "2", "3"]) + self._digits(8)
            if aba_valid(d):
                return d

    # crypto ---------------------------------------------------------------------
    def seed(self, words: int = 12, fmt: str | None = None, valid: bool = True) -> str:
        phrase = self.mnemo.to_mnemonic(self._bytes(words * 4 // 3)).split()
        if not valid:  # swap two words: still all wordlist words, checksum (almost surely) broken
            phrase[1], phrase[-2] = phrase[-2], phrase[1]
            if self.mnemo.check(" ".join(phrase)):
                phrase[0], phrase[2] = phrase[2], phrase[0]
        fmt = fmt or self.rng.choice(["space", "space", "comma", "numbered", "newline"])
        if fmt == "comma":
            return ", ".join(phrase)
        if fmt == "numbered":
            return " ".join(f"{i + 1}. {w}" for i, w in enumerate(phrase))
        if fmt == "newline":
            return "\n".join(phrase)
        return " ".join(phrase)

    def wif(self) -> str:
        compressed = self.rng.random() < 0.6
        return base58check_encode(b"\x80" + self._bytes(32) + (b"\x01" if compressed else b""))

    def hex64(self, prefix: bool | None = None) -> str:
        value = self._bytes(32).hex()
        return ("0x" if (self.rng.random() < 0.4 if prefix is None else prefix) else "") + value

    def btc_p2pkh(self) -> str:
        return base58check_encode(b"\x00" + self._bytes(20))

    def btc_p2sh(self) -> str:
        return base58check_encode(b"\x05" + self._bytes(20))

    def bech32(self) -> str:
        return bech32_encode("bc", 0, self._bytes(20))

    def taproot(self) -> str:
        return bech32_encode("bc", 1, self._bytes(32))

    def eth(self, lower: bool = False) -> str:
        body = self._bytes(20).hex()
        return "0x" + (body if lower else eip55_checksum(body))

    def bad_eth(self) -> str:
        good = eip55_checksum(self._bytes(20).hex())
        flip = next(i for i, c in enumerate(good) if c.isalpha())
        return "0x" + good[:flip] + good[flip].swapcase() + good[flip + 1:]

    def bad_bech32(self) -> str:
        good = self.bech32()
        i = self.rng.randrange(8, len(good) - 2)
        return good[:i] + ("q" if good[i] != "q" else "p") + good[i + 1:]

    def bad_btc(self) -> str:
        good = self.btc_p2pkh()
        i = self.rng.randrange(5, len(good) - 2)
        return good[:i] + ("x" if good[i] != "x" else "y") + good[i + 1:]

    def ton(self) -> str:
        return ton_friendly_encode(0, self._bytes(32), bounceable=self.rng.random() < 0.5, url_safe=self.rng.random() < 0.8)

    def ton_raw(self) -> str:
        return self.rng.choice(["0:", "0:", "-1:"]) + self._bytes(32).hex()

    def solana(self) -> str:
        while True:
            value = base58_encode(self._bytes(32))
            if len(value) >= 43:
                return value

    # people and places --------------------------------------------------------
    def person(self, style: str = "title") -> str:
        name = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
        return name.lower() if style == "lower" else name

    def first_name(self) -> str:
        return self.rng.choice(FIRST)

    def email(self) -> str:
        first, last = self.rng.choice(FIRST).lower(), self.rng.choice(LAST).lower().replace("'", "")
        first = first.replace("é", "e").replace("ü", "u").replace("í", "i")
        last = last.replace("é", "e").replace("è", "e").replace("ü", "u").replace("í", "i")
        user = self.rng.choice([f"{first}.{last}", f"{first}{self._digits(2)}", f"{first[0]}{last}", f"{last}.{first}"])
        return user + "@" + self.rng.choice(["gmail.com", "outlook.com", "yahoo.co.uk", "icloud.com", "proton.me",
                                             "hotmail.fr", "web.de", "btinternet.com", "example.org"])

    def phone(self, region: str | None = None) -> str:
        region = region or self.rng.choice(["GB", "GB", "US", "US", "IE", "FR", "DE", "ES"])
        while True:
            number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
            national = str(number.national_number)
            candidate = national[:2] + self._digits(len(national) - 2)
            parsed = phonenumbers.parse(candidate, region)
            if phonenumbers.is_valid_number(parsed):
                break
        style = self.rng.choice(["intl", "national", "national", "e164", "dots"])
        if style == "intl":
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        if style == "e164":
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        text = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        if style == "dots" and region == "US":
            digits = "".join(c for c in text if c.isdigit())
            return f"{digits[:3]}.{digits[3:6]}.{digits[6:]}"
        return text

    def ssn(self) -> str:
        area = self.rng.choice([n for n in range(1, 900) if n != 666])
        return f"{area:03d}-{self.rng.randint(1, 99):02d}-{self.rng.randint(1, 9999):04d}"

    def nino(self) -> str:
        letters = "ABCEGHJKLMNPRSTWXYZ"
        prefix = self.rng.choice(letters) + self.rng.choice(letters.replace("O", ""))
        d = self._digits(6)
        return self.rng.choice([f"{prefix}{d}{self.rng.choice('ABCD')}", f"{prefix} {d[:2]} {d[2:4]} {d[4:]} {self.rng.choice('ABCD')}"])

    def ip(self) -> str:
        if self.rng.random() < 0.2:
            return "2001:db8:" + ":".join(f"{self.rng.randrange(65536):x}" for _ in range(6))
        return ".".join(str(self.rng.randint(1, 254)) for _ in range(4))

    def passport(self) -> str:
        return self._digits(9)

    def customer_id(self) -> str:
        return "LS-" + self._digits(8)

    def tx_ref(self) -> str:
        chars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
        while True:
            body = "".join(self.rng.choice(chars) for _ in range(10))
            if any(c.isdigit() for c in body):
                return "TX-" + body

    def dob(self) -> str:
        y, m, d = self.rng.randint(1950, 2004), self.rng.randint(1, 12), self.rng.randint(1, 28)
        months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                  "November", "December"]
        return self.rng.choice([f"{d:02d}/{m:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{d} {months[m - 1]} {y}",
                                f"{months[m - 1]} {d}, {y}", f"{d}.{m}.{y}", f"{m}/{d}/{y}"])


def _spec(spec: str) -> list[tuple[int, str]]:
    out, number = [], ""
    for char in spec:
        if char.isdigit():
            number += char
        else:
            out.append((int(number), char))
            number = ""
    return out


assert set(BASE58_ALPHABET)  # the alphabet is re-exported for the dataset's look-alikes
