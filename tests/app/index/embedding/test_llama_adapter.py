"""llama-index sees Beacon's embedder and never falls back to OpenAI."""

from __future__ import annotations

from llama_index.core import Settings as LlamaSettings
from llama_index.core.llms import MockLLM

from app.index.embedding.hash_embedder import HashEmbedder
from app.index.embedding.llama_adapter import LlamaIndexEmbedding, pin_llama_index_defaults


def test_adapter_returns_the_wrapped_embedders_vectors():
    embedder = HashEmbedder(32)
    adapter = LlamaIndexEmbedding(embedder)
    assert adapter.get_query_embedding("freeze card") == embedder.embed_query("freeze card")
    assert adapter.get_text_embedding_batch(["a b", "c d"]) == embedder.embed_documents(["a b", "c d"])


def test_pinned_defaults_are_beacons_not_openai(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    pin_llama_index_defaults(HashEmbedder(32))
    assert isinstance(LlamaSettings.embed_model, LlamaIndexEmbedding)
    assert isinstance(LlamaSettings.llm, MockLLM)
