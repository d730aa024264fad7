"""Dates of birth (type DATE_OF_BIRTH). Ordinary dates ("on 12/03/2024", "3rd May") are
not PII, so a date only counts with a birth cue ("born", "dob", "date of birth",
"birthday") a few words before it: the pattern alone scores below the threshold.
"""

from __future__ import annotations

from presidio_analyzer import Pattern

from guardrails.pii.recognizers.context_cues import CueContextRecognizer, cue_regex

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"


class DateOfBirthRecognizer(CueContextRecognizer):
    PATTERNS = [
        Pattern("dob_numeric", r"\b" + _DAY + r"[/.-](?:0?[1-9]|1[0-2])[/.-](?:" + _YEAR + r"|\d{2})\b", 0.15),
        Pattern("dob_us_numeric", r"\b(?:0?[1-9]|1[0-2])[/.-]" + _DAY + r"[/.-]" + _YEAR + r"\b", 0.15),
        Pattern("dob_iso", r"\b" + _YEAR + r"-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b", 0.15),
        Pattern("dob_day_month_year", r"\b" + _DAY + r"(?:\s+of)?\s+" + _MONTHS + r"\.?,?\s+" + _YEAR + r"\b", 0.15),
        Pattern("dob_month_day_year", r"\b" + _MONTHS + r"\.?\s+" + _DAY + r",?\s+" + _YEAR + r"\b", 0.15),
    ]

    CUES = cue_regex("born", "dob", r"d\.o\.b\.?", "birth", "birthday", "b-?day", "birthdate", "date of birth")
    CHARS_AFTER = 0

    def __init__(self) -> None:
        super().__init__(supported_entity="DATE_OF_BIRTH", patterns=self.PATTERNS, name="DateOfBirthRecognizer")
