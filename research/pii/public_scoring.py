"""Scoring of predicted spans against the labelled messages of public_sets.

A gold span is caught when none of its words survive: every word (``\\w+``) inside it is
wholly covered by predicted spans, of any type (what matters is that the value is gone).
A word outside every labelled span is kept when no character of it is covered. Words
inside ``ignore`` spans (organisations, products...) count neither way. A gold span with
no word in it (BTC labels the lone "@" before a user name as a PERSON of its own) is not
scored: nothing of it can survive or be caught.
"""

from __future__ import annotations

import re
from collections import defaultdict

WORD = re.compile(r"\w+")


def _covered(predicted: list[tuple[int, int]], length: int) -> bytearray:
    mask = bytearray(length)
    for start, end in predicted:
        mask[max(0, start):min(length, end)] = b"\x01" * (min(length, end) - max(0, start))
    return mask


def judge(message: dict, predicted: list[tuple[int, int]]) -> dict:
    """Per gold span caught or not, and (kept, total) non-entity words, for one message."""
    text = message["text"]
    mask = _covered(predicted, len(text))
    caught = []
    labelled = bytearray(len(text))
    for span in message["spans"] + message["ignore"]:
        labelled[span["start"]:span["end"]] = b"\x01" * (span["end"] - span["start"])
    for span in message["spans"]:
        words = [m for m in WORD.finditer(text, span["start"], span["end"])]
        caught.append(all(all(mask[m.start():m.end()]) for m in words) if words else None)
    kept = total = 0
    for m in WORD.finditer(text):
        if any(labelled[m.start():m.end()]):
            continue
        total += 1
        kept += not any(mask[m.start():m.end()])
    return {"caught": caught, "kept": kept, "words": total}


def summarise(messages: list[dict], predictions: list[list[tuple[int, int]]], by_tag: str | None = None) -> dict:
    """Recall per gold type (and per value of one tag), and the share of other words kept."""
    found, total = defaultdict(int), defaultdict(int)
    kept = words = 0
    for message, predicted in zip(messages, predictions):
        verdict = judge(message, predicted)
        kept += verdict["kept"]
        words += verdict["words"]
        for span, ok in zip(message["spans"], verdict["caught"]):
            if ok is None:
                continue
            keys = [span["type"]]
            if by_tag and by_tag in message["tags"]:
                keys.append(f"{span['type']}[{by_tag}={message['tags'][by_tag]}]")
            for key in keys:
                total[key] += 1
                found[key] += ok
    return {"messages": len(messages),
            "recall": {k: {"n": total[k], "recall": round(found[k] / total[k], 4)} for k in sorted(total)},
            "words_kept": round(kept / words, 4) if words else 1.0, "words": words}
