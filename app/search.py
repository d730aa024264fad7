"""Vector search over the knowledge store, with region and audience filters."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from app.embedding import Embedder
from app.store import KnowledgeStore

# The metadata every result reports, in a stable order (part of the --json contract).
RESULT_METADATA = ("doc_type", "category", "region", "audience", "effective_date", "version", "tags",
                   "question", "line", "content_hash")


@dataclass
class SearchResult:
    chunk_id: str
    source: str
    title: str
    section: str
    text: str
    score: float
    metadata: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "chunk_id": self.chunk_id,
            "source": self.source,
            "title": self.title,
            "section": self.section,
            "text": self.text,
            "score": round(self.score, 4),
            **{key: self.metadata.get(key) for key in RESULT_METADATA},
        }


def _filters(region: str | None, audience: str | None):
    from llama_index.core.vector_stores.types import FilterCondition, FilterOperator, MetadataFilter, MetadataFilters

    conditions = []
    if region:
        # A customer in a region sees that region's documents and the global ones.
        conditions.append(MetadataFilter(key="region", value=[region, "global"], operator=FilterOperator.IN))
    if audience:
        conditions.append(MetadataFilter(key="audience", value=[audience, "all"], operator=FilterOperator.IN))
    if not conditions:
        return None
    return MetadataFilters(filters=conditions, condition=FilterCondition.AND)


class VectorSearcher:
    def __init__(self, store: KnowledgeStore, embedder: Embedder) -> None:
        from app.embedding.llama_adapter import pin_llama_index_defaults

        pin_llama_index_defaults(embedder)
        self.store = store
        self.embedder = embedder
        self.last_timings: dict[str, float] = {}

    def search(self, query: str, top_k: int = 5, region: str | None = None, audience: str | None = None) -> list[SearchResult]:
        started = time.perf_counter()
        vector = self.embedder.embed_query(query)
        embedded = time.perf_counter()
        hits = self.store.query(vector, top_k, _filters(region, audience))
        done = time.perf_counter()
        self.last_timings = {"embed_ms": (embedded - started) * 1000, "retrieve_ms": (done - embedded) * 1000}
        results = []
        for node, score in hits:
            meta = dict(node.metadata)
            results.append(
                SearchResult(
                    chunk_id=node.node_id,
                    source=meta.get("source", ""),
                    title=meta.get("title", ""),
                    section=meta.get("section", ""),
                    text=node.get_content(),
                    score=score,
                    metadata=meta,
                )
            )
        return results
