"""The Chroma collection that holds Beacon's knowledge chunks, embedded or on a server.

Records are stored in llama-index's node layout, so ``vector_store`` (a
``ChromaVectorStore``) and llama-index retrievers read them as they are. Beacon's own hot
paths use the raw collection: writes need upsert (see ``upsert``), and the retriever asks
only for ids and distances (see ``nearest``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlparse

from app.core.errors import StoreUnavailableError
from app.core.private_files import private_dir
from app.core.settings import Settings

# Chroma sends anonymous telemetry by default; Beacon runs on closed networks.
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


QUESTION_SUFFIX = "#q"  # a FAQ chunk's second record: the vector of its question alone


def chunk_of(record_id: str) -> str:
    """The chunk a stored record belongs to (a question vector points at its FAQ chunk)."""
    return record_id.removesuffix(QUESTION_SUFFIX)


@dataclass(frozen=True)
class StoredChunk:
    chunk_id: str
    source: str
    doc_hash: str
    doc_chunk_count: int
    embed_hash: str
    region: str = "global"
    url: str = ""  # the address the file (or its FAQ row) gives; "" when it gives none

    @property
    def is_question_vector(self) -> bool:
        return self.chunk_id.endswith("#q")


def _client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url is None:
        path = settings.data_dir / "chroma"
        try:
            private_dir(settings.data_dir)
            private_dir(path)
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        except Exception as exc:  # chromadb raises several unrelated types here
            raise StoreUnavailableError(
                f"cannot open the embedded Chroma store in {path} ({exc}): check that the folder is writable, or set "
                "BEACON_DATA_DIR to another folder"
            ) from None
    url = urlparse(settings.chroma_url)
    try:
        client = chromadb.HttpClient(
            host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https", settings=chroma_settings,
        )
        client.heartbeat()
        return client
    except Exception as exc:
        raise StoreUnavailableError(
            f"cannot reach the Chroma server at {settings.chroma_url} ({type(exc).__name__}): start it (chroma run "
            "--path DIR --port PORT) or unset BEACON_CHROMA_URL to use the embedded store"
        ) from None


class KnowledgeStore:
    """One collection per embedding model, so vectors of different spaces never mix."""

    def __init__(self, settings: Settings, model_id: str) -> None:
        self.settings = settings
        self.model_id = model_id
        self.collection_name = f"{settings.chroma_collection}__{model_id}"[:63]
        self._collection = None
        self._vector_store = None
        self._client = None

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.data_dir / "chroma")

    def open(self) -> "KnowledgeStore":
        if self._collection is None:
            self._collection = self.companion(self.collection_name)
        return self

    def companion(self, name: str, **metadata):
        """A collection of this store's Chroma (embedded or server), for this model's vectors:
        the chunks' own, or another kind of record kept beside them."""
        if self._client is None:
            self._client = _client(self.settings)
        try:
            return self._client.get_or_create_collection(
                name,
                metadata={"hnsw:space": "cosine", "embedding_model": self.model_id, **metadata},
                embedding_function=None,  # Beacon embeds; Chroma's default would download a model
            )
        except Exception as exc:
            raise StoreUnavailableError(f"cannot open collection {name} at {self.location} ({exc}): check the store") from None

    @property
    def collection(self):
        return self.open()._collection

    @property
    def vector_store(self):
        # Built on first query: importing llama-index costs ~2 s, which an ingest run
        # that finds nothing changed should not pay.
        if self._vector_store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            self._vector_store = ChromaVectorStore(chroma_collection=self.collection)
        return self._vector_store

    def count(self) -> int:
        """Stored records: chunks plus the extra question vectors of FAQ chunks."""
        return self.collection.count()

    def chunk_count(self) -> int:
        return len(self.collection.get(where={"vector_of": "chunk"}, include=[])["ids"])

    def inventory(self) -> dict[str, list[StoredChunk]]:
        """Every stored chunk, grouped by source file: the index's own record of what it holds."""
        by_source: dict[str, list[StoredChunk]] = {}
        page = 5000
        offset = 0
        while True:
            batch = self.collection.get(include=["metadatas"], limit=page, offset=offset)
            for chunk_id, meta in zip(batch["ids"], batch["metadatas"]):
                meta = meta or {}
                stored = StoredChunk(
                    chunk_id=chunk_id,
                    source=str(meta.get("source", "")),
                    doc_hash=str(meta.get("doc_hash", "")),
                    doc_chunk_count=int(meta.get("doc_chunk_count", -1)),
                    embed_hash=str(meta.get("embed_hash", "")),
                    region=str(meta.get("region") or "global"),
                    url=str(meta.get("url") or ""),
                )
                by_source.setdefault(stored.source, []).append(stored)
            if len(batch["ids"]) < page:
                return by_source
            offset += page

    def all_chunks(self) -> tuple[list[str], list[str], list[dict]]:
        """(ids, texts, metadatas) of every stored chunk, for in-memory indexes."""
        ids, documents, metadatas, _ = self._read_all(vectors=False)
        return ids, documents, metadatas

    def all_records(self):
        """(ids, texts, metadatas, vectors) of every stored record, question records included;
        ``vectors`` is one float32 row per record. For the search files an ingest publishes."""
        return self._read_all(vectors=True)

    def _read_all(self, vectors: bool):
        import numpy as np

        ids: list[str] = []
        documents: list[str] = []
        metadatas: list[dict] = []
        pages: list = []
        page, offset = 5000, 0
        include = ["documents", "metadatas"] + (["embeddings"] if vectors else [])
        while True:
            batch = self.collection.get(include=include, limit=page, offset=offset)
            ids += batch["ids"]
            documents += batch["documents"]
            metadatas += [m or {} for m in batch["metadatas"]]
            if vectors and len(batch["ids"]):
                pages.append(np.asarray(batch["embeddings"], dtype=np.float32))
            if len(batch["ids"]) < page:
                matrix = (np.concatenate(pages) if pages else np.zeros((0, 0), dtype=np.float32)) if vectors else None
                return ids, documents, metadatas, matrix
            offset += page

    def fingerprint(self) -> tuple:
        """Changes when an ingest changes the store: the chunk count and the last ingest
        report's time (embedded store), which every sync rewrites."""
        report = self.settings.data_dir / "last_ingest.json"
        return (self.count(), report.stat().st_mtime_ns if report.exists() else 0)

    def embeddings_by_hash(self, chunk_ids: list[str]) -> dict[str, list[float]]:
        """Stored vectors keyed by the hash of the text they embed, for reuse on re-ingest."""
        if not chunk_ids:
            return {}
        got = self.collection.get(ids=chunk_ids, include=["metadatas", "embeddings"])
        return {
            str(meta.get("embed_hash")): list(vector)
            for meta, vector in zip(got["metadatas"], got["embeddings"])
            if meta and meta.get("embed_hash")
        }

    def upsert(self, nodes) -> None:
        """Write nodes in the layout ChromaVectorStore reads back. Its own ``add`` calls
        Chroma's add, which silently ignores ids that exist, so an edited chunk would keep
        its old text; re-ingest needs upsert."""
        from llama_index.core.schema import MetadataMode
        from llama_index.core.vector_stores.utils import node_to_metadata_dict

        for start in range(0, len(nodes), 1000):
            batch = nodes[start : start + 1000]
            self.collection.upsert(
                ids=[n.node_id for n in batch],
                embeddings=[n.get_embedding() for n in batch],
                metadatas=[node_to_metadata_dict(n, remove_text=True, flat_metadata=True) for n in batch],
                documents=[n.get_content(metadata_mode=MetadataMode.NONE) for n in batch],
            )

    def delete(self, chunk_ids: list[str]) -> None:
        if not chunk_ids:
            return
        for start in range(0, len(chunk_ids), 5000):
            self.collection.delete(ids=chunk_ids[start : start + 5000])

    def nearest(self, embedding: list[float], top_k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(record id, cosine similarity) pairs, best first: ids only, so Chroma reads no
        documents or metadata from disk (the retriever holds them in memory). ``top_k`` must
        not exceed the number of records."""
        if top_k <= 0:
            return []
        got = self.collection.query(query_embeddings=[embedding], n_results=top_k, where=where, include=["distances"])
        return [(i, 1.0 - d) for i, d in zip(got["ids"][0], got["distances"][0])]
