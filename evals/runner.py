"""Runs evaluation cases through Beacon as a customer would reach it, and records each case.

Each case is one conversation sent through ``BeaconService.chat`` (the path the API and the
chat UI take), so the answer chain, the guardrails, the ticket store, the decision log and
the conversation store all do their real work into the run's own data directory. The
generator and the rewriter are wrapped to record everything sent to them: that, with the
stores, is where the PII leak check looks.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from app.chain.questions import DECLINE_FLAGS
from app.core.settings import Settings
from evals.cases import Case

FILE_DEPTH = 30  # chunks searched to rank a whole-file-labelled case's articles (repeats removed before the cut)


class RecordingGenerator:
    """The chain's generator, unchanged, plus a record of every input it was given."""

    def __init__(self, inner, sink: list[str]) -> None:
        self.inner, self.sink = inner, sink
        self.name = inner.name

    def _record(self, question, sources, history) -> None:
        self.sink.append("\n".join([question, *(c.text for c in sources), *(" ".join(h) for h in history)]))

    def generate(self, question, sources, history=()):
        self._record(question, sources, history)
        return self.inner.generate(question, sources, history)

    def stream(self, question, sources, history=()):
        self._record(question, sources, history)
        return self.inner.stream(question, sources, history)

    def __getattr__(self, name):  # client, model names: whatever the chain reads off the generator
        return getattr(self.inner, name)


class RecordingRewriter:
    """A chat-model rewriter sends the follow-up and the history to the model too."""

    def __init__(self, inner, sink: list[str]) -> None:
        self.inner, self.sink = inner, sink

    def rewrite(self, question, session):
        self.sink.append("\n".join([question, *(f"{t.question}\n{t.reply}" for t in session.turns)]))
        return self.inner.rewrite(question, session)


@dataclass
class CaseRecord:
    id: str
    tags: list[str]
    turns: list[str]
    context: dict
    expected_decision: str
    expected_category: str | None
    reference_answer: str
    reference_contexts: list[list[str]]
    pii_values: list[str]
    answer: str = ""
    action: str = ""
    category: str | None = None
    reasons: list[str] = field(default_factory=list)
    confidence: float = 0.0
    standalone_question: str = ""
    region: str | None = None
    citations: list[dict] = field(default_factory=list)
    retrieved: list[dict] = field(default_factory=list)  # top search_top_k for the standalone question
    # For a case labelled with whole files (a help centre's questions.tsv): the files of the first FILE_DEPTH
    # chunks, each once, in order, so hit@k counts articles, not chunks of one long article.
    retrieved_files: list[str] = field(default_factory=list)
    output_check: dict | None = None
    flags: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    latency_ms: dict = field(default_factory=dict)
    error: str | None = None
    scores: dict = field(default_factory=dict)  # filled in by the metric modules

    @property
    def question(self) -> str:
        return self.turns[-1]

    @property
    def decided(self) -> str:
        """The action as the accuracy counts it: a cautious answer is still an answer. A question
        declined on principle (investment advice: no article and no agent may answer it) is what a
        question the knowledge base does not answer is labelled for (a handoff as ``unanswered``:
        no article reached the customer), and an answer anywhere else, so a declined incident is
        still a missed escalation."""
        if self.action == "answer_with_caution":
            return "answer"
        return "escalate" if self._declined_unanswered else self.action

    @property
    def decided_category(self) -> str | None:
        return "unanswered" if self._declined_unanswered else self.category

    @property
    def _declined_unanswered(self) -> bool:
        return (self.action == "answer" and self.expected_category == "unanswered"
                and bool(set(self.flags) & set(DECLINE_FLAGS)))

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class RunOutput:
    records: list[CaseRecord]
    sent_to_model: list[str]  # every generator/rewriter input of the run
    data_dir: Path
    seconds: float
    settings: Settings

    def stored_text(self) -> dict[str, str]:
        """Everything Beacon wrote during the run, by where it went."""
        out = {"generator_inputs": "\n".join(self.sent_to_model)}
        log = self.data_dir / "decisions.jsonl"
        out["decision_log"] = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        for name, file in (("ticket_store", "handoffs.sqlite3"), ("conversation_store", "conversations.sqlite3")):
            out[name] = _sqlite_text(self.data_dir / file)
        return out


def _sqlite_text(path: Path) -> str:
    if not path.exists():
        return ""
    conn = sqlite3.connect(path)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def prepare_index(settings: Settings, embedder, kb_dir: Path, prebuilt: Path | None = None) -> list[dict]:
    """Put ``kb_dir`` into the store under ``settings.data_dir``: a copy of an index already
    built from the same files (tests share one), or a fresh ingest. Returns the files that were
    not indexed (failed, quarantined, skipped) with the reason: a company measuring its own help
    centre sees them in the report, and the run goes on with the rest."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if prebuilt is not None:
        shutil.copytree(prebuilt, settings.data_dir, dirs_exist_ok=True)
        return []
    from app.index.store import KnowledgeStore
    from ingest.sync import sync_knowledge

    report = sync_knowledge(kb_dir, KnowledgeStore(settings, embedder.model_id).open(), embedder, settings)
    if report.chunks_in_store == 0:
        from evals.cases import EvalError

        problems = "; ".join(f"{f.source}: {f.error}" for f in report.files if f.error)[:600]
        raise EvalError(f"nothing in {kb_dir} could be indexed ({problems or 'no knowledge files'}): "
                        "fix the files (beacon ingest shows every problem) and run again")
    return [{"source": f.source, "status": f.status, "reason": f.error} for f in report.files
            if f.status in ("failed", "quarantined", "skipped")]


def run_cases(cases: list[Case], settings: Settings, embedder, redactor,
              progress: Callable[[CaseRecord], None] | None = None) -> RunOutput:
    """Answer every case with a fresh session. ``settings.data_dir`` must hold the index."""
    from app.service.beacon_service import BeaconService, ChatRequest

    started = time.perf_counter()
    sent: list[str] = []
    service = BeaconService(settings, embedder=embedder, redactor=redactor)
    chain = service.chain
    chain.generator = RecordingGenerator(chain.generator, sent)
    chain.rewriter = RecordingRewriter(chain.rewriter, sent)
    records = []
    try:
        for case in cases:
            record = _run_case(case, service, chain, settings, ChatRequest)
            records.append(record)
            if progress:
                progress(record)
    finally:
        service.conversations.close()
    return RunOutput(records, sent, settings.data_dir, time.perf_counter() - started, settings)


def _run_case(case: Case, service, chain, settings: Settings, ChatRequest) -> CaseRecord:
    record = CaseRecord(
        id=case.id, tags=list(case.tags), turns=list(case.turns), context=dict(case.context),
        expected_decision=case.expected_decision, expected_category=case.expected_category,
        reference_answer=case.reference_answer, reference_contexts=[list(r) for r in case.reference_contexts],
        pii_values=list(case.extra.get("pii_values", [])),
    )
    context = case.context
    try:
        for message in case.turns:
            answer = service.chat(ChatRequest(session_id=f"eval-{case.id}", message=message,
                                              region=context.get("region"), language=context.get("language"),
                                              tier=context.get("tier")))
        decision = answer.decision or {}
        record.answer = answer.redacted_answer or ""
        record.action, record.category = decision.get("action", ""), decision.get("category")
        record.reasons = list(decision.get("reasons", []))
        record.confidence = float(answer.confidence or 0.0)
        record.standalone_question = answer.standalone_question or answer.question
        record.region = answer.region
        record.citations = [{k: c[k] for k in ("number", "source", "section", "text")} for c in answer.to_json()["citations"]]
        record.output_check = answer.output_check.to_json() if hasattr(answer.output_check, "to_json") \
            else answer.output_check
        record.flags = list(answer.flags)
        record.topics = [t["category"] for t in answer.topics] if answer.topics else []
        record.latency_ms = {k: round(v, 2) for k, v in (answer.latency_ms or {}).items()}
        # Retrieval is scored on the question the chain searched, at the depth a search returns.
        mark = time.perf_counter()
        file_level = bool(record.reference_contexts) and all(not section for _, section in record.reference_contexts)
        depth = max(settings.search_top_k, FILE_DEPTH) if file_level else settings.search_top_k
        found = chain.retriever.retrieve(record.standalone_question, top_k=depth, region=record.region)
        record.latency_ms["eval_search_ms"] = round((time.perf_counter() - mark) * 1000, 2)
        record.retrieved = [{"source": c.source, "section": c.section, "text": c.text}
                            for c in found.results[:settings.search_top_k]]
        if file_level:
            record.retrieved_files = list(dict.fromkeys(c.source for c in found.results))
    except Exception as exc:  # one broken case is reported, not allowed to end the run
        record.error = f"{type(exc).__name__}: {exc}"
    return record
