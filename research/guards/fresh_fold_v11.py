"""Version 11's fresh fold of clean real documents for the knowledge-file scan, pinned by path and hash.

    .venv/bin/python -m research.guards.fresh_fold_v11 --pin     # choose the documents once, write sets/fresh_fold_v11.tsv
    .venv/bin/python -m research.guards.fresh_fold_v11           # how many of the pinned documents load here, by part

Why: version 10's fold (``fresh_fold.py``) is mostly CMake reference pages; its notes asked for
prose more like a help centre's, full of imperatives for a human reader, to re-choose the passes
that fire on ordinary writing. Read by no earlier version and in no report part:
- the GNU user manuals installed as Info files (``/usr/share/info``: GnuPG, wget, grep, sed,
  coreutils, gettext, …), one document a node (a manual's page: "To encrypt a file, type…"),
  index, licence and menu-only nodes dropped, at most MAX_PER_MANUAL nodes of one manual;
- manual pages rendered to text by ``man`` (English ``man1``/``man5``/``man8``), and the
  translated manual pages (``/usr/share/man/LANG``: German, French, Spanish, …), the ordinary
  non-English prose the scan's other-language rules must pass; a hashed sample of each.
Every document is at least MIN_CHARS and passes ``fresh_fold._prose``; duplicates of any earlier
fold's text are dropped. A hash of the key splits it: ``sha256("fresh-v11:" + key) % 100 < 50``
→ "fresh11_tune" (where version 11 was chosen), else "fresh11_check" (looked at once, after).
A pinned document that is missing or renders differently on another machine is skipped and counted.
"""

from __future__ import annotations

import gzip
import os
import re
import subprocess
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

from research.guards.data import bucket
from research.guards.documents import package_readmes, system_documents
from research.guards.fresh_fold import MAX_CHARS, MIN_CHARS, _SKIP, _digest, _prose, fresh_documents, pin_and_count

PIN = Path(__file__).resolve().parent / "sets" / "fresh_fold_v11.tsv"
INFO = Path("/usr/share/info")
MAN = Path("/usr/share/man")
MAX_PER_MANUAL = 30
# Of the manual pages, a hashed share (bucket("fresh-v11-man", page) < MAN_SHARE), at most
# MAX_PER_MAN_FAMILY of one family (the name before the first "-", "_" or "."): 16,000 of the
# English pages installed here are gcloud's, generated from one template.
MAN_SHARE, MAX_PER_MAN_FAMILY = 8, 10
_INFO_HEADER = re.compile(r"^File: [^,]+,\s+Node: ([^,\n]+)", re.M)
_NOT_PROSE_NODE = re.compile(r"index|copying|licen[cs]e|contributors|history|news|documentation license", re.I)
_MENU_LINE = re.compile(r"^\* [^:]+::")


def _info_manuals() -> dict[str, str]:
    """Each Info manual's whole text (its -1, -2 … parts joined in order)."""
    parts: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(INFO.glob("*.info*.gz")):
        parts[path.name.split(".info")[0]].append(path)
    return {name: "".join(gzip.open(p).read().decode("utf-8", errors="replace") for p in sorted(paths, key=_part_number))
            for name, paths in sorted(parts.items())}


def _part_number(path: Path) -> int:
    tail = path.name.split(".info")[1].removesuffix(".gz").lstrip("-")
    return int(tail) if tail.isdigit() else 0


@lru_cache(maxsize=1)
def info_nodes() -> dict[str, str]:
    """{"info/MANUAL/NODE": text} of every node, the "File: …, Node: …" line dropped."""
    out = {}
    for manual, text in _info_manuals().items():
        for chunk in text.split("\x1f"):
            header = _INFO_HEADER.search(chunk)
            if not header:
                continue
            body = chunk[header.end():].split("\n", 1)[-1].strip("\n")
            lines = [line for line in body.splitlines() if line.strip()]
            if _NOT_PROSE_NODE.search(header.group(1)) or sum(bool(_MENU_LINE.match(line)) for line in lines) > len(lines) / 3:
                continue
            out[f"info/{manual}/{header.group(1).strip()}"] = body
    return out


def render_man(path: Path) -> str | None:
    env = {**os.environ, "MANWIDTH": "80", "LC_ALL": "C.UTF-8"}
    result = subprocess.run(["man", "--no-hyphenation", "--no-justification", "-l", str(path)],
                            capture_output=True, env=env, timeout=30)
    return result.stdout.decode("utf-8", errors="replace") if result.returncode == 0 else None


def _man_pages() -> list[tuple[str, Path]]:
    """(key, path) of the sampled manual pages: English sections 1, 5, 8 and every translation."""
    out = []
    for path in sorted(p for p in MAN.rglob("*.gz") if p.is_file() and not p.is_symlink()):
        rel = path.relative_to(MAN)
        translated = not rel.parts[0].startswith("man")
        if not translated and rel.parts[0] not in ("man1", "man5", "man8"):
            continue
        if translated and (len(rel.parts) < 3 or rel.parts[1] not in ("man1", "man5", "man8")):
            continue
        if bucket(rel.as_posix(), "fresh-v11-man") < MAN_SHARE:
            out.append((f"man/{rel.as_posix()}", path))
    return out


def candidates() -> list[tuple[str, str]]:
    """(key, text) of every document the fold takes on this machine, in a stable order."""
    taken = {_digest(d["text"]) for d in system_documents()} | {_digest(d["text"]) for d in package_readmes()} | \
        {_digest(d["text"]) for d in fresh_documents()[0]}
    out: list[tuple[str, str]] = []
    per_manual: Counter = Counter()

    def take(key: str, group: str, text: str | None) -> None:
        if not text or _SKIP.search(key.rsplit("/", 1)[-1]):
            return
        digest = _digest(text)
        cap = MAX_PER_MANUAL if key.startswith("info/") else MAX_PER_MAN_FAMILY
        if _prose(text) and MIN_CHARS <= len(text) <= MAX_CHARS and digest not in taken and per_manual[group] < cap:
            taken.add(digest)
            per_manual[group] += 1
            out.append((key, text))

    nodes = info_nodes()
    for key in sorted(nodes, key=lambda k: (k.split("/")[1], bucket(k, "fresh-v11-node"))):
        take(key, key.split("/")[1], nodes[key])
    for key, path in _man_pages():
        family = "man:" + re.split(r"[-_.]", path.name)[0]
        if per_manual[family] < MAX_PER_MAN_FAMILY:  # rendering is the slow part
            take(key, family, render_man(path))
    return out


def part_of(key: str) -> str:
    return "fresh11_tune" if bucket(key, "fresh-v11") < 50 else "fresh11_check"


def _load(key: str) -> str | None:
    root, _, rel = key.partition("/")
    if root == "info":
        return info_nodes().get(key)
    path = MAN / rel
    return render_man(path) if path.is_file() else None


def _pins() -> dict[str, str]:
    """{key: sha256[:16] of its text} of the pinned fold."""
    rows = (row.split("\t") for row in PIN.read_text().splitlines() if row.strip() and not row.startswith("#"))
    return {key: digest for key, digest in rows}


def _document(key: str, digest: str) -> dict | None:
    """One pinned document as {id, source, text, part}, or None where it does not load unchanged here."""
    text = _load(key)
    if text is None or _digest(text) != digest:
        return None
    rel = key.split("/")
    source = "GNU Info manuals" if rel[0] == "info" else ("man pages" if rel[1].startswith("man") else "translated man pages")
    return {"id": f"fresh11:{key}", "source": source, "text": text, "part": part_of(key)}


def pinned_document(key: str) -> dict | None:
    """One pinned document loaded alone (a test needs a few, not the whole fold's man pages rendered)."""
    digest = _pins().get(key)
    return None if digest is None else _document(key, digest)


@lru_cache(maxsize=1)
def fresh11_documents() -> tuple[list[dict], int]:
    """The pinned documents that load unchanged here, as {id, source, text, part}, and how many did not."""
    loaded = [_document(key, digest) for key, digest in _pins().items()]
    docs = [d for d in loaded if d is not None]
    return docs, len(loaded) - len(docs)


def main(argv: list[str] | None = None) -> int:
    return pin_and_count(argv, "research.guards.fresh_fold_v11", __doc__, PIN, candidates, fresh11_documents)


if __name__ == "__main__":
    raise SystemExit(main())
