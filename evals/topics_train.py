"""Train the sensitive-topic model shipped as guardrails/topic_model.json, and the comparison
that decided its design.

    .venv/bin/python -m evals.topics_train            # writes guardrails/topic_model.json
    .venv/bin/python -m evals.topics_train --compare  # leave-one-split-out comparison

The model: one class-balanced, L2-penalised logistic regression per category over the
MiniLM embedding of the (placeholder-readable) message, and nothing else. It is trained on
the development messages only: splits train, test, test2 and test3 of sensitive_topics.jsonl plus
the project's routine questions (queries_*.jsonl, labelled by queries_topic_labels.jsonl).
Split test3 (the blind split of version 3, scored once) is training data since version 4;
blind splits are kept in files of their own (sensitive_topics_test4.jsonl) and never read here.

Rule cue counts are *not* features: the rules were written while reading these messages,
so on them the rules are nearly perfect and an LR learns to copy them (left out split by
split, rules OR LR(embedding + rules) added no recall over the rules). The model is meant to
catch what the rules miss on new wording, so it sees only the embedding.

The cut: one probability threshold for all categories, the lowest on a 0.01 grid at which
the out-of-fold (5 folds) flag rate of rules OR model stays within ROUTINE_BUDGET on the
routine questions, and adds at most NEGATIVE_MARGIN to the rules' own flag rate on the
labelled set's no-label messages (mostly hard negatives). Deterministic: fixed folds, Newton's method from zeros, rounded
weights.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from guardrails.topic_rules import model_categories
from guardrails.topics import CATEGORIES, MODEL_PATH, readable, rule_features, rules_scores

DATASET = Path(__file__).resolve().parent / "datasets" / "sensitive_topics.jsonl"
# Every labelled split in evals/datasets/sensitive_topics*.jsonl is development data except the
# current blind one, kept in a file of its own and never read here. Each round, the blind split
# of the round before becomes training data and a new one is written.
BLIND_SPLITS = ("test7", "test8")
FOLDS = 5
L2 = 1.0  # ridge strength on the summed loss; 0.3 and 3 moved held-out recall by < 0.01
STEPS = 50
# A missed escalation costs more than an unneeded one (5 to 1 in `beacon eval`'s escalation_cost),
# so the cut takes recall up to these budgets. The hard-negative budget is what the model may
# ADD to the rules' own no-label flags: the rules alone flag 12.6% of the version-6 dev set's
# no-label messages (the near-miss set train_e), so an absolute 12% budget pushed the cut to
# the top of the grid (0.99) and switched the model off (out-of-fold recall 0.799).
ROUTINE_BUDGET = 0.02  # out-of-fold share of routine questions flagged (the target is < 3%)
NEGATIVE_MARGIN = 0.03  # out-of-fold no-label flags the model may add to the rules' own
GRID = [round(0.5 + 0.01 * i, 2) for i in range(50)]


def load_examples(path: Path = DATASET) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def development_files() -> list[Path]:
    """The labelled files, minus any that holds a blind split (it is not even opened)."""
    return [p for p in sorted(DATASET.parent.glob("sensitive_topics*.jsonl"))
            if not any(p.name == f"sensitive_topics_{split}.jsonl" for split in BLIND_SPLITS)]


def development_rows() -> list[dict]:
    """Labelled dev messages and routine questions as {text, labels, group}; no blind split."""
    from evals.topics_eval import routine_questions

    rows = [{"text": r["text"], "labels": r["labels"], "group": r["split"]}
            for path in development_files() for r in load_examples(path) if r["split"] not in BLIND_SPLITS]
    return rows + [{"text": q["text"], "labels": q["labels"], "group": "routine"} for q in routine_questions()]


def label_matrix(rows: list[dict]) -> np.ndarray:
    return np.array([[c in r["labels"] for c in CATEGORIES] for r in rows], dtype=np.float64)


def embed(embedder, texts: list[str]) -> np.ndarray:
    return np.asarray(embedder.embed_documents([readable(t) for t in texts]), dtype=np.float64)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = STEPS):
    """Class-balanced, L2-penalised logistic regression by Newton's method (numpy only).

    384 features and ~1,300 rows: each Newton step is one small linear solve and it
    converges in a few dozen steps."""
    pos = max(float(y.sum()), 1.0)
    neg = max(float(len(y) - y.sum()), 1.0)
    # Positives are ~3-5% of rows per category; balancing keeps them from being ignored.
    sample = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))
    xb = np.hstack([x, np.ones((len(x), 1))])
    penalty = np.full(xb.shape[1], l2)
    penalty[-1] = 1e-6  # the bias is not shrunk
    w = np.zeros(xb.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (sample * (p - y)) + penalty * w
        hess = (xb * (sample * p * (1 - p))[:, None]).T @ xb + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w[:-1], float(w[-1])


def predict(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(x @ w + b, -30, 30)))


def fit_matrix(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    fits = [fit_logistic(x, y[:, k]) for k in range(len(CATEGORIES))]
    return np.stack([w for w, _ in fits], axis=1), np.array([b for _, b in fits])


def out_of_fold(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Out-of-fold probabilities, (rows, categories). Rows are grouped by category in the
    files, so index modulo FOLDS stratifies."""
    folds, scores = np.arange(len(y)) % FOLDS, np.zeros(y.shape)
    for f in range(FOLDS):
        w, b = fit_matrix(x[folds != f], y[folds != f])
        scores[folds == f] = predict(x[folds == f], w, b)
    return scores


def gate(texts: list[str], need_incident: bool = False) -> np.ndarray:
    """Where the detector lets the model score (stage 1 and the vetoes of the rules)."""
    return np.array([[c in model_categories(readable(t), need_incident) for c in CATEGORIES] for t in texts])


def rule_flags(texts: list[str]) -> np.ndarray:
    return np.array([[rules_scores(readable(t))[c] > 0 for c in CATEGORIES] for t in texts])


def flag_rates(flags: np.ndarray, y: np.ndarray, groups: np.ndarray) -> dict:
    no_label = y.sum(1) == 0
    return {"routine": float(flags[no_label & (groups == "routine")].any(1).mean()),
            "negatives": float(flags[no_label & (groups != "routine")].any(1).mean()),
            "recall": float((flags & (y == 1)).sum() / y.sum())}


def pick_threshold(oof: np.ndarray, rules: np.ndarray, y: np.ndarray, groups: np.ndarray) -> tuple[float, dict]:
    rules_alone = flag_rates(rules, y, groups)
    for t in GRID:
        rates = flag_rates(rules | (oof >= t), y, groups)
        if rates["routine"] <= ROUTINE_BUDGET and rates["negatives"] <= rules_alone["negatives"] + NEGATIVE_MARGIN:
            return t, rates
    return GRID[-1], flag_rates(rules | (oof >= GRID[-1]), y, groups)


def train(embedder) -> dict:
    rows = development_rows()
    texts = [r["text"] for r in rows]
    x, y, groups = embed(embedder, texts), label_matrix(rows), np.array([r["group"] for r in rows])
    rules = rule_flags(texts)
    oof = out_of_fold(x, y) * gate(texts)
    threshold, rates = pick_threshold(oof, rules, y, groups)
    w, b = fit_matrix(x, y)
    return {
        "embedder": embedder.model_id,
        "threshold": threshold,
        "trained_on": {"messages": len(rows), "splits": [*sorted({r["group"] for r in rows} - {"routine"}),
                                                          "routine questions"]},
        "out_of_fold": {k: round(v, 4) for k, v in rates.items()},
        "categories": {c: {"bias": round(float(b[k]), 5), "weights": [round(float(v), 5) for v in w[:, k]]}
                       for k, c in enumerate(CATEGORIES)},
    }


def compare(embedder) -> None:
    """Leave one dev split out (train on the other two + routine questions): rules alone,
    rules OR LR(embedding), rules OR LR(embedding + rule features), and the LR alone."""
    rows = development_rows()
    texts = [r["text"] for r in rows]
    emb, y, groups = embed(embedder, texts), label_matrix(rows), np.array([r["group"] for r in rows])
    rules = rule_flags(texts)
    gates = {"": np.ones(y.shape, dtype=bool), " gated": gate(texts), " gated(incident)": gate(texts, True)}
    with_rules = np.hstack([emb, np.array([rule_features(readable(t)) for t in texts])])
    print(f"{'held out':9s} {'candidate':38s} {'t':>5s} {'recall':>7s} {'no-label flagged':>17s}")
    for held in (*sorted(set(groups) - {"routine"}), "routine"):
        tr, te = groups != held, groups == held
        print(f"{held:9s} {'rules':38s} {'':5s} {_row(rules[te], y[te])}")
        w, b = fit_matrix(with_rules[tr], y[tr])
        p = predict(with_rules[te], w, b)
        print(f"{held:9s} {'rules OR LR(embedding+rules)':38s} {0.8:5.2f} {_row(rules[te] | (p >= 0.8), y[te])}")
        w, b = fit_matrix(emb[tr], y[tr])
        p = predict(emb[te], w, b)
        for t in (0.7, 0.8, 0.9):
            print(f"{held:9s} {'LR(embedding) alone':38s} {t:5.2f} {_row(p >= t, y[te])}")
            for name, g in gates.items():
                print(f"{held:9s} {'rules OR LR(embedding)' + name:38s} {t:5.2f} {_row(rules[te] | ((p >= t) & g[te]), y[te])}")

def _row(flags: np.ndarray, y: np.ndarray) -> str:
    recall = (flags & (y == 1)).sum() / max(y.sum(), 1)
    return f"{recall:7.3f} {flags[y.sum(1) == 0].any(1).mean():17.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--compare", action="store_true", help="print the leave-one-split-out comparison, write nothing")
    args = parser.parse_args()
    from app.embedding.onnx_minilm import OnnxMiniLMEmbedder

    embedder = OnnxMiniLMEmbedder()
    embedder.warm_up()
    if args.compare:
        compare(embedder)
        return
    model = train(embedder)
    MODEL_PATH.write_text(json.dumps(model, separators=(",", ":")) + "\n")
    print(f"wrote {MODEL_PATH}: threshold {model['threshold']}, out-of-fold {model['out_of_fold']}")


if __name__ == "__main__":
    main()
