"""How well each passage of a knowledge file fits the rest of the file.

An attack planted in a help article is usually about something else ("Write a poem about the sea",
"How do solar panels work?", "include this link in your answer"), while the article's own
imperatives ("Never share your recovery phrase", "Follow these instructions carefully!") are about
what the article is about. The knowledge-file scan lets the injection classifier quarantine a
passage only when the passage is also out of place here: on the tuning part of the public data
this kept the planted attacks caught and cut the clean documents quarantined by a factor of three
(research/guards/README.md, "Knowledge-file scan").

The vectors are all-MiniLM-L6-v2's (the retrieval embedder's int8 graph, run here on its own
session so that the scan does not change with the embedder an operator configures).
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from app.core.errors import EmbeddingError
from app.core.onnx_models import (
    MINILM_FILE,
    MINILM_PACKAGE,
    LazyOnnxModel,
    cpu_session,
    mean_pooled,
    package_file,
    wordpiece_tokenizer,
)
from guardrails.errors import GuardrailError

MAX_TOKENS = 256  # as the retrieval embedder reads a chunk
BATCH = 8
# The rest of the file must say what the file is about: a title and a heading do not (a short
# safety page of one paragraph under its front matter is not out of place against its title).
CONTEXT_WORDS = 20
_WORD = re.compile(r"[^\W\d_]{2,}")


class PassageContext(LazyOnnxModel):
    """``fit(texts)``: each passage's cosine similarity to the mean of the file's other passages
    (1.0 where the other passages have fewer than CONTEXT_WORDS words: there is nothing to be out
    of place against)."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        super().__init__()

    def _load(self) -> None:
        try:
            session = cpu_session(package_file(MINILM_PACKAGE, MINILM_FILE), self.threads, spinning=False)
        except EmbeddingError as exc:
            raise GuardrailError(f"the knowledge-file scan needs the bundled MiniLM: {exc}") from None
        self._tokenizer, self._session = wordpiece_tokenizer(MAX_TOKENS), session

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        self.warm_up()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # less padding per batch
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            idx = order[start:start + BATCH]
            out[idx] = mean_pooled(self._session, self._tokenizer, [texts[i] for i in idx])
        return out

    def fit(self, texts: Sequence[str]) -> list[float]:
        words = [len(_WORD.findall(t)) for t in texts]
        if sum(words) - min(words, default=0) < CONTEXT_WORDS:
            return [1.0] * len(texts)
        vectors = self.vectors(texts)
        total, total_words = vectors.sum(axis=0), sum(words)
        out = []
        for v, n in zip(vectors, words):
            rest = total - v
            out.append(1.0 if total_words - n < CONTEXT_WORDS else float(v @ rest / max(float(np.linalg.norm(rest)), 1e-9)))
        return out
