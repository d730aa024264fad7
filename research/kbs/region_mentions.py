"""Which public customer messages name one of the demo's regions (EU, UK, US), with the patterns before and after
commit 3a002a8 (lower-case "us" and "gb" are words; "£" names the UK). Every message whose region changes is printed.

    PYTHONPATH=. .venv/bin/python -m research.kbs.region_mentions --out research/kbs/region_mentions.json
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path

from app.core.regions import DEMO_REGIONS, mentioned_region
from research.kbs.data import REAL_KBS, banking77_texts, clinc150, datasets_dir

BEFORE = {  # app/core/regions.py's _MENTIONS up to c57810d
    "EU": r"\b(eu|europe|european|eea|sepa|lithuania|germany|france|spain|italy|ireland|netherlands)\b",
    "UK": r"\b(uk|united kingdom|britain|england|scotland|wales|gb|£)\b",
    "US": r"\b(us|usa|united states|america|american|\$)\b|\$",
}


def _before(text: str) -> str | None:
    found = [region for region in DEMO_REGIONS if re.search(BEFORE[region], text, re.I)]
    return found[0] if len(found) == 1 else None


def _sets() -> dict[str, list[str]]:
    sets = {"banking77 train": banking77_texts(),
            "clinc150 train, val, oos_train, oos_val": [text for part in clinc150().values() for text, _ in part]}
    for kb in REAL_KBS:
        with (datasets_dir() / "kbs" / kb / "questions.tsv").open(encoding="utf-8", newline="") as handle:
            sets[f"kbs/{kb} questions"] = [row["query"] for row in csv.DictReader(handle, delimiter="\t")]
    return sets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the counts as JSON here")
    args = parser.parse_args(argv)
    result = {}
    for name, texts in _sets().items():
        changed = [{"text": t, "before": _before(t), "after": mentioned_region(t)} for t in texts
                   if _before(t) != mentioned_region(t)]
        pairs: dict[str, int] = {}
        for row in changed:
            key = f"{row['before']} -> {row['after']}"
            pairs[key] = pairs.get(key, 0) + 1
        # Counts only in the file: the public messages stay in the datasets folder (they are printed).
        result[name] = {"n": len(texts), "named before": sum(_before(t) is not None for t in texts),
                        "named after": sum(mentioned_region(t) is not None for t in texts), "changed": pairs}
        print(f"{name}: n={len(texts)}, named {result[name]['named before']} -> {result[name]['named after']}, "
              f"{len(changed)} changed")
        for row in changed:
            print(f"   {row['before']} -> {row['after']}: {row['text'][:100]}")
    if args.out:
        args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
