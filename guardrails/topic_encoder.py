"""The fine-tuned sensitive-topic encoder (guardrails/topic_encoder.onnx), run with ONNX Runtime.

The graph is all-MiniLM-L6-v2 fine-tuned on Beacon's labelled messages with a linear layer
and a sigmoid per category on top (``research/topics/finetune.py`` trains and exports it): it
takes word pieces and returns one probability per topic. It ships in the repository with
int8 weights and uses the same WordPiece tokenizer as the bundled embedder, so nothing is
downloaded. It does not depend on the retrieval embedder: an OpenAI or hash embedder leaves
topic detection as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from app.core.onnx_models import LazyOnnxModel, bundled_session, wordpiece_tokenizer
from guardrails.errors import GuardrailError

ENCODER_PATH = Path(__file__).with_name("topic_encoder.onnx")
MAX_TOKENS = 128  # as trained; an incident is stated early, and 128 word pieces is ~90 words
SCALE = 10.0  # the pooled vector is unit length times this before the linear layer (part of the graph)


class TopicEncoder(LazyOnnxModel):
    """Probabilities per category, (messages, categories), from the fine-tuned graph."""

    def __init__(self, path: Path = ENCODER_PATH, threads: int = 0) -> None:
        self.path = path
        # One thread: messages are short and run one at a time. In one pair of runs two threads gave
        # `beacon check` more throughput (185 against 161 messages/s) and a slower guarded turn (21.6
        # against 18.8 ms p50); the machine's run-to-run noise is of the same size (bench/README.md).
        self.threads = threads or 1
        super().__init__()

    def _load(self) -> None:
        tokenizer = wordpiece_tokenizer(MAX_TOKENS)
        session = bundled_session(self.path, self.threads, GuardrailError, "topic encoder",
                                  f"restore it from the repository (git checkout -- {self.path.name}) "
                                  "or retrain it with python -m research.topics.finetune")
        self._tokenizer, self._session = tokenizer, session

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(messages, categories). One message per run, unpadded: the int8 graph quantises
        activations with a scale taken from the whole batch, so a batch of 8 moved a message's
        probabilities by up to 0.006 with its neighbours and their padding. Alone, a message
        scores the same in `beacon check --jsonl` as in a chat turn, at 3.4 ms instead of 2.5 ms
        per message (2 cores)."""
        self.warm_up()
        rows = []
        for text in texts:
            encoding = self._tokenizer.encode(text)
            ids = np.array([encoding.ids], dtype=np.int64)
            mask = np.array([encoding.attention_mask], dtype=np.int64)
            (probs,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
            rows.append(probs[0])
        return np.array(rows, dtype=np.float32) if rows else np.zeros((0, 0), dtype=np.float32)
