"""app/chain/confidence.py: the reranker's features exist only when retrieval computed them, a model
that reads them without them stops with the fix, and the setting picks the model file that matches."""

from __future__ import annotations

import math

import pytest

from app.chain.confidence import MODEL_FILE, RERANKER_MODEL_FILE, ConfidenceModel, features, load_confidence_model
from app.core.errors import ConfigError

SIGNALS = {"dense_top": 0.6, "dense_margin": 0.05, "dense_gap": 0.2, "sparse_top": 9.0, "sparse_margin": 1.0,
           "agreement": 1.0, "fused_margin": 0.1, "unknown_share": 0.0, "top_coverage": 0.5}


@pytest.mark.parametrize(("extra", "expected"), [
    ({}, {}),  # the reranker did not run
    ({"rerank_top": 0.0, "rerank_margin": 1.0}, {"rerank_top": 0.0, "rerank_prob": 0.5, "rerank_margin": 1.0}),
    ({"rerank_top": math.log(3)}, {"rerank_top": math.log(3), "rerank_prob": 0.75, "rerank_margin": 0.0}),
    ({"rerank_top": -1000.0}, {"rerank_top": -1000.0, "rerank_prob": 0.0, "rerank_margin": 0.0}),  # no overflow
])
def test_the_rerankers_features_come_only_from_its_signals(extra, expected):
    got = {k: v for k, v in features({**SIGNALS, **extra}).items() if k.startswith("rerank")}
    assert got == pytest.approx(expected, abs=1e-12)


def test_a_model_reading_the_rerankers_features_without_them_says_how_to_fix_it():
    model = ConfidenceModel({"dense_top": 1.0, "rerank_prob": 2.0}, 0.0, {"dense_top": 0.5, "rerank_prob": 0.5},
                            {"dense_top": 0.1, "rerank_prob": 0.2})
    with pytest.raises(ConfigError, match="BEACON_RERANKER_CONFIDENCE=true"):
        model(SIGNALS)
    assert model({**SIGNALS, "rerank_top": 0.0}) == pytest.approx(1 / (1 + math.exp(-1.0)))


def test_each_shipped_model_reads_only_what_its_setting_computes():
    plain, with_reranker = load_confidence_model(MODEL_FILE), load_confidence_model(RERANKER_MODEL_FILE)
    assert not any(k.startswith("rerank") for k in plain.weights)
    assert any(k.startswith("rerank") for k in with_reranker.weights)
    assert 0.0 <= plain(SIGNALS) <= 1.0
    assert 0.0 <= with_reranker({**SIGNALS, "rerank_top": 2.0, "rerank_margin": 1.0}) <= 1.0
