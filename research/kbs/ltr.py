"""A learned file ranker over signals the retriever already has, left one KB out (issue 14).

    .venv/bin/python -m research.kbs.ltr collect [--kb KB ...]   # candidate features to the research cache
    .venv/bin/python -m research.kbs.ltr fit [--out FILE]         # leave one source out, file hit@1 / hit@5

Every single-signal change tried for issue 14 (title channel, hub penalties, anchors, a file's second chunk, the
best sentence) moved one or two questions of 50 per KB, and the ones that helped one KB hurt another. This asks
whether a ranker fitted across KBs on all of them at once does better held out than the product's order.

For each question, the product's first 30 fused candidates (scan on, as shipped) are grouped by file; a file's
features are relative to the question's best candidate, so no KB's score scale is learned:

- ``fused``: the file's best fused score minus the first one's; ``product_rank``: 1 / the file's rank in the
  product's order (the best-sentence step over the first 10, as shipped);
- ``dense``, ``sentence``, ``title``, ``heading``: the file's best cosine (chunk, best sentence, the file's title,
  a candidate chunk's last heading) minus the best of any candidate file;
- ``sparse``: the file's best BM25 over the question's best (0 without one);
- ``candidates``: log(1 + the file's chunks among the 30); ``size``: log(1 + the file's chunks in the KB);
  ``links``: log(1 + the links the file makes to other pages), an overview page links to the guides it sums up.

The model is a pairwise logistic regression (a target file against each other candidate file of the same
question, standardised features, C = 1, each source weighted equally), fitted on every source but one and read
on the one left out. Sources: Electrum, Monero, BTCPay (50 answerable questions each), the demo KB (written
here, 303) and StackFAQ's train queries (625). Nothing here was chosen on a left-out source.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from research.kbs.data import cache_dir
from research.kbs.evaluate import kb_by_name
from research.kbs.harness import FILE_DEPTH, bundled_embedder, hit_rank, ranked_files, retrieval_runner

SOURCES = ("electrum", "monero", "btcpay", "demo", "stackfaq")
FEATURES = ("fused", "product_rank", "dense", "sentence", "title", "heading", "sparse", "candidates", "size", "links")
SENTENCE_TOP_N, SENTENCE_WEIGHT = 10, 0.2  # the product's defaults


def _unit(vector) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32)
    return v / (np.linalg.norm(v) or 1.0)


def _links(chunks) -> int:
    from app.index.link_targets import anchors_of

    targets = {t.split("#")[0] for c in chunks for _, t in anchors_of(c.metadata)}
    return sum(1 for t in targets if t and "://" not in t and not t.startswith(("mailto:", "#")))


def collect(name: str, embedder) -> list[dict]:
    from dataclasses import replace

    from app.index.sentences import SentenceScorer, reorder

    runner, scorer = retrieval_runner(name, embedder), SentenceScorer(embedder)
    retriever = runner.retriever
    kb = kb_by_name("stackfaq-train" if name == "stackfaq" else name)
    titles: dict[str, np.ndarray] = {}
    headings: dict[str, np.ndarray] = {}
    files: dict[str, tuple[int, int]] = {}
    rows = []
    for q in (q for q in kb.questions if q.targets):
        query = _unit(embedder.embed_query(q.query))
        results = retriever.retrieve(q.query, top_k=FILE_DEPTH, region=q.region).results
        best = scorer.best(query, results)
        product = ranked_files(reorder([replace(c) for c in results[:SENTENCE_TOP_N]], best, SENTENCE_WEIGHT)
                               + results[SENTENCE_TOP_N:])
        for c in results:
            if c.source not in titles:
                titles[c.source] = _unit(embedder.embed_documents([c.title or ""])[0])
                chunks = retriever.passages(c.source)
                files[c.source] = (len(chunks), _links(chunks))
            heading = (c.section or "").split(" > ")[-1].strip() or c.title or ""
            if heading not in headings:
                headings[heading] = _unit(embedder.embed_documents([heading])[0])
        per_file: dict[str, dict] = {}
        for c in results:
            f = per_file.setdefault(c.source, {"fused": c.score, "dense": -1.0, "sentence": -1.0, "heading": -1.0,
                                               "sparse": 0.0, "candidates": 0})
            f["dense"] = max(f["dense"], c.dense_score if c.dense_score is not None else -1.0)
            f["sentence"] = max(f["sentence"], best.get(c.chunk_id, -1.0))
            f["sparse"] = max(f["sparse"], c.sparse_score or 0.0)
            heading = (c.section or "").split(" > ")[-1].strip() or c.title or ""
            f["heading"] = max(f["heading"], float(query @ headings[heading]))
            f["candidates"] += 1
        top = {k: max(f[k] for f in per_file.values()) for k in ("fused", "dense", "sentence", "heading", "sparse")}
        title_cos = {s: float(query @ titles[s]) for s in per_file}
        title_top = max(title_cos.values())
        candidates = []
        for source, f in per_file.items():
            size, links = files[source]
            candidates.append({
                "file": source, "target": source in q.targets,
                "fused": f["fused"] - top["fused"], "product_rank": 1 / (product.index(source) + 1),
                "dense": f["dense"] - top["dense"], "sentence": f["sentence"] - top["sentence"],
                "title": title_cos[source] - title_top, "heading": f["heading"] - top["heading"],
                "sparse": f["sparse"] / top["sparse"] if top["sparse"] > 0 else 0.0,
                "candidates": math.log1p(f["candidates"]), "size": math.log1p(size), "links": math.log1p(links),
            })
        rows.append({"id": q.id, "query": q.query, "targets": list(q.targets),
                     "product_rank": hit_rank(product, q.targets), "candidates": candidates})
    runner.close()
    embedder.save()
    return rows


def _path(name: str) -> Path:
    return cache_dir() / f"ltr-{name}.json"


def _pairs(rows: list[dict], features: tuple[str, ...]) -> np.ndarray:
    diffs = []
    for row in rows:
        pos = [c for c in row["candidates"] if c["target"]]
        neg = [c for c in row["candidates"] if not c["target"]]
        for p in pos:
            for n in neg:
                diffs.append([p[k] - n[k] for k in features])
    return np.asarray(diffs, dtype=np.float64)


def fit(train: dict[str, list[dict]], features: tuple[str, ...], c: float = 1.0) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    xs, weights = [], []
    for rows in train.values():
        diffs = _pairs(rows, features)
        if not len(diffs):
            continue
        xs.append(diffs)
        weights.append(np.full(len(diffs), 1.0 / len(diffs)))  # each source counts the same
    x = np.vstack(xs)
    w = np.concatenate(weights)
    scale = np.sqrt((x ** 2 * w[:, None]).sum(0) / w.sum()) + 1e-9  # pairs are differences: no centring
    x = x / scale
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=2000)
    model.fit(np.vstack([x, -x]), np.r_[np.ones(len(x)), np.zeros(len(x))], sample_weight=np.r_[w, w] * len(w))
    return model.coef_[0] / scale


def ranks(rows: list[dict], weights: np.ndarray, features: tuple[str, ...]) -> list[int | None]:
    out = []
    for row in rows:
        scored = sorted(row["candidates"], key=lambda c: -sum(wk * c[k] for wk, k in zip(weights, features)))
        out.append(hit_rank([c["file"] for c in scored], tuple(row["targets"])))
    return out


def _hits(rs: list[int | None]) -> tuple[float, float]:
    return (sum(r == 1 for r in rs) / len(rs), sum(r is not None and r <= 5 for r in rs) / len(rs))


def left_one_out(data: dict[str, list[dict]], features: tuple[str, ...]) -> dict:
    out = {}
    for name, rows in data.items():
        weights = fit({k: v for k, v in data.items() if k != name}, features)
        out[name] = {"n": len(rows), "product": _hits([r["product_rank"] for r in rows]),
                     "ltr": _hits(ranks(rows, weights, features)),
                     "weights": {k: round(float(w), 3) for k, w in zip(features, weights)}}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["collect", "fit"])
    parser.add_argument("--kb", action="append", help=f"one of {', '.join(SOURCES)} (repeatable; default all)")
    parser.add_argument("--features", help="comma-separated subset of " + ", ".join(FEATURES))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    names = args.kb or list(SOURCES)
    if args.step == "collect":
        embedder = bundled_embedder()
        for name in names:
            rows = collect(name, embedder)
            _path(name).write_text(json.dumps(rows), encoding="utf-8")
            print(name, len(rows), "questions", flush=True)
        return 0
    features = tuple(args.features.split(",")) if args.features else FEATURES
    data = {name: json.loads(_path(name).read_text(encoding="utf-8")) for name in names}
    result = left_one_out(data, features)
    for name, r in result.items():
        print(f"{name:9} n={r['n']:4}  product {r['product'][0]:.3f} / {r['product'][1]:.3f}   "
              f"ltr {r['ltr'][0]:.3f} / {r['ltr'][1]:.3f}   {r['weights']}")
    if args.out:
        args.out.write_text(json.dumps({"features": features, "left_out": result}, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
