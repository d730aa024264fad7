"""Turn latency without an LLM: the whole chain (guardrails, retrieval with the lexical signals,
confidence, extractive generation, output check) on a real help centre, p50 and p95 per stage.

    python -m research.kbs.speed --kb electrum --turns 120

Every turn is a new session; the first ten warm the models up and are not counted. Run it on
a quiet machine: it measures wall-clock time on whatever cores are free.
"""

from __future__ import annotations

import argparse
import itertools
import statistics

from app.core.stats import percentile
from research.kbs.data import clinc_out_of_scope
from research.kbs.evaluate import kb_by_name
from research.kbs.harness import Runner, bundled_embedder, ingest

WARM_UP = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", default="electrum")
    parser.add_argument("--turns", type=int, default=120)
    args = parser.parse_args()
    from guardrails.pii import Redactor

    embedder = bundled_embedder()
    redactor = Redactor()
    redactor.warm_up()
    kb = kb_by_name(args.kb)
    runner = Runner(ingest(kb, embedder), embedder, redactor)
    questions = list(kb.questions) + clinc_out_of_scope("oos_val")
    stages: dict[str, list[float]] = {}
    try:
        for number, question in enumerate(itertools.islice(itertools.cycle(questions), args.turns + WARM_UP)):
            answer = runner.chain.answer(question.query, region=question.region)
            if number < WARM_UP:
                continue
            for stage, ms in answer.latency_ms.items():
                stages.setdefault(stage, []).append(ms)
    finally:
        runner.close()
    print(f"{args.kb}: {args.turns} turns (answerable, unanswerable and out-of-scope questions in turn)")
    print("| stage | p50 ms | p95 ms |\n|---|---|---|")
    for stage, values in sorted(stages.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"| {stage} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} |")


if __name__ == "__main__":
    main()
