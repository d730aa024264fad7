"""Version 12: the knowledge-file scan on version 12's fold of user guides and on the tuning-side BIPIA
records, every pass alone (``scan_sources.trace``), version 11 against version 12.

    .venv/bin/python -m research.guards.scan_v12 --traces /tmp/v12tune.pkl --out research/guards/results/scan_v12.json
    .venv/bin/python -m research.guards.scan_v12 --check --traces /tmp/v12check.pkl --out research/guards/results/scan_v12_check.json
    .venv/bin/python -m research.guards.scan_v12 --traces /tmp/v12tune.pkl --sweep /tmp/v11tune.pkl \
        --out research/guards/results/scan_v12_gates.json     # the gates swept on fresh11_tune + fresh12_tune (not shipped)

Traces (written when the file is missing, ~10 min on the shared machine): the clean documents of
``fresh12_tune`` (or, with ``--check``, ``fresh12_check``), one tuning-side attack planted in each (a
tuning BIPIA text attack or the opening of a tuning jailbreak family, by a seeded coin, as
``scan_sources._planted_in_fresh``) and, for the tune part, BIPIA's 137 planted records of tuning
categories (35 in code, 102 in tables), where version 11 missed most code records.
Rule for a change: no clean document of fresh12_tune, none more of the 2,040 clean tuning-side
documents of ``rule_sweep.py`` (rules) or of ``fresh11_tune`` (``scan_v11.py``, classifier), and no
tuning-side attack lost.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
from pathlib import Path

from guardrails import injection as I
from guardrails import knowledge_scan as K
from research.guards import documents
from research.guards.fresh_fold_v12 import fresh12_documents
from research.guards.scan_sources import measure, trace, tuning_openings
from research.guards.scan_v11 import HIGH, LOW, VERSION_11

# Version 11's directive phrases are the first VERSION_11_DIRECTIVES of _MODEL_DIRECTIVES; version 12 adds
# the two "following code block ... your solution" phrases after them.
VERSION_11_DIRECTIVES = 14
VERSION_11_REPLAY = {**VERSION_11, "directives_drop": frozenset(range(VERSION_11_DIRECTIVES, len(K._MODEL_DIRECTIVES)))}
VERSION_12 = {**VERSION_11, "directives_drop": frozenset()}


def planted_one_each(docs: list[dict], version: str, fold: str) -> list[dict]:
    """One tuning-side attack planted in each document, seeded by ``version`` and the document's id: a tuning
    BIPIA text attack or the opening of a tuning jailbreak family, by a coin; sets ``bipia_in_FOLD`` and
    ``jailbreak_in_FOLD``."""
    text_attacks = [a for a in documents.bipia_attacks() if a["kind"] == "text" and a["part"] == "tune"]
    openings, out = tuning_openings(), []
    for doc in docs:
        rng = random.Random(f"{version}-plant:{doc['id']}")
        position = rng.choice(("start", "middle", "end"))
        name, attack = (f"bipia_in_{fold}", rng.choice(text_attacks)["text"]) if rng.random() < 0.5 else \
            (f"jailbreak_in_{fold}", rng.choice(openings))
        text, span = documents.plant(doc["text"], attack, position)
        out.append({"id": f"{name}:{doc['id']}", "set": name, "text": text, "lines": span})
    return out


def attack_documents(part: str) -> list[dict]:
    """One tuning-side attack planted in each document of the part, plus (tune part) the tuning BIPIA records."""
    out = planted_one_each([d for d in fresh12_documents()[0] if d["part"] == part], "v12", "fresh12")
    if part == "fresh12_tune":
        out += [{"id": d["id"], "set": "bipia_records_tune_" + d["source"].split()[-1], "text": d["text"], "lines": d["lines"]}
                for d in documents.planted_documents() if d["part"] == "tune" and d["set"] == "bipia_planted" and d["lines"]]
    return out


def collect(part: str) -> dict:
    scanner = K.KnowledgeScanner()
    scanner.warm_up()
    traces: dict = {"clean": [], "attacks": []}
    for d in (d for d in fresh12_documents()[0] if d["part"] == part):
        traces["clean"].append({"id": d["id"], "source": d["package"], "trace": trace(scanner, d["text"])})
    for d in attack_documents(part):
        traces["attacks"].append({"id": d["id"], "set": d["set"], "lines": tuple(d["lines"]), "trace": trace(scanner, d["text"])})
    return traces


def sweep_gates(folds: dict[str, dict], reasons_of: dict) -> list[dict]:
    """Version 11's gate grid on several folds' traces at once: clean documents with a finding per fold,
    tuning-side attacks caught in all; fewest clean findings first, then most attacks, then fewer gates."""
    rows = []
    for words in (4, 6):
        for low in LOW:
            for high in HIGH:
                gates = (low,) if high is None else (low, high)
                found = {name: measure(traces, {**VERSION_12, "gates": gates, "words": words}, reasons_of) for name, traces in folds.items()}
                rows.append({"gates": gates, "words": words, "clean": {n: m["clean_docs_flagged"] for n, m in found.items()},
                             "caught": sum(v[0] for m in found.values() for v in m["caught"].values())})
    return sorted(rows, key=lambda r: (sum(r["clean"].values()), -r["caught"], len(r["gates"])))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=Path, required=True, help="cache of the traces (written when missing)")
    parser.add_argument("--check", action="store_true", help="fresh12_check, once, after the choices")
    parser.add_argument("--sweep", type=Path, help="traces of fresh11_tune (scan_sources.collect): sweep the gates on both folds")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    part = "fresh12_check" if args.check else "fresh12_tune"
    if not args.traces.exists():
        args.traces.write_bytes(pickle.dumps(collect(part)))
    traces = pickle.loads(args.traces.read_bytes())
    compiled = I._compiled()
    reasons_of = {pid: reason for reason, _, _, pid in compiled.all_text + compiled.squashed + compiled.named}
    if args.sweep:
        folds = {"fresh11_tune": pickle.loads(args.sweep.read_bytes()), "fresh12_tune + tuning BIPIA records": traces}
        result = {"part": " and ".join(folds), "version_12": {n: {"clean": measure(t, VERSION_12, reasons_of)["clean_docs_flagged"],
                  "caught": sum(v[0] for v in measure(t, VERSION_12, reasons_of)["caught"].values())} for n, t in folds.items()},
                  "sweep": sweep_gates(folds, reasons_of)[:40]}
    else:
        result = {"part": part + ("" if args.check else " + tuning BIPIA records"),
                  "version_11": measure(traces, VERSION_11_REPLAY, reasons_of), "version_12": measure(traces, VERSION_12, reasons_of)}
    text = json.dumps(result, indent=1, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
