"""Version 15: the knowledge-file scan on the tune parts of every fresh fold at once, with each passage's
encoder vectors kept so that a refitted document head can be replayed without scanning again.

    .venv/bin/python -m research.guards.scan_v15 --collect fresh10_tune /tmp/v15/fresh10_tune.pkl   # one per fold
    .venv/bin/python -m research.guards.scan_v15 --collect fresh11_tune /tmp/v15/fresh11_tune.pkl
    .venv/bin/python -m research.guards.scan_v15 --collect fresh12_tune /tmp/v15/fresh12_tune.pkl   # + BIPIA's 137 tuning records
    .venv/bin/python -m research.guards.scan_v15 --collect fresh15_tune /tmp/v15/fresh15_tune.pkl
    .venv/bin/python -m research.guards.scan_v15 --traces /tmp/v15 --out research/guards/results/scan_v15.json
    .venv/bin/python -m research.guards.scan_v15 --collect fresh15_check /tmp/v15/check/fresh15_check.pkl   # once, after
    .venv/bin/python -m research.guards.scan_v15 --check /tmp/v15/check/fresh15_check.pkl --out research/guards/results/scan_v15_check.json

A fold's traces (``scan_sources.trace(..., vectors=True)``): its clean documents and one tuning-side
attack planted in each (a tuning BIPIA text attack or the opening of a tuning jailbreak family, by a
seeded coin, as each fold's version planted them); for fresh12_tune also BIPIA's 137 planted records of
tuning categories. Nothing here reads a report part.
"""

from __future__ import annotations

import argparse
import pickle
import random
from pathlib import Path

from guardrails import knowledge_scan as K
from research.guards import documents
from research.guards.scan_sources import _planted_in_fresh, fold_documents, trace, tuning_openings


def fold(part: str) -> tuple[list[dict], list[dict]]:
    """(clean documents, attack documents {id, set, text, lines}) of a fresh fold's part."""
    if part.startswith(("fresh10", "fresh11")):
        return fold_documents(part), _planted_in_fresh(part, one_each=True)
    if part.startswith("fresh12"):
        from research.guards.fresh_fold_v12 import fresh12_documents
        from research.guards.scan_v12 import attack_documents

        return [{**d, "source": d["package"]} for d in fresh12_documents()[0] if d["part"] == part], attack_documents(part)
    from research.guards.fresh_fold_v15 import fresh15_documents

    clean = [d for d in fresh15_documents()[0] if d["part"] == part]
    text_attacks = [a for a in documents.bipia_attacks() if a["kind"] == "text" and a["part"] == "tune"]
    openings, attacks = tuning_openings(), []
    for doc in clean:
        rng = random.Random(f"v15-plant:{doc['id']}")
        position = rng.choice(("start", "middle", "end"))
        name, attack = ("bipia_in_fresh15", rng.choice(text_attacks)["text"]) if rng.random() < 0.5 else \
            ("jailbreak_in_fresh15", rng.choice(openings))
        text, span = documents.plant(doc["text"], attack, position)
        attacks.append({"id": f"{name}:{doc['id']}", "set": name, "text": text, "lines": span})
    return [{**d, "source": f"{d['kind']}:{d['package']}"} for d in clean], attacks


def collect(part: str) -> dict:
    scanner = K.KnowledgeScanner()
    scanner.warm_up()
    clean, attacks = fold(part)
    traces: dict = {"part": part, "clean": [], "attacks": []}
    for d in clean:
        traces["clean"].append({"id": d["id"], "source": d["source"], "trace": trace(scanner, d["text"], vectors=True)})
    for d in attacks:
        traces["attacks"].append({"id": d["id"], "set": d["set"], "lines": tuple(d["lines"]), "trace": trace(scanner, d["text"], vectors=True)})
    return traces


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collect", nargs=2, metavar=("PART", "FILE"), help="trace a fold's part into FILE")
    args = parser.parse_args(argv)
    if args.collect:
        part, path = args.collect
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(pickle.dumps(collect(part)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
