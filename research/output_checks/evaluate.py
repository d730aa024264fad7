"""Evaluation of the output checks: groundedness and unsupported commitments.

    .venv/bin/python -m research.output_checks.evaluate            # tables
    .venv/bin/python -m research.output_checks.evaluate --json     # one JSON object, stable keys
    .venv/bin/python -m research.output_checks.evaluate --lexical-only   # no embedder

Groundedness is measured on research/output_checks/data/groundedness.jsonl (precision/recall of
"unsupported" per reply, false alarms on faithful paraphrases) and on the extractive
generator's real replies: every answerable query of the retrieval sets is answered from
its top three chunks (dense retrieval over the demo knowledge base), and each reply must
pass. The threshold and the lexical/embedding mix are chosen on the dev split only; the
test split is reported with the chosen setting.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict

from app.core.jsonl import read_jsonl
from guardrails.commitments import find_commitments, unsupported_commitments
from guardrails.groundedness import GroundednessChecker, GroundednessReport
from research.paths import DEMO_KB, OUTPUT_CHECKS_DATA, RETRIEVAL_DATA

THRESHOLDS = [round(0.30 + 0.02 * i, 2) for i in range(33)]
WEIGHTS = {"lexical": 1.0, "embedding": 0.0, "mix 0.3": 0.3, "mix 0.5": 0.5, "mix 0.7": 0.7}


def grounded_at(report: GroundednessReport, threshold: float) -> bool:
    return all(s.source is not None and s.numbers_ok and s.negation_ok and s.score >= threshold
               for s in report.checked)


def detection(rows: list[tuple[bool, bool]]) -> dict:
    """rows of (truly unsupported, flagged). Unsupported is the positive class."""
    tp = sum(t and f for t, f in rows)
    fp = sum(f and not t for t, f in rows)
    fn = sum(t and not f for t, f in rows)
    negatives = sum(not t for t, _ in rows)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"n": len(rows), "precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
            "false_alarm_rate": round(fp / negatives, 3) if negatives else 0.0}


def extractive_replies(embedder) -> list[tuple[str, list[str]]]:
    """(reply, source texts) for every answerable labelled query, from real demo chunks."""
    from app.chain.generation.extractive import ExtractiveGenerator
    from app.core.settings import Settings
    from app.index.retrieval import RetrievedChunk
    from ingest.folder import chunk_folder

    chunks = [(f.document.meta.title, c) for f in chunk_folder(DEMO_KB, Settings()) for c in f.chunks]
    import numpy as np

    vectors = np.array(embedder.embed_documents([c.embed_text for _, c in chunks]))
    queries = [q for name in ("queries_faq.jsonl", "queries_policy.jsonl") for q in read_jsonl(RETRIEVAL_DATA / name) if q.get("answerable", True)]
    generator = ExtractiveGenerator()
    out = []
    for query in queries:
        ranked = np.argsort(-(vectors @ np.array(embedder.embed_query(query["query"]))))[:3]
        retrieved = [RetrievedChunk(c.chunk_id, c.source, title, c.section, c.text, 1.0,
                                    metadata={"question": c.question} if c.question else {})
                     for title, c in (chunks[i] for i in ranked)]
        reply = generator.generate(query["query"], retrieved).text
        out.append((reply, [r.text for r in retrieved]))
    return out


def evaluate_groundedness(embedder, lexical_only: bool) -> dict:
    cases = read_jsonl(OUTPUT_CHECKS_DATA / "groundedness.jsonl")
    replies = extractive_replies(embedder) if embedder is not None else []
    checker = GroundednessChecker(embedder, threshold=0.0)
    weights = {"lexical": 1.0} if lexical_only else WEIGHTS
    sweeps = {}
    for name, weight in weights.items():
        checker.lexical_weight = weight
        reports = [checker.check(c["reply"], c["sources"]) for c in cases]
        real = [checker.check(reply, sources) for reply, sources in replies]
        best = None
        for t in THRESHOLDS:
            dev = detection([(not c["supported"], not grounded_at(r, t))
                             for c, r in zip(cases, reports) if c["split"] == "dev"])
            extractive_fa = sum(not grounded_at(r, t) for r in real) / len(real) if real else 0.0
            # Extractive replies must pass: a setting that blocks them is not eligible.
            if extractive_fa <= 0.01 and (best is None or dev["f1"] > best[1]["f1"]):
                best = (t, dev, extractive_fa)
        sweeps[name] = {"weight": weight, "reports": reports, "real": real, "best": best}
    rows = []
    for name, sweep in sweeps.items():
        t, dev, fa = sweep["best"]
        test = detection([(not c["supported"], not grounded_at(r, t))
                          for c, r in zip(cases, sweep["reports"]) if c["split"] == "test"])
        rows.append({"setting": name, "lexical_weight": sweep["weight"], "threshold": t, "dev": dev, "test": test,
                     "extractive_false_alarm": round(fa, 4)})
    # The shipped setting, per kind on the test split.
    checker = GroundednessChecker(None if lexical_only else embedder)
    per_kind: dict[str, list] = defaultdict(list)
    started = time.perf_counter()
    reports = [checker.check(c["reply"], c["sources"]) for c in cases]
    elapsed = time.perf_counter() - started
    for c, r in zip(cases, reports):
        if c["split"] == "test":
            per_kind[c["kind"]].append((c["supported"], r.grounded))
    kinds = {kind: {"n": len(v), "correct": round(sum(s == g for s, g in v) / len(v), 3),
                    "expected": "supported" if v[0][0] else "unsupported"} for kind, v in sorted(per_kind.items())}
    faithful = [r for c, r in zip(cases, reports) if c["supported"] and c["split"] == "test"]
    shipped = {split: detection([(not c["supported"], not r.grounded) for c, r in zip(cases, reports)
                                 if c["split"] == split]) for split in ("dev", "test")}
    real_checks = [checker.check(reply, sources) for reply, sources in replies]
    started = time.perf_counter()
    for reply, sources in replies:
        checker.check(reply, sources)
    per_reply_ms = 1000 * (time.perf_counter() - started) / max(1, len(replies))
    missed = [r.unsupported()[0].to_json() for r in real_checks if not r.grounded][:5]
    return {
        "settings": rows,
        "shipped": {"threshold": checker.threshold, "lexical_weight": checker.lexical_weight, **shipped,
                    "faithful_false_alarm_test": round(sum(not r.grounded for r in faithful) / len(faithful), 3),
                    "extractive_replies": len(replies),
                    "extractive_false_alarm": round(sum(not r.grounded for r in real_checks) / max(1, len(replies)), 4),
                    "extractive_flagged_examples": missed,
                    "ms_per_labelled_reply_cold": round(1000 * elapsed / len(cases), 2),
                    "ms_per_extractive_reply_warm": round(per_reply_ms, 2)},
        "per_kind_test": kinds,
    }


def evaluate_commitments() -> dict:
    cases = read_jsonl(OUTPUT_CHECKS_DATA / "commitments.jsonl")
    rows = {split: [] for split in ("dev", "test", "all")}
    per_kind: dict[str, list] = defaultdict(list)
    errors = []
    started = time.perf_counter()
    for c in cases:
        flagged = unsupported_commitments(c["reply"], c["sources"])
        found = find_commitments(c["reply"], c["sources"])
        truth = bool(c["unsupported_kinds"])
        for split in (c["split"], "all"):
            rows[split].append((truth, bool(flagged)))
        per_kind[c["category"]].append(truth == bool(flagged))
        if truth != bool(flagged):
            errors.append({"id": c["id"], "expected": c["unsupported_kinds"], "flagged": [f.to_json() for f in flagged],
                           "found": [f.to_json() for f in found]})
    elapsed = time.perf_counter() - started
    return {"detection": {split: detection(r) for split, r in rows.items()},
            "per_category": {k: {"n": len(v), "correct": round(sum(v) / len(v), 3)} for k, v in sorted(per_kind.items())},
            "errors": errors[:10], "ms_per_reply": round(1000 * elapsed / len(cases), 3)}


def _table(title: str, header: list[str], rows: list[list]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda r: "| " + " | ".join(str(x).ljust(w) for x, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join([f"\n{title}", line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--lexical-only", action="store_true", help="do not load the embedder")
    args = parser.parse_args(argv)
    embedder = None
    if not args.lexical_only:
        from app.index.embedding.onnx_minilm import OnnxMiniLMEmbedder

        embedder = OnnxMiniLMEmbedder()
        embedder.warm_up()
    result = {"groundedness": evaluate_groundedness(embedder, args.lexical_only), "commitments": evaluate_commitments()}
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    g = result["groundedness"]
    print(_table("Groundedness: unsupported-reply detection, threshold chosen on dev (extractive false alarms <= 1%)",
                 ["setting", "threshold", "dev P", "dev R", "dev F1", "test P", "test R", "test F1", "test FA",
                  "extractive FA"],
                 [[r["setting"], r["threshold"], r["dev"]["precision"], r["dev"]["recall"], r["dev"]["f1"],
                   r["test"]["precision"], r["test"]["recall"], r["test"]["f1"], r["test"]["false_alarm_rate"],
                   r["extractive_false_alarm"]] for r in g["settings"]]))
    s = g["shipped"]
    print(_table(f"Shipped setting (threshold {s['threshold']}, lexical weight {s['lexical_weight']})",
                 ["split", "n", "precision", "recall", "F1", "false alarms"],
                 [[k, s[k]["n"], s[k]["precision"], s[k]["recall"], s[k]["f1"], s[k]["false_alarm_rate"]]
                  for k in ("dev", "test")]))
    print(f"faithful paraphrases flagged (test): {s['faithful_false_alarm_test']:.1%}")
    print(f"extractive replies flagged: {s['extractive_false_alarm']:.1%} of {s['extractive_replies']}")
    print(f"time: {s['ms_per_labelled_reply_cold']} ms/reply cold cache, {s['ms_per_extractive_reply_warm']} ms/reply "
          "warm (sources cached)")
    print(_table("Per kind (test split, shipped setting)", ["kind", "expected", "n", "correct"],
                 [[k, v["expected"], v["n"], v["correct"]] for k, v in g["per_kind_test"].items()]))
    c = result["commitments"]
    print(_table("Commitments: replies with an unsupported commitment", ["split", "n", "precision", "recall", "F1",
                                                                         "false alarms"],
                 [[k, v["n"], v["precision"], v["recall"], v["f1"], v["false_alarm_rate"]]
                  for k, v in c["detection"].items()]))
    print(_table("Commitments per category (all splits)", ["category", "n", "correct"],
                 [[k, v["n"], v["correct"]] for k, v in c["per_category"].items()]))
    print(f"time: {c['ms_per_reply']} ms/reply")
    return 0


if __name__ == "__main__":
    sys.exit(main())
