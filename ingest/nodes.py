"""Chunks as llama-index nodes with flat, Chroma-safe metadata."""

from __future__ import annotations

import hashlib

from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from ingest.chunking import Chunk

# Kept out of the text llama-index would embed or show an LLM: ids, hashes, bookkeeping.
_BOOKKEEPING = ["source", "line", "content_hash", "embed_hash", "doc_hash", "doc_chunk_count", "ingested_at", "links",
                "chunk_index"]


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def chunk_metadata(chunk: Chunk, doc_hash: str, doc_chunk_count: int, ingested_at: str) -> dict:
    """Every field a search result reports. Chroma metadata must be scalars: lists are joined."""
    meta = chunk.meta
    return {
        "source": chunk.source,
        "title": meta.title or "",
        "section": chunk.section,
        "question": chunk.question or "",
        "doc_type": meta.doc_type or "",
        "category": meta.category or "",
        "region": meta.region or "global",
        "audience": meta.audience or "customer",
        "effective_date": meta.effective_date or "",
        "version": meta.version or "",
        "tags": ", ".join(meta.tags or ()),
        "line": chunk.line,
        "content_hash": _hash(chunk.text),
        "embed_hash": _hash(chunk.embed_text),
        "doc_hash": doc_hash,
        "doc_chunk_count": doc_chunk_count,
        "ingested_at": ingested_at,
    }


def to_node(chunk: Chunk, metadata: dict, embedding: list[float]) -> TextNode:
    return TextNode(
        id_=chunk.chunk_id,
        text=chunk.text,
        metadata=metadata,
        embedding=embedding,
        excluded_embed_metadata_keys=_BOOKKEEPING,
        excluded_llm_metadata_keys=_BOOKKEEPING,
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=chunk.source)},
    )
