"""Embeddings from any OpenAI-compatible ``/embeddings`` endpoint (OpenAI, Azure, vLLM, Ollama)."""

from __future__ import annotations

import re

from app.core.errors import ConfigError, EmbeddingError
from app.core.settings import Settings


class OpenAIEmbedder:
    def __init__(self, client, model: str, batch_size: int = 64) -> None:
        self._client = client
        self.model = model
        self.batch_size = batch_size
        # The id names the vector space, so endpoint-specific models get distinct collections.
        self.model_id = "openai-" + re.sub(r"[^a-z0-9]+", "-", model.lower()).strip("-")

    @classmethod
    def from_settings(cls, settings: Settings) -> "OpenAIEmbedder":
        import openai

        if settings.openai_api_key is None and settings.openai_base_url is None:
            raise ConfigError(
                "BEACON_EMBEDDING_BACKEND=openai needs BEACON_OPENAI_API_KEY (or BEACON_OPENAI_BASE_URL for a local "
                "endpoint): set it, or use the bundled model with BEACON_EMBEDDING_BACKEND=minilm-onnx"
            )
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        client = openai.OpenAI(
            api_key=key,
            base_url=settings.openai_base_url,
            timeout=settings.openai_timeout_s,
            max_retries=settings.openai_max_retries,
        )
        return cls(client, settings.openai_embedding_model, batch_size=max(settings.embedding_batch_size, 64))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        from app.core.errors import endpoint_errors

        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            try:
                response = self._client.embeddings.create(model=self.model, input=batch)
            except endpoint_errors() as exc:
                raise EmbeddingError(
                    f"the embedding endpoint failed ({type(exc).__name__}: {exc}): check BEACON_OPENAI_BASE_URL, "
                    "BEACON_OPENAI_API_KEY and BEACON_OPENAI_EMBEDDING_MODEL"
                ) from None
            ordered = sorted(response.data, key=lambda item: item.index)
            if len(ordered) != len(batch):
                raise EmbeddingError(
                    f"the embedding endpoint returned {len(ordered)} vectors for {len(batch)} texts: "
                    "check that BEACON_OPENAI_EMBEDDING_MODEL is an embedding model"
                )
            vectors.extend(item.embedding for item in ordered)
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
