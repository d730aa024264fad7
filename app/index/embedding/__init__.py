"""Text embedders behind one protocol, chosen by ``Settings.embedding_backend``."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from app.core.settings import Settings


@runtime_checkable
class Embedder(Protocol):
    """Turns text into unit-length vectors. ``model_id`` names the vector space: vectors
    from two embedders with different ids must never share a collection."""

    model_id: str

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


def build_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for. Construction is cheap; models load on first use."""
    if settings.embedding_backend == "minilm-onnx":
        from app.index.embedding.onnx_minilm import OnnxMiniLMEmbedder

        return OnnxMiniLMEmbedder(batch_size=settings.embedding_batch_size, threads=settings.embedding_threads)
    if settings.embedding_backend == "openai":
        from app.index.embedding.openai_embedder import OpenAIEmbedder

        return OpenAIEmbedder.from_settings(settings)
    from app.index.embedding.hash_embedder import HashEmbedder

    return HashEmbedder()
