"""How often ``guardrails.advice.asks_for_advice`` fires on public messages nobody here wrote.

    PYTHONPATH=. .venv/bin/python -m research.guards.advice [--show N]

No public set labels requests for investment advice, so every in-scope message below is a
negative (a flag is a false alarm, and each one is printed for a reader to judge); CLINC150's
out-of-scope queries hold the few real requests there are, printed too. The written examples
(``research/guards/sets/advice_written.jsonl``) come second.
"""

from __future__ import annotations

import argparse
import json

from guardrails.advice import asks_for_advice
from research.guards.data import banking77, clinc150, kb_questions
from research.kbs.data import demo_kb, stackfaq_kb
from research.paths import RESEARCH

WRITTEN = RESEARCH / "guards" / "sets" / "advice_written.jsonl"


def _sets() -> dict[str, list[str]]:
    clinc = clinc150()
    return {
        "BANKING77 train file, every row": [r["text"] for r in banking77()],
        "CLINC150 train, in scope": [r["text"] for r in clinc if r["split"] == "train"],
        "CLINC150 val, in scope": [r["text"] for r in clinc if r["split"] == "val"],
        "StackFAQ queries, train": [q.query for q in stackfaq_kb("train").questions],
        "StackFAQ queries, test": [q.query for q in stackfaq_kb("test").questions],
        "help-centre questions (kbs/*/questions.tsv)": [r["text"] for r in kb_questions()],
        "CLINC150 oos_train": [r["text"] for r in clinc if r["split"] == "oos_train"],
        "CLINC150 oos_val": [r["text"] for r in clinc if r["split"] == "oos_val"],
        "demo KB questions, written here": [q.query for q in demo_kb().questions],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", type=int, default=10, help="flagged messages printed per set")
    args = parser.parse_args()
    print("| set | n | flagged | rate |\n|---|---|---|---|")
    flagged_by_set = {}
    for name, texts in _sets().items():
        flagged = [t for t in texts if asks_for_advice(t)]
        flagged_by_set[name] = flagged
        print(f"| {name} | {len(texts):,} | {len(flagged)} | {len(flagged) / max(len(texts), 1):.2%} |")
    if WRITTEN.exists():
        rows = [json.loads(line) for line in WRITTEN.read_text(encoding="utf-8").splitlines() if line.strip()]
        pos = [r["text"] for r in rows if r["advice"]]
        neg = [r["text"] for r in rows if not r["advice"]]
        hit = sum(asks_for_advice(t) for t in pos)
        false = [t for t in neg if asks_for_advice(t)]
        print(f"\nWritten here ({WRITTEN.relative_to(RESEARCH.parent)}): {hit} of {len(pos)} requests flagged, "
              f"{len(false)} of {len(neg)} look-alikes flagged")
        for text in [t for t in pos if not asks_for_advice(t)] + false:
            print(f"  wrong: {text}")
    for name, flagged in flagged_by_set.items():
        for text in flagged[:args.show]:
            print(f"  {name}: {text}")


if __name__ == "__main__":
    main()
