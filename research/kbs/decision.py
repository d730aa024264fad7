"""The answer/abstain decision, fitted across knowledge bases and checked on the one left out.

    python -m research.kbs.decision              # the leave-one-KB-out table for each feature set
    python -m research.kbs.decision --write      # also refit on all KBs and write app/chain/confidence_model.json

The KBs: the three real help centres (50 answerable + 20 near-domain unanswerable questions
each), StackFAQ (fitted on its train queries, measured on its test queries when left out) and
the demo KB (written here). CLINC150's out-of-scope queries are asked of every KB as questions
to decline: ``oos_train`` in fitting, ``oos_val`` when measuring.

A question is a positive when the KB answers it and a target file is among the three sources
the chain would cite. Each KB weighs the same in the fit, and so do its three kinds of question
(answerable, near-domain unanswerable, out of scope). The threshold is the one that maximises
the mean over the training KBs of (answerable answered + near-domain declined + out of scope
declined) / 3. The shipped model's bias is shifted so that this threshold lands on the
configured ``BEACON_CONFIDENCE_THRESHOLD`` (0.614): the setting keeps its meaning.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass, field

import numpy as np

from app.chain.confidence import MODEL_FILE, ConfidenceModel, features
from research.kbs.data import cache_dir, clinc_out_of_scope, demo_kb, real_kb, stackfaq_kb
from research.kbs.harness import Runner, bundled_embedder, code_hash, ingest

SOURCES = 3
CONFIGURED_THRESHOLD = 0.614  # app/core/settings.py: confidence_threshold
FEATURE_SETS = {
    "as shipped (6 signals)": ["dense_top", "dense_margin", "sparse_top", "sparse_margin", "agreement", "fused_margin"],
    "+ field gap": ["dense_top", "dense_margin", "sparse_top", "sparse_margin", "agreement", "fused_margin",
                    "dense_gap"],
    "+ field gap + lexical": ["dense_top", "dense_margin", "sparse_top", "sparse_margin", "agreement",
                              "fused_margin", "dense_gap", "unknown_share", "top_coverage"],
    "scale-free only": ["dense_top", "dense_gap", "agreement", "unknown_share", "top_coverage"],
}


@dataclass
class Row:
    kb: str
    kind: str  # answerable, unanswerable, oos
    found: bool  # a target file among the cited sources
    top1: bool
    x: dict
    query: str = ""
    passages: list[str] = field(default_factory=list)  # the first two results as the reranker reads them


def collect(name: str, embedder) -> list[Row]:
    """Signals of every question of one KB (its fitting part, its measuring part, and the CLINC
    queries), cached by the code that produced them."""
    path = cache_dir() / f"signals-{name}-{code_hash()}.json"
    if path.exists():
        return [Row(**r) for r in json.loads(path.read_text())]
    kbs = {"stackfaq": [stackfaq_kb("train"), stackfaq_kb("test")], "demo": [demo_kb()]}.get(name) or [real_kb(name)]
    runner = Runner(ingest(kbs[0], embedder), embedder, chain=False)
    rows = []
    try:
        for kb in kbs:
            part = "test" if kb.name.endswith("-test") else "fit"
            for q in kb.questions:
                turn = runner.retrieve(q)
                kind = "answerable" if q.answerable else "unanswerable"
                rows.append(Row(f"{name}:{part}", kind, bool(set(turn.files[:SOURCES]) & set(q.targets)),
                                bool(turn.files[:1]) and turn.files[0] in q.targets, features(turn.signals),
                                q.query, turn.passages))
        for part in ("oos_train", "oos_val"):
            for q in clinc_out_of_scope(part):
                turn = runner.retrieve(q)
                rows.append(Row(f"{name}:{part}", "oos", False, False, features(turn.signals), q.query, turn.passages))
    finally:
        runner.close()
    path.write_text(json.dumps([r.__dict__ for r in rows]))
    return rows


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 1.0, steps: int = 4000, lr: float = 0.2):
    coef, bias = np.zeros(x.shape[1]), 0.0
    total = w.sum()
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ coef + bias)))
        g = w * (p - y)
        coef -= lr * ((x.T @ g) / total + l2 * coef / len(y))
        bias -= lr * float(g.sum() / total)
    return coef, bias


def _weights(rows: list[Row]) -> np.ndarray:
    """Each KB the same weight, and inside it each kind of question the same weight."""
    groups: dict[tuple[str, str], int] = {}
    for r in rows:
        groups[(r.kb.split(":")[0], r.kind)] = groups.get((r.kb.split(":")[0], r.kind), 0) + 1
    return np.array([1.0 / groups[(r.kb.split(":")[0], r.kind)] for r in rows])


def rates(rows: list[Row], scores: np.ndarray, threshold: float) -> dict[str, tuple[float, int]]:
    answered = scores >= threshold

    def rate(select, predicate):
        idx = [i for i, r in enumerate(rows) if select(r)]
        return (sum(predicate(i) for i in idx) / len(idx) if idx else float("nan")), len(idx)

    return {
        "answered": rate(lambda r: r.kind == "answerable", lambda i: answered[i]),
        "answered_right": rate(lambda r: r.kind == "answerable", lambda i: answered[i] and rows[i].top1),
        "answered_found_top3": rate(lambda r: r.kind == "answerable" and r.found, lambda i: answered[i]),
        "unanswerable_declined": rate(lambda r: r.kind == "unanswerable", lambda i: not answered[i]),
        "oos_declined": rate(lambda r: r.kind == "oos", lambda i: not answered[i]),
    }


def choose_threshold(rows: list[Row], scores: np.ndarray) -> float:
    kbs = sorted({r.kb.split(":")[0] for r in rows})

    def objective(t: float) -> float:
        values = []
        for kb in kbs:
            idx = [i for i, r in enumerate(rows) if r.kb.split(":")[0] == kb]
            got = rates([rows[i] for i in idx], scores[idx], t)
            parts = [got["answered_found_top3"][0], got["unanswerable_declined"][0], got["oos_declined"][0]]
            values.append(np.nanmean(parts))
        return float(np.mean(values))

    grid = np.linspace(0.05, 0.95, 91)
    return float(max(grid, key=objective))


class Fitted:
    def __init__(self, rows: list[Row], names: list[str]) -> None:
        self.names = names
        x = np.array([[r.x[n] for n in names] for r in rows])
        y = np.array([float(r.kind == "answerable" and r.found) for r in rows])
        self.means, self.scales = x.mean(axis=0), x.std(axis=0) + 1e-9
        self.coef, self.bias = fit_logistic((x - self.means) / self.scales, y, _weights(rows))
        self.threshold = choose_threshold(rows, self.score(rows))

    def score(self, rows: list[Row]) -> np.ndarray:
        x = np.array([[r.x[n] for n in self.names] for r in rows])
        return 1 / (1 + np.exp(-(((x - self.means) / self.scales) @ self.coef + self.bias)))

    def model(self) -> ConfidenceModel:
        """The fitted model with its bias shifted so the chosen threshold sits at the configured one."""
        logit = lambda p: math.log(p / (1 - p))  # noqa: E731
        bias = self.bias - logit(self.threshold) + logit(CONFIGURED_THRESHOLD)
        return ConfidenceModel(dict(zip(self.names, map(float, self.coef))), float(bias),
                               dict(zip(self.names, map(float, self.means))), dict(zip(self.names, map(float, self.scales))))


def fit_rows(rows: list[Row]) -> list[Row]:
    return [r for r in rows if r.kb.endswith((":fit", ":oos_train"))]


def measure_rows(rows: list[Row], kb: str) -> list[Row]:
    part = "test" if kb == "stackfaq" else "fit"
    return [r for r in rows if r.kb in (f"{kb}:{part}", f"{kb}:oos_val")]


KB_LABELS = {"electrum": "electrum (questions.tsv: 50 answerable, 20 unanswerable)",
             "monero": "monero (50 answerable, 20 unanswerable)", "btcpay": "btcpay (50 answerable, 20 unanswerable)",
             "stackfaq": "StackFAQ test (624 answerable)", "demo": "demo KB, written here (303 answerable, 119 unanswerable)"}


def leave_one_out(all_rows: dict[str, list[Row]], names: list[str]) -> list[dict]:
    table = []
    for held in all_rows:
        train = [r for kb, rows in all_rows.items() if kb != held for r in fit_rows(rows)]
        fitted = Fitted(train, names)
        test = measure_rows(all_rows[held], held)
        got = rates(test, fitted.score(test), fitted.threshold)
        table.append({"kb": held, "threshold": round(fitted.threshold, 3), **got})
    return table


def print_table(title: str, table: list[dict]) -> None:
    print(f"\n### {title}\n")
    print("| left out (measured on) | threshold | answerable answered | answered, top file right | "
          "near-domain unanswerable declined | CLINC oos_val declined (n=100) |")
    print("|---|---|---|---|---|---|")
    for row in table:
        cell = lambda key: "—" if not row[key][1] else f"{row[key][0]:.2f}"  # noqa: E731
        print(f"| {KB_LABELS[row['kb']]} | {row['threshold']:.2f} | {cell('answered')} | {cell('answered_right')} | "
              f"{cell('unanswerable_declined')} | {cell('oos_declined')} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="refit on every KB and write the shipped model file")
    parser.add_argument("--features", default="+ field gap + lexical", choices=list(FEATURE_SETS),
                        help="the feature set to ship with --write")
    args = parser.parse_args()
    embedder = bundled_embedder()
    all_rows = {name: collect(name, embedder) for name in ("electrum", "monero", "btcpay", "stackfaq", "demo")}
    for title, names in FEATURE_SETS.items():
        print_table(title, leave_one_out(all_rows, names))
    if args.write:
        fitted = Fitted([r for rows in all_rows.values() for r in fit_rows(rows)], FEATURE_SETS[args.features])
        MODEL_FILE.write_text(json.dumps(fitted.model().to_json(), indent=2) + "\n")
        print(f"\nwrote {MODEL_FILE} ({args.features}; threshold {fitted.threshold:.3f} mapped to {CONFIGURED_THRESHOLD})")


if __name__ == "__main__":
    main()
