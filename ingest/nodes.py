"""Chunks as llama-index nodes with flat, Chroma-safe metadata."""

from __future__ import annotations

import hashlib

from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from app.index.link_targets import stored_anchors, stored_labels
from app.index.store import QUESTION_SUFFIX
from ingest.chunking import Chunk

# Kept out of the text llama-index would embed or show an LLM: ids, hashes, bookkeeping.
_BOOKKEEPING = ["source", "line", "content_hash", "embed_hash", "doc_hash", "doc_chunk_count", "ingested_at", "links",
                "chunk_index", "vector_of", "anchors", "labels"]


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
        "url": meta.url or "",  # the file's own address, if it gives one; the pattern's is applied when read
        "line": chunk.line,
        "content_hash": _hash(chunk.text),
        "embed_hash": _hash(chunk.embed_text),
        "doc_hash": doc_hash,
        "doc_chunk_count": doc_chunk_count,  # records the file has in the store, for the sync's check
        "vector_of": "chunk",
        "ingested_at": ingested_at,
        # the links in the chunk's text, [[text, target], …]: where "read this guide" leads
        "anchors": stored_anchors(chunk.anchors),
        # the Sphinx labels naming the chunk's section: where a :ref: to them leads
        "labels": stored_labels(chunk.labels),
    }


def records(chunks: list[Chunk], doc_hash: str, ingested_at: str) -> list[tuple[str, str, Chunk, dict]]:
    """(record id, text to embed, chunk, metadata) for everything one file stores.

    An FAQ chunk is stored twice: once embedded with its question and answer, and once
    with its question alone, so a customer who words the question like the FAQ finds it
    even when the answer's words pull its vector elsewhere. Both carry the answer text."""
    out = []
    for chunk in chunks:
        out.append((chunk.chunk_id, chunk.embed_text, chunk, {}))
        if chunk.question:
            out.append((chunk.chunk_id + QUESTION_SUFFIX, chunk.question, chunk, {"vector_of": "question"}))
    return [
        (rid, text, chunk, {**chunk_metadata(chunk, doc_hash, len(out), ingested_at), "embed_hash": _hash(text), **extra})
        for rid, text, chunk, extra in out
    ]


def to_node(record_id: str, chunk: Chunk, metadata: dict, embedding: list[float]) -> TextNode:
    return TextNode(
        id_=record_id,
        text=chunk.text,
        metadata=metadata,
        embedding=embedding,
        excluded_embed_metadata_keys=_BOOKKEEPING,
        excluded_llm_metadata_keys=_BOOKKEEPING,
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=chunk.source)},
    )
