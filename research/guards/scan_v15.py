"""Version 15: the knowledge-file scan on the tune parts of every fresh fold at once, with each passage's
encoder vectors kept so that a refitted document head can be replayed without scanning again.

    .venv/bin/python -m research.guards.scan_v15 --collect fresh10_tune /tmp/v15/fresh10_tune.pkl   # one per fold
    .venv/bin/python -m research.guards.scan_v15 --collect fresh11_tune /tmp/v15/fresh11_tune.pkl
    .venv/bin/python -m research.guards.scan_v15 --collect fresh12_tune /tmp/v15/fresh12_tune.pkl   # + BIPIA's 137 tuning records
    .venv/bin/python -m research.guards.scan_v15 --collect fresh15_tune /tmp/v15/fresh15_tune.pkl
    .venv/bin/python -m research.guards.scan_v15 --traces /tmp/v15 --out research/guards/results/scan_v15.json
    .venv/bin/python -m research.guards.scan_v15 --collect fresh15_check /tmp/v15/check/fresh15_check.pkl   # once, after
    .venv/bin/python -m research.guards.scan_v15 --check /tmp/v15/check/fresh15_check.pkl --tune-result research/guards/results/scan_v15.json \
        --out research/guards/results/scan_v15_check.json

A fold's traces (``scan_sources.trace(..., vectors=True)``): its clean documents and one tuning-side
attack planted in each (a tuning BIPIA text attack or the opening of a tuning jailbreak family, by a
seeded coin, as each fold's version planted them); for fresh12_tune also BIPIA's 137 planted records of
tuning categories. Nothing here reads a report part.

What is compared (``--traces``), all on those tune parts together:
- version 12 as shipped (the version-9 document head, GATES (0.4, 0.12) + (0.9, 0.35));
- the version-9 head refitted (``document_head.fit_head``'s rows: its training rows and fresh_a's passages)
  with, as negatives, every passage of fresh15_tune (the window the shipped head scores highest), and,
  as positives, BIPIA's 35 code attacks of tuning categories whole and their introducing sentence alone;
  C in REGULARISATIONS. fresh15_tune's own documents (clean and with an attack planted) are scored by a
  head fitted without their package's half (cross-fitted by ``sha256("v15-half:" + package)``), so their
  clean findings are not in-sample;
- for each head, version 11's gate grid (scan_v11.LOW x HIGH, 4 words).
Rule, fixed before the sweep was read: among the (head, gates) that catch at least as many of the pooled
tuning-side attacks as version 12, the fewest clean documents with a finding pooled over the tune parts;
ties to more attacks caught, then the shipped head, then the shipped gates, then fewer gates.
"""

from __future__ import annotations

import argparse
import json
import pickle
from pathlib import Path

import numpy as np

from guardrails import knowledge_scan as K
from research.guards import documents
from research.guards.scan_sources import _planted_in_fresh, fold_documents, trace, window_vectors


def fold(part: str) -> tuple[list[dict], list[dict]]:
    """(clean documents, attack documents {id, set, text, lines}) of a fresh fold's part."""
    if part.startswith(("fresh10", "fresh11")):
        return fold_documents(part), _planted_in_fresh(part, one_each=True)
    if part.startswith("fresh12"):
        from research.guards.fresh_fold_v12 import fresh12_documents
        from research.guards.scan_v12 import attack_documents

        return [{**d, "source": d["package"]} for d in fresh12_documents()[0] if d["part"] == part], attack_documents(part)
    from research.guards.fresh_fold_v15 import fresh15_documents

    from research.guards.scan_v12 import planted_one_each

    clean = [d for d in fresh15_documents()[0] if d["part"] == part]
    attacks = planted_one_each(clean, "v15", "fresh15")
    return [{**d, "source": f"{d['kind']}:{d['package']}"} for d in clean], attacks


def collect(part: str) -> dict:
    scanner = K.KnowledgeScanner()
    scanner.warm_up()
    clean, attacks = fold(part)
    traces: dict = {"part": part, "clean": [], "attacks": []}
    for d in clean:
        traces["clean"].append({"id": d["id"], "source": d["source"], "trace": trace(scanner, d["text"], vectors=True)})
    for d in attacks:
        traces["attacks"].append({"id": d["id"], "set": d["set"], "lines": tuple(d["lines"]), "trace": trace(scanner, d["text"], vectors=True)})
    return traces


def head_features() -> dict:
    """Window vectors of what the version-9 head was fitted on (the document head's training rows and
    every passage of fresh_a, as ``document_head.fit_head``) and of the new positives: BIPIA's 35 code
    attacks of tuning categories, whole and their introducing sentence alone."""
    from guardrails.injection_model import InjectionModel
    from guardrails.passages import passages
    from research.guards.injection_train import examples

    model = InjectionModel()
    train, _ = examples(validation=True)
    rows = [{"text": r["text"], "y": r["document"], "kind": r["kind"]} for r in train if r["document"] == r["document"]]
    rows += [{"text": p.text, "y": 0.0, "kind": "fresh_a"} for d in documents.system_documents() if d["part"] == "fresh_a"
             for p in passages(d["text"])]
    code = [a["text"] for a in documents.bipia_attacks() if a["kind"] == "code" and a["part"] == "tune"]
    rows += [{"text": t, "y": 1.0, "kind": "bipia_code_tune"} for t in code]
    rows += [{"text": t.split("\n", 1)[0], "y": 1.0, "kind": "bipia_code_tune_sentence"} for t in code]
    for row, windows in zip(rows, window_vectors(model, [r["text"] for r in rows])):
        row["windows"] = windows.astype(np.float16)
    return {"rows": rows}


REGULARISATIONS = (1.0, 3.0, 10.0)


def _half(package: str) -> int:
    from research.guards.data import bucket

    return int(bucket(package, "v15-half") < 50)


def _best_window(windows: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    return windows[int(np.argmax(windows.astype(np.float32) @ weights + bias))]


def fit_heads(features: dict, fresh15: dict, shipped: tuple[np.ndarray, float], c: float) -> dict:
    """{None: the head on every negative, 0/1: the head without that half of fresh15_tune's packages}."""
    from sklearn.linear_model import LogisticRegression

    from guardrails.injection_model import SCALE

    base_x = [_best_window(r["windows"], *shipped) for r in features["rows"]]
    base_y = [r["y"] for r in features["rows"]]
    negatives = [(_half(d["source"].split(":", 1)[1]), _best_window(p["windows"], *shipped))
                 for d in fresh15["clean"] for p in d["trace"]["passages"]]
    heads = {}
    for leave in (None, 0, 1):
        x = np.array(base_x + [v for h, v in negatives if h != leave], dtype=np.float32) / SCALE
        y = np.array(base_y + [0.0] * sum(h != leave for h, _ in negatives))
        model = LogisticRegression(C=c, max_iter=5000).fit(x, y)
        heads[leave] = (model.coef_[0] / SCALE, float(model.intercept_[0]))
    return heads


def rescored(folds: dict[str, dict], heads: dict) -> dict[str, dict]:
    """The folds' traces with each passage's head score replaced by ``heads`` (cross-fitted on fresh15_tune)."""
    out = {}
    for name, traces in folds.items():
        groups = {}
        for group in ("clean", "attacks"):
            docs = []
            for d in traces[group]:
                leave = _fold15_half(d) if name == "fresh15_tune" else None
                weights, bias = heads[leave]
                passages_ = [{**p, "p": float((1.0 / (1.0 + np.exp(-(p["windows"].astype(np.float32) @ weights + bias)))).max())}
                             for p in d["trace"]["passages"]]
                docs.append({**d, "trace": {**d["trace"], "passages": passages_}})
            groups[group] = docs
        out[name] = groups
    return out


_PACKAGE_OF: dict[str, str] = {}


def _fold15_half(d: dict) -> int:
    """The half of the fresh15_tune package a clean or planted document comes from."""
    doc_id = d["id"].split(":", 1)[1] if d["id"].startswith(("bipia_in_fresh15", "jailbreak_in_fresh15")) else d["id"]
    return _half(_PACKAGE_OF[doc_id])


def sweep(folds: dict[str, dict], reasons_of: dict, head: str) -> list[dict]:
    from research.guards.scan_sources import measure
    from research.guards.scan_v11 import HIGH, LOW
    from research.guards.scan_v12 import VERSION_12

    rows = []
    for low in LOW:
        for high in HIGH:
            gates = (low,) if high is None else (low, high)
            found = {n: measure(t, {**VERSION_12, "gates": gates, "words": 4}, reasons_of) for n, t in folds.items()}
            rows.append({"head": head, "gates": gates, "clean": {n: m["clean_docs_flagged"] for n, m in found.items()},
                         "clean_all": sum(m["clean_docs_flagged"] for m in found.values()),
                         "caught": sum(v[0] for m in found.values() for v in m["caught"].values())})
    return rows


def analyse(directory: Path, features_path: Path) -> dict:
    from guardrails import injection as I
    from guardrails.injection_model import InjectionModel
    from research.guards.fresh_fold_v15 import fresh15_documents
    from research.guards.scan_sources import measure
    from research.guards.scan_v12 import VERSION_12

    for d in fresh15_documents()[0]:
        _PACKAGE_OF[d["id"]] = d["package"]
    folds = {p.stem: pickle.loads(p.read_bytes()) for p in sorted(directory.glob("fresh1*_tune.pkl"))}
    compiled = I._compiled()
    reasons_of = {pid: reason for reason, _, _, pid in compiled.all_text + compiled.squashed + compiled.named}
    shipped_model = InjectionModel()
    shipped_model.warm_up()
    shipped = shipped_model._document_head
    version_12 = {n: measure(t, VERSION_12, reasons_of) for n, t in folds.items()}
    rows = sweep(folds, reasons_of, "version 9 (shipped)")
    features = pickle.loads(features_path.read_bytes())
    refits = {}
    for c in REGULARISATIONS:
        heads = fit_heads(features, folds["fresh15_tune"], shipped, c)
        refits[c] = heads
        rows += sweep(rescored(folds, heads), reasons_of, f"refit C={c}")
    baseline = sum(v[0] for m in version_12.values() for v in m["caught"].values())
    ok = [r for r in rows if r["caught"] >= baseline]
    chosen = min(ok, key=lambda r: (r["clean_all"], -r["caught"], r["head"] != "version 9 (shipped)", tuple(r["gates"]) != K.GATES,
                                    len(r["gates"])))
    result = {"part": " + ".join(folds) + " (with their planted tuning-side attacks; fresh12_tune's with BIPIA's 137 tuning records)",
              "version_12": version_12, "version_12_caught": baseline, "chosen": chosen,
              "best_by_head": {h: sorted([r for r in rows if r["head"] == h], key=lambda r: (r["clean_all"], -r["caught"]))[:10]
                               for h in dict.fromkeys(r["head"] for r in rows)},
              "best_keeping_attacks_by_head": {h: min([r for r in ok if r["head"] == h] or [None],
                                                      key=lambda r: (r["clean_all"], -r["caught"], len(r["gates"])) if r else 0)
                                               for h in dict.fromkeys(r["head"] for r in rows)}}
    if chosen["head"] != "version 9 (shipped)":
        heads = refits[float(chosen["head"].split("C=")[1])]
        folds_new = rescored(folds, heads)
        result["chosen_detail"] = {n: measure(t, {**VERSION_12, "gates": chosen["gates"]}, reasons_of) for n, t in folds_new.items()}
        result["head"] = {"weights": [round(float(w), 7) for w in heads[None][0]], "bias": round(heads[None][1], 7)}
    else:
        result["chosen_detail"] = {n: measure(t, {**VERSION_12, "gates": chosen["gates"]}, reasons_of) for n, t in folds.items()}
    return result


def check(path: Path, tune_result: Path | None) -> dict:
    """fresh15_check, once: version 12 and, when the tune parts chose another head or gates, that choice."""
    from guardrails import injection as I
    from research.guards.scan_sources import measure
    from research.guards.scan_v12 import VERSION_12

    traces = pickle.loads(path.read_bytes())
    compiled = I._compiled()
    reasons_of = {pid: reason for reason, _, _, pid in compiled.all_text + compiled.squashed + compiled.named}
    result = {"part": traces["part"], "version_12": measure(traces, VERSION_12, reasons_of)}
    chosen = json.loads(tune_result.read_text()) if tune_result else None
    if chosen and (chosen["chosen"]["head"] != "version 9 (shipped)" or tuple(map(tuple, chosen["chosen"]["gates"])) != K.GATES):
        gates = tuple(map(tuple, chosen["chosen"]["gates"]))
        if "head" in chosen:
            weights, bias = np.array(chosen["head"]["weights"], dtype=np.float32), chosen["head"]["bias"]
            traces = rescored({"check": traces}, {None: (weights, bias)})["check"]
        result["version_15"] = measure(traces, {**VERSION_12, "gates": gates}, reasons_of)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collect", nargs=2, metavar=("PART", "FILE"), help="trace a fold's part into FILE")
    parser.add_argument("--head-features", type=Path, help="write the refit's training vectors to this file")
    parser.add_argument("--traces", type=Path, help="folder of the tune parts' traces (fresh1*_tune.pkl): sweep heads and gates")
    parser.add_argument("--features", type=Path, default=Path("/tmp/v15/head_features.pkl"), help="--head-features output")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--check", type=Path, help="traces of fresh15_check (once, after the choices)")
    parser.add_argument("--tune-result", type=Path, help="the --traces result (its chosen head and gates) for --check")
    args = parser.parse_args(argv)
    if args.check:
        text = json.dumps(check(args.check, args.tune_result), indent=1, ensure_ascii=False)
        print(text)
        if args.out:
            args.out.write_text(text + "\n")
        return 0
    if args.traces:
        result = analyse(args.traces, args.features)
        text = json.dumps(result, indent=1, ensure_ascii=False, default=str)
        print(json.dumps({k: result[k] for k in ("version_12_caught", "chosen", "best_keeping_attacks_by_head")}, indent=1, default=str))
        if args.out:
            args.out.write_text(text + "\n")
    if args.head_features:
        args.head_features.write_bytes(pickle.dumps(head_features()))
    if args.collect:
        part, path = args.collect
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(pickle.dumps(collect(part)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
