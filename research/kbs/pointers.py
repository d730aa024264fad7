"""Pointer-only answers in the real help centres, and where app/chain/pointers.py follows them.

Every stored chunk whose text is only a pointer ("Yes, see Cold Storage.") is asked for by its
own heading (as a customer asking that FAQ question would reach it), and the pointer is followed
as the chain would. The script prints the named words, the file followed (or none) and the
section's raw text, so that the article its link actually targets can be read off the file:
those links, written by the help centres' authors, are the labels.

    .venv/bin/python -m research.kbs.pointers [--kb electrum --kb monero --kb btcpay]
"""

from __future__ import annotations

import argparse

from app.chain.factory import build_retriever
from app.chain.pointers import FOLLOWED, follow, named_article
from app.index.store import KnowledgeStore
from research.kbs.evaluate import kb_by_name
from research.kbs.harness import bundled_embedder, ingest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", action="append", help="electrum, monero, btcpay (repeatable; default all three)")
    names = parser.parse_args().kb or ["electrum", "monero", "btcpay"]
    embedder = bundled_embedder()
    for name in names:
        ingested = ingest(kb_by_name(name), embedder)
        store = KnowledgeStore(ingested.settings, embedder.model_id).open()
        retriever = build_retriever(ingested.settings, store, embedder)
        ids, texts, metas = store.all_chunks()
        for chunk_id, text, meta in zip(ids, texts, metas):
            named = named_article(text) if meta.get("vector_of", "chunk") == "chunk" else None
            if named is None:
                continue
            asked = meta.get("question") or meta.get("section") or meta.get("title")
            results = retriever.retrieve(asked, top_k=3).results
            reached = bool(results) and results[0].chunk_id == chunk_id
            followed = follow(retriever, asked, results) if reached else results
            target = next((c.source for c in followed if FOLLOWED in c.metadata), None)
            print(f"{name} | {meta['source']} | asked {asked!r} | first: {reached} | named {named!r} -> {target}")
            print("    " + " ".join(text.split())[:160])


if __name__ == "__main__":
    main()
