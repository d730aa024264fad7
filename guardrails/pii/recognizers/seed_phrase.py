"""BIP-39 recovery (seed) phrases (type SEED_PHRASE): a secret, never an identifier.

Scoring, decided because a customer who pastes a phrase has leaked it even if they
mistyped a word:
  * 12/15/18/21/24 wordlist words with a valid BIP-39 checksum -> 1.0;
  * a valid length, all wordlist words, wrong checksum            -> 0.9;
  * 12+ words with at most one unknown word that shares its first three letters with
    a wordlist word (a typo), or a non-standard length            -> 0.75.
Ordinary English rarely chains 12 wordlist words because the list has no "the",
"to", "my", "is", "a" or "I", so a run of 12 is strong evidence on its own.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources

from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

ENTITY = "SEED_PHRASE"
VALID_LENGTHS = (12, 15, 18, 21, 24)
MIN_WORDS = 12
# A word, optionally preceded by list numbering such as "1." "2)" "#3" or "3:".
_TOKEN = re.compile(r"(?:#?\d{1,2}[.):-]?\s*)?([A-Za-z]+)")
# What may sit between two words of one phrase: spaces, commas, newlines, dashes, bullets.
_GAP = re.compile(r"^[\s,;|/•*\-]*$")


@lru_cache(maxsize=1)
def bip39_words() -> tuple[str, ...]:
    text = resources.files("mnemonic").joinpath("wordlist/english.txt").read_text(encoding="utf-8")
    words = tuple(w.strip() for w in text.splitlines() if w.strip())
    if len(words) != 2048:
        raise RuntimeError(f"mnemonic's english.txt has {len(words)} words, expected 2048 — reinstall 'mnemonic'")
    return words


@lru_cache(maxsize=1)
def _word_index() -> dict[str, int]:
    return {w: i for i, w in enumerate(bip39_words())}


@lru_cache(maxsize=1)
def _prefixes() -> frozenset[str]:
    return frozenset(w[:3] for w in bip39_words())


def checksum_valid(words: list[str]) -> bool:
    index = _word_index()
    if len(words) not in VALID_LENGTHS or any(w not in index for w in words):
        return False
    bits = "".join(format(index[w], "011b") for w in words)
    checksum_bits = len(words) * 11 // 33
    entropy_bits = bits[: len(bits) - checksum_bits]
    entropy = int(entropy_bits, 2).to_bytes(len(entropy_bits) // 8, "big")
    expected = format(hashlib.sha256(entropy).digest()[0], "08b")[:checksum_bits]
    return bits[-checksum_bits:] == expected


def _checksummed_window(words: list[str]) -> tuple[int, int] | None:
    """Longest [start, end) slice of a standard length whose BIP-39 checksum holds."""
    for length in sorted((n for n in VALID_LENGTHS if n <= len(words)), reverse=True):
        for start in range(len(words) - length + 1):
            if checksum_valid(words[start:start + length]):
                return start, start + length
    return None


class SeedPhraseRecognizer(PatternRecognizer):
    """Finds runs of BIP-39 words; the pattern only documents the shape, analyze() does the work."""

    PATTERNS = [Pattern("bip39_run", r"(?:\b[a-z]{3,8}\b[\s,;\d.)-]+){11,23}\b[a-z]{3,8}\b", 0.9)]

    def __init__(self) -> None:
        super().__init__(
            supported_entity=ENTITY,
            patterns=self.PATTERNS,
            name="SeedPhraseRecognizer",
        )

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None,
                regex_flags: int | None = None) -> list[RecognizerResult]:
        index, prefixes = _word_index(), _prefixes()
        tokens = [(m.start(), m.start(1), m.end(1), m.group(1).lower()) for m in _TOKEN.finditer(text)]
        results: list[RecognizerResult] = []
        run: list[tuple[int, int, int, str]] = []
        typos = 0

        def close_run() -> None:
            nonlocal run, typos
            while run and run[-1][3] not in index:  # a run never ends on an unknown word
                run.pop()
                typos -= 1
            if len(run) >= MIN_WORDS:
                results.append(self._result(run, typos))
            run, typos = [], 0

        for tok in tokens:
            outer_start, start, end, word = tok
            contiguous = bool(run) and _GAP.match(text[run[-1][2]:outer_start]) is not None
            if run and not contiguous:
                close_run()
            if word in index:
                run.append(tok)
            elif run and typos == 0 and 3 <= len(word) <= 9 and word[:3] in prefixes:
                run.append(tok)
                typos += 1
            else:
                close_run()
        close_run()
        return results

    def _result(self, run: list[tuple[int, int, int, str]], typos: int) -> RecognizerResult:
        words = [t[3] for t in run]
        exact = typos == 0 and len(words) in VALID_LENGTHS
        # Chat text around a phrase often continues with wordlist words ("... seek please
        # help"); a checksummed window a few words shorter tells where the phrase is.
        window = None if typos or exact else _checksummed_window(words)
        if exact and checksum_valid(words):
            score = 1.0
        elif window is not None and len(words) - (window[1] - window[0]) <= 3:
            run, score = run[window[0]:window[1]], 1.0
        elif exact:
            score = 0.9
        else:
            score = 0.75
        return RecognizerResult(
            entity_type=ENTITY, start=run[0][0], end=run[-1][2], score=score,
            recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                  RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id},
        )
