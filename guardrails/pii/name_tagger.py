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
import threading
from pathlib import Path

import numpy as np

TAGGER_PATH = Path(__file__).with_name("name_tagger.onnx")
TAGGER_CONFIG_PATH = Path(__file__).with_name("name_tagger.json")
LABELS = ("O", "PERSON", "LOCATION", "OTHER")
WINDOW = 126  # word pieces per run, plus [CLS] and [SEP]


class NameTaggerMissingError(RuntimeError):
    pass


def case_features(text: str, offsets: list[tuple[int, int]]) -> list[int]:
    """1 where a word piece starts with an upper-case letter in the original text."""
    return [1 if end > start and text[start].isupper() else 0 for start, end in offsets]


class NameTagger:
    """Character spans of person names in a text, with the model's probability."""

    def __init__(self, path: Path = TAGGER_PATH, config_path: Path = TAGGER_CONFIG_PATH, threads: int = 1) -> None:
        self.path, self.config_path, self.threads = path, config_path, threads
        self.threshold = 0.5
        self._session = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            from app.core.onnx_models import cpu_session, wordpiece_tokenizer

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
        """Person-name spans: runs of pieces at or over the threshold, widened to whole words."""
        offsets, probs = self.person_probabilities(text)
        spans: list[tuple[int, int, float]] = []
        for (start, end), p in zip(offsets, probs):
            if p < self.threshold or not any(c.isalnum() for c in text[start:end]):
                continue  # punctuation next to a name ("Margaret Oduya (") is not part of it
            start, end = _word_bounds(text, start, end)
            if spans and start <= spans[-1][1] + 1 and not text[spans[-1][1]:start].strip(" "):
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]), max(float(p), spans[-1][2]))
            else:
                spans.append((start, end, float(p)))
        # a name has letters and no digits: "1ELaL6sgR4k..." is a mistyped wallet, "d" of "d.o.b" a letter
        return [(a, b, p) for a, b, p in spans
                if not any(c.isdigit() for c in text[a:b]) and sum(c.isalpha() for c in text[a:b]) >= 2]


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a piece to its whole word (letters, digits, apostrophes and inner hyphens)."""
    def inside(char: str) -> bool:
        return char.isalnum() or char in "'’_-"
    while start > 0 and inside(text[start - 1]):
        start -= 1
    while end < len(text) and inside(text[end]):
        end += 1
    while end > start and text[end - 1] in "'’-_":
        end -= 1
    return start, end
