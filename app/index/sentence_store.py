"""The best-sentence step's vectors, stored at ingest in a collection beside the chunks'.

Embedding a candidate's sentences on its first use cost a cold turn ~150 ms on 2 cores, and more
when several turns arrive at once (docs/results.md). The ingest now embeds them once and stores
them here; a turn reads the vectors of its ten candidates by chunk id.

Each record is one sentence: id ``<chunk id>#s<n>``, metadata the chunk id, ``n``, the number of
sentences of the chunk (``of``) and ``key``, the hash of every sentence text of the chunk as the
scorer embeds it (title and section path in front). A reader uses a chunk's records only when all
``of`` are there with the key the chunk's current text gives, so a half-written or stale set is never
read: the scorer embeds that chunk as before. ``reconcile`` is the only writer and is idempotent: it
compares every stored chunk's key with its records and writes what is missing before it deletes
what is stale, so an ingest killed half-way is repaired by the next one, and turning the step on
after an ingest fills the collection at the next ``beacon ingest``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from app.index.embedding import Embedder
from app.index.sentences import sentences_key, unit
from app.index.store import KnowledgeStore

CHUNKS_PER_PASS = 64  # chunks (~300 sentences) embedded and written per pass: bounded memory on a large KB
READ_PAGE = 5000


def _text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class ReconcileReport:
    chunks_written: int = 0  # chunks whose sentence vectors were (re)written
    sentences_embedded: int = 0
    sentences_reused: int = 0  # unchanged sentences of an edited chunk keep their stored vector
    records_deleted: int = 0
    records: int = 0  # sentence records in the collection afterwards


class SentenceStore:
    """A second collection of the knowledge store's Chroma (embedded or server), one per embedding model."""

    def __init__(self, store: KnowledgeStore) -> None:
        self.store = store
        # The chunk collection's name with a marker in front of the model id, so truncation to
        # Chroma's 63 characters can never make the two names equal.
        self.collection_name = f"{store.settings.chroma_collection}__s__{store.model_id}"[:63]
        self._collection = None

    @property
    def collection(self):
        if self._collection is None:
            self._collection = self.store.companion(self.collection_name, holds="sentences")
        return self._collection

    def warm_up(self) -> None:
        self.collection.count()

    def vectors(self, chunk_ids: Sequence[str], keys: dict[str, str]) -> dict[str, np.ndarray]:
        """Unit-length sentence vectors by chunk id, for the chunks whose stored set is complete and
        carries the key given for it; the others are left out (the caller embeds them)."""
        if not chunk_ids:
            return {}
        got = self.collection.get(where={"chunk_id": {"$in": list(chunk_ids)}}, include=["embeddings", "metadatas"])
        rows: dict[str, dict[int, np.ndarray]] = {}
        wanted_counts: dict[str, int] = {}
        for meta, vector in zip(got["metadatas"], got["embeddings"]):
            chunk_id = meta.get("chunk_id")
            if keys.get(chunk_id) != meta.get("key"):
                continue
            rows.setdefault(chunk_id, {})[int(meta["n"])] = np.asarray(vector, dtype=np.float32)
            wanted_counts[chunk_id] = int(meta["of"])
        out = {}
        for chunk_id, by_n in rows.items():
            if sorted(by_n) == list(range(wanted_counts[chunk_id])):
                out[chunk_id] = unit(np.stack([by_n[n] for n in range(wanted_counts[chunk_id])]))
        return out

    def _stored(self) -> dict[str, dict]:
        """What the collection holds, by chunk id: its records' ids and keys (no vectors)."""
        held: dict[str, dict] = {}
        offset = 0
        while True:
            batch = self.collection.get(include=["metadatas"], limit=READ_PAGE, offset=offset)
            for record_id, meta in zip(batch["ids"], batch["metadatas"]):
                meta = meta or {}
                entry = held.setdefault(str(meta.get("chunk_id", "")), {"ids": [], "keys": set()})
                entry["ids"].append(record_id)
                entry["keys"].add(meta.get("key"))
            if len(batch["ids"]) < READ_PAGE:
                return held
            offset += READ_PAGE

    def _reusable(self, record_ids: list[str]) -> dict[str, list[float]]:
        """Stored vectors of these records by the hash of their sentence text."""
        out: dict[str, list[float]] = {}
        for start in range(0, len(record_ids), READ_PAGE):
            got = self.collection.get(ids=record_ids[start:start + READ_PAGE], include=["embeddings", "metadatas"])
            for meta, vector in zip(got["metadatas"], got["embeddings"]):
                if meta and meta.get("hash"):
                    out[meta["hash"]] = list(vector)
        return out

    def reconcile(self, chunks: dict[str, list[str]], embedder: Embedder) -> ReconcileReport:
        """Make the collection hold exactly the sentence vectors of ``chunks`` (chunk id -> its
        sentence texts): new and changed chunks first, stale records last."""
        report = ReconcileReport()
        held = self._stored()
        keys = {chunk_id: sentences_key(texts) for chunk_id, texts in chunks.items()}
        # The key fixes the sentence count, so one key and that many records is a complete set.
        todo = [chunk_id for chunk_id, key in keys.items()
                if (entry := held.get(chunk_id)) is None or entry["keys"] != {key} or len(entry["ids"]) != len(chunks[chunk_id])]
        reusable = self._reusable([rid for chunk_id in todo for rid in held.get(chunk_id, {}).get("ids", [])])
        for start in range(0, len(todo), CHUNKS_PER_PASS):
            batch = todo[start:start + CHUNKS_PER_PASS]
            texts = list(dict.fromkeys(t for chunk_id in batch for t in chunks[chunk_id] if _text_hash(t) not in reusable))
            for text, vector in zip(texts, embedder.embed_documents(texts) if texts else []):
                reusable[_text_hash(text)] = list(vector)
            report.sentences_embedded += len(texts)
            ids, vectors, metadatas = [], [], []
            for chunk_id in batch:
                for n, text in enumerate(chunks[chunk_id]):
                    ids.append(f"{chunk_id}#s{n}")
                    vectors.append(reusable[_text_hash(text)])
                    metadatas.append({"chunk_id": chunk_id, "n": n, "of": len(chunks[chunk_id]), "key": keys[chunk_id],
                                      "hash": _text_hash(text)})
            report.sentences_reused += len(ids) - len(texts)
            if ids:
                self.collection.upsert(ids=ids, embeddings=vectors, metadatas=metadatas)
            report.chunks_written += len(batch)
        stale = [rid for chunk_id, entry in held.items() for rid in entry["ids"]
                 if chunk_id not in chunks or not _is_live(rid, chunk_id, len(chunks[chunk_id]))]
        for start in range(0, len(stale), READ_PAGE):
            self.collection.delete(ids=stale[start:start + READ_PAGE])
        report.records_deleted = len(stale)
        report.records = self.collection.count()
        return report


def _is_live(record_id: str, chunk_id: str, count: int) -> bool:
    """A record that the last write kept: ``<chunk id>#s<n>`` with n below the chunk's sentence count."""
    suffix = record_id.removeprefix(chunk_id + "#s")
    return suffix != record_id and suffix.isdigit() and int(suffix) < count
