"""How many of a help centre's links to other sites a quoted reply can give (app/chain/generation/links.py).

A link is placed only where its text occurs once in its chunk, outside code: elsewhere which occurrence the
link was is unknown. This counts, per KB, the chunks' links to other sites (``external_links``) and how many
of them can be placed.

    python -m research.kbs.links --kb electrum --kb monero --kb btcpay --kb demo
"""

from __future__ import annotations

import argparse
from collections import Counter

from app.chain.generation.links import placeable
from app.core.settings import Settings
from app.index.link_targets import external_links, stored_anchors
from ingest.folder import chunk_folder
from research.kbs.data import demo_kb, real_kb


def count(kb: str) -> Counter:
    counts: Counter = Counter()
    docs = demo_kb().docs if kb == "demo" else real_kb(kb).docs
    for loaded in chunk_folder(docs, Settings()):
        for chunk in loaded.chunks if loaded.document else []:
            for shown, _ in external_links({"anchors": stored_anchors(chunk.anchors)}):
                counts["links"] += 1
                counts["placeable"] += placeable(shown, chunk.text)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", action="append", required=True)
    args = parser.parse_args()
    print("| KB | links to other sites | placeable (text once in its chunk) |\n|---|---|---|")
    for kb in args.kb:
        counts = count(kb)
        share = counts["placeable"] / max(counts["links"], 1)
        print(f"| {kb} | {counts['links']} | {counts['placeable']} ({share:.2f}) |")


if __name__ == "__main__":
    main()
