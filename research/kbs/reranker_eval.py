"""The reranker, measured leave-one-KB-out: for each real KB, the model trained without its documents
(``python -m research.kbs.reranker_train --leave-out KB``) reorders the top N chunks of Beacon's hybrid
search for that KB's answerable questions; file-level hit@1 / hit@5 with and without it.

    python -m research.kbs.reranker_eval                  # the held-out table (needs the three left-out models)
    python -m research.kbs.reranker_eval --model shipped  # the shipped model on the demo KB and StackFAQ

How the reranker's score combines with the fused score (``blend``: weight 1 replaces the fused score,
less mixes them) and N are chosen for each left-out KB on the other KBs' questions (the two other real
KBs, the demo KB and StackFAQ train: mean hit@1), never on the left-out one. The retrieval is the
product's (knowledge-file scan on, as ``research.kbs.evaluate`` measures).
"""

from __future__ import annotations

import argparse
import itertools
import json

import numpy as np

from app.index.reranker import CrossEncoderReranker, blend, passage_text
from research.kbs.data import REAL_KBS
from research.kbs.harness import FILE_DEPTH, Runner, bundled_embedder, hit_rank, ingest

TOP_N = (3, 5, 10)
WEIGHTS = (0.25, 0.5, 0.75, 1.0)
TUNING = ("demo", "stackfaq-train")  # with the real KBs other than the left-out one
SETTINGS = tuple(itertools.product(TOP_N, WEIGHTS))
# A turn has room for five passages of 96 word pieces (research/kbs/README.md, "Reranker, version 2"):
# the top 10 is measured (does the model rank on its own?) but never chosen.
BUDGET_TOP_N = 5
CHOICES = tuple(s for s in SETTINGS if s[0] <= BUDGET_TOP_N)


def candidates(name: str, embedder) -> list[tuple]:
    """(question, chunks of the top FILE_DEPTH) per answerable question of a KB."""
    from research.kbs.evaluate import kb_by_name

    kb = kb_by_name(name)
    runner = Runner(ingest(kb, embedder), embedder, chain=False)
    try:
        return [(q, runner.retriever.retrieve(q.query, top_k=FILE_DEPTH, region=q.region).results)
                for q in kb.questions if q.answerable]
    finally:
        runner.close()


def reranked_files(chunks, logits: np.ndarray, top_n: int, weight: float) -> list[str]:
    head = sorted(zip(chunks[:top_n], logits[:top_n]), key=lambda cl: -blend(cl[0].score, float(cl[1]), weight))
    return list(dict.fromkeys([c.source for c, _ in head] + [c.source for c in chunks[top_n:]]))


def rates(rows, logits, setting) -> tuple[float, float]:
    ranks = []
    for (question, chunks), scores in zip(rows, logits if logits is not None else [None] * len(rows)):
        files = (list(dict.fromkeys(c.source for c in chunks)) if setting is None
                 else reranked_files(chunks, scores, *setting))
        ranks.append(hit_rank(files, question.targets))
    n = len(ranks)
    return sum(r == 1 for r in ranks) / n, sum(r is not None and r <= 5 for r in ranks) / n


def score_all(model: CrossEncoderReranker, rows) -> list[np.ndarray]:
    top = max(TOP_N)
    return [model.scores(q.query, [passage_text(c.title, c.section, c.text) for c in chunks[:top]]) for q, chunks in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="left-out", choices=["left-out", "shipped"])
    parser.add_argument("--left-out", action="append", choices=REAL_KBS, help="only this left-out model (repeatable)")
    parser.add_argument("--json", help="also write every cell to this file")
    args = parser.parse_args()
    from research.kbs.reranker_train import model_path

    embedder = bundled_embedder()
    names = [*REAL_KBS, *TUNING] + (["stackfaq-test"] if args.model == "shipped" else [])
    rows = {name: candidates(name, embedder) for name in names}
    embedder.save()
    out = {}
    models = [None] if args.model == "shipped" else (args.left_out or list(REAL_KBS))
    for left_out in models:
        model = CrossEncoderReranker(model_path(left_out))
        logits = {name: score_all(model, rows[name]) for name in names}
        cells = {name: {"fused": rates(rows[name], None, None),
                        **{f"top{n} w{w}": rates(rows[name], logits[name], (n, w)) for n, w in SETTINGS}} for name in names}
        tuning = [name for name in names if name not in (left_out, "stackfaq-test")]
        chosen = max(CHOICES, key=lambda s: (np.mean([cells[name][f"top{s[0]} w{s[1]}"][0] for name in tuning]), -s[0], s[1]))
        label = f"without {left_out}" if left_out else "shipped (trained on every source)"
        out[label] = {"chosen": chosen, "tuned_on": tuning, "cells": cells}
        print(f"\n## model {label}; chosen on {', '.join(tuning)}: top {chosen[0]}, weight {chosen[1]}", flush=True)
        print("| KB (answerable questions) | fused hit@1 / hit@5 | " + " | ".join(f"top{n} w{w}" for n, w in SETTINGS) + " |")
        print("|---" * (len(SETTINGS) + 2) + "|")
        for name in names:
            c = cells[name]
            print(f"| {name}{' (left out)' if name == left_out else ''} ({len(rows[name])}) | "
                  + " | ".join(f"{a:.3f} / {b:.3f}" for a, b in [c["fused"], *(c[f"top{n} w{w}"] for n, w in SETTINGS)]) + " |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(out, handle, indent=1, default=list)


if __name__ == "__main__":
    main()
