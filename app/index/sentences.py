"""Each candidate chunk's best sentence, beside its one vector.

A 220-token chunk has one vector, the average of what it says; a customer's paraphrase often matches
one sentence of it ("my new wallet gave me 16 words but my old one had 25" against a glossary entry's
sentence on seed lengths). The first ``top_n`` fused candidates are reordered by their fused score plus
``weight`` times their best sentence's cosine to the question, min-max normalised over those candidates
(research/kbs/README.md, "Best sentence beside the chunk": left one KB out, file hit@1 Electrum 0.88 ->
0.90, Monero 0.76 -> 0.80, BTCPay 0.74 -> 0.74).

Sentences are embedded with the chunk's title and section path in front, as the chunk itself is. The
ingest stores their vectors (app/index/sentence_store.py); a turn reads its candidates' from there and
keeps them in a bounded in-memory cache keyed by the sentence texts, so an edited chunk is simply a new
key. A chunk whose stored set is missing or stale (a store ingested with the step off, an ingest killed
half-way) is embedded on its first use, as before the vectors were stored.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from typing import Any, Protocol, Sequence

import numpy as np

from app.index.embedding import Embedder

log = logging.getLogger(__name__)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
MIN_WORDS = 4  # shorter pieces (a label, "Done.") say too little to match a question on their own
LEAD_SEPARATOR = " › "


class StoredSentences(Protocol):
    def vectors(self, chunk_ids: Sequence[str], keys: dict[str, str]) -> dict[str, np.ndarray]:
        """Stored sentence vectors by chunk id, for the chunks whose stored set carries the given key."""
        ...


class SentenceScores(Protocol):
    def cosines(self, query_vector: Sequence[float], chunks: Sequence) -> dict[str, list[float]]:
        """Each chunk's sentences' cosines to the question (in ``sentence_texts`` order), by chunk id."""
        ...


def sentences(text: str) -> list[str]:
    """A chunk's sentences: cut at a stop followed by a space and at line breaks; pieces under MIN_WORDS words dropped."""
    return [s.strip() for s in SENTENCE_END.split(text) if len(s.split()) >= MIN_WORDS]


def sentence_texts(title: str, section: str, text: str) -> list[str]:
    """What is embedded for a chunk: each sentence after its title and section path (the chunk itself when none is long enough)."""
    lead = LEAD_SEPARATOR.join(part for part in (title, section) if part)
    return [f"{lead}: {s}" if lead else s for s in sentences(text) or [text]]


def sentences_key(texts: Sequence[str]) -> str:
    """The hash of a chunk's sentence texts as embedded: it changes with the title, section path or text."""
    return hashlib.sha1("\n".join(texts).encode("utf-8")).hexdigest()


def unit(vectors) -> np.ndarray:
    """Float32 vectors (a query, or the rows of a matrix) scaled to length one; a zero vector stays zero."""
    array = np.asarray(vectors, dtype=np.float32)
    return array / np.maximum(np.linalg.norm(array, axis=-1, keepdims=True), 1e-12)


def lead_sentence(title: str, section: str, text: str) -> str:
    """A passage's first sentence as the sentence store embeds it: after its title and section path."""
    return sentence_texts(title, section, text)[0]


class SentenceMatch:
    """How close quoted passages are to a question: the cosine between the question and a passage's first
    sentence, after its chunk's title and section path. The extractive reply checks a "See also" line with it
    (app/chain/generation/extractive.py). A sentence the best-sentence step already scored for its chunk
    (``RetrievedChunk.sentence_cosines``) costs nothing; any other is embedded with the retrieval embedder."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def cosines(self, question: str, passages: Sequence[tuple[Any, str]]) -> list[float]:
        """Each (chunk, quoted text) passage's cosine to the question; a chunk has the ``RetrievedChunk`` fields.
        When any passage was not scored by the step, all are embedded, so that every cosine is to one vector of
        the question (the step's is the search query's, without the redaction's placeholders)."""
        found = [_scored(chunk, text) for chunk, text in passages]
        if all(cosine is not None for cosine in found):
            return [float(cosine) for cosine in found]
        query = unit(self.embedder.embed_query(question))
        vectors = unit(self.embedder.embed_documents(
            [lead_sentence(chunk.title, chunk.section, text) for chunk, text in passages]))
        return [float(vector @ query) for vector in vectors]


def _scored(chunk, text: str) -> float | None:
    """The cosine the best-sentence step gave the quoted text's first sentence in its chunk, if it scored it."""
    scored = getattr(chunk, "sentence_cosines", None)
    pieces = sentences(chunk.text)
    first = (sentences(text) or [text])[0].strip()
    if not scored or len(scored) != len(pieces) or first not in pieces:
        return None
    return scored[pieces.index(first)]


def best_of(cosines: dict[str, list[float]]) -> dict[str, float]:
    """Each chunk's best sentence cosine, from its sentences' cosines (by chunk id)."""
    return {chunk_id: max(row) for chunk_id, row in cosines.items() if row}


def reorder(chunks: list, best: dict[str, float], weight: float) -> list:
    """The chunks by (fused score + weight x normalised best sentence) / (1 + weight): the same order as
    the sum, and the score stays in [0, 1]. A chunk without a sentence score keeps its fused score."""
    if not best or weight <= 0:
        return chunks
    low, high = min(best.values()), max(best.values())
    for chunk in chunks:
        if chunk.chunk_id in best:
            norm = (best[chunk.chunk_id] - low) / (high - low) if high > low else 1.0
            chunk.score = (chunk.score + weight * norm) / (1 + weight)
        else:
            chunk.score = chunk.score / (1 + weight)
    return sorted(chunks, key=lambda c: (-c.score, c.chunk_id))


class SentenceScorer:
    """Best-sentence cosines with the retrieval embedder: sentence vectors read from the store (when
    given) or embedded, and cached per chunk text (LRU)."""

    def __init__(self, embedder: Embedder, stored: StoredSentences | None = None, capacity: int = 20_000) -> None:
        self.embedder = embedder
        self.stored = stored
        self.capacity = capacity  # chunks whose sentence vectors are kept (~5 sentences x 384 floats each)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Open the stored vectors' collection now, not in the first turn (~30 ms)."""
        if self.stored is not None and hasattr(self.stored, "warm_up"):
            self.stored.warm_up()

    def _read_stored(self, chunks: Sequence, keys: list[str], missing: set[str]) -> dict[str, np.ndarray]:
        """Stored vectors by key for the missing chunks; none when the store cannot be read."""
        wanted = {c.chunk_id: k for c, k in zip(chunks, keys) if k in missing}
        if self.stored is None or not wanted:
            return {}
        try:
            by_chunk = self.stored.vectors(list(wanted), wanted)
        except Exception:  # a store that fails here costs the embedding below, never the turn
            log.warning("stored sentence vectors could not be read; embedding the candidates' sentences", exc_info=True)
            return {}
        return {wanted[chunk_id]: matrix for chunk_id, matrix in by_chunk.items()}

    def _vectors(self, chunks: Sequence) -> list[np.ndarray]:
        texts = [sentence_texts(c.title, c.section, c.text) for c in chunks]
        keys = [sentences_key(t) for t in texts]
        with self._lock:
            found = {k: self._cache[k] for k in keys if k in self._cache}
            for k in found:
                self._cache.move_to_end(k)
        found.update(self._remember(self._read_stored(chunks, keys, set(keys) - set(found))))
        missing = [(k, t) for k, t in dict(zip(keys, texts)).items() if k not in found]
        if missing:
            flat = [s for _, t in missing for s in t]
            vectors = unit(self.embedder.embed_documents(flat))
            bounds = np.cumsum([0] + [len(t) for _, t in missing])
            found.update(self._remember({key: vectors[a:b] for (key, _), a, b in zip(missing, bounds, bounds[1:])}))
        return [found[k] for k in keys]

    def _remember(self, entries: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Put sentence vectors in the cache, least recently used out past its capacity."""
        if entries:
            with self._lock:
                self._cache.update(entries)
                while len(self._cache) > self.capacity:
                    self._cache.popitem(last=False)
        return entries

    def cosines(self, query_vector: Sequence[float], chunks: Sequence) -> dict[str, list[float]]:
        if not chunks:
            return {}
        query = unit(query_vector)
        return {c.chunk_id: (v @ query).tolist() for c, v in zip(chunks, self._vectors(chunks))}

    def best(self, query_vector: Sequence[float], chunks: Sequence) -> dict[str, float]:
        """Each chunk's best sentence cosine to the question, by chunk id."""
        return best_of(self.cosines(query_vector, chunks))

    def __len__(self) -> int:
        return len(self._cache)
