"""The answer/abstain decision with the cross-encoder's score of the first results, leave one KB out.

    python -m research.kbs.decision_reranker

The reranker's logit for a question and a passage does not depend on a KB's score scale the way a
cosine or a BM25 score does: it was trained to say whether the passage answers the question. For each
left-out real KB, the model trained without that KB (``python -m research.kbs.reranker_train
--leave-out KB``) scores the first two results of the hybrid search (fused order, no reordering) of every
question of every KB, each passage alone (batch of one, as the product scores it); the decision is then
fitted on the other KBs and CLINC150 ``oos_train`` and measured on the left-out KB and ``oos_val``, as
``research.kbs.decision`` does. StackFAQ and the demo KB have no model that never saw them (every model
trained on StackFAQ train and the demo KB's structure): their folds use the model trained on every source
and are marked as such.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from pathlib import Path

import numpy as np

from app.index.reranker import CrossEncoderReranker
from research.kbs.data import REAL_KBS, cache_dir
from research.kbs.decision import FEATURE_SETS, Fitted, Row, collect, fit_rows, measure_rows, print_table, rates
from research.kbs.harness import bundled_embedder
from research.kbs.kb_scale import kb_scale, placed

KBS = (*REAL_KBS, "stackfaq", "demo")
SCALE_FREE = FEATURE_SETS["scale-free only"]
RERANKER_SETS = {
    "scale-free only (shipped)": SCALE_FREE,
    "reranker probability alone": ["rerank_prob"],
    "scale-free + reranker probability": [*SCALE_FREE, "rerank_prob"],
    "scale-free + reranker logit": [*SCALE_FREE, "rerank_top"],
    "scale-free + reranker logit + top-2 margin": [*SCALE_FREE, "rerank_top", "rerank_margin"],
    "scale-free + vector top on the KB's own scale": [*SCALE_FREE, "dense_top_kb"],
    "scale-free, vector top on the KB's own scale instead": ["dense_top_kb", *SCALE_FREE[1:]],
    "scale-free + reranker probability + vector top on the KB's own scale": [*SCALE_FREE, "rerank_prob", "dense_top_kb"],
}


def model_for(left_out: str) -> Path:
    """The model that never saw the left-out KB; for StackFAQ and the demo KB, which every model saw, the one
    trained on every source (``reranker_train --export``'s file, kept as ``reranker-all.onnx`` in the cache)."""
    from research.kbs.reranker_train import model_path

    return model_path(left_out) if left_out in REAL_KBS else cache_dir() / "reranker-all.onnx"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def rows_digest(rows: list[Row], passages: int = 2) -> str:
    """What the reranker reads of the rows: its scores depend on nothing else (and the model)."""
    return hashlib.sha256(json.dumps([(r.query, r.passages[:passages]) for r in rows]).encode()).hexdigest()[:12]


def logits(name: str, rows: list[Row], model_path: Path, passages: int = 2) -> np.ndarray:
    """The model's logit for the first ``passages`` results of every row (NaN where a question had
    fewer results), cached by the model file and what the rows hold."""
    path = cache_dir() / f"rerank-logits-{name}-{_digest(model_path)}-{rows_digest(rows, passages)}-{passages}.npy"
    if path.exists():
        return np.load(path)
    model = CrossEncoderReranker(model_path)
    out = np.full((len(rows), passages), np.nan, dtype=np.float32)
    for i, row in enumerate(rows):
        scored = model.scores(row.query, row.passages[:passages])
        out[i, : len(scored)] = scored
    np.save(path, out)
    return out


def reranker_features(logits: list[float]) -> dict[str, float]:
    """The first result's logit, as a probability, and its margin over the second's (0 without one)."""
    if not logits:
        return {"rerank_top": 0.0, "rerank_prob": 0.5, "rerank_margin": 0.0}
    return {"rerank_top": logits[0], "rerank_prob": 1.0 / (1.0 + math.exp(-max(min(logits[0], 40.0), -40.0))),
            "rerank_margin": logits[0] - logits[1] if len(logits) > 1 else 0.0}


def with_reranker(rows: list[Row], scores: np.ndarray, scale: dict[str, float]) -> list[Row]:
    """The rows with the reranker's features and the vector top placed on the KB's own scale
    (research/kbs/kb_scale.py)."""
    out = []
    for row, pair in zip(rows, scores):
        extra = {**reranker_features([float(v) for v in pair if not np.isnan(v)]),
                 "dense_top_kb": placed(row.x["dense_top"], scale)}
        out.append(Row(row.kb, row.kind, row.found, row.top1, {**row.x, **extra}, row.query, row.passages))
    return out


def fold_rows(all_rows: dict[str, list[Row]], held: str, scales: dict[str, dict]) -> dict[str, list[Row]]:
    model = model_for(held)
    return {kb: with_reranker(rows, logits(kb, rows, model), scales[kb]) for kb, rows in all_rows.items()}


def leave_one_out(all_rows: dict[str, list[Row]], names: list[str], scales: dict[str, dict]) -> list[dict]:
    table = []
    for held in KBS:
        rows = fold_rows(all_rows, held, scales)
        train = [r for kb, kb_rows in rows.items() if kb != held for r in fit_rows(kb_rows)]
        fitted = Fitted(train, names)
        test = measure_rows(rows[held], held)
        table.append({"kb": held, "threshold": round(fitted.threshold, 3), **rates(test, fitted.score(test), fitted.threshold)})
    return table


def separation(all_rows: dict[str, list[Row]], scales: dict[str, dict]) -> None:
    """How far the left-out model's probability for the first result sets the kinds of question apart, per
    left-out real KB: the mean, and the share above 0.5."""
    print("\n### The left-out model's probability for the first result, by kind of question\n")
    print("| left out | answerable, right file first | answerable, wrong file first | near-domain unanswerable | CLINC oos_val |")
    print("|---|---|---|---|---|")
    for held in REAL_KBS:
        rows = measure_rows(fold_rows(all_rows, held, scales)[held], held)
        groups = {
            "right": [r for r in rows if r.kind == "answerable" and r.top1],
            "wrong": [r for r in rows if r.kind == "answerable" and not r.top1],
            "unanswerable": [r for r in rows if r.kind == "unanswerable"],
            "oos": [r for r in rows if r.kind == "oos"],
        }
        cells = []
        for group in groups.values():
            p = np.array([r.x["rerank_prob"] for r in group])
            cells.append(f"{p.mean():.2f}, {np.mean(p > 0.5):.2f} above 0.5 (n={len(p)})" if len(p) else "—")
        print(f"| {held} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--features", action="append", choices=list(RERANKER_SETS), help="only this feature set (repeatable)")
    args = parser.parse_args()
    embedder = bundled_embedder()
    all_rows = {name: collect(name, embedder) for name in KBS}
    scales = {name: kb_scale(name, embedder) for name in KBS}
    embedder.save()
    print("\n| KB | headings | median best cosine, own section | median best cosine, another file |\n|---|---|---|---|")
    for name, scale in scales.items():
        print(f"| {name} | {scale['headings']} | {scale['own']:.3f} | {scale['other']:.3f} |")
    separation(all_rows, scales)
    summary = []
    for title in args.features or RERANKER_SETS:
        table = leave_one_out(all_rows, RERANKER_SETS[title], scales)
        print_table(title, table)
        with_unanswerable = [row for row in table if row["unanswerable_declined"][1]]
        summary.append((title, np.mean([(row["answered"][0] + row["unanswerable_declined"][0]) / 2 for row in with_unanswerable])))
    print("\nStackFAQ's and the demo KB's folds use the model trained on every source (it saw both).")
    print("\n| feature set | mean over the KBs with unanswerable questions of (answered + near-domain declined) / 2 |")
    print("|---|---|")
    for title, value in summary:
        print(f"| {title} | {value:.3f} |")


if __name__ == "__main__":
    main()
