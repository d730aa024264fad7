"""One number in [0, 1] per answer: how likely it is that the knowledge base answers the
question and retrieval found that answer. A logistic model over retrieval signals, fitted
across knowledge bases by ``python -m research.kbs.decision --write`` and stored next to this file."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import ConfigError

MODEL_FILE = Path(__file__).with_name("confidence_model.json")


def features(signals: dict[str, float]) -> dict[str, float]:
    """The model's possible inputs (a model file names the ones it uses). BM25 scores grow
    with query length, so they enter as logs."""
    return {
        "dense_top": signals["dense_top"],
        "dense_margin": signals["dense_margin"],
        "dense_gap": signals.get("dense_gap", 0.0),
        "sparse_top": math.log1p(max(signals["sparse_top"], 0.0)),
        "sparse_margin": math.log1p(max(signals["sparse_margin"], 0.0)),
        "agreement": signals["agreement"],
        "fused_margin": signals["fused_margin"],
        "unknown_share": signals.get("unknown_share", 0.0),
        "top_coverage": signals.get("top_coverage", 0.0),
    }


@dataclass(frozen=True)
class ConfidenceModel:
    weights: dict[str, float]
    bias: float
    means: dict[str, float]
    scales: dict[str, float]

    def __call__(self, signals: dict[str, float]) -> float:
        x = features(signals)
        z = self.bias + sum(w * (x[k] - self.means[k]) / self.scales[k] for k, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def to_json(self) -> dict:
        return {"weights": self.weights, "bias": self.bias, "means": self.means, "scales": self.scales}


def load_confidence_model(path: Path = MODEL_FILE) -> ConfidenceModel:
    try:
        data = json.loads(path.read_text())
        return ConfidenceModel(data["weights"], data["bias"], data["means"], data["scales"])
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(
            f"cannot read the confidence model {path} ({exc}): restore it from the repository (git checkout {path.name}) "
            "or refit it from the repository root with `python -m research.kbs.decision --write` (research/README.md)"
        ) from None
