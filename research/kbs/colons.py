"""How many chunk paragraphs end with a colon that introduces nothing kept (ingest/outline.py
``without_dangling_colon``): the paragraph's last line ends with ":" and the next paragraph of the chunk is prose,
not the list, code or table a colon leads to. Most are sentences that introduced a picture the loader dropped.

    python -m research.kbs.colons --kb electrum --kb monero --kb btcpay --kb demo [--show]
"""

from __future__ import annotations

import argparse
import re

from app.core.settings import Settings
from ingest.folder import chunk_folder
from research.kbs.data import demo_kb, real_kb

_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_ITEM = re.compile(r"\s*(?:[-*•]|\d{1,2}[.)])\s")
_LED = re.compile(r"\s*(?:[-*•]|\d{1,2}[.)]\s|```|\|)|[^.!?]{1,60}: ")  # a list, code, a table or a table row


def dangling(kb: str) -> list[tuple[str, str, str]]:
    """(file, the line ending with a colon, the paragraph after it) of each chunk paragraph that leads to prose."""
    docs = demo_kb().docs if kb == "demo" else real_kb(kb).docs
    found = []
    for loaded in chunk_folder(docs, Settings()):
        for chunk in loaded.chunks if loaded.document else []:
            paragraphs = [p for p in _PARAGRAPH.split(chunk.text) if p.strip()]
            for paragraph, after in zip(paragraphs, paragraphs[1:]):
                last = paragraph.strip().split("\n")[-1]
                if last.endswith(":") and not _ITEM.match(last) and len(last.split()) >= 2 and not _LED.match(after):
                    found.append((chunk.source, last, after))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", action="append", required=True)
    parser.add_argument("--show", action="store_true", help="print each one")
    args = parser.parse_args()
    for kb in args.kb:
        found = dangling(kb)
        print(f"{kb}: {len(found)} chunk paragraphs end with a colon before prose")
        for source, last, after in found if args.show else []:
            print(f"  {source}: …{last[-70:]} | {after[:50]}")


if __name__ == "__main__":
    main()
