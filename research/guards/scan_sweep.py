"""Version 8 (superseded by research/guards/document_head.py in version 9): pick the knowledge-file
scan's classifier gate (guardrails/knowledge_scan.py: DOCUMENT_CUT, MIN_WORDS, OUT_OF_PLACE) on the
TUNING part of the public documents; never on the report part.

    .venv/bin/python -m research.guards.scan_sweep                      # grid, tuning part
    .venv/bin/python -m research.guards.scan_sweep --out research/guards/results/scan_sweep.json

For every clean document and every document with a planted attack (research/guards/documents.py,
part "tune") it scores each passage with the classifier's document head and, where a passage
reaches 0.3, how well each passage fits the rest of its file (guardrails.passage_context). A
document counts as quarantined when one of its passages passes the gate; a planted attack counts
as caught when a passage overlapping it does. Only the classifier's pass is swept here; the scan's
rules come on top (public_eval.py measures the whole scan).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from guardrails.injection_model import InjectionModel
from guardrails.passage_context import PassageContext
from guardrails.passages import passages
from research.guards import documents

WORD = re.compile(r"[^\W\d_]{2,}")
CUTS = (0.4, 0.5, 0.6, 0.7, 0.77, 0.85, 0.9)
FITS = (0.1, 0.15, 0.2, 0.25, 0.3, 2.0)  # 2.0: no out-of-place condition
MIN_WORDS = (0, 4)


def scored(text: str, model: InjectionModel, context: PassageContext, lines: tuple[int, int] | None = None) -> list[tuple]:
    """(document probability, fit, words) for each passage (only those overlapping ``lines`` when given)."""
    parts = passages(text)
    if not parts:
        return []
    probabilities = model.probabilities([p.text for p in parts])[:, 1]
    fit = context.fit([p.text for p in parts]) if max(probabilities) >= 0.3 else [1.0] * len(parts)
    keep = [i for i, p in enumerate(parts) if lines is None or (p.start <= lines[1] and p.end >= lines[0])]
    return [(float(probabilities[i]), fit[i], len(WORD.findall(parts[i].text))) for i in keep]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    model, context = InjectionModel(), PassageContext()
    model.warm_up()
    clean = [scored(d["text"], model, context) for d in documents.clean_documents() if d["part"] == "tune"]
    planted = [scored(d["text"], model, context, tuple(d["lines"])) for d in documents.planted_documents() if d["part"] == "tune"]
    grid = []
    for words in MIN_WORDS:
        for cut in CUTS:
            for fit in FITS:
                def gate(p, cut=cut, fit=fit, words=words):
                    return p[0] >= cut and p[1] < fit and p[2] >= words
                c = sum(any(map(gate, doc)) for doc in clean)
                k = sum(any(map(gate, doc)) for doc in planted)
                grid.append({"document_cut": cut, "out_of_place": fit if fit < 2 else None, "min_words": words,
                             "clean_quarantined": round(c / len(clean), 4), "clean_n": len(clean),
                             "planted_caught": round(k / len(planted), 4), "planted_n": len(planted)})
                print(json.dumps(grid[-1]))
    if args.out:
        args.out.write_text(json.dumps({"part": "tune", "grid": grid}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
