"""Clean real documents and documents with a planted attack, for the knowledge-file scan.

Clean sources (part):
- the three help centres in kbs/: electrum (tune), monero and btcpay (report), every file as it is;
- StackFAQ's 125 threads (report): the title, then each community answer as a paragraph;
- BIPIA's clean table and code contexts: a hash of the context id puts 30% in the report part;
- the long description (README) in the METADATA of every package installed in the running venv:
  a hash of the package name puts half in the report part;
- version 9, a fold that no classifier has trained on and no report part holds: the READMEs and
  Markdown/reStructuredText notes under /usr/share/doc of the machine (Debian packages' docs, at
  most MAX_SYSTEM_DOCS_PER_PACKAGE files a package, duplicates dropped). A hash of the package
  puts half in part "fresh_a" (negatives a retrained document head may learn from) and half in
  "fresh_b" (where the scan's gate is picked).

Planted attacks (part):
- BIPIA's ready-made planted records, report when their attack category is held out (every third
  category in name order, text and code attacks separately), else tune;
- attacks planted the same way (one attack as its own paragraph at the start, the middle or the
  end, seeded per document) into the clean help-centre files, StackFAQ threads and package READMEs:
  BIPIA text attacks of the held-out categories into report documents, of the other categories into
  tune documents. A second report set plants the opening of a held-out jailbreak family instead.
"""

from __future__ import annotations

import email.parser
import gzip
import hashlib
import json
import re
import random
import sys
from functools import lru_cache
from pathlib import Path

from research.guards.data import _jsonl, bucket, datasets_dir, jailbreaks

KB_PARTS = {"electrum": "tune", "monero": "report", "btcpay": "report"}
KB_SUFFIXES = (".md", ".rst", ".markdown", ".txt")
SYSTEM_DOCS = Path("/usr/share/doc")
MAX_SYSTEM_DOCS_PER_PACKAGE = 4
_SYSTEM_DOC_NAME = re.compile(r"readme|\.md\b|\.markdown\b|\.rst\b", re.I)
# Licences, changelogs and contributor lists are not prose an editor writes for readers.
_SYSTEM_DOC_SKIP = re.compile(r"changelog|copyright|news|licen[cs]e|copying|authors|thanks|todo|history|release", re.I)


def _category_parts(categories: list[str]) -> dict[str, str]:
    return {c: "report" if k % 3 == 1 else "tune" for k, c in enumerate(sorted(categories))}


@lru_cache(maxsize=1)
def bipia_attacks() -> list[dict]:
    """Every BIPIA attack instruction as {category, kind (text/code), text, part}."""
    folder = datasets_dir() / "injection" / "documents"
    out = []
    for kind in ("text", "code"):
        table = json.loads((folder / f"bipia_{kind}_attacks_train.json").read_text())
        parts = _category_parts(list(table))
        out += [{"category": c, "kind": kind, "text": t, "part": parts[c]} for c, texts in table.items() for t in texts]
    return out


def attack_category_parts() -> dict[str, str]:
    return {a["category"]: a["part"] for a in bipia_attacks()}


def package_readmes(site_packages: list[Path] | None = None) -> list[dict]:
    """The long description of each installed distribution's METADATA (the README on PyPI)."""
    if site_packages is None:
        site_packages = [Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    seen, out = set(), []
    for folder in site_packages:
        for meta in sorted(folder.glob("*.dist-info/METADATA")):
            message = email.parser.Parser().parsestr(meta.read_text(encoding="utf-8", errors="replace"))
            name = (message.get("Name") or meta.parent.name).lower().replace("_", "-")
            body = message.get_payload() if not message.is_multipart() else ""
            body = (body or message.get("Description") or "").strip()
            if name in seen or not body:
                continue
            seen.add(name)
            out.append({"id": f"pkg:{name}", "source": "package README", "text": body,
                        "part": "report" if bucket(name, "package") < 50 else "tune"})
    return out


@lru_cache(maxsize=1)
def system_documents(root: Path = SYSTEM_DOCS) -> list[dict]:
    """The fresh tuning fold (version 9): READMEs and notes of the machine's Debian packages."""
    out, seen, per_package = [], set(), {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if not _SYSTEM_DOC_NAME.search(path.name) or _SYSTEM_DOC_SKIP.search(path.name):
            continue
        package = path.relative_to(root).parts[0]
        raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
        text = raw.decode("utf-8", errors="replace")
        digest = hashlib.sha256(text.encode()).hexdigest()
        if not 500 <= len(text) <= 60_000 or digest in seen or per_package.get(package, 0) >= MAX_SYSTEM_DOCS_PER_PACKAGE:
            continue
        seen.add(digest)
        per_package[package] = per_package.get(package, 0) + 1
        out.append({"id": f"sys:{path.relative_to(root).as_posix()}", "source": "system docs", "text": text,
                    "part": "fresh_a" if bucket(package, "system-doc") < 50 else "fresh_b"})
    return out


@lru_cache(maxsize=1)
def clean_documents() -> list[dict]:
    """Every clean document as {id, source, text, part}."""
    root = datasets_dir()
    docs = []
    for kb, part in KB_PARTS.items():
        base = root / "kbs" / kb / "docs"
        for path in sorted(p for p in base.rglob("*") if p.is_file() and p.suffix.lower() in KB_SUFFIXES):
            docs.append({"id": f"kb:{kb}/{path.relative_to(base).as_posix()}", "source": f"kbs/{kb}",
                         "text": path.read_text(encoding="utf-8", errors="replace"), "part": part})
    for row in _jsonl(root / "retrieval" / "stackfaq_corpus.jsonl"):
        text = "\n\n".join([row["title"], *row["answers"]])
        docs.append({"id": f"stackfaq:{row['doc_id']}", "source": "StackFAQ", "text": text, "part": "report"})
    folder = root / "injection" / "documents"
    for n, row in enumerate(_jsonl(folder / "bipia_table_contexts_train.jsonl")):
        rid = f"bipia-table-{n}"
        docs.append({"id": rid, "source": "BIPIA tables", "text": row["context"],
                     "part": "report" if bucket(rid, "bipia-context") < 30 else "tune"})
    for n, row in enumerate(_jsonl(folder / "bipia_code_contexts_train.jsonl")):
        rid = f"bipia-code-{n}"
        docs.append({"id": rid, "source": "BIPIA code", "text": "\n".join(row["context"]),
                     "part": "report" if bucket(rid, "bipia-context") < 30 else "tune"})
    return docs + package_readmes()


def _paragraph_starts(lines: list[str]) -> list[int]:
    """Indexes of lines that start a paragraph outside code fences (where a paragraph can go in)."""
    starts, fenced, previous_blank = [0], False, True
    for i, line in enumerate(lines):
        if line.strip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and line.strip() and previous_blank and i:
            starts.append(i)
        previous_blank = not line.strip()
    return starts


def plant(text: str, attack: str, position: str) -> tuple[str, tuple[int, int]]:
    """The text with ``attack`` as its own paragraph, and its 1-based line range."""
    lines = text.split("\n")
    starts = _paragraph_starts(lines)
    at = {"start": 0, "middle": starts[len(starts) // 2], "end": len(lines)}[position]
    block = attack.strip("\n").split("\n")
    before, after = lines[:at], lines[at:]
    pad_before = [""] if before and before[-1].strip() else []
    pad_after = [""] if after and after[0].strip() else []
    new = before + pad_before + block + pad_after + after
    first = len(before) + len(pad_before) + 1
    return "\n".join(new), (first, first + len(block) - 1)


@lru_cache(maxsize=1)
def planted_documents() -> list[dict]:
    """{id, source, text, attack, category, position, lines, part, set}: BIPIA's records, then ours."""
    folder = datasets_dir() / "injection" / "documents"
    parts = attack_category_parts()
    out = []
    for row in _jsonl(folder / "bipia_train_planted.jsonl"):
        if row["label"] != 1:
            continue
        lines = row["text"].split("\n")
        first_attack_line = row["attack"].strip("\n").split("\n")[0]
        start = next((i + 1 for i, line in enumerate(lines) if first_attack_line and first_attack_line in line), 0)
        span = (start, start + row["attack"].strip("\n").count("\n")) if start else None
        out.append({"id": row["id"], "source": f"BIPIA {row['task']}", "text": row["text"], "attack": row["attack"],
                    "category": row["attack_category"], "position": row["position"], "lines": span,
                    "part": parts[row["attack_category"]], "set": "bipia_planted"})
    text_attacks = {p: [a for a in bipia_attacks() if a["kind"] == "text" and a["part"] == p] for p in ("tune", "report")}
    family_openings = _jailbreak_openings()
    for doc in clean_documents():
        if doc["source"].startswith("BIPIA"):
            continue
        rng = random.Random(f"plant:{doc['id']}")
        attack = rng.choice(text_attacks[doc["part"]])
        position = rng.choice(("start", "middle", "end"))
        text, span = plant(doc["text"], attack["text"], position)
        out.append({"id": f"planted:{doc['id']}", "source": doc["source"], "text": text, "attack": attack["text"],
                    "category": attack["category"], "position": position, "lines": span, "part": doc["part"],
                    "set": "bipia_attack_in_clean_doc"})
        if doc["part"] == "report":
            opening = rng.choice(family_openings)
            text, span = plant(doc["text"], opening, position)
            out.append({"id": f"planted-jailbreak:{doc['id']}", "source": doc["source"], "text": text, "attack": opening,
                        "category": "jailbreak", "position": position, "lines": span, "part": "report",
                        "set": "jailbreak_in_clean_doc"})
    return out


def _jailbreak_openings() -> list[str]:
    """The first ~400 characters (whole sentences) of each held-out jailbreak family's first member."""
    firsts = {}
    for row in jailbreaks():
        if row["part"] == "report" and row["family"] not in firsts:
            text = " ".join(row["text"].split())
            cut = text.rfind(". ", 0, 400)
            firsts[row["family"]] = text[: cut + 1] if cut > 100 else text[:400]
    return [firsts[k] for k in sorted(firsts)]
