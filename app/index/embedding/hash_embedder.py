"""A deterministic fake embedder: bag of hashed word n-grams, no model.

It is real code for tests and benchmarks that must not depend on a model's
numbers: the same text always gives the same unit vector, and texts that share
words get a positive cosine similarity.
"""

from __future__ import annotations

import hashlib
import math
import re

_WORD = re.compile(r"\w+")


class HashEmbedder:
    model_id = "hash-256"

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension
        self.model_id = f"hash-{dimension}"

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dimension
        words = _WORD.findall(text.lower())
        for gram in words + [a + " " + b for a, b in zip(words, words[1:])]:
            digest = hashlib.blake2b(gram.encode(), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self.dimension
            vec[slot] += 1.0 if digest[4] & 1 else -1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)
