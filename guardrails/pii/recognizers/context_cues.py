"""Context cues on the raw text, used instead of Presidio's lemma-based context.

Presidio matches context words against spaCy lemmas as substrings: "born" lemmatises
to "bear", "routing" to "route", and the cue "acc" also fires on "access". A regex
over the characters just before (and after) the match avoids those traps and does
not need the tagger/lemmatizer, which we disable for speed.
"""

from __future__ import annotations

import re

from presidio_analyzer import PatternRecognizer, RecognizerResult


def cue_regex(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z])(?:" + "|".join(phrases) + r")(?![a-z])", re.IGNORECASE)


class CueContextRecognizer(PatternRecognizer):
    """A PatternRecognizer whose matches get `cue_score` when a cue is near them.

    Subclasses set CUES (a compiled regex), and may set CUE_SCORE and the window sizes.
    Matches whose pattern score is below the analyzer threshold are thereby reported
    only with a cue: this is how bare digit runs stay untouched.
    """

    CUES: re.Pattern[str] | None = None
    CUE_SCORE = 0.85
    CHARS_BEFORE = 45
    CHARS_AFTER = 25

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        if self.CUES is None:
            return results
        for result in results:
            if self.has_cue(text, result.start, result.end):
                result.score = max(result.score, self.CUE_SCORE)
        return results

    def has_cue(self, text: str, start: int, end: int) -> bool:
        window = text[max(0, start - self.CHARS_BEFORE):start] + " " + text[end:end + self.CHARS_AFTER]
        return self.CUES.search(window) is not None
