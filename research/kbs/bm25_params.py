"""BM25's k1 and b, never tuned until now (bm25s's defaults, k1 1.5 and b 0.75), across help centres.

Long how-to articles (BTCPay) and one-paragraph definitions (Monero's Moneropedia) sit in one index; b says how
much a long chunk's score is damped for its length, k1 how soon a repeated word stops counting. Each setting
rebuilds the keyword index of each cached ingest (the vectors are unchanged) and runs the shipped retriever
(fusion, best-sentence step) over the labelled questions; file hit@1 / hit@5. The setting is chosen leaving one
source out: best mean hit@1 over the other sources, ties to the defaults.

    python -m research.kbs.bm25_params [--kb electrum --kb monero ...] [--out FILE]
"""

from __future__ import annotations

import itertools
import json
import tempfile
import types

import app.index.keyword_files as keyword_files
from app.chain.factory import build_retriever
from app.index.keyword_index import KeywordIndex, LocalVersions
from app.index.store import KnowledgeStore
from research.kbs.harness import bundled_embedder, file_hits, grid_args, ingest, print_left_out_choice

K1 = (0.9, 1.2, 1.5, 2.0)
B = (0.3, 0.5, 0.75, 0.9)
DEFAULT = (1.5, 0.75)


def with_params(k1: float, b: float):
    """bm25s as ``keyword_files`` imports it, with BM25 built with ``k1`` and ``b``."""
    real = keyword_files.bm25s_module()
    shim = types.SimpleNamespace(**{name: getattr(real, name) for name in dir(real) if not name.startswith("__")})

    class Tuned(real.BM25):  # the scores are computed at indexing: a loaded index keeps the ones it was built with
        def __init__(self, k1: float = k1, b: float = b, **kwargs) -> None:
            super().__init__(k1=k1, b=b, **kwargs)

    shim.BM25 = Tuned
    return lambda: shim


def hits(name: str, embedder, k1: float, b: float) -> tuple[int, int, int]:
    from research.kbs.evaluate import kb_by_name

    kb = kb_by_name(name)
    ingested = ingest(kb, embedder)
    store = KnowledgeStore(ingested.settings, embedder.model_id).open()
    original = keyword_files.bm25s_module
    keyword_files.bm25s_module = with_params(k1, b)
    try:
        with tempfile.TemporaryDirectory(prefix="bm25-") as folder:
            versions = LocalVersions(folder)
            versions.publish(store)
            retriever = build_retriever(ingested.settings, store, embedder)
            retriever.keywords = KeywordIndex(store, versions)
            return file_hits(retriever, kb.questions)
    finally:
        keyword_files.bm25s_module = original


def main() -> None:
    sources, out_file = grid_args(__doc__.splitlines()[0])
    embedder = bundled_embedder()
    grid = {}
    for k1, b in itertools.product(K1, B):
        grid[(k1, b)] = {name: hits(name, embedder, k1, b) for name in sources}
        cells = " | ".join(f"{f / n:.3f} / {v / n:.3f}" for f, v, n in grid[(k1, b)].values())
        print(f"| {k1} | {b} | {cells} |", flush=True)
    print_left_out_choice(grid, sources, DEFAULT, "(k1, b)")
    if out_file:
        with open(out_file, "w", encoding="utf-8") as out:
            json.dump([{"k1": k1, "b": b, **{s: list(v) for s, v in cells.items()}} for (k1, b), cells in grid.items()],
                      out, indent=1)


if __name__ == "__main__":
    main()
