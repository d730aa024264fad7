"""The regression gate: tolerances, directions, a missing baseline, and the deliberate update."""

from __future__ import annotations

import json

import pytest

from evals.gate import BASELINE, TOLERANCES, compare, gate, load_tolerances, write_baseline

RULES = {"hit@5": {"direction": "higher", "tolerance": 0.02, "kind": "absolute"},
         "escalation_cost": {"direction": "lower", "tolerance": 0.03, "kind": "absolute"},
         "latency_total_p95_ms": {"direction": "lower", "tolerance": 0.5, "kind": "relative"}}
BASE = {"hit@5": 0.90, "escalation_cost": 0.20, "latency_total_p95_ms": 100.0}


@pytest.mark.parametrize("current, failing", [
    ({"hit@5": 0.90, "escalation_cost": 0.20, "latency_total_p95_ms": 100.0}, []),
    ({"hit@5": 0.885, "escalation_cost": 0.229, "latency_total_p95_ms": 149.0}, []),   # within tolerance
    ({"hit@5": 0.95, "escalation_cost": 0.10, "latency_total_p95_ms": 50.0}, []),      # better is fine
    ({"hit@5": 0.87, "escalation_cost": 0.20, "latency_total_p95_ms": 100.0}, ["hit@5"]),
    ({"hit@5": 0.90, "escalation_cost": 0.24, "latency_total_p95_ms": 100.0}, ["escalation_cost"]),
    ({"hit@5": 0.90, "escalation_cost": 0.20, "latency_total_p95_ms": 151.0}, ["latency_total_p95_ms"]),
    ({"escalation_cost": 0.20, "latency_total_p95_ms": 100.0}, ["hit@5"]),            # vanished metric fails
])
def test_compare(current, failing):
    checks = compare(current, BASE, RULES)
    assert [c.metric for c in checks if not c.passed] == failing


def test_metric_missing_from_baseline_is_not_gated():
    assert [c.metric for c in compare({"hit@5": 0.1}, {"escalation_cost": 0.2}, RULES)] == ["escalation_cost"]


def test_gate_without_baseline_fails_and_says_how_to_create_one(tmp_path):
    result = gate({"hit@5": 1.0}, "core", tmp_path / "baseline.json")
    assert not result["passed"] and "--update-baseline" in result["message"]


def test_write_baseline_then_gate(tmp_path):
    path = tmp_path / "baseline.json"
    write_baseline({**BASE, "note": "text is dropped"}, "smoke", 16, path)
    write_baseline({"hit@5": 0.5}, "core", 500, path)  # another suite's figures are kept apart
    data = json.loads(path.read_text())
    assert data["suites"]["smoke"]["metrics"] == BASE and data["suites"]["smoke"]["cases"] == 16
    assert gate(BASE, "smoke", path)["passed"]
    worse = gate({**BASE, "hit@5": 0.5}, "smoke", path)
    assert not worse["passed"] and "hit@5 0.5 vs baseline 0.9" in worse["message"]


def test_shipped_tolerances_and_baseline_are_valid():
    rules = load_tolerances(TOLERANCES)
    assert {"hit@5", "decision_accuracy", "escalation_cost", "pii_leak_rate", "non_llm_context_recall"} <= set(rules)
    baseline = json.loads(BASELINE.read_text())["suites"]["core"]
    assert baseline["cases"] >= 200 and set(rules) <= set(baseline["metrics"])


@pytest.mark.parametrize("rule", [{"direction": "up", "tolerance": 0.1}, {"direction": "higher", "tolerance": -1},
                                  {"direction": "higher", "tolerance": 0.1, "kind": "percent"}])
def test_bad_tolerances_are_refused(tmp_path, rule):
    from evals.cases import EvalError

    path = tmp_path / "tol.json"
    path.write_text(json.dumps({"metrics": {"hit@5": rule}}))
    with pytest.raises(EvalError, match="hit@5"):
        load_tolerances(path)
