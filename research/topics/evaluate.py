"""Evaluate the sensitive-topic detector on held-out splits and on the project's routine questions.

    .venv/bin/python -m research.topics.evaluate                  # tables for split=test and split=test2
    .venv/bin/python -m research.topics.evaluate --json           # the same figures as JSON
    .venv/bin/python -m research.topics.evaluate --rules          # the rules-only fallback (no embedder)
    .venv/bin/python -m research.topics.evaluate --split train    # any split, e.g. to inspect training fit

Held-out splits of research/topics/data/sensitive_topics.jsonl: ``test`` (the first held-out split;
it was looked at while the second version of the detector was built, so it is no longer
clean), ``test2`` (287 messages written before that work) and ``test3`` (320 messages written
blind to the detector v3, scored once, then trained on by version 4). A blind split may be
kept in a file of its own, ``sensitive_topics_<name>.jsonl`` next to the main one (test4 is):
every ``sensitive_topics*.jsonl`` file is read. Score a blind split with ``--split NAME
--brief`` so its messages are not printed, and do not tune on it. For each split:
per-category precision/recall and the flag rate on its routine and hard-negative messages.

Routine questions: queries_faq/policy/unanswerable.jsonl. Those that are genuine current
incidents by the labelling rule are listed with their categories in
queries_topic_labels.jsonl; the false-flag rate is measured on the rest, and recall is
reported on the incident ones. Every flag is listed so it can be judged.
"""

from __future__ import annotations

import argparse
import json
import time

from research.topics.data import DATASET, load_examples, routine_questions
from guardrails.topics import CATEGORIES, TopicDetector

TARGET_RECALL, TARGET_ROUTINE = 0.95, 0.03


def all_examples() -> list[dict]:
    """The labelled messages of every sensitive_topics*.jsonl file (the main set and any
    blind split kept apart from it). Training reads the main file only."""
    return [row for path in sorted(DATASET.parent.glob("sensitive_topics*.jsonl")) for row in load_examples(path)]


def score_rows(rows: list[dict], results) -> dict:
    per_cat = {}
    for c in CATEGORIES:
        tp = sum(1 for r, res in zip(rows, results) if c in r["labels"] and c in res.categories)
        flagged = sum(1 for res in results if c in res.categories)
        pos = sum(1 for r in rows if c in r["labels"])
        per_cat[c] = {"precision": tp / flagged if flagged else None, "recall": tp / pos if pos else None, "positives": pos, "flagged": flagged}
    sens = [(r, res) for r, res in zip(rows, results) if r["labels"]]
    neg = [(r, res) for r, res in zip(rows, results) if not r["labels"]]
    overall_tp = sum(len(set(r["labels"]) & res.categories) for r, res in sens)
    overall_pos = sum(len(r["labels"]) for r, _ in sens)
    return {
        "messages": len(rows),
        "per_category": per_cat,
        "overall_recall": overall_tp / max(overall_pos, 1),
        "sensitive_message_recall": sum(res.sensitive for _, res in sens) / max(len(sens), 1),
        "negatives": len(neg),
        "negative_flag_rate": sum(res.sensitive for _, res in neg) / max(len(neg), 1),
        "missed": [{"id": r["id"], "text": r["text"], "labels": r["labels"], "got": sorted(res.categories)}
                   for r, res in sens if set(r["labels"]) - res.categories],
        "wrong_labels": [{"id": r["id"], "text": r["text"], "labels": r["labels"], "extra": sorted(res.categories - set(r["labels"]))}
                         for r, res in sens if res.categories - set(r["labels"])],
        "false_flags": [{"id": r["id"], "text": r["text"], "got": [t.to_json() for t in res.topics]} for r, res in neg if res.sensitive],
    }


class _Cats:
    """A result plus the set of flagged categories (what the scoring compares)."""

    def __init__(self, res):
        self.categories = {t.category for t in res.topics}
        self.sensitive = res.sensitive
        self.topics = res.topics


def evaluate(detector: TopicDetector, splits=("test", "test2")) -> dict:
    examples = all_examples()
    report = {"mode": detector.mode, "splits": {}}
    for split in splits:
        rows = [r for r in examples if r["split"] == split]
        results = [_Cats(x) for x in detector.detect_batch([r["text"] for r in rows])]
        report["splits"][split] = score_rows(rows, results)
        for tag in ("routine", "hard_negative"):
            group = [res for r, res in zip(rows, results) if not r["labels"] and tag in r["tags"]]
            report["splits"][split][f"{tag}_flag_rate"] = sum(res.sensitive for res in group) / max(len(group), 1)

    questions = routine_questions()
    start = time.perf_counter()
    q_results = [_Cats(x) for x in detector.detect_batch([q["text"] for q in questions])]
    elapsed = time.perf_counter() - start
    report["routine_questions"] = score_rows(questions, q_results)
    report["ms_per_message_batch"] = 1000 * elapsed / len(questions)
    return report


def _fmt(v):
    return "   -  " if v is None else f"{v:6.2f}"


def print_split(name: str, m: dict) -> None:
    print(f"\n== {name}: {m['messages']} messages, {m['negatives']} with no label")
    print(f"{'category':26s} {'P':>6s} {'R':>6s} {'pos':>4s} {'flag':>5s}")
    for c, v in m["per_category"].items():
        warn = "  < target" if v["recall"] is not None and v["recall"] < TARGET_RECALL else ""
        print(f"{c:26s} {_fmt(v['precision'])} {_fmt(v['recall'])} {v['positives']:4d} {v['flagged']:5d}{warn}")
    print(f"{'overall (label) recall':26s} {'':6s} {m['overall_recall']:6.3f}")
    print(f"{'any-topic message recall':26s} {'':6s} {m['sensitive_message_recall']:6.3f}")
    print(f"no-label messages flagged: {m['negative_flag_rate']:.1%}", end="")
    for tag in ("routine", "hard_negative"):
        if f"{tag}_flag_rate" in m:
            print(f"   {tag}: {m[f'{tag}_flag_rate']:.1%}", end="")
    print()


def print_tables(report: dict, verbose: bool = True) -> None:
    print(f"mode: {report['mode']}")
    for name, m in report["splits"].items():
        print_split(f"split={name}", m)
    rq = report["routine_questions"]
    print_split("routine questions (queries_*)", rq)
    print(f"routine FALSE-FLAG rate (non-incidents): {len(rq['false_flags'])}/{rq['negatives']} = {rq['negative_flag_rate']:.1%} (target < {TARGET_ROUTINE:.0%})")
    print(f"batch speed: {report['ms_per_message_batch']:.2f} ms/message")
    if not verbose:
        return
    for name, m in [*report["splits"].items(), ("routine", rq)]:
        for x in m["missed"]:
            print(f"  [{name}] missed {x['id']} {x['labels']} got {x['got']}: {x['text'][:100]!r}")
        for x in m["false_flags"]:
            print(f"  [{name}] false flag {x['id']} {x['got']}: {x['text'][:100]!r}")
        for x in m["wrong_labels"]:
            print(f"  [{name}] extra {x['id']} {x['extra']} (gold {x['labels']}): {x['text'][:80]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--rules", action="store_true", help="evaluate the rules-only fallback")
    parser.add_argument("--split", action="append", help="split(s) to score (default: test and test2)")
    parser.add_argument("--brief", action="store_true", help="tables only, no per-message lists")
    args = parser.parse_args()
    detector = TopicDetector(use_model=not args.rules)
    detector.warm_up()
    report = evaluate(detector, tuple(args.split or ("test", "test2")))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_tables(report, verbose=not args.brief)


if __name__ == "__main__":
    main()
