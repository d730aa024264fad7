"""Beacon as a service: what the REST API and the Gradio app both call. One instance per
server process; it holds the loaded models, the answer chain and the stores.

Every method takes and returns plain data (dicts, ``Answer``), so the API and the UI stay
thin edges and agree on behaviour.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterator

from app.core.clock import utc_now
from app.core.errors import ConflictError, InvalidInputError
from app.core.settings import Settings


class UploadError(InvalidInputError):
    """An uploaded knowledge file cannot be accepted; the message says why and the fix."""


class UploadExistsError(ConflictError):
    """An upload would replace a file of the same name, and replacing was not asked for."""


_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,120}$")  # no slash: a plain name, not a path
log = logging.getLogger(__name__)
UPLOAD_FOLDER = "uploads"  # inside the knowledge directory: editors' uploads stay apart from the curated tree
STREAM_PIECE = re.compile(r"\S+\s*")
RETENTION_LEASE_S = 23 * 3600  # under the daily sweep's period, so the next day's sweep finds it free


@dataclass
class ChatRequest:
    session_id: str
    message: str
    region: str | None = None
    language: str | None = None
    tier: str | None = None
    channel: str = "api"

    @property
    def context(self) -> dict:
        return {k: v for k, v in (("region", self.region), ("language", self.language), ("tier", self.tier)) if v}


class BeaconService:
    def __init__(self, settings: Settings, embedder=None, redactor=None, conversations=None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._redactor = redactor
        self._conversations = conversations
        self._chain = None
        self._store = None
        self._lock = threading.RLock()  # builds parts once
        self._ingest_lock = threading.Lock()  # one ingest or upload at a time in this process
        self.started = time.time()
        from app.service.desk import HandoffDesk

        self.desk = HandoffDesk(self)  # the loop after a handoff: agents, replies, reveals, resume codes

    # -- parts, built once ------------------------------------------------------------
    @property
    def embedder(self):
        with self._lock:
            if self._embedder is None:
                from app.index.embedding import build_embedder

                self._embedder = build_embedder(self.settings)
            return self._embedder

    @property
    def store(self):
        with self._lock:
            if self._store is None:
                from app.index.store import KnowledgeStore

                self._store = KnowledgeStore(self.settings, self.embedder.model_id).open()
            return self._store

    @property
    def chain(self):
        with self._lock:
            if self._chain is None:
                from app.chain.factory import build_chain, build_guardrails

                guardrails = build_guardrails(self.settings, self.embedder, self._redactor)
                self._chain = build_chain(self.settings, self.store, self.embedder, guardrails=guardrails)
            return self._chain

    @property
    def conversations(self):
        with self._lock:
            if self._conversations is None:
                if self.settings.shared:
                    from app.chain.factory import shared_database
                    from app.service.conversations_pg import PostgresConversationStore

                    self._conversations = PostgresConversationStore(shared_database(self.settings),
                                                                    self.settings.retention_days)
                else:
                    from app.service.conversations import open_conversation_store

                    where = self.settings.conversation_store or self.settings.data_dir / "conversations.sqlite3"
                    self._conversations = open_conversation_store(where, self.settings.retention_days)
            return self._conversations

    @property
    def tickets(self):
        return self.chain.guardrails.tickets

    def warm_up(self) -> None:
        """Load every model and open every store now, so the first customer waits for nothing."""
        if hasattr(self.embedder, "warm_up"):
            self.embedder.warm_up()
        self.chain.guardrails.warm_up()
        self.chain.retriever.retrieve("warm up", top_k=1)
        self.purge_expired()

    def ready(self) -> dict:
        checks = {}
        try:
            checks["store_chunks"] = self.store.chunk_count()  # as `beacon ingest` counts them
            checks["store_vectors"] = self.store.count()  # an FAQ chunk has two: question + answer, question alone
            checks["store"] = "ok"
        except Exception as exc:  # readiness must report, not raise
            checks["store"] = f"unreachable: {exc}"
        checks["models"] = "ok" if self._chain is not None else "not loaded"
        checks["ready"] = checks["store"] == "ok" and checks["models"] == "ok"
        return checks

    # -- chat -------------------------------------------------------------------------
    def chat(self, request: ChatRequest):
        """One customer turn: the guarded answer, recorded (redacted) in the conversation store."""
        if not self.settings.shared:  # shared state is never lost to a restart: nothing to rebuild
            self.desk.restore_session(request.session_id)  # back after a restart or a long pause

        def keep(answer, session) -> None:
            # Inside the turn: with the shared store, the turn row, the sealed values and the
            # conversation's state commit together (one transaction), or none of them does.
            answer.turn_id = self.conversations.record_turn({
                "session_id": answer.session_id, "question": answer.question, "answer": answer.redacted_answer,
                "decision": answer.decision, "escalation": answer.escalation, "confidence": answer.confidence,
                "citations": [{k: v for k, v in c.items() if k != "text"} for c in answer.citations],
                "flags": answer.flags, "latency_ms": answer.latency_ms, "region": answer.region,
                "context": request.context, "generator": answer.generator, "channel": request.channel,
            })
            if answer.handoff:  # the conversation reached a person: with a key, its values are kept encrypted
                self.desk.seal(answer.session_id, session)

        answer = self.chain.answer(request.message, session_id=request.session_id, region=request.region,
                                   customer_context=request.context, keep=keep)
        if answer.escalation and not answer.escalation.get("joined"):
            self._notify(answer.escalation["ticket_id"])
        return answer

    def stream(self, request: ChatRequest) -> Iterator[dict]:
        """Server-sent events for one turn. The output checks must see the whole reply before
        the customer sees any of it, so the checked reply is streamed in pieces."""
        answer = self.chat(request)
        for piece in STREAM_PIECE.findall(answer.answer):
            yield {"event": "delta", "data": {"text": piece}}
        yield {"event": "answer", "data": answer_json(answer)}

    def _notify(self, ticket_id: str) -> None:
        if not self.settings.webhook_url:
            return
        from app.handoff.webhooks import post_ticket

        ticket = self.tickets.get(ticket_id)
        threading.Thread(target=post_ticket, args=(self.settings, ticket.to_json()), daemon=True).start()

    # -- sessions and feedback -------------------------------------------------------------
    def session(self, session_id: str) -> dict:
        from app.service.conversations import UnknownSessionError

        found = self.conversations.get_session(session_id)
        if found is None:
            raise UnknownSessionError(session_id)  # the error writes its own message with the fix
        found["agent_messages"] = self.desk.stored_messages(session_id)
        found["handoff"] = self.desk.handoff_state(session_id)
        return found

    def export_session(self, session_id: str) -> dict:
        exported = self.conversations.export_session(session_id)
        exported["handoffs"] = [t.to_json() for t in self.tickets.list(session_id=session_id, limit=1000)]
        return exported

    def erase_session(self, session_id: str) -> dict:
        """Erasure of one conversation from every store (see ``_erase``)."""
        removed = self.conversations.delete_session(session_id)  # UnknownSessionError when nothing is stored
        return {**removed, **self._erase([session_id])}

    def purge_expired(self, now: datetime | None = None) -> int:
        """Retention: conversations untouched for BEACON_RETENTION_DAYS go from every store, and
        decision-log lines older than that go too."""
        now = now or utc_now()
        if self.settings.shared and not self._retention_lease():
            return 0  # another replica holds today's sweep: it runs once across replicas
        expired = self.conversations.expired_sessions(now)
        self.conversations.delete_sessions(expired)
        cutoff = (now - timedelta(days=self.settings.retention_days)).isoformat(timespec="milliseconds")
        self._erase(expired, before=cutoff)
        self.desk.purge_audit(now)
        if self.settings.shared:
            from app.chain.factory import shared_database
            from app.service.rate_limits import purge_shared_limits

            self.chain.sessions.forget_untouched(self.settings.retention_days)
            purge_shared_limits(shared_database(self.settings))
        return len(expired)

    def _retention_lease(self) -> bool:
        """The shared sweep's lease: the first replica to ask in a period runs it; the lease
        outlives a crash of its holder, so a sweep is never run twice in one period."""
        from app.chain.factory import shared_database

        return shared_database(self.settings).take_lease("retention", RETENTION_LEASE_S)

    def _erase(self, session_ids: list[str], before: str | None = None) -> dict:
        """The one erasure path after the conversation store: handoff tickets (with the agents'
        replies and the resume codes), the encrypted values, the decision log and the in-memory
        sessions with their PII vaults. Exports are made on request and never stored. The reveal
        audit log keeps its rows: they hold no value and no session id, only the ticket number."""
        return {"handoffs": self.tickets.delete_sessions(session_ids),
                "vault_values": self.desk.erase(session_ids),
                "decisions": self.chain.guardrails.log.forget(set(session_ids), before),
                "in_memory": sum(self.chain.sessions.forget(s) for s in session_ids) > 0}

    def feedback(self, session_id: str, rating: str, comment: str | None = None, turn_id: int | None = None) -> int:
        if comment:
            comment = self.chain.guardrails.input.redactor.redact(comment).text  # comments are stored redacted too
        return self.conversations.record_feedback(session_id, rating, comment, turn_id)

    # -- handoffs -------------------------------------------------------------------------
    def handoffs(self, status=None, priority=None, category=None, limit: int = 100, state=None,
                 assigned_to=None) -> list[dict]:
        return [t.to_json() for t in self.tickets.list(status=status, priority=priority, category=category,
                                                        limit=limit, state=state, assigned_to=assigned_to)]

    @staticmethod
    def handoff_filters() -> dict[str, tuple[str, ...]]:
        """What the handoff queue can be filtered by: priorities (most urgent first) and categories."""
        from app.handoff.tickets import STATES
        from guardrails.escalation import CATEGORIES, PRIORITIES

        return {"priority": tuple(PRIORITIES), "category": tuple(CATEGORIES), "state": STATES}

    @staticmethod
    def labels() -> dict:
        """Readable names for categories and reason codes, for the agents' views."""
        from app.handoff.summary import category_name, reason_label, reason_labels

        return {"category": category_name, "reason": reason_label, "reasons": reason_labels}

    def handoff(self, ticket_id: str) -> dict:
        return self.tickets.get(ticket_id).to_json()

    def set_handoff_status(self, ticket_id: str, status: str, note: str | None = None, by: str | None = None) -> dict:
        return self.desk.set_status(ticket_id, status, note, by)

    # -- knowledge ------------------------------------------------------------------------
    def documents(self) -> list[dict]:
        """Every knowledge file the index or the last ingest knows, with its status and its public page
        (``url``: what its citations link to; None for a file not indexed, or with no address)."""
        report = self.last_ingest()
        by_source: dict[str, dict] = {}
        _, _, metadatas = self.store.all_chunks()
        for meta in metadatas:
            if str(meta.get("vector_of", "chunk")) != "chunk":
                continue
            doc = by_source.setdefault(meta.get("source", ""), {
                "source": meta.get("source", ""), "title": meta.get("title", ""), "doc_type": meta.get("doc_type"),
                "region": meta.get("region"), "version": meta.get("version"),
                "effective_date": meta.get("effective_date"), "ingested_at": meta.get("ingested_at"), "chunks": 0,
                "status": "indexed", "error": None, "findings": [],
                "url": self.chain.retriever.urls.url_of(meta.get("source", ""), meta.get("url"))})
            doc["chunks"] += 1
        for result in (report or {}).get("files", []):
            doc = by_source.setdefault(result["source"], {"source": result["source"], "title": "", "chunks": 0,
                                                          "version": None, "effective_date": None,
                                                          "ingested_at": None, "url": None})
            doc["status"] = result["status"] if result["status"] != "unchanged" else "indexed"
            doc["error"] = result.get("error")
            doc["findings"] = result.get("findings", [])
            doc["warnings"] = result.get("warnings", [])
        return sorted(by_source.values(), key=lambda d: d["source"])

    def last_ingest(self) -> dict | None:
        path = self.settings.data_dir / "last_ingest.json"
        return json.loads(path.read_text()) if path.exists() else None

    def reingest(self) -> dict:
        from ingest.sync import sync_knowledge

        with self._ingest_lock:
            report = sync_knowledge(self.settings.knowledge_dir, self.store, self.embedder, self.settings)
        self._refresh_index()
        return report.to_json()

    def _refresh_index(self) -> None:
        """Searches see a new ingest at once, not after the once-a-second change check."""
        self.chain.retriever.keywords.refresh(force=True)
        self.desk.forget_published()

    @staticmethod
    def knowledge_file_types() -> tuple[str, ...]:
        """The file extensions ingest reads."""
        from ingest.loaders import BINARY_LOADERS, LOADERS

        return tuple(LOADERS) + tuple(BINARY_LOADERS)

    def preview_upload(self, filename: str, content: bytes) -> dict:
        """Validate an uploaded file without touching the index: its chunks, warnings, and
        any validation error or injection finding. Raises UploadError for what is not text."""
        source = self._upload_source(filename)
        from guardrails.knowledge_scan import scan_knowledge_text
        from ingest.folder import chunk_file
        from ingest.reading import is_supported, refusal, text_to_scan

        if not is_supported(Path(filename)):
            fix = ("give the article another name" if Path(filename).suffix.lower() in self.knowledge_file_types()
                   else f"upload one of {', '.join(self.knowledge_file_types())}")
            raise UploadError(f"{filename}: {refusal(Path(filename))} — {fix}")
        if len(content) > self.settings.max_file_mb * 1_000_000:
            raise UploadError(f"{filename}: over the {self.settings.max_file_mb} MB limit — split the file")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / Path(filename).name
            path.write_bytes(content)
            chunked = chunk_file(path, source, self.settings)
            if chunked.error is not None:
                return {"source": source, "ok": False, "error": str(chunked.error), "chunks": [], "findings": []}
            # What ingest scans: the raw text (comments, hidden HTML), or a PDF's extracted text.
            findings = [f.to_json() for f in scan_knowledge_text(text_to_scan(path, source, chunked.document),
                                                                 use_model=self.settings.injection_model == "bundled")]
        return {"source": source, "ok": not findings, "error": None, "findings": findings,
                "warnings": chunked.document.warnings,
                "chunks": [{"section": c.section, "text": c.text, "line": c.line} for c in chunked.chunks]}

    def upload(self, filename: str, content: bytes, replace: bool = False) -> dict:
        """Validate, then write the file into the knowledge directory and ingest. A file that
        fails validation or the injection scan is refused and nothing changes; so is one whose
        name is taken, unless ``replace`` says to replace it (which is logged)."""
        preview = self.preview_upload(filename, content)
        if not preview["ok"]:
            reason = preview["error"] or f"quarantined: {preview['findings'][0]['reason']} at line {preview['findings'][0]['line']}"
            raise UploadError(f"{filename}: not ingested — {reason}")
        target = self.settings.knowledge_dir / preview["source"]
        with self._ingest_lock:
            if target.exists():
                if not replace:
                    raise UploadExistsError(
                        f"{preview['source']} already exists: upload it again with replace=true (the API) or tick "
                        "'Replace the file of that name' (the Knowledge tab) to replace it, or choose another name")
                log.info("upload: %s replaces the existing file (%d bytes -> %d bytes)", preview["source"],
                         target.stat().st_size, len(content))
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.upload")
            temporary.write_bytes(content)
            temporary.replace(target)  # atomic: a reader sees the old file or the new one
            from ingest.sync import sync_knowledge

            report = sync_knowledge(self.settings.knowledge_dir, self.store, self.embedder, self.settings)
        self._refresh_index()
        result = next((f for f in report.files if f.source == preview["source"]), None)
        return {"source": preview["source"], "status": result.status if result else "unknown",
                "chunks": result.chunks if result else 0, "report": report.to_json()}

    def _upload_source(self, filename: str) -> str:
        """The upload's place in the knowledge directory. The name must be a plain file name as
        sent: a path is refused, not cut down to its last part (which could replace another file)."""
        name = filename or ""
        if not _SAFE_NAME.match(name) or name.startswith(".") or ".." in name:
            raise UploadError(f"{filename!r}: not a plain file name. Use letters, digits, dots, dashes, underscores and "
                              "spaces only, starting with a letter or digit, with no folder (e.g. cards-faq.md)")
        return f"{UPLOAD_FOLDER}/{name}"

    def regions(self) -> list[str]:
        """The regions the knowledge base has documents of their own for; none, and a customer's
        region changes nothing (the chat then does not ask for it)."""
        return sorted(self.chain.retriever.regions())

    def search(self, query: str, region: str | None = None, top_k: int = 5) -> dict:
        retrieval = self.chain.retriever.retrieve(query, top_k=top_k, region=region)
        return retrieval.to_json(region, None, "hybrid")

    # -- insights -------------------------------------------------------------------------
    def insights(self, since: datetime | None = None, until: datetime | None = None) -> dict:
        """The Insights figures over ``[since, until)``. A conversation a person took over (it had
        a ticket) is never contained; content gaps are grouped by meaning (``gap_groups.py``)."""
        from app.service.conversations import iso
        from app.service.gap_groups import group_gaps

        taken_over = self.tickets.sessions_with_tickets()  # a conversation that ever had a person
        data = self.conversations.insights(since, until, taken_over)
        data["content_gaps"] = group_gaps(data.pop("content_gap_questions"), self._embed_gaps)
        data["open_handoffs"] = len(self.tickets.list(status="open", limit=10_000))
        data["window"] = {"since": iso(since) if since else None, "until": iso(until) if until else None}
        data["evaluation"] = self.latest_evaluation()
        return data

    def _embed_gaps(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_documents(texts)

    def latest_evaluation(self) -> dict | None:
        """The newest ``beacon eval`` result in the data directory, if any (issue 6 writes it)."""
        folder = self.settings.data_dir / "eval"
        results = sorted(folder.glob("*/result.json"), key=lambda p: p.stat().st_mtime) if folder.exists() else []
        if not results:
            return None
        try:
            data = json.loads(results[-1].read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("the evaluation result %s cannot be read; Insights skips it", results[-1])
            return None
        if isinstance(data, dict):
            data.pop("records", None)  # per-case detail: the report holds it, Insights does not need it
            data["report_dir"] = str(results[-1].parent)
        return data


def answer_json(answer) -> dict:
    """The ``/v1/chat`` reply: the same fields as ``beacon ask --json``, plus the stored turn id."""
    data = answer.to_json()
    data["turn_id"] = getattr(answer, "turn_id", None)
    return data
