"""BM25 keyword search over the stored chunks (bm25s), with the same metadata filters as the
vector search.

The index is built once per ingest (``publish_keyword_index``, called by ``beacon ingest``
and the staff app's ingest) and memory-mapped by every process that searches
(``keyword_files.py``). Where the versions live:
- one replica (the embedded default): in the data directory, ``keyword_index/CURRENT`` naming
  the newest complete folder;
- several replicas (``BEACON_DATABASE_URL``): in the shared database, in parts; each replica
  copies a new version into its data directory once and maps it from there.

The version also holds every stored vector, for an exact vector search (``keyword_files.py``).

A searching process looks for a newer version at most once a second and swaps it in; in the
shared case the copy is made in the background while searches go on with the old version.
A store written without an ingest (tests, benchmarks) is indexed when the index notices it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import uuid
from pathlib import Path

import numpy as np

from app.index.keyword_files import FORMAT, KeywordFiles, build_keyword_files, keyword_text  # noqa: F401 (re-exported)
from app.index.store import KnowledgeStore

REFRESH_INTERVAL_S = 1.0
INGEST_LOCK = "ingest"  # the shared lock ``ingest.sync`` takes: one ingest at a time across replicas
PART_BYTES = 8 * 1024 * 1024
KEEP_VERSIONS = 2  # the newest and the one before it: a process still mapping the old one keeps working
log = logging.getLogger(__name__)


def _fingerprint_text(store: KnowledgeStore) -> str:
    return json.dumps(list(store.fingerprint()))


def _build(store: KnowledgeStore, folder: Path, fingerprint: str) -> dict:
    ids, documents, metadatas, vectors = store.all_records()
    return build_keyword_files(folder, ids, documents, metadatas, records=len(ids), fingerprint=fingerprint,
                               vectors=vectors)


class LocalVersions:
    """Versions in ``DATA_DIR/keyword_index``: one replica, or any process on its machine."""

    shared = False

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "keyword_index"

    def latest(self) -> str | None:
        try:
            name = (self.root / "CURRENT").read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name if (self.root / name / "manifest.json").exists() else None

    def folder(self, version: str) -> Path:
        return self.root / version

    def publish(self, store: KnowledgeStore) -> str:
        from app.core.private_files import private_dir

        private_dir(self.root)
        version = f"v{time.time_ns()}-{uuid.uuid4().hex[:6]}"
        _build(store, self.root / version, _fingerprint_text(store))
        pointer = self.root / f".CURRENT.{version}"
        pointer.write_text(version, encoding="utf-8")
        os.replace(pointer, self.root / "CURRENT")  # atomic: readers see the old version or the new one
        _prune(self.root, version)
        return version


class SharedVersions:
    """Versions in the shared database, copied once into this replica's data directory."""

    shared = True

    def __init__(self, database, data_dir: Path) -> None:
        self.database = database
        self.root = Path(data_dir) / "keyword_index"

    def latest(self) -> str | None:
        rows = self.database.execute("SELECT max(version) FROM keyword_index_versions WHERE complete",
                                     joins_turn=False)
        return f"db{rows[0][0]}" if rows and rows[0][0] is not None else None

    def folder(self, version: str) -> Path:
        """The version's local copy, fetched from the database if this replica has none yet."""
        target = self.root / version
        if (target / "manifest.json").exists():
            return target
        from app.core.private_files import private_dir

        private_dir(self.root)
        partial = self.root / f".{version}.{uuid.uuid4().hex[:6]}"
        partial.mkdir()
        handles: dict[str, object] = {}
        try:
            with self.database.connection(joins_turn=False) as conn:
                cursor = conn.execute("SELECT name, data FROM keyword_index_parts WHERE version = %s "
                                      "ORDER BY name, part", (int(version[2:]),))
                for name, data in cursor:
                    if name not in handles:
                        handles[name] = open(partial / name, "wb")
                    handles[name].write(data)
        finally:
            for handle in handles.values():
                handle.close()
        try:
            os.rename(partial, target)
        except OSError:  # another process of this machine fetched it first
            shutil.rmtree(partial, ignore_errors=True)
        _prune(self.root, version)
        return target

    def publish(self, store: KnowledgeStore) -> str:
        """Build from the store and upload; the version counts only once every part is in."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix="beacon-keywords-") as scratch:
            folder = Path(scratch) / "index"
            manifest = _build(store, folder, _fingerprint_text(store))
            with self.database.transaction(joins_turn=False) as conn:
                version = conn.execute("INSERT INTO keyword_index_versions (fingerprint) VALUES (%s) "
                                       "RETURNING version", (manifest["fingerprint"],)).fetchone()[0]
                for path in sorted(folder.iterdir()):
                    with open(path, "rb") as source:
                        part = 0
                        while chunk := source.read(PART_BYTES):
                            conn.execute("INSERT INTO keyword_index_parts (version, name, part, data) "
                                         "VALUES (%s, %s, %s, %s)", (version, path.name, part, chunk))
                            part += 1
                conn.execute("UPDATE keyword_index_versions SET complete = true WHERE version = %s", (version,))
                conn.execute("DELETE FROM keyword_index_versions WHERE version NOT IN (SELECT version FROM "
                             "keyword_index_versions WHERE complete ORDER BY version DESC LIMIT %s)", (KEEP_VERSIONS,))
        return f"db{version}"


def _prune(root: Path, keep: str) -> None:
    """Older local versions go, the one before ``keep`` stays (a process may still map it)."""
    versions = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                      key=lambda p: p.stat().st_mtime)
    for old in [p for p in versions if p.name != keep][:-1]:
        shutil.rmtree(old, ignore_errors=True)


def versions_for(store: KnowledgeStore):
    settings = store.settings
    if getattr(settings, "shared", False):
        from app.core.database import database_for

        return SharedVersions(database_for(settings.database_url.get_secret_value(), settings.database_pool_size),
                              settings.data_dir)
    return LocalVersions(settings.data_dir)


def publish_keyword_index(store: KnowledgeStore) -> str:
    """Build the index of what the store holds now and make it the current version (the
    ingest lock is held by the caller)."""
    return versions_for(store).publish(store)


class KeywordIndex:
    """The current version of the index, as the retriever reads it."""

    def __init__(self, store: KnowledgeStore, versions=None) -> None:
        self.store = store
        self.versions = versions if versions is not None else versions_for(store)
        self._lock = threading.Lock()
        self._files: KeywordFiles | None = None
        self.version: str | None = None
        self._checked = float("-inf")
        self._fetching: threading.Thread | None = None

    # -- versions ----------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        """Swap in a newer version if there is one. Looking costs a file read (one replica) or
        one query (several), so it runs at most once per REFRESH_INTERVAL_S."""
        now = time.monotonic()
        if not force and self._files is not None and now - self._checked < REFRESH_INTERVAL_S:
            return
        with self._lock:
            self._checked = now
            latest = self.versions.latest()
            if latest is None or (not self.versions.shared and self._stale(latest)):
                latest = self._index_the_store()
            if latest == self.version:
                return
            if self.versions.shared and self._files is not None and not force:
                self._fetch_in_background(latest)
                return
            self._swap(latest)

    def _stale(self, version: str) -> bool:
        """One replica: the store changed without an ingest publishing an index (a test or a
        benchmark wrote it directly)."""
        if version != self.version or self._files is None:
            manifest = json.loads((self.versions.folder(version) / "manifest.json").read_text(encoding="utf-8"))
        else:
            manifest = self._files.manifest
        # A version of an older format (no vectors) is rebuilt once, from the store as it is.
        return manifest.get("format", 1) < FORMAT or manifest["fingerprint"] != _fingerprint_text(self.store)

    def _index_the_store(self) -> str | None:
        """No version yet (a store filled before this Beacon, or by hand): index it now. Across
        replicas, under the ingest lock, and only by one of them: the others find it published."""
        if not self.versions.shared:
            return self.versions.publish(self.store)
        if self.store.count() == 0:
            return None
        from app.core.database import LockedError

        try:
            with self.versions.database.exclusive(INGEST_LOCK, "an ingest"):
                return self.versions.latest() or self.versions.publish(self.store)
        except LockedError:
            return self.versions.latest()  # an ingest is at work: a later refresh picks up what it publishes

    def _swap(self, version: str | None) -> None:
        # The old version is not closed here: a search in another thread may still read it; its
        # maps close when the last reference goes.
        self._files = KeywordFiles(self.versions.folder(version)) if version else None
        self.version = version

    def _fetch_in_background(self, version: str) -> None:
        if self._fetching is not None and self._fetching.is_alive():
            return

        def fetch() -> None:
            try:
                folder = self.versions.folder(version)
                files = KeywordFiles(folder)
            except Exception:  # the next refresh tries again; searches go on with the old version
                log.exception("could not fetch keyword index %s", version)
                return
            with self._lock:
                self._files, self.version = files, version

        self._fetching = threading.Thread(target=fetch, name="beacon-keyword-fetch", daemon=True)
        self._fetching.start()

    # -- what the retriever reads --------------------------------------------------------------
    @property
    def files(self) -> KeywordFiles | None:
        if self._files is None:
            self.refresh()
        return self._files

    @property
    def ids(self) -> list[str]:
        return self.files.ids if self.files else []

    @property
    def row_of(self) -> dict[str, int]:
        return self.files.row_of if self.files else {}

    @property
    def records(self) -> int:
        return self.files.records if self.files else 0

    def nearest(self, vector, top_k: int, allowed=None) -> list[tuple[str, float]] | None:
        """Exact vector search over the current version (``KeywordFiles.nearest``); None when
        the version holds no vectors (built by an older Beacon, or by several replicas before
        their next ingest): the caller asks Chroma."""
        files = self.files
        if files is None or files.vectors is None:
            return None
        return files.nearest(vector, top_k, allowed)

    @property
    def documents(self):
        return self.files.documents if self.files else []

    @property
    def metadatas(self):
        return self.files.metadatas if self.files else []

    def query_terms(self, query: str) -> list[str]:
        """The query's content words as the index sees them (stop words out, stemmed)."""
        self.refresh()
        return self.files.query_terms(query) if self.files else []

    def idf(self, term: str) -> float:
        return self.files.idf(term) if self.files else 0.0

    def known(self, term: str) -> bool:
        return bool(self.files) and self.files.known(term)

    def row_terms(self, row: int) -> frozenset[str]:
        return self.files.row_terms(row) if self.files else frozenset()

    def search(self, query: str, top_k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(row, BM25 score) pairs, best first; ``allowed`` is a 0/1 mask over rows."""
        self.refresh()
        return self.files.search(query, top_k, allowed) if self.files else []

    def filter_mask(self, region: str | None, audience: str | None) -> np.ndarray | None:
        return self.files.filter_mask(region, audience) if self.files else None

    def label_places(self) -> dict[str, tuple[str, str]]:
        """Sphinx label -> (file, section) (``KeywordFiles.label_places``)."""
        self.refresh()
        return self.files.label_places() if self.files else {}

    def writes_lower(self, word: str) -> bool:
        """Whether the current version's chunks write ``word`` in lower case in their prose: one of
        the knowledge base's terms, not a name (``guardrails.pii.KnowledgeWords``)."""
        self.refresh()
        return bool(self.files) and self.files.writes_lower(word)

    def source_rows(self) -> dict[str, list[int]]:
        """Each indexed file's rows."""
        self.refresh()
        return self.files.source_rows() if self.files else {}

    def mask(self, predicate, key=None) -> np.ndarray:
        """0/1 over rows by any predicate on the metadata (reads every row: prefer filter_mask)."""
        return np.array([1.0 if predicate(m) else 0.0 for m in self.metadatas], dtype=np.float32)
