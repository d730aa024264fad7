"""Sentence-level matching beside the chunk vector, on the labelled KBs (file hit@1 / hit@5 per setting).

    .venv/bin/python -m research.kbs.sentences [--kb KB ...] [--out FILE]

A 220-token chunk's one vector averages what it says; a paraphrased question often matches one sentence of
it ("16 words but my old one had 25" against a glossary entry's sentence on seed lengths). Each chunk's
sentences are embedded with its title and section path in front, as the chunk is; a candidate's best
sentence cosine, min-max normalised over the candidates, is added to the fused score with weight w
(late interaction, coarse). w = 0 is retrieval as shipped. The sentences, their vectors and the reorder are the
product's (app/index/sentences.py), applied here to the fused list of ``retrieval_runner`` per weight.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from app.index.sentences import SentenceScorer, reorder
from research.kbs.evaluate import kb_by_name
from research.kbs.harness import FILE_DEPTH, bundled_embedder, hit_rank, ranked_files, retrieval_runner

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 1.0)


def chain_effect(name: str, weight: float, candidates: int) -> dict:
    """The whole chain (extractive, every guardrail) without and with the product's sentence step, on one KB."""
    from guardrails.pii import Redactor
    from research.kbs.harness import Runner, ingest

    embedder, redactor = bundled_embedder(), Redactor()
    redactor.warm_up()
    kb = kb_by_name(name)
    out = {}
    for label, w in (("as shipped", 0.0), (f"sentences w={weight}", weight)):
        runner = Runner(ingest(kb, embedder), embedder, redactor, chain=True, sentence_weight=w, sentence_top_n=candidates)
        turns = [runner.ask(q) for q in kb.questions]
        answerable = [t for t in turns if t.question.answerable]
        unanswerable = [t for t in turns if not t.question.answerable]
        out[label] = {"answered": round(sum(t.answered for t in answerable) / len(answerable), 3),
                      "cited_right": round(sum(t.cited_right for t in answerable) / len(answerable), 3),
                      "given_right_incl_alongside": round(sum(t.given_right for t in answerable) / len(answerable), 3),
                      "near_domain_declined": round(sum(t.declined for t in unanswerable) / max(1, len(unanswerable)), 3),
                      "n": [len(answerable), len(unanswerable)]}
        runner.close()
    embedder.save()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", action="append", help="electrum, monero, btcpay, demo, stackfaq (its train queries) (repeatable; default the three real KBs)")
    parser.add_argument("--candidates", type=int, default=FILE_DEPTH,
                        help=f"fused candidates the sentences reorder (default {FILE_DEPTH}; the rest keep their place after them)")
    parser.add_argument("--chain", type=float, metavar="W",
                        help="instead, the whole chain without and with the product's sentence step at weight W (and --candidates)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.chain is not None:
        result = {name: chain_effect(name, args.chain, args.candidates) for name in args.kb or ["electrum", "monero", "btcpay"]}
        print(json.dumps(result, indent=1))
        if args.out:
            args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        return 0
    embedder, result = bundled_embedder(), {}
    for name in args.kb or ["electrum", "monero", "btcpay"]:
        runner, scorer = retrieval_runner(name, embedder), SentenceScorer(embedder)
        questions = [q for q in kb_by_name("stackfaq-train" if name == "stackfaq" else name).questions if q.targets]
        ranks: dict[float, list] = {w: [] for w in WEIGHTS}
        for q in questions:
            results = runner.retriever.retrieve(q.query, top_k=FILE_DEPTH, region=q.region).results
            head, tail = results[:args.candidates], results[args.candidates:]
            best = scorer.best(embedder.embed_query(q.query), head)
            for w in WEIGHTS:
                order = reorder([replace(c) for c in head], best, w) + tail
                ranks[w].append(hit_rank(ranked_files(order), q.targets))
        result[name] = {str(w): [round(sum(r == 1 for r in rs) / len(rs), 3),
                                 round(sum(r is not None and r <= 5 for r in rs) / len(rs), 3)] for w, rs in ranks.items()}
        result[name]["n"] = len(questions)
        runner.close()
        embedder.save()
        print(json.dumps({name: result[name]}), flush=True)
    if len(result) > 2:
        result["left_out"] = left_one_out(result)
        print(json.dumps({"left_out": result["left_out"]}))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


def left_one_out(result: dict) -> dict:
    """For each source, the weight the others choose (best mean hit@1 over them, ties to the smaller weight),
    and its hit@1 / hit@5 there against w = 0."""
    names = [k for k in result if k != "left_out"]
    out = {}
    for name in names:
        others = [k for k in names if k != name]
        weight = max((str(w) for w in WEIGHTS), key=lambda w: (sum(result[k][w][0] for k in others) / len(others), -float(w)))
        out[name] = {"weight": float(weight), "with": result[name][weight], "without": result[name][str(WEIGHTS[0])]}
    return out


if __name__ == "__main__":
    raise SystemExit(main())
