"""Prompt-injection detector evaluation on research/injection/data/injection.jsonl and the routine queries.

    .venv/bin/python -m research.injection.evaluate                 # tables for dev and test
    .venv/bin/python -m research.injection.evaluate --errors        # also list misses and false alarms (dev only)
    .venv/bin/python -m research.injection.evaluate --sweep         # dev recall / benign rate per threshold
    .venv/bin/python -m research.injection.evaluate --json          # one JSON object, stable keys

Targets: recall >= 0.9 on attacks, < 1% of benign messages flagged. The test split was written
before the detector and is not used for tuning: --errors and --sweep only look at dev.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict

from app.core.jsonl import read_jsonl
from guardrails.injection import DEFAULT_THRESHOLD, InjectionDetector
from guardrails.knowledge_scan import scan_knowledge_text
from research.paths import DEMO_KB, INJECTION_DATA
from research.retrieval.queries import QUERY_FILES

LABELLED = INJECTION_DATA / "injection.jsonl"
HOSTILE_KB = INJECTION_DATA / "knowledge_injection"


def _rate(hits: int, total: int) -> dict:
    return {"n": total, "hits": hits, "rate": round(hits / total, 4) if total else None}


def evaluate_split(rows: list[dict], results: list) -> dict:
    attacks = [(r, res) for r, res in zip(rows, results) if r["injection"]]
    benign = [(r, res) for r, res in zip(rows, results) if not r["injection"]]
    by_kind, by_lang, benign_by_kind = defaultdict(list), defaultdict(list), defaultdict(list)
    for r, res in attacks:
        by_kind[r["category"]].append(res.injection)
        by_lang[r["lang"]].append(res.injection)
    for r, res in benign:
        benign_by_kind[r["category"]].append(res.injection)
    return {
        "recall": _rate(sum(res.injection for _, res in attacks), len(attacks)),
        "benign_flagged": _rate(sum(res.injection for _, res in benign), len(benign)),
        "recall_by_kind": {k: _rate(sum(v), len(v)) for k, v in sorted(by_kind.items())},
        "recall_by_lang": {k: _rate(sum(v), len(v)) for k, v in sorted(by_lang.items())},
        "benign_flagged_by_kind": {k: _rate(sum(v), len(v)) for k, v in sorted(benign_by_kind.items())},
    }


def routine_queries(detector: InjectionDetector) -> dict:
    out = {}
    for path in QUERY_FILES:
        name, rows = path.name, read_jsonl(path)
        texts = [r.get("question") or r.get("query") or "" for r in rows]
        flagged = [t for t, res in zip(texts, detector.score_batch(texts)) if res.injection]
        out[name] = {**_rate(len(flagged), len(texts)), "flagged": flagged}
    return out


def knowledge_scan_summary(detector: InjectionDetector) -> dict:
    demo = {str(p.relative_to(DEMO_KB)): len(scan_knowledge_text(p.read_text(encoding="utf-8"), detector))
            for p in sorted(DEMO_KB.rglob("*")) if p.is_file()}
    expected = json.loads((HOSTILE_KB / "expected.json").read_text(encoding="utf-8"))
    scanned = {name: [f.to_json() for f in scan_knowledge_text((HOSTILE_KB / name).read_text(encoding="utf-8"), detector)]
               for name in expected}
    hostile = {k: v for k, v in scanned.items() if expected[k]}
    at_right_line = sum(1 for k in hostile if set(expected[k]) <= {f["line"] for f in hostile[k]})
    return {"demo_files": len(demo), "demo_findings": sum(demo.values()),
            "demo_files_with_findings": [k for k, v in demo.items() if v],
            "hostile_files": len(hostile), "hostile_flagged": sum(1 for v in hostile.values() if v),
            "hostile_at_expected_line": at_right_line,
            "control_findings": sum(len(v) for k, v in scanned.items() if not expected[k]), "hostile": hostile}


def timing(detector: InjectionDetector, texts: list[str]) -> dict:
    per = []
    for t in texts:
        start = time.perf_counter()
        detector.score(t)
        per.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    detector.score("lorem ipsum dolor sit amet " * 4000)
    return {"mean_ms": round(statistics.mean(per), 3), "p95_ms": round(sorted(per)[int(len(per) * 0.95)], 3),
            "long_100k_ms": round((time.perf_counter() - start) * 1000, 1)}


def _print_table(title: str, table: dict) -> None:
    print(f"  {title}")
    for key, v in table.items():
        rate = "-" if v["rate"] is None else f"{v['rate']:.3f}"
        print(f"    {key:<24} {v['hits']:>4}/{v['n']:<4} {rate}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--errors", action="store_true", help="list dev misses and dev false alarms")
    parser.add_argument("--sweep", action="store_true", help="dev recall and benign rate for thresholds 0.3..0.8")
    args = parser.parse_args(argv)

    detector = InjectionDetector(threshold=args.threshold)
    detector.warm_up()
    rows = read_jsonl(LABELLED)
    results = detector.score_batch([r["text"] for r in rows])
    report = {"threshold": args.threshold, "messages": len(rows)}
    for split in ("dev", "test"):
        idx = [i for i, r in enumerate(rows) if r["split"] == split]
        report[split] = evaluate_split([rows[i] for i in idx], [results[i] for i in idx])
    report["routine_queries"] = routine_queries(detector)
    report["knowledge_scan"] = knowledge_scan_summary(detector)
    report["timing"] = timing(detector, [r["text"] for r in rows])
    if args.sweep:
        dev = [(r, res) for r, res in zip(rows, results) if r["split"] == "dev"]
        report["sweep_dev"] = {
            f"{t:.2f}": {"recall": round(sum(res.score >= t for r, res in dev if r["injection"]) / sum(r["injection"] for r, _ in dev), 4),
                         "benign_flagged": round(sum(res.score >= t for r, res in dev if not r["injection"]) / sum(not r["injection"] for r, _ in dev), 4)}
            for t in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)
        }
    if args.errors:
        report["dev_errors"] = [
            {"id": r["id"], "category": r["category"], "score": res.score, "reasons": res.reasons, "text": r["text"][:160], "evidence": res.evidence}
            for r, res in zip(rows, results) if r["split"] == "dev" and res.injection != r["injection"]
        ]

    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    print(f"Prompt-injection detector, threshold {args.threshold}, {len(rows)} labelled messages")
    for split in ("dev", "test"):
        s = report[split]
        print(f"\n[{split}] recall {s['recall']['rate']:.3f} ({s['recall']['hits']}/{s['recall']['n']}), "
              f"benign flagged {s['benign_flagged']['rate']:.3%} ({s['benign_flagged']['hits']}/{s['benign_flagged']['n']})")
        _print_table("recall by attack kind", s["recall_by_kind"])
        _print_table("recall by language", s["recall_by_lang"])
        _print_table("benign flagged by kind", s["benign_flagged_by_kind"])
    print("\n[routine queries] flagged")
    for name, v in report["routine_queries"].items():
        print(f"    {name:<28} {v['hits']:>4}/{v['n']:<4} {v['rate']:.3%}  {v['flagged'][:3]}")
    ks = report["knowledge_scan"]
    print(f"\n[knowledge scan] demo KB: {ks['demo_findings']} findings in {ks['demo_files']} files {ks['demo_files_with_findings']}; "
          f"hostile: {ks['hostile_flagged']}/{ks['hostile_files']} files flagged, {ks['hostile_at_expected_line']} at the expected line; "
          f"control documents: {ks['control_findings']} findings")
    t = report["timing"]
    print(f"\n[timing] mean {t['mean_ms']} ms, p95 {t['p95_ms']} ms per message; 100k chars {t['long_100k_ms']} ms")
    if args.sweep:
        print("\n[threshold sweep, dev]")
        for k, v in report["sweep_dev"].items():
            print(f"    {k}  recall {v['recall']:.3f}  benign flagged {v['benign_flagged']:.3%}")
    if args.errors:
        print("\n[dev errors]")
        for e in report["dev_errors"]:
            print(f"    {e['id']} {e['category']:<22} {e['score']:.2f} {e['reasons']} {e['text']!r} {e['evidence']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
