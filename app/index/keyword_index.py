"""BM25 keyword search over the stored chunks (bm25s), with the same metadata filters as
the vector search. Built in memory from the store's own contents, so it always indexes
exactly what the vector store holds."""

from __future__ import annotations

import math
import threading
import time
from collections import Counter

import numpy as np

from app.index.store import KnowledgeStore

_STOPWORDS = "english"
REFRESH_INTERVAL_S = 1.0


def keyword_text(document: str, metadata: dict) -> str:
    """What BM25 sees: the title, heading path (an FAQ's question) and the text."""
    return f"{metadata.get('title', '')}\n{metadata.get('section', '')}\n{document}"


class KeywordIndex:
    def __init__(self, store: KnowledgeStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._bm25 = None
        self._stemmer = None
        self.ids: list[str] = []
        self.row_of: dict[str, int] = {}
        self.records = 0
        self._checked = float("-inf")
        self._masks: dict = {}
        self.metadatas: list[dict] = []
        self.documents: list[str] = []
        self._fingerprint: tuple | None = None
        self._df: dict[str, int] = {}  # stemmed term -> chunks containing it
        self._row_terms: list[frozenset[str]] = []

    def _tokenize(self, texts: list[str]):
        return _bm25s().tokenize(texts, stopwords=_STOPWORDS, stemmer=self._stemmer, show_progress=False)

    def fingerprint(self) -> tuple:
        """Cheap to compute, changes whenever an ingest changed the store."""
        return self.store.fingerprint()

    def refresh(self, force: bool = False) -> None:
        """Rebuild if an ingest changed the store. The check itself costs a Chroma count
        (~18 ms at 100,000 chunks), so it runs at most once per REFRESH_INTERVAL_S."""
        now = time.monotonic()
        if not force and self._bm25 is not None and now - self._checked < REFRESH_INTERVAL_S:
            return
        with self._lock:
            self._checked = now
            fingerprint = self.fingerprint()
            if not force and self._bm25 is not None and fingerprint == self._fingerprint:
                return
            import Stemmer

            bm25s = _bm25s()

            self._stemmer = Stemmer.Stemmer("english")
            ids, documents, metadatas = self.store.all_chunks()
            # Question vectors carry no words of their own: the question is in the section.
            keep = [i for i, m in enumerate(metadatas) if m.get("vector_of") != "question"]
            ids, documents, metadatas = [ids[i] for i in keep], [documents[i] for i in keep], [metadatas[i] for i in keep]
            bm25 = bm25s.BM25()
            df: Counter = Counter()
            row_terms: list[frozenset[str]] = []
            if ids:
                tokenized = self._tokenize([keyword_text(d, m) for d, m in zip(documents, metadatas)])
                words = {i: w for w, i in tokenized.vocab.items()}
                row_terms = [frozenset(words[i] for i in row) for row in tokenized.ids]
                for terms in row_terms:
                    df.update(terms)
                bm25.index(tokenized, show_progress=False)
            self._df, self._row_terms = dict(df), row_terms
            self._bm25, self.ids, self.documents, self.metadatas = bm25, ids, documents, metadatas
            self.row_of = {chunk_id: row for row, chunk_id in enumerate(ids)}
            self.records = fingerprint[0]  # chunks plus question records: what a vector query can return
            self._masks = {}
            self._fingerprint = fingerprint

    def query_terms(self, query: str) -> list[str]:
        """The query's content words as the index sees them (stop words out, stemmed)."""
        import bm25s

        self.refresh()
        return bm25s.tokenize([query], stopwords=_STOPWORDS, stemmer=self._stemmer, show_progress=False,
                              return_ids=False)[0]

    def idf(self, term: str) -> float:
        n, df = len(self.ids), self._df.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def known(self, term: str) -> bool:
        return term in self._df

    def row_terms(self, row: int) -> frozenset[str]:
        return self._row_terms[row] if row < len(self._row_terms) else frozenset()

    def search(self, query: str, top_k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(row, BM25 score) pairs, best first; ``allowed`` is a 0/1 mask over rows."""
        self.refresh()
        if not self.ids:
            return []
        tokens = self._tokenize([query])
        if not tokens.ids or not tokens.ids[0]:
            return []
        k = min(top_k, len(self.ids))
        rows, scores = self._bm25.retrieve(tokens, k=k, show_progress=False, weight_mask=allowed, n_threads=1)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if s > 0]

    def mask(self, predicate, key=None) -> np.ndarray:
        """0/1 over rows; cached under ``key`` until the next refresh (a scan costs ~30 ms at 100,000 chunks)."""
        if key is not None and key in self._masks:
            return self._masks[key]
        mask = np.array([1.0 if predicate(m) else 0.0 for m in self.metadatas], dtype=np.float32)
        if key is not None:
            self._masks[key] = mask
        return mask


def _bm25s():
    """bm25s, imported on first use. It sets its own logger to DEBUG when imported, which would
    put a line per index build and search in every server log: back to WARNING."""
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s
