"""Fit the confidence model on the labelled set and report how well it separates questions
the knowledge base answers (and retrieval finds) from the rest.

    python -m research.retrieval.calibrate            # needs an ingested demo KB (beacon ingest)

Writes app/chain/confidence_model.json and bench/results/confidence.json. The reported AUROC,
precision and recall come from 5-fold cross-validation, so they are not measured on the
questions the model was fitted on.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from app.chain.confidence import MODEL_FILE, ConfidenceModel, features
from app.core.settings import load_settings
from app.index.embedding import build_embedder
from app.index.retrieval import HybridRetriever
from app.index.store import KnowledgeStore
from evals.retrieval import first_hit_rank
from research.paths import BENCH_RESULTS
from research.retrieval.queries import demo_queries

REPORT = BENCH_RESULTS / "confidence.json"
TARGET_PRECISION = 0.90  # of the answers Beacon gives, at least this share must be right
SOURCES = 3  # the chain cites its top three chunks


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 3000, lr: float = 0.1):
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        w -= lr * ((x.T @ (p - y)) / len(y) + l2 * w / len(y))
        b -= lr * float(np.mean(p - y))
    return w, b


def auroc(scores: np.ndarray, labels: np.ndarray) -> float:
    pos, neg = scores[labels == 1], scores[labels == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


def precision_recall(scores, labels, threshold):
    answered = scores >= threshold
    tp = int((answered & (labels == 1)).sum())
    precision = tp / max(int(answered.sum()), 1)
    recall = tp / max(int((labels == 1).sum()), 1)
    return precision, recall


def main() -> None:
    settings = load_settings()
    embedder = build_embedder(settings)
    store = KnowledgeStore(settings, embedder.model_id).open()
    retriever = HybridRetriever(store, embedder, alpha=settings.retrieval_alpha, candidates=settings.retrieval_candidates)
    retriever.warm_up()
    queries = demo_queries()
    names = None
    rows, good, answerable = [], [], []
    for q in queries:
        retrieval = retriever.retrieve(q.query, SOURCES, q.region)
        f = features(retrieval.signals)
        names = list(f)
        rows.append([f[n] for n in names])
        found = first_hit_rank([(r.source, r.section) for r in retrieval.results], q.expected) is not None
        good.append(int(q.answerable and found))
        answerable.append(int(q.answerable))
    x, y, a = np.array(rows), np.array(good), np.array(answerable)
    means, scales = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - means) / scales

    # 5 folds by a hash of the query id: stable across runs and machines.
    folds = np.array([int(hashlib.sha256(q.id.encode()).hexdigest(), 16) % 5 for q in queries])
    cv = np.zeros(len(y))
    for k in range(5):
        w, b = fit_logistic(z[folds != k], y[folds != k])
        cv[folds == k] = 1 / (1 + np.exp(-(z[folds == k] @ w + b)))

    candidates = sorted(set(np.round(cv, 3)))
    threshold = next((t for t in candidates if precision_recall(cv, y, t)[0] >= TARGET_PRECISION), 0.5)
    precision, recall = precision_recall(cv, y, threshold)
    w, b = fit_logistic(z, y)
    model = ConfidenceModel(dict(zip(names, map(float, w))), float(b), dict(zip(names, map(float, means))),
                            dict(zip(names, map(float, scales))))
    MODEL_FILE.write_text(json.dumps(model.to_json(), indent=2) + "\n")
    unanswerable_refused = float(((cv < threshold) & (a == 0)).sum() / max((a == 0).sum(), 1))
    report = {
        "queries": len(queries), "answerable": int(a.sum()), "unanswerable": int((a == 0).sum()),
        "answerable_and_found_in_top3": int(y.sum()),
        "auroc_answerable_vs_unanswerable": round(auroc(cv, a), 4),
        "auroc_right_answer_vs_rest": round(auroc(cv, y), 4),
        "threshold": float(threshold), "target_precision": TARGET_PRECISION,
        "precision_at_threshold": round(precision, 4), "recall_at_threshold": round(recall, 4),
        "unanswerable_refused_at_threshold": round(unanswerable_refused, 4),
        "weights": model.weights,
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
