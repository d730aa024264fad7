"""Version 11: the knowledge-file scan's rules (model-directive phrases, per-line rules) on a wide
spread of clean tuning-side writing, and on tuning-side attacks; no classifier, so it reads a lot.

    .venv/bin/python -m research.guards.rule_sweep --out research/guards/results/rule_sweep.json

The classifier's pass is measured per passage by ``scan_sources.py``; the rules are cheap enough to
be measured on far more text than it can trace, which is what a rule that fires on one sentence in a
thousand documents needs. Clean (tuning side only; never a report part, never a check part):
- the clean tuning documents of ``documents.py`` (Electrum, BIPIA tuning contexts, tuning package
  READMEs), ``fresh10_tune`` and ``fresh11_tune``;
- every GNU Info node (not only version 11's thirty a manual) and every text/Markdown/rst file under
  /usr/share/doc whose key falls in version 11's tune half (``sha256("fresh-v11:" + key) % 100 < 50``)
  and whose text is in no check part;
- the docstrings of the Python standard library's modules, classes and functions (tune half by module).
Attacks: BIPIA's text and code attacks of tuning categories, and tuning jailbreak families' messages.
For each directive phrase and each line pattern: the clean documents it fires in (with examples) and
the attacks it matches.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections import defaultdict
from pathlib import Path

from guardrails import injection as I
from guardrails import knowledge_scan as K
from research.guards import documents
from research.guards.data import bucket, jailbreaks
from research.guards.fresh_fold import _DOC_SUFFIX, _digest, _read, fresh_documents
from research.guards.fresh_fold_v11 import fresh11_documents, info_nodes, part_of

STDLIB = Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"


def _stdlib_docstrings() -> list[dict]:
    out = []
    for path in sorted(STDLIB.glob("*.py")):
        if part_of(f"stdlib/{path.name}") != "fresh11_tune":
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except SyntaxError:
            continue
        texts = [ast.get_docstring(n) for n in ast.walk(tree) if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]
        text = "\n\n".join(t for t in texts if t)
        if len(text) >= 500:
            out.append({"id": f"stdlib:{path.name}", "text": text})
    return out


def wide_clean() -> list[dict]:
    checked = {_digest(d["text"]) for d in fresh_documents()[0] if d["part"] == "fresh10_check"} | \
        {_digest(d["text"]) for d in fresh11_documents()[0] if d["part"] == "fresh11_check"}
    out = [{"id": d["id"], "text": d["text"]} for d in documents.clean_documents() if d["part"] == "tune"]
    out += [{"id": d["id"], "text": d["text"]} for d in fresh_documents()[0] if d["part"] == "fresh10_tune"]
    out += [{"id": d["id"], "text": d["text"]} for d in fresh11_documents()[0] if d["part"] == "fresh11_tune"]
    out += [{"id": k, "text": t} for k, t in info_nodes().items() if part_of(k) == "fresh11_tune"]
    for path in sorted(p for p in documents.SYSTEM_DOCS.rglob("*") if p.is_file() and _DOC_SUFFIX.search(p.name)):
        key = f"usr-share-doc/{path.relative_to(documents.SYSTEM_DOCS).as_posix()}"
        if part_of(key) == "fresh11_tune":
            out.append({"id": key, "text": _read(path)})
    out += _stdlib_docstrings()
    seen, unique = set(), []
    for d in out:
        digest = _digest(d["text"])
        if digest not in seen and digest not in checked:
            seen.add(digest)
            unique.append(d)
    return unique


def attacks() -> list[dict]:
    out = [{"id": f"bipia:{a['kind']}:{n}", "text": a["text"]} for n, a in enumerate(documents.bipia_attacks()) if a["part"] == "tune"]
    return out + [{"id": f"jailbreak:{r['id']}", "text": r["text"]} for r in jailbreaks() if r["part"] == "tune"]


def fired(detector: I.InjectionDetector, text: str) -> dict[str, list[tuple[int, str]]]:
    """Rule name -> [(line, text)] of what each directive phrase and line pattern matched."""
    out: dict[str, list[tuple[int, str]]] = defaultdict(list)
    lines = text.split("\n")
    folded = K._fold_lines(text)
    for index, (_, pattern) in enumerate(K._MODEL_DIRECTIVES):
        for m in pattern.finditer(folded):
            line = K._line_at(folded, m.start())
            out[f"directive:{index}"].append((line, lines[line - 1].strip()[:200]))
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        line = K._AUTOLINK.sub(r"\1", line)
        result = detector.rules_score(line)
        if result.injection and any(r in K._LINE_REASONS for r in result.reasons):
            evidence = I._Evidence()
            detector._scan_text(line if len(line) <= I.MAX_SCAN_CHARS else I._bounded(line), evidence, 0)
            strongest = max(evidence.weights, key=evidence.weights.get) if evidence.weights else "signal"
            reason = next(r for r in result.reasons if r in K._LINE_REASONS)
            out[f"line:{reason}:{strongest}"].append((number, line.strip()[:200]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    detector = I.InjectionDetector(use_model=False)
    clean, hostile = wide_clean(), attacks()
    rules: dict[str, dict] = defaultdict(lambda: {"clean_docs": 0, "attacks": 0, "examples": []})
    for d in clean:
        for name, hits in fired(detector, d["text"]).items():
            rules[name]["clean_docs"] += 1
            if len(rules[name]["examples"]) < 15:
                rules[name]["examples"].append(f"{d['id']}:{hits[0][0]}: {hits[0][1]}")
    for d in hostile:
        for name in fired(detector, d["text"]):
            rules[name]["attacks"] += 1
    result = {"clean_documents": len(clean), "clean_lines": sum(d["text"].count("\n") + 1 for d in clean),
              "attacks": len(hostile), "rules": dict(sorted(rules.items()))}
    print(json.dumps(result, indent=1, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
