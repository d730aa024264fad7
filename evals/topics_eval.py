"""Evaluate the sensitive-topic detector on the held-out split and on routine questions.

    .venv/bin/python -m evals.topics_eval            # tables
    .venv/bin/python -m evals.topics_eval --json     # the same figures as JSON
    .venv/bin/python -m evals.topics_eval --rules    # the rules-only fallback (no embedder)

Reports per-category precision/recall on split=test of evals/datasets/sensitive_topics.jsonl
(never used for fitting or thresholds), the false-escalation rate on its routine and hard-
negative messages, the flag rate on the project's routine questions (queries_faq,
queries_policy, queries_unanswerable; every flagged one is listed so it can be judged), and
batch throughput.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from evals.topics_train import DATASET, load_examples
from guardrails.topics import CATEGORIES, TopicDetector

ROUTINE_FILES = ("queries_faq.jsonl", "queries_policy.jsonl", "queries_unanswerable.jsonl")
TARGET_RECALL, TARGET_ROUTINE = 0.95, 0.03


def routine_questions() -> list[tuple[str, str]]:
    out = []
    for name in ROUTINE_FILES:
        for line in (DATASET.parent / name).read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                out.append((row["id"], row.get("question") or row["query"]))
    return out


def evaluate(detector: TopicDetector) -> dict:
    rows = [r for r in load_examples() if r["split"] == "test"]
    results = detector.detect_batch([r["text"] for r in rows])
    per_cat = {}
    for c in CATEGORIES:
        tp = sum(1 for r, res in zip(rows, results) if c in r["labels"] and any(t.category == c for t in res.topics))
        flagged = sum(1 for res in results if any(t.category == c for t in res.topics))
        pos = sum(1 for r in rows if c in r["labels"])
        per_cat[c] = {"precision": tp / max(flagged, 1), "recall": tp / max(pos, 1), "positives": pos, "flagged": flagged}
    sens = [(r, res) for r, res in zip(rows, results) if r["labels"]]
    neg = [(r, res) for r, res in zip(rows, results) if not r["labels"]]
    overall_tp = sum(len(set(r["labels"]) & {t.category for t in res.topics}) for r, res in sens)
    overall_pos = sum(len(r["labels"]) for r, _ in sens)
    missed = [{"id": r["id"], "text": r["text"], "labels": r["labels"], "got": [t.category for t in res.topics]}
              for r, res in sens if set(r["labels"]) - {t.category for t in res.topics}]
    false_flags = [{"id": r["id"], "text": r["text"], "got": [t.to_json() for t in res.topics]} for r, res in neg if res.sensitive]
    by_tag = {}
    for tag in ("routine", "hard_negative"):
        group = [res for r, res in neg if tag in r["tags"]]
        by_tag[tag] = {"n": len(group), "flag_rate": sum(res.sensitive for res in group) / max(len(group), 1)}

    questions = routine_questions()
    start = time.perf_counter()
    q_results = detector.detect_batch([q for _, q in questions])
    elapsed = time.perf_counter() - start
    flagged_q = [{"id": i, "question": q, "got": [t.to_json() for t in res.topics]}
                 for (i, q), res in zip(questions, q_results) if res.sensitive]
    return {
        "mode": detector.mode,
        "test_messages": len(rows),
        "per_category": per_cat,
        "overall_recall": overall_tp / max(overall_pos, 1),
        "sensitive_message_recall": sum(res.sensitive for _, res in sens) / max(len(sens), 1),
        "held_out_negatives": by_tag,
        "missed": missed,
        "false_flags": false_flags,
        "routine_questions": {"n": len(questions), "flagged": len(flagged_q), "flag_rate": len(flagged_q) / len(questions), "items": flagged_q},
        "ms_per_message_batch": 1000 * elapsed / len(questions),
    }


def print_tables(report: dict) -> None:
    print(f"mode: {report['mode']}   held-out messages: {report['test_messages']}")
    print(f"\n{'category':26s} {'P':>6s} {'R':>6s} {'pos':>4s} {'flag':>5s}")
    for c, m in report["per_category"].items():
        warn = "  < target" if m["recall"] < TARGET_RECALL else ""
        print(f"{c:26s} {m['precision']:6.2f} {m['recall']:6.2f} {m['positives']:4d} {m['flagged']:5d}{warn}")
    print(f"{'overall (label) recall':26s} {'':6s} {report['overall_recall']:6.2f}")
    print(f"{'any-topic message recall':26s} {'':6s} {report['sensitive_message_recall']:6.2f}")
    for tag, m in report["held_out_negatives"].items():
        print(f"held-out {tag:14s} n={m['n']:3d} flagged {m['flag_rate']:.1%}")
    rq = report["routine_questions"]
    print(f"routine questions (queries_*) n={rq['n']} flagged {rq['flagged']} = {rq['flag_rate']:.1%} (target < {TARGET_ROUTINE:.0%})")
    print(f"batch speed: {report['ms_per_message_batch']:.1f} ms/message")
    for item in rq["items"]:
        print(f"  flagged routine {item['id']}: {item['question']!r} -> {item['got']}")
    for m in report["missed"]:
        print(f"  missed {m['id']} {m['labels']} got {m['got']}: {m['text'][:90]!r}")
    for m in report["false_flags"]:
        print(f"  false flag {m['id']} {m['got']}: {m['text'][:90]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--rules", action="store_true", help="evaluate the rules-only fallback")
    args = parser.parse_args()
    embedder = None
    if not args.rules:
        from app.embedding.onnx_minilm import OnnxMiniLMEmbedder

        embedder = OnnxMiniLMEmbedder()
    detector = TopicDetector(embedder=embedder)
    detector.warm_up()
    report = evaluate(detector)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_tables(report)


if __name__ == "__main__":
    main()
