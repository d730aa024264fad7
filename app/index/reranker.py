"""The cross-encoder reranker (app/index/reranker.onnx, not shipped; off by default: BEACON_RERANKER):
reads a question and one candidate chunk together and returns a relevance logit, so "how do I pay with Lightning" can prefer the guide over
the overview page that names it in one line.

The graph is all-MiniLM-L6-v2 fine-tuned as a cross-encoder (``[CLS] question [SEP] passage [SEP]``,
mean pooling, one linear layer) on StackFAQ's training queries and pairs made from help centres'
own structure; ``python -m research.kbs.reranker_train --export`` trains it and writes the file with
int8 weights (research/kbs/README.md, "Reranker" and "Reranker, version 2", has the held-out measurements). It uses
the bundled embedder's WordPiece tokenizer, so nothing is downloaded.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from app.core.errors import EmbeddingError
from app.core.onnx_models import LazyOnnxModel, bundled_session, wordpiece_tokenizer

RERANKER_PATH = Path(__file__).with_name("reranker.onnx")
MAX_TOKENS = 96  # question and passage together, as version 2 was trained (shorter passages for the turn budget)
PASSAGE_WORDS = 60  # ~80 word pieces: the head of a passage carries its topic
SECTION_SEPARATOR = " > "  # as in the embedded text (ingest/chunking.py)


class Reranker(Protocol):
    def warm_up(self) -> None: ...

    def scores(self, query: str, passages: Sequence[str]) -> np.ndarray:
        """One relevance logit per passage; higher is more relevant."""
        ...


def passage_text(title: str, section: str, text: str, words: int = PASSAGE_WORDS) -> str:
    """What the reranker reads of a chunk: its file title, its heading path and the head of its text."""
    header = SECTION_SEPARATOR.join(part for part in (title.strip(), section.strip()) if part)
    body = " ".join(text.split()[:words])
    return f"{header}\n{body}" if header else body


def blend(fused: float, logit: float, weight: float) -> float:
    """The order score of a reranked chunk: the fused score mixed with the reranker's probability;
    weight 1 orders by the reranker alone."""
    return (1 - weight) * fused + weight / (1 + math.exp(-logit))


class CrossEncoderReranker(LazyOnnxModel):
    def __init__(self, path: Path = RERANKER_PATH, threads: int = 1) -> None:
        self.path = path
        self.threads = threads
        super().__init__()

    def _load(self) -> None:
        tokenizer = wordpiece_tokenizer(MAX_TOKENS)
        session = bundled_session(self.path, self.threads, EmbeddingError, "reranker",
                                  "it is not shipped: build it with python -m research.kbs.reranker_train --export, "
                                  "or switch the reranker off with BEACON_RERANKER=false")
        self._tokenizer, self._session = tokenizer, session

    def scores(self, query: str, passages: Sequence[str]) -> np.ndarray:
        """Each passage is scored alone: the int8 graph quantises its activations per batch, so a
        passage's logit in a batch moves with its neighbours; alone, it is the same wherever it ranks."""
        self.warm_up()
        return np.array([self._score(query, passage) for passage in passages], dtype=np.float32)

    def _score(self, query: str, passage: str) -> float:
        encoding = self._tokenizer.encode(query, passage)
        ids = np.array([encoding.ids], dtype=np.int64)
        mask = np.array([encoding.attention_mask], dtype=np.int64)
        types = np.array([encoding.type_ids], dtype=np.int64)
        (logits,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
        return float(logits.reshape(-1)[0])
