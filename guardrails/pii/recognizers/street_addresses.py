"""Street addresses (type ADDRESS) and UK postcodes (type UK_POSTCODE).

The small spaCy model tags "Paris" or "Baker Street" as locations inconsistently and
a city alone is not PII, so addresses are found by shape instead: a house number next
to a street word, optionally followed by ", town", a US state + ZIP or a postcode.
Matching ignores case because chat users write "221b baker street". Street words that
are also everyday words after a number ("3 times in a row", "15 minutes walk", "2 green
cards") are left out on purpose.
"""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer

from guardrails.pii.recognizers.context_cues import CueContextRecognizer, cue_regex

_STREET_WORDS = (
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|way|place|pl|boulevard|blvd|court|ct|"
    r"crescent|cres|terrace|gardens|gdns|square|sq|grove|mews|parkway|pkwy|highway|hwy|hill"
)
_NAME_WORD = r"[a-zà-ÿ'’.-]+"
_HOUSE = r"(?:(?:flat|apt|apartment|unit|suite)\s*\d+[a-z]?,?\s+)?\d{1,5}[a-z]?(?:-\d{1,5})?,?"
_UK_POSTCODE = r"[a-z]{1,2}\d[a-z\d]?\s?\d[a-z]{2}"
_TAIL = (
    r"(?:\s+(?:nw|ne|sw|se|n|s|e|w)\b\.?)?"                      # US quadrant: "Ave NW"
    r"(?:,?\s*(?:apt|flat|unit|suite|#)\s*\d+[a-z]?)?"             # "Apt 4B"
    r"(?:,\s*[a-z][a-zà-ÿ'’.-]*(?:\s[a-z][a-zà-ÿ'’.-]*){0,2}(?=,|\s+\d|\s+[a-z]{1,2}\d|\s*$|[.!?\n]))?"  # ", Washington"
    r"(?:,?\s*(?:[a-z]{2}\s+\d{5}(?:-\d{4})?|\d{5}(?:-\d{4})?|" + _UK_POSTCODE + r"))?"  # "DC 20500", "NW1 6XE"
)


class StreetAddressRecognizer(PatternRecognizer):
    PATTERNS = [
        # UK/US: "221b Baker Street", "1600 Pennsylvania Ave NW, Washington, DC 20500"
        Pattern("street_number_first",
                r"\b" + _HOUSE + r"\s+(?:" + _NAME_WORD + r"\s+){0,3}(?:" + _STREET_WORDS + r")\b\.?" + _TAIL, 0.6),
        # FR/ES/IT/PT: "12 Rue de Rivoli, 75001 Paris", "Calle Mayor 10, 28013 Madrid"
        Pattern("street_word_first",
                r"\b(?:\d{1,4}[a-z]?,?\s+)?(?:rue|avenue|boulevard|allée|chemin|impasse|via|viale|piazza|calle|"
                r"avenida|plaza|rua|praça)\s+(?:" + _NAME_WORD + r"\s+){0,3}" + _NAME_WORD +
                r"(?:\s+\d{1,4}[a-z]?)?(?:,\s*\d{4,5}\s+[a-zà-ÿ'-]+(?:\s[a-zà-ÿ'-]+)?)?", 0.45),
        # DE/NL/Nordic compounds: "Hauptstraße 5, 10115 Berlin", "Kerkstraat 12, 1017 GC Amsterdam"
        Pattern("street_suffix_compound",
                r"\b[a-zà-ÿ-]+(?:straße|strasse|str\.|weg|platz|allee|gasse|straat|laan|gracht|plein|gatan|vej|gade)"
                r"\s+\d{1,4}[a-z]?(?:,\s*\d{4,5}(?:\s?[a-z]{2})?\s+[a-zà-ÿ-]+)?", 0.6),
    ]

    def __init__(self) -> None:
        super().__init__(supported_entity="ADDRESS", patterns=self.PATTERNS,
                         name="StreetAddressRecognizer")

    def validate_result(self, pattern_text: str) -> bool | None:
        # "3 days ago", "2 Factor" are filtered by the street word; this drops "via the app"-style
        # hits of the word-first pattern, which need either a house number or a postcode.
        lowered = pattern_text.lower()
        if lowered.split()[0] in {"via", "avenue", "plaza", "boulevard", "place"} and not any(c.isdigit() for c in lowered):
            return False
        return None


class CuedUkPostcodeRecognizer(CueContextRecognizer):
    """UK postcode by the Royal Mail outward/inward shape, e.g. SW1A 1AA, M1 1AE, sw1a 1aa, EC1A1BB."""

    PATTERNS = [Pattern("uk_postcode", r"\b" + _UK_POSTCODE + r"\b", 0.45)]

    CUES = cue_regex("post ?code", "address", "live", "living", "moved", "zip")

    def __init__(self) -> None:
        super().__init__(supported_entity="UK_POSTCODE", patterns=self.PATTERNS, name="CuedUkPostcodeRecognizer")

    def validate_result(self, pattern_text: str) -> bool | None:
        # Needs a space or upper case: "a1b2cd"-like tokens in lower case are usually ids, not postcodes.
        return None if (" " in pattern_text or pattern_text.isupper()) else False
