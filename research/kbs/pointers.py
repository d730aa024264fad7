"""Pointer-only answers in the real help centres, and where app/chain/pointers.py follows them.

Every stored chunk whose text is only a pointer ("Yes, see Cold Storage.") is asked for by its
own heading (as a customer asking that FAQ question would reach it), and the pointer is followed
as the chain would. The script prints the named words, the file followed (or none), whether by the
chunk's stored link or by title, and the section's raw text, so that the article its link
actually targets can be read off the file. With ``--deferring`` it lists instead the chunks that
say something and end by deferring to a link ("Please read this guide for detailed
instructions."), and where each is followed.

    .venv/bin/python -m research.kbs.pointers [--kb electrum --kb monero --kb btcpay]
"""

from __future__ import annotations

import argparse

from app.chain.factory import build_retriever
from app.chain.pointers import FOLLOWED, follow, linked_article, named_article
from app.index.retrieval import RetrievedChunk
from app.index.store import KnowledgeStore
from research.kbs.evaluate import kb_by_name
from research.kbs.harness import bundled_embedder, ingest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", action="append", help="electrum, monero, btcpay (repeatable; default all three)")
    parser.add_argument("--deferring", action="store_true", help="the answers that end by deferring to a link")
    args = parser.parse_args()
    names = args.kb or ["electrum", "monero", "btcpay"]
    embedder = bundled_embedder()
    for name in names:
        ingested = ingest(kb_by_name(name), embedder)
        store = KnowledgeStore(ingested.settings, embedder.model_id).open()
        retriever = build_retriever(ingested.settings, store, embedder)
        ids, texts, metas = store.all_chunks()
        for chunk_id, text, meta in zip(ids, texts, metas):
            if meta.get("vector_of", "chunk") != "chunk":
                continue
            named = named_article(text)
            if args.deferring:
                stored = RetrievedChunk(chunk_id, meta.get("source", ""), meta.get("title", ""), meta.get("section", ""),
                                        text, 0.0, metadata=meta)
                if named is not None or linked_article(retriever, stored, pointer=False) is None:
                    continue
            elif named is None:
                continue
            asked = meta.get("question") or meta.get("section") or meta.get("title")
            results = retriever.retrieve(asked, top_k=3).results
            reached = bool(results) and results[0].chunk_id == chunk_id
            followed = follow(retriever, asked, results) if reached else results
            target = next((c for c in followed if FOLLOWED in c.metadata), None)
            by_link = reached and linked_article(retriever, results[0], pointer=named is not None) is not None
            where = f"{target.source} § {target.section}" if target else None
            print(f"{name} | {meta['source']} | asked {asked!r} | first: {reached} | named {named!r} -> {where}"
                  f"{' (by link)' if by_link else ' (by title)' if target else ''}")
            print("    " + " ".join(text.split())[:160])


if __name__ == "__main__":
    main()
