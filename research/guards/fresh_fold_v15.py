"""Version 15's fresh fold: package READMEs and help pages like the report part's, that no fold and no
report part holds, pinned by package, version, path and sha256.

    pip download --no-deps --no-binary :all: NAME -d ~/.cache/beacon-scan15/   # each package of SDISTS
    .venv/bin/python -m research.guards.fresh_fold_v15 --pin   # choose the documents once, write sets/fresh_fold_v15.tsv
    .venv/bin/python -m research.guards.fresh_fold_v15         # how many of the pinned documents load here, by part

Why: versions 10-12 re-chose the scan on manual prose and user guides, while the report part's clean
findings sit in package READMEs, help-centre pages and Q&A answers. Two kinds of document, chosen by a
rule fixed before any was read:
- "readme": the long description (the README on PyPI) of every Python distribution on this machine
  OUTSIDE the venv: the other Python installations' site-packages (pyenv), Debian's dist-packages and
  the packages the Google Cloud SDK bundles (its METADATA / PKG-INFO, or the top-level README of a
  vendored package that has none), one document a package, none whose name is a venv distribution's
  (the venv's READMEs are documents.py's tune and report parts). Not downloaded: a registry is no
  catalogue to read hundreds of READMEs from (the workplace allows a few look-ups, not bulk ones), so
  this is every README the machine already has, fewer than the 200 the task asked for.
- "help": the user documentation (FAQ, troubleshooting, how-to, user guide pages) inside the sdists of
  the few end-user programs of SDISTS, downloaded once into the cache (``SCAN15_CACHE`` or
  ~/.cache/beacon-scan15), with version 12's path filters.
Licences, changelogs, test data and templates dropped (fresh_fold._SKIP, fresh_fold_v12._NOT_USER_PROSE),
500-60,000 characters, prose only, no text of an earlier fold or of documents.py.
Split by package: ``sha256("fresh-v15:" + package) % 100 < 50`` → "fresh15_tune", else "fresh15_check"
(looked at once, after the choices). A pinned document missing or changed here is skipped and counted.
"""

from __future__ import annotations

import email.parser
import hashlib
import os
import re
import tarfile
import zipfile
from functools import lru_cache
from pathlib import Path

from research.guards.data import bucket
from research.guards.documents import package_readmes, system_documents
from research.guards.fresh_fold import MAX_CHARS, MIN_CHARS, _SKIP, _prose, fresh_documents
from research.guards.fresh_fold_v12 import _NOT_USER_PROSE, fresh12_documents, pin_and_count

PIN = Path(__file__).resolve().parent / "sets" / "fresh_fold_v15.tsv"
CACHE = Path(os.environ.get("SCAN15_CACHE", Path.home() / ".cache" / "beacon-scan15"))
METADATA_ROOTS = [*sorted(Path("/root/.pyenv/versions").glob("*/lib/python*/site-packages")),
                  Path("/usr/lib/python3/dist-packages"), Path("/usr/lib/google-cloud-sdk")]
# Folders of packages vendored without their METADATA (the Google Cloud SDK's gsutil).
VENDORED = [Path("/usr/lib/google-cloud-sdk/platform/gsutil/third_party"), Path("/usr/lib/google-cloud-sdk/platform/gsutil/gslib/vendored")]
# End-user programs with user documentation in their sdist (none installed in the venv, none in fold 12).
# cryptoadvance-specter's sdist did not download here (pip prepares its build dependencies first and timed
# out); the fold holds the other four, and would take specter's pages wherever its sdist is in the cache.
SDISTS = ["cryptoadvance-specter", "octoprint", "httpie", "calibreweb", "archivebox"]
MAX_PER_PACKAGE = 40
_README = re.compile(r"^readme(?:\.(?:md|markdown|rst|txt))?$", re.I)
_DOC = re.compile(r"\.(?:md|markdown|rst|txt)$", re.I)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _long_description(path: Path) -> tuple[str, str, str]:
    """(name, version, long description) of a METADATA / PKG-INFO file."""
    message = email.parser.Parser().parsestr(path.read_text(encoding="utf-8", errors="replace"))
    body = (message.get_payload() if not message.is_multipart() else "") or message.get("Description") or ""
    return _norm(message.get("Name") or ""), message.get("Version") or "", body.strip()


def _readmes() -> list[tuple[str, str, str, str]]:
    """(package, version, path, text): one README a package, in a stable order (first path wins)."""
    out: dict[str, tuple[str, str, str, str]] = {}
    for root in METADATA_ROOTS:
        if not root.is_dir():
            continue
        metas = sorted([*root.rglob("*.dist-info/METADATA"), *root.rglob("*.egg-info/PKG-INFO"), *root.glob("*.egg-info")])
        for meta in metas:
            meta = meta / "PKG-INFO" if meta.is_dir() else meta
            if meta.is_file():
                name, version, body = _long_description(meta)
                if name and name not in out:
                    out[name] = (name, version, str(meta), body)
    for folder in VENDORED:
        for package in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
            name = _norm(package.name)
            readme = next((p for p in sorted(package.iterdir()) if p.is_file() and _README.match(p.name)), None)
            if readme and name not in out:
                out[name] = (name, "vendored", str(readme), readme.read_text(encoding="utf-8", errors="replace"))
    return [out[k] for k in sorted(out)]


def _sdist_members(name: str) -> tuple[str, dict[str, str]]:
    """(version, {path inside the sdist, top folder dropped: text}) of the cached sdist of ``name``."""
    want = _norm(name)
    path = next((p for p in sorted(CACHE.iterdir()) if p.is_file() and _norm(p.name).startswith(want + "-")
                 and p.name.endswith((".tar.gz", ".zip"))), None) if CACHE.is_dir() else None
    if path is None:
        return "", {}
    version = re.sub(r"\.(?:tar\.gz|zip)$", "", path.name)[len(want) + 1:]
    out = {}
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                rel = info.filename.split("/", 1)[-1]
                if not info.is_dir() and _DOC.search(rel):
                    out[rel] = archive.read(info).decode("utf-8", errors="replace")
    else:
        with tarfile.open(path) as archive:
            for member in archive.getmembers():
                rel = member.name.split("/", 1)[-1]
                if member.isfile() and _DOC.search(rel):
                    out[rel] = archive.extractfile(member).read().decode("utf-8", errors="replace")
    return version, out


def _taken() -> set[str]:
    """Texts of earlier folds and of documents.py (tune and report), which this fold must not hold."""
    from research.guards.documents import clean_documents
    from research.guards.fresh_fold_v11 import fresh11_documents

    docs = [*system_documents(), *package_readmes(), *clean_documents(), *fresh_documents()[0], *fresh11_documents()[0],
            *fresh12_documents()[0]]
    return {sha256(d["text"]) for d in docs}


def candidates() -> list[tuple[str, str, str, str, str]]:
    """(kind, package, version, path, text) of every document the fold takes, in a stable order."""
    venv = {_norm(d["id"].split(":", 1)[1]) for d in package_readmes()}
    fold12 = {_norm(d["package"]) for d in fresh12_documents()[0]}
    taken, out = _taken(), []

    def take(kind: str, package: str, version: str, path: str, text: str) -> bool:
        if not (_prose(text) and MIN_CHARS <= len(text) <= MAX_CHARS) or sha256(text) in taken:
            return False
        taken.add(sha256(text))
        out.append((kind, package, version, path, text))
        return True

    for name, version, path, text in _readmes():
        if name not in venv and name not in fold12:
            take("readme", name, version, path, text)
    for name in SDISTS:
        version, members = _sdist_members(name)
        per_package = 0
        for rel in sorted(members, key=lambda r: (r.count("/"), r)):
            if per_package >= MAX_PER_PACKAGE or _SKIP.search(rel.rsplit("/", 1)[-1]) or _NOT_USER_PROSE.search(rel):
                continue
            per_package += take("help", _norm(name), version, rel, members[rel])
    return out


def part_of(package: str) -> str:
    return "fresh15_tune" if bucket(package, "fresh-v15") < 50 else "fresh15_check"


def _pins() -> list[tuple[str, ...]]:
    rows = (row.split("\t") for row in PIN.read_text().splitlines() if row.strip() and not row.startswith("#"))
    return [tuple(row) for row in rows]


def _load(kind: str, package: str, version: str, path: str, cache: dict) -> str | None:
    if kind == "readme":
        file = Path(path)
        if not file.is_file():
            return None
        return file.read_text(encoding="utf-8", errors="replace") if version == "vendored" else _long_description(file)[2]
    if package not in cache:
        cache[package] = _sdist_members(package)
    found_version, members = cache[package]
    return members.get(path) if found_version == version else None


@lru_cache(maxsize=1)
def fresh15_documents() -> tuple[list[dict], int]:
    """The pinned documents that load unchanged here, as {id, source, package, kind, text, part}, and how many did not."""
    docs, missing, cache = [], 0, {}
    for kind, package, version, path, digest in _pins():
        text = _load(kind, package, version, path, cache)
        if text is None or sha256(text) != digest:
            missing += 1
            continue
        docs.append({"id": f"fresh15:{kind}:{package}-{version}/{path.rsplit('/', 1)[-1] if kind == 'readme' else path}",
                     "source": "package READMEs (machine)" if kind == "readme" else "help pages (sdists)",
                     "package": package, "kind": kind, "text": text, "part": part_of(package)})
    return docs, missing


def main(argv: list[str] | None = None) -> int:
    return pin_and_count(argv, __doc__, PIN, "# kind\tpackage\tversion\tpath (METADATA/README file, or path inside the sdist)\t"
                         "sha256 of the text: python -m research.guards.fresh_fold_v15 --pin", candidates, fresh15_documents, "kind")


if __name__ == "__main__":
    raise SystemExit(main())
