"""Turn latency without an LLM: the whole chain (guardrails, retrieval with the lexical signals,
confidence, extractive generation, output check) on a real help centre, p50 and p95 per stage.

    python -m research.kbs.speed --kb electrum --turns 120
    python -m research.kbs.speed --reranker ~/.cache/beacon-kbs/reranker-all.onnx   # the reranker alone


Every turn is a new session; the first ten warm the models up and are not counted. Run it on
a quiet machine: it measures wall-clock time on whatever cores are free.
"""

from __future__ import annotations

import argparse
import itertools
import statistics

import numpy as np

from app.core.stats import percentile
from research.kbs.data import clinc_out_of_scope
from research.kbs.evaluate import kb_by_name
from research.kbs.harness import Runner, bundled_embedder, ingest

WARM_UP = 10


def reranker_speed(path: str, repeats: int = 30) -> None:
    """Passages of 64, 96 and 128 word pieces (question included), scored alone, 1, 3 and 5 a turn, and
    five in one batch for the comparison: what the reranker costs a turn by length and top N."""
    import time
    from pathlib import Path

    from app.index.reranker import CrossEncoderReranker

    model = CrossEncoderReranker(Path(path).expanduser())
    model.warm_up()
    query = "how do I set up a lightning node for my store and connect it"
    passage = " ".join(f"word{i} invoice payment store lightning" for i in range(40))
    print(f"reranker {path}, one thread, {repeats} runs each")
    print("| word pieces a passage | passages | scored | p50 ms | p95 ms |\n|---|---|---|---|---|")
    for pieces in (64, 96, 128):
        model._tokenizer.enable_truncation(max_length=pieces)
        assert len(model._tokenizer.encode(query, passage).ids) == pieces
        for count, label, run in ((1, "alone", lambda: model.scores(query, [passage])),
                                  (3, "one at a time", lambda: model.scores(query, [passage] * 3)),
                                  (5, "one at a time", lambda: model.scores(query, [passage] * 5)),
                                  (5, "in one batch", lambda: _batch(model, query, [passage] * 5))):
            timings = []
            for _ in range(repeats):
                started = time.perf_counter()
                run()
                timings.append((time.perf_counter() - started) * 1000)
            print(f"| {pieces} | {count} | {label} | {percentile(timings, 0.5):.1f} | {percentile(timings, 0.95):.1f} |",
                  flush=True)


def _batch(model, query: str, passages: list[str]):
    """The batched call ``scores`` no longer makes, for the comparison."""
    encodings = model._tokenizer.encode_batch([(query, p) for p in passages])
    feeds = {name: np.array([getattr(e, attr) for e in encodings], dtype=np.int64)
             for name, attr in (("input_ids", "ids"), ("attention_mask", "attention_mask"), ("token_type_ids", "type_ids"))}
    return model._session.run(None, feeds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", default="electrum")
    parser.add_argument("--turns", type=int, default=120)
    parser.add_argument("--reranker", help="time this reranker model file alone instead of whole turns")
    args = parser.parse_args()
    if args.reranker:
        reranker_speed(args.reranker)
        return
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
