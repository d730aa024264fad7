"""UK postcodes on their own (type UK_POSTCODE): "my postcode is SW1A 1AA".

Whole street addresses, postcodes included, are address_lines.py's; this finds a bare UK
postcode next to a cue, by the Royal Mail outward/inward shape.
"""

from __future__ import annotations

from presidio_analyzer import Pattern

from guardrails.pii.recognizers.context_cues import CueContextRecognizer, cue_regex

_UK_POSTCODE = r"[a-z]{1,2}\d[a-z\d]?\s?\d[a-z]{2}"


class CuedUkPostcodeRecognizer(CueContextRecognizer):
    """UK postcode by the Royal Mail outward/inward shape, e.g. SW1A 1AA, M1 1AE, sw1a 1aa, EC1A1BB."""

    PATTERNS = [Pattern("uk_postcode", r"\b" + _UK_POSTCODE + r"\b", 0.45)]

    CUES = cue_regex("post ?code", "address", "live", "living", "moved", "zip")

    def __init__(self) -> None:
        super().__init__(supported_entity="UK_POSTCODE", patterns=self.PATTERNS, name="CuedUkPostcodeRecognizer")

    def validate_result(self, pattern_text: str) -> bool | None:
        # Needs a space or upper case: "a1b2cd"-like tokens in lower case are usually ids, not postcodes.
        return None if (" " in pattern_text or pattern_text.isupper()) else False
