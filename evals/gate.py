"""The regression gate: this run's figures against the accepted baseline.

``evals/baseline.json`` holds the accepted figures per suite and changes only through
``write_baseline`` (``beacon eval --update-baseline``), never as a side effect of a run: a
gate that quietly moved its own bar would pass every slow decline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from evals.cases import EvalError

BASELINE = Path(__file__).parent / "baseline.json"
TOLERANCES = Path(__file__).parent / "tolerances.json"


@dataclass(frozen=True)
class Check:
    metric: str
    baseline: float | None
    current: float | None
    allowed: float  # the worst value that still passes
    direction: str
    passed: bool

    def to_json(self) -> dict:
        return {"metric": self.metric, "baseline": self.baseline, "current": self.current,
                "allowed": round(self.allowed, 4), "direction": self.direction, "passed": self.passed}


def load_tolerances(path: Path = TOLERANCES) -> dict[str, dict]:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise EvalError(f"{path}: cannot read the tolerances ({exc}) — fix the JSON") from exc
    metrics = data.get("metrics", {})
    for name, rule in metrics.items():
        if rule.get("direction") not in ("higher", "lower") or rule.get("kind", "absolute") not in ("absolute", "relative") \
                or not isinstance(rule.get("tolerance"), (int, float)) or rule["tolerance"] < 0:
            raise EvalError(f"{path}: metric {name!r} needs direction higher|lower, kind absolute|relative and a "
                            "tolerance >= 0")
    return metrics


def load_baseline(suite: str, path: Path = BASELINE) -> dict | None:
    if not Path(path).exists():
        return None
    return json.loads(Path(path).read_text()).get("suites", {}).get(suite)


def compare(current: dict[str, float | None], baseline: dict[str, float | None],
            tolerances: dict[str, dict]) -> list[Check]:
    checks = []
    for metric, rule in tolerances.items():
        if metric not in baseline or baseline[metric] is None:
            continue  # not measured when the baseline was accepted: nothing to hold it to
        base, now = baseline[metric], current.get(metric)
        slack = rule["tolerance"] * abs(base) if rule.get("kind") == "relative" else rule["tolerance"]
        higher = rule["direction"] == "higher"
        allowed = base - slack if higher else base + slack
        # A metric that vanished (the run could not compute it) fails: silence is not a pass.
        passed = now is not None and (now >= allowed - 1e-9 if higher else now <= allowed + 1e-9)
        checks.append(Check(metric, base, now, allowed, rule["direction"], passed))
    return checks


def gate(current: dict, suite: str, baseline_path: Path = BASELINE, tolerances_path: Path = TOLERANCES) -> dict:
    """{"passed": bool, "checks": [...], "message": str}."""
    baseline = load_baseline(suite, baseline_path)
    if baseline is None:
        return {"passed": False, "checks": [], "message": f"no accepted baseline for suite {suite!r} in "
                f"{baseline_path}: run `beacon eval --suite {suite} --update-baseline` once and commit it"}
    checks = compare(current, baseline["metrics"], load_tolerances(tolerances_path))
    failed = [c for c in checks if not c.passed]
    message = "all gated metrics within tolerance" if not failed else "; ".join(
        f"{c.metric} {c.current} vs baseline {c.baseline} (worst allowed {c.allowed:.4g})" for c in failed)
    return {"passed": not failed, "checks": [c.to_json() for c in checks], "message": message,
            "baseline_accepted_at": baseline.get("accepted_at")}


def write_baseline(current: dict, suite: str, cases: int, path: Path = BASELINE) -> None:
    """The deliberate update: replaces this suite's figures, keeps the other suites'."""
    data = json.loads(Path(path).read_text()) if Path(path).exists() else {"suites": {}}
    data.setdefault("suites", {})[suite] = {
        "accepted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "cases": cases,
        "metrics": {k: v for k, v in sorted(current.items()) if isinstance(v, (int, float)) or v is None},
    }
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
