"""The prompt-injection classifier (guardrails/injection_encoder.onnx), run with ONNX Runtime.

all-MiniLM-L6-v2 fine-tuned with two sigmoid heads on real attacks and real benign text
(``research/guards/injection_train.py`` trains and exports it; ``injection_model.json`` holds the
cuts and how they were chosen):

- ``message``: is this customer message an attack on the assistant (jailbreak, instruction override,
  system-prompt or secret extraction, another customer's data, a claimed authority)?
- ``document``: is this passage of a knowledge file an instruction aimed at an AI model rather than
  guidance for a human reader?

Version 9 adds a third score, ``document_v9``: a logistic head on the same encoder's pooled
vector (the graph's second output, ``pooled``), fitted with the encoder frozen on the document
head's training rows plus one-line guidance from documents nobody here trained on
(``research/guards/document_head.py``). The message head and its figures do not change.

Text longer than one window (128 word pieces) is read in overlapping windows and a text scores its
highest window, so an attack in the middle of a long paste is not cut off. Like the topic encoder
it has int8 weights, uses the bundled WordPiece tokenizer, runs one thread and loads lazily.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Sequence

import numpy as np

from app.core.onnx_models import LazyOnnxModel, cpu_session, wordpiece_tokenizer
from guardrails.errors import GuardrailError

MODEL_PATH = Path(__file__).with_name("injection_model.json")
HEADS = ("message", "document")
MAX_TOKENS = 128  # per window, as trained
STRIDE = 32  # word pieces shared by neighbouring windows
MAX_WINDOWS = 24  # a 100k-character paste: the first 12 and the last 12 windows
POOLED_SIZE = 384
SCALE = 10.0  # the pooled vector is unit length times this before the heads (part of the graph)


# What the classifier reads: identifiers (transaction hashes, addresses, base64 references, keys)
# become the word "ID" and the redactor's placeholders their plain type ("<PERSON_1>" → "person").
# Long random tokens made the first version flag "tx 0x5c50… is stuck"; a payload hidden in an
# encoding is the rules' job (they decode it), so the classifier loses nothing by not seeing it.
_IDENTIFIER = re.compile(r"\b(?:0x)?[0-9a-fA-F]{16,}\b|(?=[A-Za-z0-9+/_-]*\d)(?=[A-Za-z0-9+/_-]*[A-Za-z])[A-Za-z0-9+/_-]{20,}={0,2}")
_PLACEHOLDER = re.compile(r"<([A-Z][A-Z_]*?)(?:_\d+)?>")


def classifier_text(text: str) -> str:
    text = _PLACEHOLDER.sub(lambda m: m.group(1).replace("_", " ").lower(), text)
    return _IDENTIFIER.sub("ID", text)


class InjectionModel(LazyOnnxModel):
    """Per-head probabilities and cuts; ``score(p, head)`` puts a probability on the 0..1 scale on
    which the head's cut is 0.5, the injection detector's default threshold."""

    def __init__(self, path: Path = MODEL_PATH, threads: int = 1) -> None:
        self.path = path
        self.threads = threads
        self.cuts: dict[str, float] = {}
        self._document_head: tuple[np.ndarray, float] | None = None
        super().__init__()

    def _load(self) -> None:
        fix = "restore guardrails/injection_model.json and injection_encoder.onnx from the repository, or retrain both with python -m research.guards.injection_train, then python -m research.guards.document_head --export"
        try:
            data = json.loads(self.path.read_text())
            encoder = self.path.with_name(data["encoder"])
            if hashlib.sha256(encoder.read_bytes()).hexdigest() != data["encoder_sha256"]:
                raise ValueError(f"{encoder.name} is not the encoder this file was written with")
            if list(data["heads"]) != list(HEADS):
                raise ValueError(f"heads {data['heads']}, expected {list(HEADS)}")
            cuts = {h: float(data["cuts"][h]) for h in HEADS}
            head = data["document_head"]
            weights, bias = np.array(head["weights"], dtype=np.float32), float(head["bias"])
            if weights.shape != (POOLED_SIZE,):
                raise ValueError(f"document_head has {weights.size} weights, expected {POOLED_SIZE}")
            session = cpu_session(encoder, self.threads, spinning=False)
            if [o.name for o in session.get_outputs()] != ["probabilities", "pooled"]:
                raise ValueError(f"{encoder.name} has no 'pooled' output (version 9 exports it)")
        except Exception as exc:  # a missing/damaged file; onnxruntime raises its own untyped errors
            raise GuardrailError(f"{self.path}: cannot load the injection classifier ({exc}) — {fix}") from None
        tokenizer = wordpiece_tokenizer(MAX_TOKENS)
        tokenizer.enable_truncation(max_length=MAX_TOKENS, stride=STRIDE)
        tokenizer.no_padding()
        self.cuts, self._tokenizer, self._session = cuts, tokenizer, session
        self._document_head = (weights, bias)

    def windows(self, text: str) -> list[tuple[list[int], list[int]]]:
        encoding = self._tokenizer.encode(text)
        parts = [encoding, *encoding.overflowing]
        if len(parts) > MAX_WINDOWS:
            parts = parts[: MAX_WINDOWS // 2] + parts[-MAX_WINDOWS // 2:]
        return [(p.ids, p.attention_mask) for p in parts]

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(texts, heads): each text's highest window, one window per run (unpadded, so a text
        scores the same alone or in a batch: the int8 graph's activation scale is per run)."""
        return self.scores(texts)[:, : len(HEADS)]

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """(texts, heads + 1): ``probabilities`` and, last, the version-9 document score, each the
        highest over the text's windows."""
        self.warm_up()
        weights, bias = self._document_head
        out = np.zeros((len(texts), len(HEADS) + 1), dtype=np.float32)
        for i, text in enumerate(texts):
            for ids, mask in self.windows(classifier_text(text)):
                ids_a = np.array([ids], dtype=np.int64)
                probs, pooled = self._session.run(None, {"input_ids": ids_a, "attention_mask": np.array([mask], dtype=np.int64),
                                                         "token_type_ids": np.zeros_like(ids_a)})
                document = 1.0 / (1.0 + np.exp(-(float(pooled[0] @ weights) + bias)))
                out[i] = np.maximum(out[i], [*probs[0], document])
        return out

    def score(self, p: float, head: str) -> float:
        cut = self.cuts[head]
        return 0.5 * p / cut if p < cut else 0.5 + 0.5 * (p - cut) / max(1.0 - cut, 1e-9)
