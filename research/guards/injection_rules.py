"""Which phrase rules earn their place next to the classifier (tuning parts only).

    .venv/bin/python -m research.guards.injection_rules            # one row per rule that fires

For each pattern of guardrails/injection_patterns.py: the attacks of the validation quarter (held
out from the shipped classifier's training, research/guards/injection_train.py) it catches that the
classifier misses (what it adds), and the tuning benign messages it flags (BANKING77, CLINC150,
role-play look-alikes, the written look-alikes). A message counts for a rule when the rules'
combined score passes the threshold and the rule is among those that fired. The README records
which rules were dropped or narrowed and why.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from guardrails import injection as I
from research.guards import data
from research.guards.injection_train import SETS, _jsonl, examples


def _fired(detector: I.InjectionDetector, text: str) -> tuple[set[int], bool]:
    evidence = I._Evidence()
    bounded = text if len(text) <= I.MAX_SCAN_CHARS else I._bounded(text)
    detector._scan_text(bounded, evidence, 0)
    return set(evidence.weights), detector.rules_score(text).injection


def main() -> int:
    detector = I.InjectionDetector()
    detector.warm_up()
    compiled = I._compiled()
    patterns = {pid: (reason, weight, rx.pattern[:90]) for reason, weight, rx, pid in compiled.all_text + compiled.squashed}
    benign = [("banking77", r["text"]) for r in data.banking77() if r["part"] == "tune"]
    benign += [("clinc150", r["text"]) for r in data.clinc150() if r["part"] == "tune"]
    benign += [("roleplay", r["text"]) for r in data.roleplay_prompts() if r["part"] == "tune"]
    benign += [("written", r["text"]) for r in _jsonl(SETS / "injection_written.jsonl") if not r["injection"]]
    _, held_out = examples(validation=True)
    attacks = [(r["kind"], r["text"]) for r in held_out if r["message"] == 1]
    model = detector.model
    adds, false_flags = defaultdict(Counter), defaultdict(Counter)
    totals = Counter()
    for source, text in attacks:
        caught_by_model = model.score(float(model.probabilities([text])[0][0]), "message") >= detector.threshold
        fired, flagged = _fired(detector, text)
        totals[f"attacks:{source}"] += 1
        totals[f"model_caught:{source}"] += caught_by_model
        totals[f"rules_add:{source}"] += flagged and not caught_by_model
        if flagged and not caught_by_model:
            for pid in fired:
                adds[pid][source] += 1
    for source, text in benign:
        fired, flagged = _fired(detector, text)
        totals[f"benign:{source}"] += 1
        totals[f"rules_flag:{source}"] += flagged
        if flagged:
            for pid in fired:
                false_flags[pid][source] += 1
    print(json.dumps(dict(sorted(totals.items())), indent=1))
    for pid in sorted(set(adds) | set(false_flags)):
        reason, weight, rx = patterns[pid]
        print(f"{pid:5d} {reason:20s} {weight:.2f} adds {dict(adds[pid])} false {dict(false_flags[pid])}  {rx}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
