"""Social-media and messenger user names (type USERNAME): "@jane_doe", "telegram @cryptoguy".

A handle names one person as surely as their name does, and scammers' handles ("dm
@lodestar_help_desk") are pasted into support chat too. An "@" that starts a word (not
the middle of an e-mail address), an optional space, then 2-30 letters, digits or
underscores with at least one letter. Allow-listed handles (the company's own) are
dropped by the redactor like any allow-listed value.
"""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer


class SocialHandleRecognizer(PatternRecognizer):
    PATTERNS = [Pattern("at_handle", r"(?<![\w.@])@ ?(?=[0-9_]*[A-Za-z])[A-Za-z0-9_]{2,30}\b", 0.75)]

    def __init__(self) -> None:
        super().__init__(supported_entity="USERNAME", patterns=self.PATTERNS, name="SocialHandleRecognizer")
