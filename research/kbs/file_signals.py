"""Decision signals at the level of files rather than chunks (research; not in the product), leave one KB out.

    python -m research.kbs.file_signals

A long article is cut into many chunks, so the first chunk's margin over the second is often a margin
over its own sibling, and the first chunk alone covers only part of the question's words. These
signals look at the first file instead:

- ``file_margin``: the best vector score of the first file minus the best of any other file;
- ``file_agreement``: the first file by vector score is the first file by BM25 score (among the results);
- ``file_chunks``: the share of the first ten results that belong to the first file;
- ``file_coverage``: the share of the question's IDF weight found in any chunk of the first file;
- ``sparse_file_ratio``: the best BM25 score of another file over the first file's (a ratio: no scale).

All are read over the first 30 results (``FILE_DEPTH``) of the product's hybrid search. Each is added
alone, then all together, to the shipped scale-free set; fitted and measured as ``research.kbs.decision``
does (fit on the other KBs + CLINC ``oos_train``, measure on the left-out KB + ``oos_val``).
"""

from __future__ import annotations

import json

import numpy as np

from research.kbs.data import cache_dir
from research.kbs.decision import FEATURE_SETS, Row, collect, leave_one_out
from research.kbs.harness import FILE_DEPTH, bundled_embedder, code_hash, retrieval_runner

KBS = ("electrum", "monero", "btcpay", "stackfaq", "demo")
SIGNALS = ("file_margin", "file_agreement", "file_chunks", "file_coverage", "sparse_file_ratio")

VERSION = 1


def _best(results, source_is, score):
    values = [score(c) for c in results if source_is(c.source) and score(c) is not None]
    return max(values) if values else None


def file_signals(retriever, query: str, results, rows_of_file: dict[str, list[int]]) -> dict[str, float]:
    if not results:
        return {"file_margin": 0.0, "file_agreement": 0.0, "file_chunks": 0.0, "file_coverage": 0.0,
                "sparse_file_ratio": 1.0}
    first = results[0].source
    dense = lambda c: c.dense_score  # noqa: E731
    sparse = lambda c: c.sparse_score  # noqa: E731
    own_dense, other_dense = _best(results, lambda s: s == first, dense), _best(results, lambda s: s != first, dense)
    own_sparse, other_sparse = _best(results, lambda s: s == first, sparse), _best(results, lambda s: s != first, sparse)
    by_dense = max((c for c in results if c.dense_score is not None), key=dense, default=None)
    by_sparse = max((c for c in results if c.sparse_score is not None), key=sparse, default=None)
    index = retriever.keywords
    terms = list(dict.fromkeys(index.query_terms(query)))
    weights = {t: index.idf(t) for t in terms}
    present = frozenset().union(*(index.row_terms(row) for row in rows_of_file.get(first, [])))
    return {
        "file_margin": (own_dense or 0.0) - (other_dense or 0.0),
        "file_agreement": float(by_dense is not None and by_sparse is not None and by_dense.source == by_sparse.source),
        "file_chunks": sum(c.source == first for c in results[:10]) / 10,
        "file_coverage": sum(w for t, w in weights.items() if t in present) / (sum(weights.values()) or 1.0),
        "sparse_file_ratio": (other_sparse or 0.0) / own_sparse if own_sparse else 1.0,
    }


def collect_file_signals(name: str, rows, embedder) -> list[dict]:
    """The file signals of every row of ``research.kbs.decision.collect(name)``, in its order (cached)."""
    path = cache_dir() / f"file-signals-v{VERSION}-{name}-{code_hash()}-{len(rows)}.json"
    if path.exists():
        return json.loads(path.read_text())
    runner = retrieval_runner(name, embedder)
    try:
        index = runner.retriever.keywords
        rows_of_file: dict[str, list[int]] = {}
        for row, meta in enumerate(index.metadatas):
            rows_of_file.setdefault(meta.get("source", ""), []).append(row)
        regions = [q.region for q in runner.ingested.kb.questions] if name != "stackfaq" else []
        out = []
        for number, row in enumerate(rows):
            region = regions[number] if number < len(regions) else None  # collect's order: the KB's questions first
            results = runner.retriever.retrieve(row.query, top_k=FILE_DEPTH, region=region).results
            out.append(file_signals(runner.retriever, row.query, results, rows_of_file))
    finally:
        runner.close()
    path.write_text(json.dumps(out))
    return out


def main() -> None:
    embedder = bundled_embedder()
    rows = {}
    for name in KBS:
        base = collect(name, embedder)
        rows[name] = [Row(r.kb, r.kind, r.found, r.top1, {**r.x, **f}, r.query, r.passages)
                      for r, f in zip(base, collect_file_signals(name, base, embedder))]
    scale_free = FEATURE_SETS["scale-free only"]
    sets = {"scale-free only (shipped)": scale_free, **{f"+ {s}": [*scale_free, s] for s in SIGNALS},
            "+ all five": [*scale_free, *SIGNALS]}
    print("Answered / answered, top file right / near-domain declined / CLINC oos_val declined, each KB left out "
          "(n = 50 / 50 / 20 / 100 for the real KBs; StackFAQ test 624 / 624 / - / 100; demo 303 / 303 / 119 / 100).\n")
    print("| feature set | " + " | ".join(KBS) + " | mean (answered + near-domain declined) / 2 |")
    print("|---" * (len(KBS) + 2) + "|")
    for title, names in sets.items():
        table = leave_one_out(rows, names)
        cells = [f"{r['answered'][0]:.2f} / {r['answered_right'][0]:.2f} / "
                 + ("—" if not r["unanswerable_declined"][1] else f"{r['unanswerable_declined'][0]:.2f}")
                 + f" / {r['oos_declined'][0]:.2f}" for r in table]
        mean = np.mean([(r["answered"][0] + r["unanswerable_declined"][0]) / 2 for r in table if r["unanswerable_declined"][1]])
        print(f"| {title} | " + " | ".join(cells) + f" | {mean:.3f} |", flush=True)


if __name__ == "__main__":
    main()
