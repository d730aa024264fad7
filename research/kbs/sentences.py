"""Sentence-level matching beside the chunk vector, on the labelled KBs (file hit@1 / hit@5 per setting).

    .venv/bin/python -m research.kbs.sentences [--kb KB ...] [--out FILE]

A 220-token chunk's one vector averages what it says; a paraphrased question often matches one sentence of
it ("16 words but my old one had 25" against a glossary entry's sentence on seed lengths). Each chunk's
sentences are embedded with its title and section path in front, as the chunk is; a candidate's best
sentence cosine, min-max normalised over the candidates, is added to the fused score with weight w
(late interaction, coarse). w = 0 is retrieval as shipped.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np

from research.kbs.evaluate import kb_by_name
from research.kbs.harness import FILE_DEPTH, bundled_embedder, hit_rank, ranked_files, retrieval_runner

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 1.0)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n{1,}")
MIN_WORDS = 4


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if len(s.split()) >= MIN_WORDS]


def best_sentence_scores(runner, embedder) -> tuple[dict[str, np.ndarray], object]:
    index = runner.retriever.keywords
    by_chunk, texts = {}, []
    for chunk_id, text, meta in zip(index.ids, index.documents, index.metadatas):
        lead = " › ".join(p for p in (meta.get("title", ""), meta.get("section", "")) if p)
        parts = [f"{lead}: {s}" if lead else s for s in sentences(text)] or [text]
        by_chunk[chunk_id] = (len(texts), len(texts) + len(parts))
        texts.extend(parts)
    vectors = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    embedder.save()
    return {c: vectors[a:b] for c, (a, b) in by_chunk.items()}


def _normalised_best(results, per_chunk, query_vector) -> dict[str, float]:
    best = {c.chunk_id: float((per_chunk[c.chunk_id] @ query_vector).max()) for c in results if c.chunk_id in per_chunk}
    low, high = (min(best.values()), max(best.values())) if best else (0.0, 1.0)
    return {c: (v - low) / (high - low) if high > low else 1.0 for c, v in best.items()}


def with_sentences(retriever, embedder, per_chunk, weight: float):
    """Wraps ``retriever.retrieve`` (the chain's): FILE_DEPTH candidates, reordered by fused + weight x the best
    sentence, cut to what was asked. The confidence signals stay those of the fused list, but ``fused_margin``,
    which is recomputed on the new order (a research approximation of an integrated version)."""
    original = retriever.retrieve

    def retrieve(query, top_k=5, region=None, audience=None, mode="hybrid"):
        retrieval = original(query, top_k=max(top_k, FILE_DEPTH), region=region, audience=audience, mode=mode)
        vector = np.asarray(embedder.embed_query(query), dtype=np.float32)
        norm = _normalised_best(retrieval.results, per_chunk, vector / np.linalg.norm(vector))
        for chunk in retrieval.results:
            chunk.score = chunk.score + weight * norm.get(chunk.chunk_id, 0.0)
        retrieval.results = sorted(retrieval.results, key=lambda c: -c.score)[:top_k]
        if len(retrieval.results) > 1:
            retrieval.signals["fused_margin"] = retrieval.results[0].score - retrieval.results[1].score
        return retrieval

    retriever.retrieve = retrieve


def chain_effect(name: str, weight: float) -> dict:
    """The whole chain (extractive, every guardrail) with and without the sentence scores, on one KB."""
    from guardrails.pii import Redactor
    from research.kbs.harness import Runner, ingest

    embedder, redactor = bundled_embedder(), Redactor()
    redactor.warm_up()
    kb = kb_by_name(name)
    out = {}
    for label, w in (("as shipped", 0.0), (f"sentences w={weight}", weight)):
        # the product's own sentence step (app/index/sentences.py) off: this compares the research wrapper with none
        runner = Runner(ingest(kb, embedder), embedder, redactor, chain=True, sentence_weight=0.0)
        if w:
            with_sentences(runner.chain.retriever, embedder, best_sentence_scores(runner, embedder), w)
        turns = [runner.ask(q) for q in kb.questions]
        answerable = [t for t in turns if t.question.answerable]
        unanswerable = [t for t in turns if not t.question.answerable]
        out[label] = {"answered": round(sum(t.answered for t in answerable) / len(answerable), 3),
                      "cited_right": round(sum(t.cited_right for t in answerable) / len(answerable), 3),
                      "given_right_incl_alongside": round(sum(t.given_right for t in answerable) / len(answerable), 3),
                      "near_domain_declined": round(sum(t.declined for t in unanswerable) / max(1, len(unanswerable)), 3),
                      "n": [len(answerable), len(unanswerable)]}
        runner.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", action="append", help="electrum, monero, btcpay, demo, stackfaq (its train queries) (repeatable; default the three real KBs)")
    parser.add_argument("--candidates", type=int, default=FILE_DEPTH,
                        help=f"fused candidates the sentences reorder (default {FILE_DEPTH}; the rest keep their place after them)")
    parser.add_argument("--chain", type=float, metavar="W", help="the whole chain with and without weight W instead")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.chain is not None:
        result = {name: chain_effect(name, args.chain) for name in args.kb or ["electrum", "monero", "btcpay"]}
        print(json.dumps(result, indent=1))
        if args.out:
            args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        return 0
    embedder, result = bundled_embedder(), {}
    for name in args.kb or ["electrum", "monero", "btcpay"]:
        runner = retrieval_runner(name, embedder)
        per_chunk = best_sentence_scores(runner, embedder)
        questions = [q for q in kb_by_name("stackfaq-train" if name == "stackfaq" else name).questions if q.targets]
        ranks: dict[float, list] = {w: [] for w in WEIGHTS}
        for q in questions:
            results = runner.retriever.retrieve(q.query, top_k=FILE_DEPTH, region=q.region).results
            head, tail = results[:args.candidates], results[args.candidates:]
            query = np.asarray(embedder.embed_query(q.query), dtype=np.float32)
            query /= np.linalg.norm(query)
            norm = _normalised_best(head, per_chunk, query)
            for w in WEIGHTS:
                order = sorted(head, key=lambda c: -(c.score + w * norm.get(c.chunk_id, 0.0))) + tail
                ranks[w].append(hit_rank(ranked_files(order), q.targets))
        result[name] = {str(w): [round(sum(r == 1 for r in rs) / len(rs), 3),
                                 round(sum(r is not None and r <= 5 for r in rs) / len(rs), 3)] for w, rs in ranks.items()}
        result[name]["n"] = len(questions)
        runner.close()
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
