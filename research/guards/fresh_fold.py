"""Version 10's fresh fold of clean real documents for the knowledge-file scan, pinned by path and hash.

    .venv/bin/python -m research.guards.fresh_fold --pin     # choose the files once, write sets/fresh_fold_v10.tsv
    .venv/bin/python -m research.guards.fresh_fold           # how many of the pinned files load here, by part

Why: the rules and the gate of versions 8 and 9 were chosen on documents that are now used up
(the tuning package READMEs, /usr/share/doc READMEs of ``documents.system_documents``), and the
report part's package READMEs and version 9's fold both drifted with the installed packages. This
fold is documents no earlier version read, written by other people, listed in a file so it stays
the same set:
- the Markdown / reStructuredText documents shipped inside installed distributions (their RECORD
  files name them; not METADATA, whose long description ``documents.package_readmes`` already
  uses), only of distributions in the TUNING half of ``package_readmes`` (a report package's docs
  often repeat its README) and not equal to any METADATA long description;
- the text, Markdown and reStructuredText files under /usr/share/doc that version 9 did not take
  (plain ``.txt`` notes, and the Markdown/rst files past its four a package); licences, changelogs and release notes dropped (not prose an editor
  writes for readers), and any text version 9's fold holds;
- CMake's reference pages (reStructuredText under /usr/share/cmake-*/Help, release notes dropped)
  and the Markdown of the Node.js packages under /usr/lib/node_modules (npm's documentation).
At most MAX_PER_PACKAGE documents of one package (of one Help folder for CMake).
A hash of the path splits it: ``sha256("fresh-v10:" + key) % 100 < 50`` → part "fresh10_tune"
(where version 10's rules and gate were chosen), else "fresh10_check" (looked at once, after).
A pinned file that is missing or changed on another machine is skipped and counted.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import re
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

from research.guards.data import bucket
from research.guards.documents import SYSTEM_DOCS, package_readmes, system_documents

PIN = Path(__file__).resolve().parent / "sets" / "fresh_fold_v10.tsv"
MAX_PER_PACKAGE = 20
CMAKE_HELP = sorted(Path("/usr/share").glob("cmake-*/Help"))
NODE_MODULES = Path("/usr/lib/node_modules")
MIN_CHARS, MAX_CHARS = 500, 60_000
_DOC_SUFFIX = re.compile(r"\.(?:md|markdown|rst|txt)(?:\.gz)?$", re.I)
_SKIP = re.compile(r"changelog|copyright|news|licen[cs]e|copying|authors|thanks|todo|history|release|relnotes|"
                   r"notice|contributors|code_of_conduct|security|funding|top_level|entry_points|requested|installer|"
                   r"record|wheel|metadata|dependency_links|sources\.txt|requirements|cmakelists|lorem", re.I)


_WORD = re.compile(r"[^\W\d_]{2,}")
# Test data, templates, and notes written FOR an AI agent (fastapi's .agents/skills, pyparsing's ai/):
# the last are what the scan must flag, not clean guidance for readers.
_NOT_PROSE_PATH = re.compile(r"(?:^|/)(?:tests?|data|templates?|\.agents|agents?|skills?|ai|prompts?)/|template", re.I)


def _site_packages() -> list[Path]:
    return [Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]


def _read(path: Path) -> str:
    raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
    return raw.decode("utf-8", errors="replace")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _distribution_files(folder: Path) -> list[tuple[str, Path]]:
    """(distribution name, file) for each document a distribution's RECORD installs outside its dist-info."""
    out = []
    for record in sorted(folder.glob("*.dist-info/RECORD")):
        meta = record.with_name("METADATA")
        name = record.parent.name.split("-")[0]
        if meta.exists():
            for line in meta.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("Name:"):
                    name = line.split(":", 1)[1].strip()
                    break
        name = name.lower().replace("_", "-")
        for row in record.read_text(encoding="utf-8", errors="replace").splitlines():
            rel = row.split(",")[0]
            if ".dist-info/" in rel or rel.startswith("..") or not _DOC_SUFFIX.search(rel):
                continue
            path = folder / rel
            if path.is_file() and not _SKIP.search(path.name) and not _NOT_PROSE_PATH.search(rel):
                out.append((name, path))
    return out


def _prose(text: str) -> bool:
    """Not a word list or a data file: at least a fifth of the non-empty lines have four words."""
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and sum(len(_WORD.findall(line)) >= 4 for line in lines) >= 0.2 * len(lines)


def candidates() -> list[tuple[str, str]]:
    """(key, text) of every document the fold takes on this machine, in a stable order."""
    taken = {_digest(d["text"]) for d in system_documents()} | {_digest(d["text"]) for d in package_readmes()}
    out: list[tuple[str, str]] = []
    per_package: Counter = Counter()

    def take(key: str, package: str, text: str) -> None:
        digest = _digest(text)
        if _prose(text) and MIN_CHARS <= len(text) <= MAX_CHARS and digest not in taken and per_package[package] < MAX_PER_PACKAGE:
            taken.add(digest)
            per_package[package] += 1
            out.append((key, text))

    for folder in _site_packages():
        for name, path in _distribution_files(folder):
            if bucket(name, "package") >= 50:  # tuning half of package_readmes only
                take(f"site-packages/{path.relative_to(folder).as_posix()}", f"pkg:{name}", _read(path))
    version9 = {d["id"].removeprefix("sys:") for d in system_documents()}
    for path in sorted(p for p in SYSTEM_DOCS.rglob("*") if p.is_file()):
        rel = path.relative_to(SYSTEM_DOCS).as_posix()
        if rel in version9 or not _DOC_SUFFIX.search(path.name) or any(_SKIP.search(part) for part in path.relative_to(SYSTEM_DOCS).parts):
            continue
        take(f"usr-share-doc/{rel}", f"deb:{path.relative_to(SYSTEM_DOCS).parts[0]}", _read(path))
    for help_dir in CMAKE_HELP[-1:]:
        for path in sorted(help_dir.rglob("*.rst")):
            rel = path.relative_to(help_dir)
            if rel.parts[0] != "release" and not _SKIP.search(path.name):
                take(f"cmake/{rel.as_posix()}", f"cmake:{rel.parts[0]}", _read(path))
    for path in sorted(NODE_MODULES.rglob("*.md")) if NODE_MODULES.is_dir() else []:
        rel = path.relative_to(NODE_MODULES)
        if not any(_SKIP.search(part) for part in rel.parts):
            package = "/".join(rel.parts[:2]) if rel.parts[0].startswith("@") else rel.parts[0]
            take(f"node-modules/{rel.as_posix()}", f"npm:{package}", _read(path))
    return out


def _path_of(key: str) -> Path | None:
    root, _, rel = key.partition("/")
    if root == "usr-share-doc":
        return SYSTEM_DOCS / rel
    if root == "cmake":
        return CMAKE_HELP[-1] / rel if CMAKE_HELP else None
    if root == "node-modules":
        return NODE_MODULES / rel
    return next((folder / rel for folder in _site_packages() if (folder / rel).is_file()), None)


def part_of(key: str) -> str:
    return "fresh10_tune" if bucket(key, "fresh-v10") < 50 else "fresh10_check"


@lru_cache(maxsize=1)
def fresh_documents() -> tuple[list[dict], int]:
    """The pinned documents that load unchanged here, as {id, source, text, part}, and how many did not."""
    docs, missing = [], 0
    for row in PIN.read_text().splitlines():
        if not row.strip() or row.startswith("#"):
            continue
        key, digest = row.split("\t")
        path = _path_of(key)
        text = _read(path) if path is not None and path.is_file() else None
        if text is None or _digest(text) != digest:
            missing += 1
            continue
        source = {"site-packages": "package docs", "usr-share-doc": "system docs (v10)", "cmake": "CMake help",
                  "node-modules": "npm docs"}[key.split("/")[0]]
        docs.append({"id": f"fresh10:{key}", "source": source, "text": text, "part": part_of(key)})
    return docs, missing


def pin_and_count(argv: list[str] | None, module: str, doc: str, pin: Path, candidates, documents) -> int:
    """The command line of a pinned fold: ``--pin`` writes ``pin`` from ``candidates()``; then the
    documents that load here are counted by part and source."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pin", action="store_true", help="choose the documents on this machine and write " + pin.name)
    args = parser.parse_args(argv)
    if args.pin:
        rows = candidates()
        pin.write_text(f"# key\tsha256[:16] of the text: python -m {module} --pin\n"
                       + "".join(f"{key}\t{_digest(text)}\n" for key, text in rows))
    docs, missing = documents()
    counts = Counter((d["part"], d["source"]) for d in docs)
    for (part, source), n in sorted(counts.items()):
        print(f"{part:14s} {source:22s} {n}")
    print(f"missing or changed: {missing}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return pin_and_count(argv, "research.guards.fresh_fold", __doc__, PIN, candidates, fresh_documents)


if __name__ == "__main__":
    raise SystemExit(main())
