"""PII redaction evaluation on research/pii/data/pii.jsonl.

Span recall per type: a gold span is caught when predicted spans (any PII type) cover
>= 90% of its characters: what matters is that the raw value is gone. Type-exact recall
also requires a predicted span of the same type overlapping it. Precision: predicted
spans overlapping some gold span. "Non-PII words intact": gold non-PII word tokens
not touched by any predicted span. Reported for the dev part, the held-out part and all.

    .venv/bin/python -m research.pii.evaluate [--json] [--threshold 0.4] [--errors]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import defaultdict

from app.core.jsonl import read_jsonl
from guardrails.pii import Redactor
from research.paths import PII_DATA

DATASET = PII_DATA / "pii.jsonl"
WORD = re.compile(r"\w+")


def load() -> list[dict]:
    return read_jsonl(DATASET)


def score(rows: list[dict], predictions: list[list[tuple[int, int, str]]]) -> dict:
    caught, exact, total = defaultdict(int), defaultdict(int), defaultdict(int)
    tp_pred = n_pred = words_total = words_intact = 0
    errors = []
    for row, preds in zip(rows, predictions):
        covered = set()
        for s, e, _ in preds:
            covered.update(range(s, e))
        for gold in row["spans"]:
            g = range(gold["start"], gold["end"])
            total[gold["type"]] += 1
            ok = len(covered.intersection(g)) >= 0.9 * len(g)
            caught[gold["type"]] += ok
            exact[gold["type"]] += ok and any(t == gold["type"] and s < gold["end"] and e > gold["start"] for s, e, t in preds)
            if not ok:
                errors.append(("missed", row["id"], gold["type"], row["text"][gold["start"]:gold["end"]]))
        gold_chars = set()
        for gold in row["spans"]:
            gold_chars.update(range(gold["start"], gold["end"]))
        for s, e, t in preds:
            n_pred += 1
            hit = any(s < g["end"] and e > g["start"] for g in row["spans"])
            tp_pred += hit
            if not hit:
                errors.append(("false+", row["id"], t, row["text"][s:e]))
        for m in WORD.finditer(row["text"]):
            if gold_chars.intersection(range(m.start(), m.end())):
                continue
            words_total += 1
            words_intact += not covered.intersection(range(m.start(), m.end()))
    n = sum(total.values())
    return {
        "per_type": {t: {"gold": total[t], "recall": caught[t] / total[t], "type_exact_recall": exact[t] / total[t]}
                     for t in sorted(total)},
        "recall": sum(caught.values()) / n if n else 1.0,
        "type_exact_recall": sum(exact.values()) / n if n else 1.0,
        "precision": tp_pred / n_pred if n_pred else 1.0,
        "non_pii_words_intact": words_intact / words_total if words_total else 1.0,
        "messages": len(rows), "gold_spans": n, "predicted_spans": n_pred,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--threshold", type=float, default=None, help="Redactor score_threshold (default: its own)")
    parser.add_argument("--errors", action="store_true", help="list misses and false positives")
    args = parser.parse_args()

    redactor = Redactor() if args.threshold is None else Redactor(score_threshold=args.threshold)
    redactor.warm_up()
    rows = load()
    redactor.redact_batch([r["text"] for r in rows[:20]])  # warm caches before timing
    started = time.perf_counter()
    redactions = redactor.redact_batch([r["text"] for r in rows])
    ms_per_message = (time.perf_counter() - started) * 1000 / len(rows)
    predictions = [[(e.start, e.end, e.type) for e in red.entities] for red in redactions]

    report = {"threshold": redactor.score_threshold, "ms_per_message_batch": round(ms_per_message, 2)}
    for part in ("dev", "heldout", "all"):
        idx = [i for i, r in enumerate(rows) if part == "all" or part in r["tags"]]
        report[part] = score([rows[i] for i in idx], [predictions[i] for i in idx])
    if args.json:
        for part in ("dev", "heldout", "all"):
            report[part].pop("errors")
        print(json.dumps(report, indent=2))
        return
    print(f"threshold {report['threshold']}   redact_batch: {report['ms_per_message_batch']} ms/message\n")
    print(f"{'part':8} {'msgs':>5} {'spans':>5} {'recall':>7} {'type-ex':>7} {'prec':>6} {'words intact':>12}")
    for part in ("dev", "heldout", "all"):
        r = report[part]
        print(f"{part:8} {r['messages']:5d} {r['gold_spans']:5d} {r['recall']:7.3f} {r['type_exact_recall']:7.3f} "
              f"{r['precision']:6.3f} {r['non_pii_words_intact']:12.3f}")
    print(f"\n{'type':22} " + "  ".join(f"{p + ' n/rec/exact':>22}" for p in ("dev", "heldout", "all")))
    for t in report["all"]["per_type"]:
        cells = []
        for part in ("dev", "heldout", "all"):
            s = report[part]["per_type"].get(t)
            cells.append(f"{s['gold']:4d} {s['recall']:7.3f} {s['type_exact_recall']:7.3f}" if s else f"{'-':>20}")
        print(f"{t:22} " + "  ".join(f"{c:>22}" for c in cells))
    if args.errors:
        print()
        for kind, rid, t, text in report["all"]["errors"]:
            print(f"{kind:7} {rid:14} {t:20} {text!r}")


if __name__ == "__main__":
    main()
