"""Version 11: the classifier's gates re-chosen on the fresh fold of version 11 (GNU manuals, man pages).

    .venv/bin/python -m research.guards.scan_v11 --tune /tmp/v11tune.pkl --records /tmp/records.pkl \
        --out research/guards/results/scan_v11.json
    .venv/bin/python -m research.guards.scan_v11 --check /tmp/v11check.pkl --out research/guards/results/scan_v11_check.json

The traces are ``scan_sources.collect("fresh11_tune")`` (303 clean documents, one tuning-side attack
planted in each: a BIPIA attack or a jailbreak opening by a seeded coin) and the 137 BIPIA records of
tuning categories (``scan_sources.attack_documents``); written with
``python -c 'import pickle; from research.guards import scan_sources as S; ...'`` as in the README.
Rule for the choice: no clean document of fresh11_tune (0.5% of 303 allows one, kept as margin), then
most tuning-side attacks caught, then the fewest gates; version 10's gates are the baseline.
"""

from __future__ import annotations

import argparse
import json
import pickle
from pathlib import Path

from guardrails import injection as I
from guardrails import knowledge_scan as K
from research.guards.scan_sources import VERSION_10, measure

LOW = [(c, f) for c in (0.3, 0.4, 0.5, 0.6) for f in (0.08, 0.1, 0.12, 0.15)]
HIGH = [None] + [(c, f) for c in (0.8, 0.9, 0.95) for f in (0.2, 0.25, 0.3, 0.35)]
VERSION_11 = {**VERSION_10, "gates": K.GATES, "words": K.MIN_WORDS, "definitions": True, "non_english_cut": K.NON_ENGLISH_CUT_DOCUMENT}


def _load(paths: list[Path]) -> dict:
    out = {"clean": [], "attacks": []}
    for path in paths:
        traces = pickle.loads(path.read_bytes())
        out["clean"] += traces["clean"]
        out["attacks"] += traces["attacks"]
    return out


def sweep(traces: dict, reasons_of: dict) -> list[dict]:
    rows = []
    for words in (4, 6):
        for low in LOW:
            for high in HIGH:
                gates = (low,) if high is None else (low, high)
                m = measure(traces, {**VERSION_11, "gates": gates, "words": words}, reasons_of)
                rows.append({"gates": gates, "words": words, "clean": m["clean_docs_flagged"],
                             "caught": {k: v[0] for k, v in m["caught"].items()}, "caught_all": sum(v[0] for v in m["caught"].values())})
    return sorted(rows, key=lambda r: (r["clean"], -r["caught_all"], len(r["gates"]), -r["words"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tune", type=Path, nargs="*", default=[], help="traces of fresh11_tune and of the tuning records")
    parser.add_argument("--check", type=Path, help="traces of fresh11_check: versions 10 and 11, once")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    compiled = I._compiled()
    reasons_of = {pid: reason for reason, _, _, pid in compiled.all_text + compiled.squashed + compiled.named}
    if args.check:
        traces = _load([args.check])
        result = {"part": "fresh11_check", "version_10": measure(traces, VERSION_10, reasons_of),
                  "version_11": measure(traces, VERSION_11, reasons_of)}
    else:
        traces = _load(args.tune)
        rows = sweep(traces, reasons_of)
        result = {"part": "fresh11_tune + tuning BIPIA records", "version_10": measure(traces, VERSION_10, reasons_of),
                  "version_11": measure(traces, VERSION_11, reasons_of), "sweep": rows}
    print(json.dumps({k: v for k, v in result.items() if k != "sweep"}, indent=1, ensure_ascii=False))
    for row in result.get("sweep", [])[:25]:
        print(json.dumps(row))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
