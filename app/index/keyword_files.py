"""The BM25 keyword index as files: built once per ingest, then memory-mapped by every process
that searches, so no replica rebuilds it or holds a private copy.

One folder per version:
- bm25s's own files (``params``, ``vocab``, and the score matrix as ``.npy`` arrays, term by term);
- ``ids.json``: the chunk id of each row;
- ``chunks.jsonl`` and ``chunk_offsets.npy``: each row's text and metadata, one JSON line each,
  read on demand (a search touches a few dozen rows);
- ``doc_terms.npy`` and ``doc_terms_indptr.npy``: each row's distinct terms (the lexical signals
  of the confidence model read them for the top result);
- ``filters.npy`` and ``filters.json``: each row's region and audience as codes, so a filter mask
  is one vectorised comparison, not a pass over every row's metadata;
- ``lower_words.json``: the words the chunks write in lower case in their prose (app/core/vocabulary.py),
  which the PII redactor reads so as not to take the help centre's own terms for names;
- ``vectors.npy``, ``vector_ids.json`` and ``vector_rows.npy``: every stored vector (chunks and
  FAQ questions), L2-normalised float32, with its record id and its chunk's row, for an exact
  vector search (``nearest``);
- ``manifest.json``: counts and the store fingerprint it was built from, written last.

Rows and vectors are in record-id order, whatever order the store returned them in, so two
builds of the same store give the same files and the same rankings, ties included.

Why an exact vector search beside Chroma's: Chroma's embedded HNSW index returned a different
top 60 from one process to the next on the same store (a BTCPay question's second-nearest chunk
missing in one run and present in the next), so the same question could get a different
answer after a restart, and before/after comparisons moved on identical chunks. A product of
the query with every vector is exact, the same in every process, and at Beacon's help-centre
sizes cheaper than the HNSW query (``docs/retrieval.md``, "Exact vector search").

The scores are bm25s's, computed exactly as before: ranking, the fused scores and the
confidence model's signals do not change.
"""

from __future__ import annotations

import json
import logging
import math
import mmap
import os
import time
from pathlib import Path

import numpy as np

from app.core.vocabulary import lower_case_words, word_key
from app.index.link_targets import label_places
from app.index.store import chunk_of

_STOPWORDS = "english"
MANIFEST = "manifest.json"
LOWER_WORDS = "lower_words.json"
FORMAT = 2  # 2: vectors and record-id order; a version of an older format is rebuilt (one replica)
log = logging.getLogger(__name__)


def keyword_text(document: str, metadata: dict) -> str:
    """What BM25 sees: the title, heading path (an FAQ's question) and the text."""
    return f"{metadata.get('title', '')}\n{metadata.get('section', '')}\n{document}"


def bm25s_module():
    """bm25s, imported on first use. It sets its own logger to DEBUG when imported, which would
    put a line per index build and search in every server log: back to WARNING."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def build_keyword_files(folder: Path, ids: list[str], documents: list[str], metadatas: list[dict],
                        records: int, fingerprint: str, vectors: np.ndarray | None = None) -> dict:
    """Write the index of these chunks into ``folder`` (which must not exist yet). Question
    records carry no words of their own (the question is in the chunk's section): left out of
    BM25, kept among the vectors. ``records`` counts what a vector query can return (chunks plus
    question records); ``vectors`` holds one row per record, in the order of ``ids``."""
    bm25s = bm25s_module()
    started = time.perf_counter()
    order = sorted(range(len(ids)), key=ids.__getitem__)  # record-id order: the store's own order varies
    record_ids = [ids[i] for i in order]
    if vectors is not None and len(ids):
        vectors = np.asarray(vectors, dtype=np.float32)[order]
    keep = [i for i in order if (metadatas[i] or {}).get("vector_of") != "question"]
    ids = [ids[i] for i in keep]
    documents = [documents[i] for i in keep]
    # llama-index's copy of the node (``_node_content``) is half of each record and nothing reads it.
    metadatas = [{k: v for k, v in (metadatas[i] or {}).items() if k != "_node_content"} for i in keep]
    folder = Path(folder)
    folder.mkdir(parents=True)
    bm25 = bm25s.BM25()
    doc_terms_indptr = np.zeros(len(ids) + 1, dtype=np.int64)
    doc_terms = np.zeros(0, dtype=np.int32)
    if ids:
        tokenized = bm25s.tokenize([keyword_text(d, m) for d, m in zip(documents, metadatas)],
                                   stopwords=_STOPWORDS, stemmer=stemmer(), show_progress=False)
        rows = [np.unique(np.asarray(row, dtype=np.int32)) for row in tokenized.ids]
        doc_terms_indptr[1:] = np.cumsum([len(r) for r in rows])
        doc_terms = np.concatenate(rows) if rows else doc_terms
        bm25.index(tokenized, show_progress=False)
        bm25.save(str(folder))
    np.save(folder / "doc_terms.npy", doc_terms)
    np.save(folder / "doc_terms_indptr.npy", doc_terms_indptr)
    (folder / "ids.json").write_text(json.dumps(ids), encoding="utf-8")
    offsets = np.zeros(len(ids) + 1, dtype=np.int64)
    with open(folder / "chunks.jsonl", "wb") as out:
        for row, (document, metadata) in enumerate(zip(documents, metadatas)):
            line = json.dumps([document, metadata], ensure_ascii=False).encode("utf-8") + b"\n"
            out.write(line)
            offsets[row + 1] = offsets[row] + len(line)
    np.save(folder / "chunk_offsets.npy", offsets)
    codes: dict[str, dict[str, int]] = {"region": {}, "audience": {}}
    filters = np.zeros((len(ids), 2), dtype=np.int32)
    for row, metadata in enumerate(metadatas):
        for column, name in enumerate(("region", "audience")):
            value = str(metadata.get(name))
            filters[row, column] = codes[name].setdefault(value, len(codes[name]))
    np.save(folder / "filters.npy", filters)
    (folder / "filters.json").write_text(json.dumps(codes), encoding="utf-8")
    (folder / LOWER_WORDS).write_text(json.dumps(sorted(_lower_words(documents, metadatas)), ensure_ascii=False),
                                      encoding="utf-8")
    manifest = {"format": FORMAT, "rows": len(ids), "records": records, "fingerprint": fingerprint,
                "built_at": time.time()}
    if vectors is not None:
        row_of = {chunk_id: row for row, chunk_id in enumerate(ids)}
        manifest["vectors"] = _write_vectors(folder, record_ids, vectors, row_of)
    manifest["build_s"] = round(time.perf_counter() - started, 3)
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")  # last: marks the folder complete
    return manifest


def _lower_words(documents, metadatas) -> set[str]:
    """The words the chunks write in lower case in their prose, what BM25 reads of each included."""
    return lower_case_words(keyword_text(d, m) for d, m in zip(documents, metadatas))


def _write_vectors(folder: Path, record_ids: list[str], vectors: np.ndarray, row_of: dict[str, int]) -> int:
    """Every record's vector, normalised, with its id and its chunk's row (-1: no such chunk)."""
    vectors = vectors if len(record_ids) else np.zeros((0, 0), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.save(folder / "vectors.npy", (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32))
    np.save(folder / "vector_rows.npy", np.array([row_of.get(chunk_of(r), -1) for r in record_ids], dtype=np.int64))
    (folder / "vector_ids.json").write_text(json.dumps(record_ids), encoding="utf-8")
    return len(record_ids)


class _Rows:
    """Read-only sequence over the rows of ``chunks.jsonl``: one field of each, parsed on demand."""

    def __init__(self, table: KeywordFiles, field: int) -> None:
        self._table, self._field = table, field

    def __len__(self) -> int:
        return self._table.rows

    def __getitem__(self, row: int):
        return self._table.row(row)[self._field]

    def __iter__(self):
        return (self[row] for row in range(len(self)))


class KeywordFiles:
    """One built version, memory-mapped: the arrays and the chunk table are pages of the files
    (shared with every process on the machine that maps them, and dropped by the kernel under
    pressure), not copies in this process's heap."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        manifest_path = self.folder / MANIFEST
        if not manifest_path.exists():
            raise FileNotFoundError(f"{self.folder} holds no complete keyword index (no {MANIFEST})")
        self.manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        self.rows = int(self.manifest["rows"])
        self.records = int(self.manifest["records"])
        self.ids: list[str] = json.loads((self.folder / "ids.json").read_text(encoding="utf-8"))
        self.row_of = {chunk_id: row for row, chunk_id in enumerate(self.ids)}
        self._offsets = np.load(self.folder / "chunk_offsets.npy", mmap_mode="r")
        self._doc_terms = np.load(self.folder / "doc_terms.npy", mmap_mode="r")
        self._doc_terms_indptr = np.load(self.folder / "doc_terms_indptr.npy", mmap_mode="r")
        self._filters = np.load(self.folder / "filters.npy", mmap_mode="r")
        self._codes = json.loads((self.folder / "filters.json").read_text(encoding="utf-8"))
        self._chunks_file = open(self.folder / "chunks.jsonl", "rb")
        size = os.fstat(self._chunks_file.fileno()).st_size
        self._chunks = mmap.mmap(self._chunks_file.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        self._cache: dict[int, list] = {}
        self.documents = _Rows(self, 0)
        self.metadatas = _Rows(self, 1)
        self.bm25 = None
        self.words: list[str] = []
        self._df = np.zeros(0, dtype=np.int64)
        if self.rows:
            self.bm25 = bm25s_module().BM25.load(str(self.folder), mmap=True, load_corpus=False)
            vocab = self.bm25.vocab_dict
            self.words = [""] * (max(vocab.values()) + 1 if vocab else 0)
            for word, term in vocab.items():
                self.words[term] = word
            indptr = self.bm25.scores["indptr"]
            self._df = np.diff(np.asarray(indptr))  # rows containing each term
        self._stemmer = stemmer()
        self._masks: dict = {}
        self._source_rows: dict[str, list[int]] | None = None
        self._label_places: dict[str, tuple[str, str]] | None = None
        self._lower_words: frozenset[str] | None = None
        self.vectors: np.ndarray | None = None  # None: a version built without them (Chroma searches)
        self.vector_ids: list[str] = []
        if "vectors" in self.manifest:
            self.vectors = np.load(self.folder / "vectors.npy", mmap_mode="r")
            self.vector_ids = json.loads((self.folder / "vector_ids.json").read_text(encoding="utf-8"))
            self._vector_rows = np.load(self.folder / "vector_rows.npy", mmap_mode="r")

    def row(self, row: int) -> list:
        found = self._cache.get(row)
        if found is None:
            start, end = int(self._offsets[row]), int(self._offsets[row + 1])
            found = json.loads(self._chunks[start:end])
            if len(self._cache) > 4096:  # a bounded working set: the pages stay in the page cache anyway
                self._cache.clear()
            self._cache[row] = found
        return found

    # -- search ----------------------------------------------------------------------------
    def tokenize(self, texts: list[str], ids: bool = True):
        return bm25s_module().tokenize(texts, stopwords=_STOPWORDS, stemmer=self._stemmer, show_progress=False,
                                       return_ids=ids)

    def search(self, query: str, top_k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        if not self.rows:
            return []
        tokens = self.tokenize([query])
        if not tokens.ids or not tokens.ids[0]:
            return []
        k = min(top_k, self.rows)
        rows, scores = self.bm25.retrieve(tokens, k=k, show_progress=False, weight_mask=allowed, n_threads=1)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if s > 0]

    def query_terms(self, query: str) -> list[str]:
        return self.tokenize([query], ids=False)[0]

    def nearest(self, vector, top_k: int, allowed: np.ndarray | None = None) -> list[tuple[str, float]]:
        """(record id, cosine similarity) of the ``top_k`` nearest records, best first, ties in
        record-id order; ``allowed`` (0/1 over rows, as ``filter_mask`` gives) keeps the records
        of those chunks only. Exact: every vector is scored."""
        if self.vectors is None or not self.vector_ids or top_k <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32)
        norm = float(np.linalg.norm(query))
        # numpy's own loops, not BLAS: OpenBLAS splits a product this size across threads that then
        # spin-wait, taking the CPU the embedder and the guards need next (a BTCPay turn went from
        # 29 to 47 ms p50 on 2 cores); einsum costs 0.1 ms at 1,400 records, 16 ms at 135,000.
        scores = np.einsum("ij,j->i", self.vectors, query / norm if norm > 0 else query)
        if allowed is not None:  # a question record counts as its chunk's row; -1: no row, never allowed
            rows, allowed = np.asarray(self._vector_rows), np.asarray(allowed)
            keep = (rows >= 0) & (allowed[np.maximum(rows, 0)] > 0) if len(allowed) else np.zeros(len(rows), dtype=bool)
            scores = np.where(keep, scores, -np.inf)
        k = min(top_k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        best = best[np.lexsort((best, -scores[best]))]  # by score, then by record-id order
        return [(self.vector_ids[i], float(scores[i])) for i in best if np.isfinite(scores[i])]

    def _term(self, word: str) -> int | None:
        return self.bm25.vocab_dict.get(word) if self.bm25 is not None else None

    def known(self, word: str) -> bool:
        term = self._term(word)
        return term is not None and term < len(self._df) and self._df[term] > 0

    def idf(self, word: str) -> float:
        term = self._term(word)
        df = int(self._df[term]) if term is not None and term < len(self._df) else 0
        return math.log(1 + (self.rows - df + 0.5) / (df + 0.5))

    def row_terms(self, row: int) -> frozenset[str]:
        if row >= self.rows:
            return frozenset()
        start, end = int(self._doc_terms_indptr[row]), int(self._doc_terms_indptr[row + 1])
        return frozenset(self.words[t] for t in self._doc_terms[start:end] if t < len(self.words))

    def source_rows(self) -> dict[str, list[int]]:
        """Each file's rows, in row order (read once per version: it parses every row)."""
        if self._source_rows is None:
            rows: dict[str, list[int]] = {}
            for row in range(self.rows):
                rows.setdefault(str(self.metadatas[row].get("source", "")), []).append(row)
            self._source_rows = rows
        return self._source_rows

    def label_places(self) -> dict[str, tuple[str, str]]:
        """Sphinx label -> (file, section) of this version's chunks (read once per version)."""
        if self._label_places is None:
            self._label_places = label_places(self.metadatas[row] for row in range(self.rows))
        return self._label_places

    def writes_lower(self, word: str) -> bool:
        """Whether the chunks write ``word`` in lower case in their prose (read once per version; a
        version built before the file existed reads every row instead)."""
        if self._lower_words is None:
            path = self.folder / LOWER_WORDS
            if path.exists():
                self._lower_words = frozenset(json.loads(path.read_text(encoding="utf-8")))
            else:
                self._lower_words = frozenset(_lower_words(self.documents, self.metadatas))
        return word_key(word) in self._lower_words

    def filter_mask(self, region: str | None, audience: str | None) -> np.ndarray:
        """0/1 over rows: a region's rows and the global ones, an audience's and ``all``."""
        key = (region, audience)
        if key not in self._masks:
            mask = np.ones(self.rows, dtype=bool)
            for column, name, value, everyone in ((0, "region", region, "global"), (1, "audience", audience, "all")):
                if value is None:
                    continue
                wanted = [self._codes[name][v] for v in (value, everyone) if v in self._codes[name]]
                mask &= np.isin(self._filters[:, column], wanted)
            self._masks[key] = mask.astype(np.float32)
        return self._masks[key]

    def close(self) -> None:
        if isinstance(self._chunks, mmap.mmap):
            self._chunks.close()
        self._chunks_file.close()
