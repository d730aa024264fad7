"""Beacon's embedders as llama-index embeddings, and llama-index's globals pinned to them.

llama-index resolves ``Settings.embed_model`` and ``Settings.llm`` to OpenAI when nobody
set them, and then fails offline with "No API key found". Beacon always passes its
models explicitly; pinning the globals as well turns any forgotten spot into a use of
Beacon's own model instead of a network call.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from app.index.embedding import Embedder


class LlamaIndexEmbedding(BaseEmbedding):
    _embedder: Any = PrivateAttr()

    def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
        super().__init__(model_name=embedder.model_id, **kwargs)
        self._embedder = embedder

    @classmethod
    def class_name(cls) -> str:
        return "BeaconEmbedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.embed_query(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embedder.embed_documents([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed_documents(texts)


def pin_llama_index_defaults(embedder: Embedder) -> None:
    """Point llama-index's global models at Beacon's: never OpenAI by default."""
    from llama_index.core import Settings
    from llama_index.core.llms import MockLLM

    Settings.embed_model = LlamaIndexEmbedding(embedder)
    # No LLM is configured in this layer; a nominal one that never calls out.
    Settings.llm = MockLLM()
