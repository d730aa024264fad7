"""Version 16: two kinds of passage skip the classifier's pass, measured on the traces of every fresh tune part.

    .venv/bin/python -m research.guards.scan_v16 --traces /tmp/v15 --out research/guards/results/scan_v16.json

- a one-line caption over a code block ("Show list of all options and settings:" over ``monerod --help``);
- an example recovery phrase (a passage of 12+ words, nearly all from the BIP-39 list).
The traces are version 15's (``scan_v15.py --collect``: ``fresh10_tune``, ``fresh11_tune``, ``fresh12_tune`` with
BIPIA's tuning records, ``fresh15_tune``; 648 clean documents, 785 tuning attacks). A passage's text is kept to
300 characters in a trace, enough for both tests (a caption is one line; the next passage's first line says
whether it is code). The two rules narrowed in the same version (the squashed "you are now in", the secret's
destination) are line and directive patterns, which a trace keeps as matched then: they are measured on the
tuning messages and the rule sweep instead (research/guards/README.md, "Knowledge scan, version 16").
"""

from __future__ import annotations

import argparse
import json
import pickle
from pathlib import Path

from guardrails import injection as I
from research.guards.scan_sources import measure
from research.guards.scan_v12 import VERSION_12

PARTS = ("fresh10_tune", "fresh11_tune", "fresh12_tune", "fresh15_tune")
VERSIONS = {
    "version 12": VERSION_12,
    "+ captions": {**VERSION_12, "captions": True},
    "+ seed examples": {**VERSION_12, "seed_examples": True},
    "version 16 (both)": {**VERSION_12, "captions": True, "seed_examples": True},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=Path, required=True, help="folder of the tune parts' traces (fresh1*_tune.pkl)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    compiled = I._compiled()
    reasons_of = {pid: reason for reason, _, _, pid in compiled.all_text + compiled.squashed}
    result: dict = {}
    for part in PARTS:
        traces = pickle.loads((args.traces / f"{part}.pkl").read_bytes())
        for name, cfg in VERSIONS.items():
            m = measure(traces, cfg, reasons_of)
            row = result.setdefault(name, {})
            row[part] = {"clean": [m["clean_docs_flagged"], m["clean_n"]],
                         "caught": [sum(v[0] for v in m["caught"].values()), sum(v[1] for v in m["caught"].values())],
                         "clean_examples": m["clean_examples"]}
    for name, row in result.items():
        clean = sum(r["clean"][0] for r in row.values()), sum(r["clean"][1] for r in row.values())
        caught = sum(r["caught"][0] for r in row.values()), sum(r["caught"][1] for r in row.values())
        row["pooled"] = {"clean": list(clean), "caught": list(caught)}
        print(f"{name:22s} clean {clean[0]}/{clean[1]}  caught {caught[0]}/{caught[1]}  "
              + "  ".join(f"{p}: {row[p]['clean'][0]}/{row[p]['caught'][0]}" for p in PARTS))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
