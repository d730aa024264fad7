"""Regions: what a help centre tags its documents with and what a customer's channel sends.

A region is the help centre's own: any short code written in capitals (``CA``, ``APAC``,
``US-NY``), a country's English name (``Canada`` is ``CA``), or ``global``. The demo's spellings
stay as they were (``uk`` and ``gb`` are ``UK``, ``usa`` is ``US``, ``eea`` is ``EU``). Country
codes and names, and each country's currency, are CLDR's (babel), not a list kept here.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable

GLOBAL = "global"
DEMO_REGIONS = ("EU", "UK", "US")  # named in a message by the patterns below on every help centre
_ALIASES = {"global": GLOBAL, "all": GLOBAL, "*": GLOBAL, "eu": "EU", "eea": "EU", "uk": "UK", "gb": "UK",
            "us": "US", "usa": "US"}
_CODE = re.compile(r"[A-Z][A-Z0-9]{1,7}(?:-[A-Z0-9]{1,8})?")
# A language tag as site generators write ``locale``: "fr", "en_US", "pt-BR" (lower-case language first).
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")
HINT = "write a short code in capitals (EU, UK, US, CA, APAC), a country's English name, or global"
# How a customer names the demo's three regions in a message ("I'm in the UK", "SEPA", "$"). "us" and "gb" are
# also words ("both of us", "email us", "5 gb"): in lower case they name a country only as "the us" and "us dollars";
# "US", "U.S." and "GB" in capitals always do (but "5 GB" does not).
_MENTIONS = {
    "EU": r"\b(eu|europe|european|eea|sepa|lithuania|germany|france|spain|italy|ireland|netherlands)\b",
    "UK": r"\b(uk|united kingdom|britain|england|scotland|wales)\b|(?-i:(?<!\d )\bGB\b)|£",
    "US": r"\b(usa|united states|america|american|the us|us dollars?)\b|(?-i:\bUS\b|\bU\.S\.)|\$",
}


class RegionError(ValueError):
    """A value that names no region; the message says what to write instead."""


@functools.lru_cache(maxsize=1)
def _territories() -> dict[str, str]:
    """CLDR's territory code -> English name (ISO codes: GB, not UK)."""
    from babel import Locale

    return dict(Locale("en").territories)


@functools.lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """English country name (lower-case) -> its two-letter code as Beacon writes it."""
    return {name.lower(): _own_code(code) for code, name in _territories().items()
            if len(code) == 2 and code.isalpha()}


@functools.lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    return frozenset(_countries().values())


def _own_code(code: str) -> str:
    """Beacon writes the United Kingdom as the demo does: UK, not ISO's GB."""
    return "UK" if code == "GB" else code


def _iso_code(region: str) -> str:
    """The territory CLDR knows a region by: its country part ("US" of "US-NY"), GB for UK."""
    country = region.split("-")[0]
    return "GB" if country == "UK" else country


def region_code(value: str, *, language_is_not_region: bool = False) -> str:
    """The canonical region for ``value`` as an editor or a channel writes it; ``RegionError`` if
    it names none. With ``language_is_not_region`` (a site generator's ``locale`` field), a
    language tag such as "fr" or "en_US" is refused rather than read as a country."""
    text = " ".join(str(value).split())
    if language_is_not_region and _LANGUAGE_TAG.fullmatch(text) and text.lower() not in _ALIASES:
        if _is_language(text):
            raise RegionError(f"{text!r} is a language, not a region")
    if text.lower() in _ALIASES:
        return _ALIASES[text.lower()]
    if text.lower() in _countries():
        return _countries()[text.lower()]
    if text.upper() in _country_codes():  # "ca", "de": a country's code in lower case
        return text.upper()
    if _CODE.fullmatch(text):
        return text
    raise RegionError(f"{text!r} is not a region")


def _is_language(tag: str) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def region_name(region: str) -> str:
    """How a customer reads a region: its country's or union's English name ("Canada" for CA,
    "United Kingdom" for UK), or the code itself when it is the help centre's own (APAC)."""
    return _territories().get(_iso_code(region), region) if "-" not in region else region


def customer_region(value: str | None) -> str | None:
    """A customer's region from a channel or the CLI: any case ("ca", "Uk", "apac"), None when empty;
    ``RegionError`` for a value that names none ("North America")."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        return region_code(text)
    except RegionError as exc:
        if _CODE.fullmatch(text.upper()):  # "apac" from a channel: a code, whatever its case
            return text.upper()
        raise exc from None


@functools.lru_cache(maxsize=256)
def currency(region: str | None) -> str | None:
    """The currency of an account opened in ``region`` (CLDR's current tender of that country or
    union), or None when the region is not one country's (APAC) or is unknown."""
    if not region or region == GLOBAL:
        return None
    from babel.numbers import get_territory_currencies

    try:
        found = get_territory_currencies(_iso_code(region), tender=True)
    except Exception:  # babel raises for codes that are not territories (APAC, EMEA)
        return None
    return found[0] if len(found) == 1 else None


@functools.lru_cache(maxsize=64)
def _mention_pattern(region: str) -> re.Pattern[str] | None:
    """The demo's patterns for EU, UK and US; for any other region, its country's English name and
    a code of three letters or more ("APAC"): a two-letter code is too often a word ("in", "me")."""
    if region in _MENTIONS:
        return re.compile(_MENTIONS[region], re.I)
    names = [name for name, code in _countries().items() if code == region]
    if len(region) > 2:
        names.append(region.lower())
    if not names:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b", re.I)


def mentioned_region(text: str, regions: Iterable[str] = DEMO_REGIONS) -> str | None:
    """The one region of ``regions`` the message names ("and in the EU?", "I live in Canada"), or
    None when it names none or several."""
    found = [region for region in regions if (pattern := _mention_pattern(region)) and pattern.search(text)]
    return found[0] if len(found) == 1 else None
