"""A small token classifier for person names (guardrails/pii/name_tagger.onnx).

all-MiniLM-L6-v2 fine-tuned to tag each word piece as a person name, a location, another
named entity or nothing, trained on the public WNUT-17 and Broad Twitter Corpus train parts
(noisy user text: lower-case, rare and novel names) plus Faker names of many locales in
train-side templates; ``research/pii/public_train_names.py`` trains and exports it, and
research/pii/README.md has the command and the numbers that chose it.

The tokenizer is uncased, so the case of each piece's first character goes in through
``token_type_ids`` (1 = upper case); the model was also trained on lower-cased copies, so
it does not depend on it. Runs with onnxruntime only; texts longer than one window are
read in windows of WINDOW pieces.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import numpy as np

from app.core.onnx_models import LazyOnnxModel, cpu_session, wordpiece_tokenizer

TAGGER_PATH = Path(__file__).with_name("name_tagger.onnx")
TAGGER_CONFIG_PATH = Path(__file__).with_name("name_tagger.json")
LABELS = ("O", "PERSON", "LOCATION", "OTHER")
WINDOW = 126  # word pieces per run, plus [CLS] and [SEP]
# A word next to a name joins it at this share of the threshold (research/pii/README.md: chosen on
# the train-heldout slice of WNUT-17 and BTC, where it keeps the share of other words kept).
GROW_RATIO = 0.67
NAME_PARTICLES = frozenset("de da do das dos del della di du des la le van von der den ter ten zu bin ibn al el".split())


class NameTaggerMissingError(RuntimeError):
    pass


def case_features(text: str, offsets: list[tuple[int, int]]) -> list[int]:
    """1 where a word piece starts with an upper-case letter in the original text."""
    return [1 if end > start and text[start].isupper() else 0 for start, end in offsets]


class NameTagger(LazyOnnxModel):
    """Character spans of person names in a text, with the model's probability."""

    def __init__(self, path: Path = TAGGER_PATH, config_path: Path = TAGGER_CONFIG_PATH, threads: int = 1) -> None:
        self.path, self.config_path, self.threads = path, config_path, threads
        self.threshold = 0.5
        self.grow_ratio = GROW_RATIO
        super().__init__()

    def _load(self) -> None:
        if not self.path.is_file() or not self.config_path.is_file():
            raise NameTaggerMissingError(
                f"{self.path.name} or {self.config_path.name} is missing from {self.path.parent}: restore them "
                "from the repository (git checkout -- guardrails/pii/) or rebuild them with "
                "python -m research.pii.public_train_names (see research/pii/README.md)")
        self.threshold = float(json.loads(self.config_path.read_text())["threshold"])
        tokenizer = wordpiece_tokenizer(WINDOW + 2)  # the bundled WordPiece tokenizer; windows are cut here
        tokenizer.no_truncation()
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._session = cpu_session(self.path, self.threads, spinning=False)

    def person_probabilities(self, text: str) -> tuple[list[tuple[int, int]], np.ndarray]:
        """Offsets of the word pieces (no special tokens) and P(person) for each."""
        self.warm_up()
        encoding = self._tokenizer.encode(text, add_special_tokens=False)
        ids, offsets = encoding.ids, encoding.offsets
        if not ids:
            return [], np.zeros(0, dtype=np.float32)
        kinds = case_features(text, offsets)
        cls_id, sep_id = self._tokenizer.token_to_id("[CLS]"), self._tokenizer.token_to_id("[SEP]")
        probs = []
        for start in range(0, len(ids), WINDOW):
            chunk = [cls_id] + ids[start:start + WINDOW] + [sep_id]
            types = [0] + kinds[start:start + WINDOW] + [0]
            feed = {"input_ids": np.array([chunk], dtype=np.int64),
                    "attention_mask": np.ones((1, len(chunk)), dtype=np.int64),
                    "token_type_ids": np.array([types], dtype=np.int64)}
            (out,) = self._session.run(None, feed)
            probs.append(out[0, 1:-1, LABELS.index("PERSON")])
        return offsets, np.concatenate(probs)

    def spans(self, text: str) -> list[tuple[int, int, float]]:
        """Person-name spans, in whole words: a word whose best piece reaches the threshold starts a
        span, and a span takes in the next word on either side (on the same line, nothing but spaces
        between) while that word's best piece reaches ``grow_ratio`` of the threshold, or is a name
        particle with a name word after it ("Manu de Pelayo", "Els De Smedt"): the model is surest of
        surnames and often gives the first name half the score."""
        offsets, probs = self.person_probabilities(text)
        words: dict[tuple[int, int], float] = {}
        for (start, end), p in zip(offsets, probs):
            if not any(c.isalnum() for c in text[start:end]):
                continue  # punctuation next to a name ("Margaret Oduya (") is not part of it
            bounds = _word_bounds(text, start, end)
            words[bounds] = max(float(p), words.get(bounds, 0.0))
        order = sorted(words)
        low = self.threshold * self.grow_ratio
        taken = [words[w] >= self.threshold for w in order]
        for _ in range(2):  # grow outwards, two words at most on each side
            grown = list(taken)
            for i, word in enumerate(order):
                if taken[i]:
                    continue
                left = i > 0 and taken[i - 1] and _adjacent(text, order[i - 1], word)
                right = i + 1 < len(order) and taken[i + 1] and _adjacent(text, word, order[i + 1])
                particle = text[word[0]:word[1]].casefold() in NAME_PARTICLES
                if (left or right) and (words[word] >= low or (particle and left and right)):
                    grown[i] = True
            taken = grown
        spans: list[tuple[int, int, float]] = []
        for (start, end), keep in zip(order, taken):
            if not keep:
                continue
            p = words[(start, end)]
            if spans and _adjacent(text, (spans[-1][0], spans[-1][1]), (start, end)):
                spans[-1] = (spans[-1][0], end, max(p, spans[-1][2]))
            else:
                spans.append((start, end, p))
        # a name has letters and no digits: "1ELaL6sgR4k..." is a mistyped wallet, "d" of "d.o.b" a letter
        return [(a, b, p) for a, b, p in spans
                if not any(c.isdigit() for c in text[a:b]) and sum(c.isalpha() for c in text[a:b]) >= 2]


def _adjacent(text: str, first: tuple[int, int], second: tuple[int, int]) -> bool:
    return first[1] <= second[0] and not text[first[1]:second[0]].strip(" ")


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a piece to its whole word (letters, digits, combining marks, apostrophes and
    inner hyphens). The marks matter in Indic scripts: in "दुर्गा" the vowel signs and the
    virama are not alphanumeric, and without them a name was cut into pieces with gaps."""
    def inside(char: str) -> bool:
        return char.isalnum() or char in "'’_-\u200c\u200d" or unicodedata.category(char).startswith("M")
    while start > 0 and inside(text[start - 1]):
        start -= 1
    while end < len(text) and inside(text[end]):
        end += 1
    while end > start and text[end - 1] in "'’-_":
        end -= 1
    return start, end
