"""Incremental, crash-safe sync of a knowledge directory into the vector store.

The store is its own manifest: every chunk records the hash of the file version it came
from and how many chunks that version has. A file is unchanged only if all of its stored
chunks carry the current hash and their number is complete, so a run that was killed
half-way (some chunks new, some old, some missing) is simply re-synced by the next run.
Within a file, new chunks are written before stale ones are deleted, so a failure never
leaves a file with no chunks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from app.core.private_files import private_dir
from app.core.settings import Settings
from app.core.source_urls import SourceUrls
from app.core.tokens import count_tokens
from app.index.embedding import Embedder
from app.index.keyword_index import versions_for
from app.index.link_targets import REF_PREFIX, LinkResolver, anchors_of, heading_slugs, label_places
from app.index.store import KnowledgeStore
from guardrails.knowledge_scan import scan_knowledge_text
from ingest.chunking import Chunk, chunk_document
from ingest.errors import KnowledgeDirError, KnowledgeFileError, NothingToIndex
from ingest.folder import is_folder_readme, scan
from ingest.reading import is_binary, read_document, refusal, text_to_scan
from ingest.set_aside import SetAside, set_aside

log = logging.getLogger(__name__)
# Bump when loaders or chunking change what a file turns into: every file re-syncs.
PIPELINE_VERSION = "10"  # 5: Markdown through markdown-it-py, rst, HTML, PDF; markup and alt text out
# 6: code and lists kept in place, footnotes, definition lists, collapsible FAQ entries, each chunk's links
# 7: Sphinx :ref: links and the labels they name
# 8: long code blocks keep their lines; HTML permalinks, site names, redirects, contents lists; rst version notes
# 9: a page's own public address (front matter url / permalink, an HTML export's canonical link)
# 10: a page whose front matter moves it from its path (slug, id, a permalink pattern) gets no address from the pattern
EMBED_BATCH_CHUNKS = 128  # chunks collected across files before one embedding pass
STATUSES = ("added", "updated", "unchanged", "removed", "failed", "quarantined", "section_quarantined", "skipped")
NOT_OK = ("failed", "quarantined", "section_quarantined")  # an editor has to look at these files
# Stored with the chunks of a file whose flagged sections were set aside: such a file never counts
# as unchanged, so every ingest scans it again and reports the sections again.
SET_ASIDE_MARK = "+set-aside"


@dataclass
class FileResult:
    source: str
    status: str
    chunks: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)  # why a file (or some of its sections) was not indexed
    set_aside: list[list[int]] = field(default_factory=list)  # [first, last] lines of each section left out
    regions: list[str] = field(default_factory=list)  # of the file's chunks in the index after this run
    # The public pages its citations link to (its own ``url``, else BEACON_KB_URL_TEMPLATE's; one per row of an FAQ
    # export whose rows give theirs), of its chunks in the index after this run; empty when nothing gives one.
    urls: list[str] = field(default_factory=list)


@dataclass
class SyncReport:
    kb_dir: str
    store: str
    collection: str
    embedding_model: str
    files: list[FileResult] = field(default_factory=list)
    chunks_in_store: int = 0
    chunks_embedded: int = 0
    chunks_reused: int = 0
    seconds: float = 0.0
    # The best-sentence step's stored vectors (app/index/sentence_store.py); None when the step is off.
    sentence_vectors: dict | None = None

    @property
    def ok(self) -> bool:
        return not any(f.status in NOT_OK for f in self.files)

    def counts(self) -> dict[str, dict[str, int]]:
        out = {status: {"files": 0, "chunks": 0} for status in STATUSES}
        for f in self.files:
            out[f.status]["files"] += 1
            out[f.status]["chunks"] += f.chunks
        return out

    def regions(self) -> dict[str, int]:
        """Files in the index per region (front matter ``region``; "global" when none), so an editor
        sees a region that exists by mistake ("UKK" beside "UK")."""
        out = Counter(region for f in self.files for region in f.regions)
        return dict(sorted(out.items(), key=lambda item: (item[0] != "global", item[0])))

    def to_json(self) -> dict:
        return {
            "ok": self.ok,
            "kb_dir": self.kb_dir,
            "store": self.store,
            "collection": self.collection,
            "embedding_model": self.embedding_model,
            "summary": self.counts(),
            "chunks_in_store": self.chunks_in_store,
            "chunks_embedded": self.chunks_embedded,
            "chunks_reused": self.chunks_reused,
            "regions": self.regions(),
            "sentence_vectors": self.sentence_vectors,
            "seconds": round(self.seconds, 3),
            "files": [asdict(f) for f in self.files],
        }


ProgressCallback = Callable[[FileResult], None]


def file_hash(raw: bytes, settings: Settings, model_id: str) -> str:
    digest = hashlib.sha256(raw)
    digest.update(f"\x00{PIPELINE_VERSION}\x00{settings.chunk_max_tokens}\x00{model_id}".encode())
    return digest.hexdigest()[:32]


@contextlib.contextmanager
def ingest_lock(data_dir: Path, settings: Settings | None = None):
    """Two ingests writing one store at once would fight over the same chunks. Replicas that
    share a database take its lock (it goes with the holder's connection, so a killed ingest
    frees it); one replica locks a file in its data directory."""
    private_dir(data_dir)  # the report is written there in both cases
    if settings is not None and settings.shared:
        from app.core.database import LockedError, database_for
        from app.index.keyword_index import INGEST_LOCK

        database = database_for(settings.database_url.get_secret_value(), settings.database_pool_size)
        try:
            with database.exclusive(INGEST_LOCK, "another beacon ingest"):
                yield
        except LockedError as exc:
            raise KnowledgeDirError(f"{exc} (one ingest at a time across replicas)") from None
        return
    with open(data_dir / "ingest.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KnowledgeDirError(
                f"another beacon ingest is using {data_dir}: wait for it to finish, then run this again"
            ) from None
        yield


@dataclass
class _Pending:
    result: FileResult
    chunks: list[Chunk]
    doc_hash: str
    stale_ids: list[str]


class _Writer:
    """Collects chunks of several files, embeds them in one pass, then writes file by file."""

    def __init__(self, store: KnowledgeStore, embedder: Embedder, report: SyncReport, progress) -> None:
        self.store, self.embedder, self.report, self.progress = store, embedder, report, progress
        self.pending: list[_Pending] = []
        # Stored vectors of the pending files' current chunks, by text hash: an entry
        # whose text did not change keeps its vector instead of being embedded again.
        self.reusable: dict[str, list[float]] = {}
        self.ingested_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()

    def submit(self, item: _Pending) -> None:
        self.pending.append(item)
        if sum(len(p.chunks) for p in self.pending) >= EMBED_BATCH_CHUNKS:  # records: up to twice that
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        from ingest.nodes import records, to_node  # llama-index loads only when there is work

        pending_records = [r for p in self.pending for r in records(p.chunks, p.doc_hash, self.ingested_at)]
        todo = [(meta["embed_hash"], text) for _, text, _, meta in pending_records]
        missing = list(dict.fromkeys(text for h, text in todo if h not in self.reusable))
        hashes = {text: h for h, text in todo}
        for text, vector in zip(missing, self.embedder.embed_documents(missing)):
            self.reusable[hashes[text]] = vector
        self.report.chunks_embedded += len(missing)
        self.report.chunks_reused += len(todo) - len(missing)
        # One upsert and one delete per pass: Chroma commits each call (~50 ms), so per-file
        # calls would dominate. New chunks land before stale ones go, file by file or not.
        nodes = [to_node(rid, chunk, meta, self.reusable[meta["embed_hash"]]) for rid, _, chunk, meta in pending_records]
        self.store.upsert(nodes)
        new_ids = {n.node_id for n in nodes}
        self.store.delete([i for p in self.pending for i in p.stale_ids if i not in new_ids])
        for p in self.pending:
            self.progress(p.result)
        self.pending.clear()
        self.reusable.clear()  # vectors as Python lists are heavy; keep none past their pass


def sync_knowledge(
    kb_dir: Path,
    store: KnowledgeStore,
    embedder: Embedder,
    settings: Settings,
    progress: ProgressCallback | None = None,
) -> SyncReport:
    if not kb_dir.is_dir():
        raise KnowledgeDirError(
            f"knowledge directory {kb_dir} does not exist: create it, or pass --kb DIR / set BEACON_KNOWLEDGE_DIR"
        )
    progress = progress or (lambda result: None)
    started = time.perf_counter()
    report = SyncReport(str(kb_dir), store.location, store.collection_name, embedder.model_id)
    with ingest_lock(settings.data_dir, settings):
        supported, skipped = scan(kb_dir)
        inventory = store.inventory()
        records_before = sum(len(chunks) for chunks in inventory.values())
        writer = _Writer(store, embedder, report, progress)
        urls = SourceUrls(settings.kb_url_template)
        # Links are checked as the site serves them: a link without its extension, or to a
        # folder's README, finds its file here too (the folder's own README is not indexed, but is there).
        readme = [p for p in kb_dir.iterdir() if p.is_file() and is_folder_readme(p.relative_to(kb_dir))]
        files = LinkResolver(p.relative_to(kb_dir).as_posix() for p in (*supported, *skipped, *readme))
        for path in skipped:
            result = FileResult(path.relative_to(kb_dir).as_posix(), "skipped", error=f"{refusal(path)}: skipped")
            report.files.append(result)
            progress(result)
        for path in supported:
            source = path.relative_to(kb_dir).as_posix()
            existing = inventory.pop(source, [])
            result = _sync_file(path, source, files, existing, settings, store, writer, urls)
            if result.chunks and not result.regions:  # its earlier version keeps serving
                result.regions = sorted({c.region for c in existing if not c.is_question_vector})
                result.urls = _page_urls(source, (c.url for c in existing if not c.is_question_vector), urls)
            report.files.append(result)
            if result.status in ("unchanged", "failed", "quarantined"):
                progress(result)
        writer.flush()
        for source, chunks in sorted(inventory.items()):  # files that are gone from disk
            store.delete([c.chunk_id for c in chunks])
            result = FileResult(source, "removed", chunks=_chunk_count(chunks))
            report.files.append(result)
            progress(result)
        edited = {f.source: f for f in report.files if f.status in ("added", "updated", "section_quarantined")}
        # Every stored chunk, read once for the two steps that need them.
        stored = store.all_chunks() if edited or settings.sentence_weight > 0 else ([], [], [])
        _anchor_warnings(edited, stored[2])
        if settings.sentence_weight > 0:
            report.sentence_vectors = _sync_sentences(store, embedder, stored)
        report.chunks_in_store = store.chunk_count()
        report.seconds = time.perf_counter() - started
        _save_report(settings.data_dir, report)
        # Built once here, under the lock, for every searching process to map: none rebuilds it.
        changed = store.count() != records_before or any(f.status in ("added", "updated", "removed")
                                                          for f in report.files)
        versions = versions_for(store)
        if changed or versions.latest() is None:
            versions.publish(store)
    return report


def _anchor_warnings(changed: dict[str, FileResult], metadatas: list[dict]) -> None:
    """A link to another page's ``#anchor`` that names none of that page's headings leads to the
    top of the page. Checked for the links of each file added or updated in this run (``changed``),
    told to its editor, and for the links of other files into a changed page (a heading renamed
    or removed there), told to the editor of the changed page."""
    if not changed:
        return
    chunks = [meta for meta in metadatas if meta.get("vector_of", "chunk") == "chunk"]
    slugs: dict[str, set[str]] = {}
    links: dict[str, set[str]] = {}
    for meta in chunks:
        source = str(meta.get("source", ""))
        headings = [str(meta.get("title", "")), *str(meta.get("section", "")).split(" > ")]
        slugs.setdefault(source, set()).update(slug for h in headings if h for slug in heading_slugs(h))
        links.setdefault(source, set()).update(target for _, target in anchors_of(meta)
                                               if "#" in target or target.startswith(REF_PREFIX))
    resolver = LinkResolver(slugs, label_places(chunks))
    for source, targets in sorted(links.items()):
        for target in sorted(targets):
            found = resolver.resolve(target, source)
            if found is None and target.startswith(REF_PREFIX) and source in changed:
                label = target[len(REF_PREFIX):]
                changed[source].warnings.append(
                    f"{source}: :ref:`{label}` names a label no file of the knowledge folder defines (or two files "
                    f"do): define it once with `.. _{label}:` above the heading it means")
                continue
            if not found or not found.fragment or found.fragment.lower() in slugs.get(found.source, set()):
                continue
            if source in changed:
                changed[source].warnings.append(
                    f"{source}: the link to {target} names no heading of {found.source} (#{found.fragment}): point it at "
                    f"one of that page's headings, or the link leads to the top of the page")
            elif found.source in changed:
                changed[found.source].warnings.append(
                    f"{found.source}: {source} links to {target}, and no heading of this page is "
                    f"#{found.fragment} (now): keep a heading of that name, or update the link in {source}; it leads "
                    f"to the top of the page")


def _sync_sentences(store: KnowledgeStore, embedder: Embedder, stored: tuple[list, list, list]) -> dict:
    """Every stored chunk's sentence vectors (``stored``: the store's ``all_chunks()``), written or
    repaired after its chunks (the step reads only complete sets, so the order does not matter for a
    search running meanwhile). A failure here leaves the chunks indexed: the step embeds on first use
    until the next ingest repairs it."""
    from app.index.sentence_store import SentenceStore
    from app.index.sentences import sentence_texts

    ids, documents, metadatas = stored
    chunks = {chunk_id: sentence_texts(meta.get("title", ""), meta.get("section", ""), text)
              for chunk_id, text, meta in zip(ids, documents, metadatas) if meta.get("vector_of", "chunk") == "chunk"}
    try:
        done = SentenceStore(store).reconcile(chunks, embedder)
    except Exception as exc:  # the embedder or the store failed: the chunks are in, the step falls back
        log.warning("sentence vectors were not stored", exc_info=True)
        return {"ok": False, "error": f"sentence vectors not stored ({type(exc).__name__}: {exc}): search embeds "
                                      "candidates' sentences on first use until the next beacon ingest repairs it"}
    return {"ok": True, **asdict(done)}


def _page_urls(source: str, stored, urls: SourceUrls) -> list[str]:
    """The public pages of a file's chunks, from the addresses they store (None or "": the pattern's)."""
    return sorted({url for address in stored if (url := urls.url_of(source, address or None))})


def _sync_file(path, source, files: LinkResolver, existing, settings, store, writer, urls: SourceUrls) -> FileResult:
    try:
        raw_size = path.stat().st_size
        max_bytes = int(settings.max_file_mb * 1_000_000)
        doc_hash = file_hash(path.read_bytes() if raw_size <= max_bytes else b"", settings, store.model_id)
        if existing and all(c.doc_hash == doc_hash and c.doc_chunk_count == len(existing) for c in existing):
            return FileResult(source, "unchanged", chunks=_chunk_count(existing))
        document = read_document(path, source, max_bytes)
        scanned = text_to_scan(path, source, document)
        findings = scan_knowledge_text(scanned, use_model=settings.injection_model == "bundled")
        aside = None
        if findings:
            aside = set_aside(document, findings, scanned, is_binary(path))
            if aside is None:
                return _quarantined(source, findings, existing)
            document, doc_hash = aside.document, doc_hash + SET_ASIDE_MARK
            if existing and all(c.doc_hash == doc_hash and c.doc_chunk_count == len(existing) for c in existing):
                result = _section_quarantined(source, findings, aside, _chunk_count(existing))
                writer.submit(_Pending(result, [], doc_hash, []))
                return result
        chunks = chunk_document(document, settings.chunk_max_tokens)
    except NothingToIndex as exc:
        # A contents page: nothing of its own to index (chunks of an earlier version go).
        result = FileResult(source, "skipped", error=str(exc))
        writer.submit(_Pending(result, [], "", [c.chunk_id for c in existing]))
        return result
    except KnowledgeFileError as exc:
        kept = f"; keeping the {_chunk_count(existing)} chunks indexed before" if existing else ""
        return FileResult(source, "failed", chunks=_chunk_count(existing), error=str(exc) + kept)
    except OSError as exc:
        return FileResult(source, "failed", chunks=_chunk_count(existing), error=f"{source}: cannot read ({exc.strerror})")
    writer.reusable.update(store.embeddings_by_hash([c.chunk_id for c in existing]))
    warnings = document.warnings + _link_warnings(document, files) + _long_answer_warnings(chunks, settings)
    if aside is not None:
        result = _section_quarantined(source, findings, aside, len(chunks), warnings)
    else:
        result = FileResult(source, "updated" if existing else "added", chunks=len(chunks), warnings=warnings)
    result.regions = sorted({c.meta.region or "global" for c in chunks})
    result.urls = _page_urls(source, (c.meta.url for c in chunks), urls)
    writer.submit(_Pending(result, chunks, doc_hash, [c.chunk_id for c in existing]))
    return result


def _quarantined(source: str, findings, existing) -> FileResult:
    """A file with instructions aimed at the model is not indexed; its last good version
    (if any) keeps serving, as for a broken file."""
    first = findings[0]
    kept = f"; keeping the {_chunk_count(existing)} chunks indexed before" if existing else ""
    error = (f"{source} line {first.line}: quarantined, the text looks like instructions to the AI assistant "
             f"({first.reason}): “{first.excerpt}” — rewrite it as guidance for customers or remove it, then "
             f"ingest again{kept}")
    return FileResult(source, "quarantined", chunks=_chunk_count(existing), error=error,
                      findings=[f.to_json() for f in findings])


def _section_quarantined(source: str, findings, aside: SetAside, chunks: int, warnings=()) -> FileResult:
    """The rest of the file is indexed; the flagged sections are not, and the editor is told which."""
    first = findings[0]
    lines = ", ".join(f"{a}–{b}" if a != b else str(a) for a, b in aside.spans)
    error = (f"{source} lines {lines}: section quarantined, the text looks like instructions to the AI assistant "
             f"({first.reason}, line {first.line}): “{first.excerpt}” — rewrite it as guidance for customers or "
             f"remove it, then ingest again; the rest of the file is indexed")
    return FileResult(source, "section_quarantined", chunks=chunks, error=error, warnings=list(warnings),
                      findings=[f.to_json() for f in findings], set_aside=[[a, b] for a, b in aside.spans])


def _chunk_count(stored) -> int:
    """Chunks, not records: an FAQ's question vector is not a chunk of its own."""
    return sum(not s.is_question_vector for s in stored)


def _link_warnings(document, files: LinkResolver) -> list[str]:
    """A link (stored as a path from the knowledge folder) that names no file of the folder as the
    site serves it: a link without its extension, to a folder's index page, or climbing above the
    root (a browser stays at the root) finds its file (``files``: every file of the folder)."""
    return [
        f"{document.source}: the link to {link} points at a file that is not in the knowledge directory: correct "
        "the path, or add that page"
        for link in document.links
        if files.file_at(link) is None
    ]


def _long_answer_warnings(chunks: list[Chunk], settings: Settings) -> list[str]:
    """An FAQ answer stays one chunk whatever its length, but the embedder reads only its
    first ~250 tokens: tell the editor when the rest cannot count for retrieval."""
    return [
        f"{c.source} line {c.line}: the answer to {c.question!r} is {tokens} tokens, over the "
        f"{settings.chunk_max_tokens}-token budget; its end may not be found by search — shorten it or split the question"
        for c in chunks
        if c.question and (tokens := count_tokens(c.text)) > settings.chunk_max_tokens
    ]


def _save_report(data_dir: Path, report: SyncReport) -> None:
    """The last run's per-file status, for editors' tools; written atomically."""
    target = data_dir / "last_ingest.json"
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(report.to_json(), indent=2))
    os.replace(tmp, target)
