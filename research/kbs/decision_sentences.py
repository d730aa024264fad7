"""The answer/abstain decision with the best sentence's match as a signal, leave one KB out.

    .venv/bin/python -m research.kbs.decision_sentences [--out FILE]   # research/kbs/decision_sentence_signals.md

Since 2026-12-05 every chunk's sentences are stored with their vectors and a turn scores the best sentence
of its first 10 candidates. A paraphrased question that some sentence of the top chunk says back is
likelier to be answered by it than one that only shares the chunk's topic (near-domain questions ask
about a thing the KB never says). Three new signals, all cosines of the bundled embedder (the scale of
``dense_top``), read from the product's retriever with the step on, as the shipped model reads its own:

- ``sentence_top``: the first result's best sentence cosine;
- ``sentence_gap``: that minus the mean best sentence cosine of the other candidates (the field);
- ``sentence_lift``: that minus the first result's chunk cosine (how much one sentence says more).

Each feature set is fitted on four KBs (plus CLINC150 ``oos_train``) and measured on the fifth (plus
``oos_val``), as ``research.kbs.decision`` does; the threshold is chosen on the four.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.chain.confidence import features
from app.chain.factory import build_retriever
from app.index.sentences import SentenceScorer
from app.index.sentence_store import SentenceStore
from research.kbs.data import cache_dir, clinc_out_of_scope, demo_kb, real_kb, stackfaq_kb
from research.kbs.decision import KB_LABELS, SOURCES, Row, leave_one_out
from research.kbs.harness import FILE_DEPTH, Runner, bundled_embedder, code_hash, ingest, ranked_files

SCALE_FREE = ["dense_top", "dense_gap", "agreement", "unknown_share", "top_coverage"]
FEATURE_SETS = {
    "scale-free only (shipped)": SCALE_FREE,
    "+ sentence_top": SCALE_FREE + ["sentence_top"],
    "+ sentence_gap": SCALE_FREE + ["sentence_gap"],
    "+ sentence_lift": SCALE_FREE + ["sentence_lift"],
    "+ sentence_top + sentence_gap": SCALE_FREE + ["sentence_top", "sentence_gap"],
    "sentence_top in place of dense_top": ["sentence_top", "dense_gap", "agreement", "unknown_share", "top_coverage"],
}


def _sentence_signals(scorer: SentenceScorer, vector, results, top_n: int) -> dict[str, float]:
    head = results[:top_n]
    best = scorer.best(vector, head) if head else {}
    if not head or head[0].chunk_id not in best:
        return {"sentence_top": 0.0, "sentence_gap": 0.0, "sentence_lift": 0.0}
    top = best[head[0].chunk_id]
    field = [best[c.chunk_id] for c in head[1:] if c.chunk_id in best]
    return {"sentence_top": top, "sentence_gap": top - (sum(field) / len(field) if field else 0.0),
            "sentence_lift": top - (head[0].dense_score or 0.0)}


def collect(name: str, embedder) -> list[Row]:
    path = cache_dir() / f"signals-sentences-{name}-{code_hash()}.json"
    if path.exists():
        return [Row(**r) for r in json.loads(path.read_text())]
    kbs = {"stackfaq": [stackfaq_kb("train"), stackfaq_kb("test")], "demo": [demo_kb()]}.get(name) or [real_kb(name)]
    ingested = ingest(kbs[0], embedder)
    runner = Runner(ingested, embedder, chain=False)
    settings = ingested.settings
    retriever = build_retriever(settings, runner.retriever.store, embedder)
    retriever.warm_up()
    scorer = SentenceScorer(embedder, SentenceStore(runner.retriever.store))
    rows = []

    def one(q, kb_part, kind, targets):
        retrieval = retriever.retrieve(q.query, top_k=FILE_DEPTH, region=q.region)
        files = ranked_files(retrieval.results)
        x = features(retrieval.signals)
        x.update(_sentence_signals(scorer, embedder.embed_query(q.query), retrieval.results, settings.sentence_top_n))
        rows.append(Row(kb_part, kind, bool(set(files[:SOURCES]) & set(targets)), bool(files) and files[0] in targets, x, q.query))

    try:
        for kb in kbs:
            part = "test" if kb.name.endswith("-test") else "fit"
            for q in kb.questions:
                one(q, f"{name}:{part}", "answerable" if q.answerable else "unanswerable", q.targets)
        for part in ("oos_train", "oos_val"):
            for q in clinc_out_of_scope(part):
                one(q, f"{name}:{part}", "oos", ())
    finally:
        runner.close()
    path.write_text(json.dumps([r.__dict__ for r in rows]))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="write the tables (Markdown) here too")
    args = parser.parse_args(argv)
    embedder = bundled_embedder()
    all_rows = {name: collect(name, embedder) for name in ("electrum", "monero", "btcpay", "stackfaq", "demo")}
    embedder.save()
    lines = []
    for title, names in FEATURE_SETS.items():
        table = leave_one_out(all_rows, names)
        lines += [f"\n### {title}\n", "| left out (measured on) | threshold | answered | answered, top file right | "
                  "near-domain declined | CLINC oos_val declined (n=100) |", "|---|---|---|---|---|---|"]
        cell = lambda row, key: "—" if not row[key][1] else f"{row[key][0]:.2f}"  # noqa: E731
        for row in table:
            lines.append(f"| {KB_LABELS[row['kb']]} | {row['threshold']:.2f} | {cell(row, 'answered')} | "
                         f"{cell(row, 'answered_right')} | {cell(row, 'unanswerable_declined')} | {cell(row, 'oos_declined')} |")
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines).lstrip() + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
