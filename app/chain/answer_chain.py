"""The answer chain. In order: the input guardrails (normalise, redact PII, sensitive topics,
prompt injection), the question checks, a standalone rewrite, retrieval, confidence,
generation, citation and output checks, and the escalation policy's decision. Every part
comes in through the constructor.

Only redacted text goes past the first step: retrieval, the rewriter, the generator, the
session, the decision log and handoff tickets never see a raw customer value. The reply the
customer reads gets their own values back from the session's vault.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.chain.citations import CitationCheck, check_citations
from app.chain.confidence import ConfidenceModel
from app.chain.generation import Generator
from app.chain.generation import Generation
from app.chain.generation.extractive import ExtractiveGenerator, name_currency
from app.chain.guard_bundle import Guardrails
from app.chain.pointers import FOLLOWED, follow
from app.chain.questions import check_question, too_long
from app.chain.replies import (CAUTION_NOTE, CLARIFY_MESSAGE, SafeStep, escalation_message, find_safe_step,
                               follow_up_message)
from app.chain.rewriting import CarrySubjectRewriter, Rewriter
from app.chain.sessions import Session, SessionStore, Turn
from app.core.company import Company
from app.core.regions import DEMO_REGIONS, mentioned_region
from app.handoff.ticket_states import OWNED, TicketStateError, more_pressing
from app.handoff.tickets import Ticket
from app.index.link_targets import anchors_of
from app.index.retrieval import HybridRetriever, RetrievedChunk
from guardrails.output_guard import OutputCheck
from guardrails.escalation import Decision, Signals, is_vague

_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")
EMPTY_KB_REPLY = "I can't answer questions yet: no help articles have been loaded. Please ask to talk to a human agent."


@dataclass(frozen=True)
class _Alongside:
    """The help centre's answer given with a handoff: its text and the sources it cites (numbers)."""

    text: str
    cited: tuple[int, ...]
    generator: str


@dataclass
class Answer:
    question: str  # redacted
    answer: str
    confidence: float
    citations: list[dict]
    session_id: str
    standalone_question: str
    region: str | None
    generator: str
    flags: list[str] = field(default_factory=list)
    latency_ms: dict[str, float] = field(default_factory=dict)
    escalation: dict | None = None
    decision: dict | None = None
    pii: list[dict] = field(default_factory=list)
    topics: list[dict] = field(default_factory=list)
    output_check: dict | None = None
    redacted_answer: str = ""  # the reply as stored: placeholders, not the customer's values
    handoff: dict | None = None  # the conversation's open ticket after this turn, if any

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer,
            "confidence": round(self.confidence, 4),
            "citations": self.citations,
            "escalation": self.escalation,
            "session_id": self.session_id,
            "standalone_question": self.standalone_question,
            "region": self.region,
            "generator": self.generator,
            "flags": self.flags,
            "latency_ms": {k: round(v, 2) for k, v in self.latency_ms.items()},
            "decision": self.decision,
            "pii": self.pii,
            "topics": self.topics,
            "output_check": self.output_check,
            "handoff": self.handoff,
        }


def _handoff_answer(ticket: Ticket, joined: bool, text: str, citations: list[dict], alongside: _Alongside | None,
                    base: dict) -> Answer:
    """The turn's answer when the message opened a ticket or joined the conversation's open one."""
    escalation = {"reason": ticket.reason, "reasons": ticket.reasons, "category": ticket.category,
                  "priority": ticket.priority, "ticket_id": ticket.ticket_id, "joined": joined,
                  "state": ticket.state, "answered_alongside": alongside is not None}
    return Answer(answer=text, citations=citations, generator=alongside.generator if alongside else "none",
                  escalation=escalation, handoff=handoff_json(ticket), **{"confidence": 0.0, **base})


def citation_json(number: int, chunk: RetrievedChunk) -> dict:
    return {"number": number, "source": chunk.source, "title": chunk.title, "section": chunk.section,
            "text": chunk.text, "score": round(chunk.score, 4), "chunk_id": chunk.chunk_id, "url": chunk.url}


def handoff_json(ticket: Ticket) -> dict:
    return {"ticket_id": ticket.ticket_id, "state": ticket.state, "priority": ticket.priority,
            "category": ticket.category, "assigned_to": ticket.assigned_to}


def source_json(chunk: RetrievedChunk) -> dict:
    return {"source": chunk.source, "title": chunk.title, "section": chunk.section, "score": round(chunk.score, 4),
            "chunk_id": chunk.chunk_id, "url": chunk.url}


class AnswerChain:
    def __init__(self, retriever: HybridRetriever, generator: Generator, confidence: ConfidenceModel,
                 sessions: SessionStore, guardrails: Guardrails, threshold: float, sources: int = 3,
                 max_question_chars: int = 2000, rewriter: Rewriter | None = None,
                 company: Company | None = None, fallback_generator: Generator | None = None) -> None:
        self.retriever = retriever
        self.generator = generator
        # What replaces a chat model's reply that fails the output check: extractive text from the same sources.
        self.fallback_generator = fallback_generator or ExtractiveGenerator()
        self.confidence = confidence
        self.sessions = sessions
        self.guardrails = guardrails
        self.threshold = threshold
        self.sources = sources
        self.max_question_chars = max_question_chars
        self.rewriter = rewriter or CarrySubjectRewriter()
        self.company = company or Company()  # named in the handoff replies that mention it

    def answer(self, question: str, session_id: str | None = None, region: str | None = None,
               customer_context: dict | None = None,
               keep: Callable[[Answer, Session], None] | None = None) -> Answer:
        """The guarded answer. ``keep`` is called with it and the session before the session is
        let go: what it stores is part of the turn (with the shared store, one transaction)."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        if not question or not question.strip():
            check_question(question, self.max_question_chars)  # raises EmptyQuestionError
        # The session is held for the whole turn: with the shared store, a second message of the
        # same conversation on another replica waits for this one and sees its placeholders.
        with self.sessions.hold(session_id or f"cli-{time.time_ns()}") as (session, created):
            answer = self._answer(question, session, created, session_id, region, customer_context, started, timings)
            if keep is not None:
                keep(answer, session)
            return answer

    def _answer(self, question: str, session: Session, created: bool, session_id: str | None, region: str | None,
                customer_context: dict | None, started: float, timings: dict[str, float]) -> Answer:
        if session.vault is None:
            session.vault = self.guardrails.new_vault()
        flags = ["new_session"] if session_id and created else []
        open_ticket = self.guardrails.open_ticket_of(session)
        session.ticket_id = open_ticket.ticket_id if open_ticket else None
        length = len(question)
        if length > self.max_question_chars:
            # Only a bounded prefix is read, redacted and stored (turns, decision log, tickets):
            # one message must not fill the disk or hold the redactor for seconds.
            question = question[: self.max_question_chars]
            flags.append("truncated")

        # The help centre's own lower-case terms are not names ("setting up monerod on a vps").
        checked = self.guardrails.input.check(question, session.vault, knowledge=self.retriever.keywords)
        redacted = checked.redacted
        timings["guard_input_ms"] = (time.perf_counter() - started) * 1000
        pii = [{"type": e.type, "placeholder": e.placeholder} for e in checked.redaction.entities]
        signals = Signals(topics=list(checked.topics.topics), secrets=checked.secrets,
                          injection=checked.injection.injection, human_requested=checked.human_requested,
                          vague=is_vague(redacted), clarified_before=bool(session.turns) and
                          session.turns[-1].action == "clarify")
        base = dict(question=redacted, session_id=session.session_id, flags=flags, pii=pii,
                    topics=[t.to_json() for t in checked.topics.topics])
        context = {"region": region, **(customer_context or {})}

        forced = self.guardrails.policy.input_decision(signals)
        mark = time.perf_counter()
        if forced:
            refusal = None
        elif "truncated" in flags:
            refusal = too_long(length, self.max_question_chars)
        else:
            refusal = check_question(redacted, self.max_question_chars, checked.investment_advice)
        timings["checks_ms"] = (time.perf_counter() - mark) * 1000
        if refusal:
            answer = Answer(answer=refusal.reply, confidence=0.0, citations=[], standalone_question=redacted,
                            region=region, generator="none", **{**base, "flags": flags + [refusal.flag]})
            return self._finish(answer, session, Decision("answer", (refusal.flag,)), started, timings)

        if open_ticket is not None and open_ticket.state in OWNED and not forced:
            return self._pass_on(open_ticket, base, session, region, started, timings)

        mark = time.perf_counter()
        # A message that forces a handoff is searched as written: the safe step must match
        # what the customer said now, not an earlier turn's subject.
        standalone = redacted if forced else self.rewriter.rewrite(redacted, session)
        region = region or mentioned_region(redacted, self._known_regions()) or session.region
        timings["rewrite_ms"] = (time.perf_counter() - mark) * 1000
        # Placeholders carry no meaning for search ("<PERSON_1>" would only add noise).
        query = _PLACEHOLDER.sub(" ", standalone).strip() or standalone
        retrieval = self.retriever.retrieve(query, top_k=self.sources, region=region)
        timings.update(retrieval.timings)
        results = retrieval.results
        mark = time.perf_counter()
        confidence = self.confidence(retrieval.signals) if results else 0.0
        timings["confidence_ms"] = (time.perf_counter() - mark) * 1000
        base.update(standalone_question=standalone, region=region, confidence=confidence)

        if forced:
            alongside = None
            if results and self.guardrails.policy.answers_alongside(forced, confidence):
                alongside = self._alongside(standalone, results, session, region, base, timings)
            return self._escalate(forced, base, session, open_ticket, results, context, started, timings, alongside)
        signals.confidence = confidence
        if not results or confidence < self.threshold:
            decision = self.guardrails.policy.decide(signals)
            if not results:
                decision = Decision(decision.action, decision.reasons + ("no_results",), decision.category,
                                    decision.priority)
            if decision.action == "clarify":
                answer = Answer(answer=CLARIFY_MESSAGE, citations=[], generator="none",
                                **{**base, "flags": flags + ["low_confidence"]})
                return self._finish(answer, session, decision, started, timings)
            base["flags"] = flags + (["no_results"] if not results else ["low_confidence"])
            return self._escalate(decision, base, session, open_ticket, results, context, started, timings)

        mark = time.perf_counter()
        results = follow(self.retriever, query, results, region, self.sources)  # "Yes, see Cold Storage." read on
        if any(FOLLOWED in c.metadata for c in results):
            timings["follow_ms"] = (time.perf_counter() - mark) * 1000
            flags.append("pointer_followed")
        generation, cited, output = self._generate_checked(standalone, results, session, region, flags, timings)
        flags += [] if cited.has_citation else ["no_citation"]
        flags += ["invalid_citation_removed"] if cited.removed else []
        flags += [f"fallback:{generation.fallback_reason}"] if generation.fallback_reason else []
        signals.output_problems = list(output.problems)
        decision = self.guardrails.policy.decide(signals)
        base.update(output_check=output.to_json(), flags=flags)
        if decision.escalate:
            return self._escalate(decision, base, session, open_ticket, results, context, started, timings)
        text = cited.text + (f"\n\n{CAUTION_NOTE}" if decision.action == "answer_with_caution" else "")
        citations = [citation_json(n, results[n - 1]) for n in cited.cited]
        answer = Answer(answer=text, citations=citations, generator=generation.generator, **base)
        return self._finish(answer, session, decision, started, timings)

    def _generate_checked(self, standalone: str, results: list[RetrievedChunk], session: Session, region: str | None,
                          flags: list[str], timings: dict[str, float]) -> tuple[Generation, CitationCheck, OutputCheck]:
        """The generator's reply, its citations and the output check; a model reply that fails the
        check is replaced by the extractive one (flag ``fallback:<problems>``)."""
        mark = time.perf_counter()
        history = [(t.question, t.standalone) for t in session.turns]
        generation = self._currency_named(self.generator.generate(standalone, results, history), region)
        timings["generate_ms"] = (time.perf_counter() - mark) * 1000
        mark = time.perf_counter()
        cited = check_citations(generation.text, len(results))
        texts = [c.text for c in results]
        # the sources' own links, their public pages and those of the articles they link to
        links = [target for c in results for _, target in anchors_of(c.metadata) + c.page_links]
        links += [c.url for c in results if c.url]
        output = self.guardrails.output.check(cited.text, texts, links)
        if not output.passed and generation.generator != self.fallback_generator.name:
            # The model's reply said something its sources do not: the extractive reply
            # can only quote them.
            flags.append("fallback:" + "+".join(output.problems))
            generation = self._currency_named(self.fallback_generator.generate(standalone, results, history), region)
            cited = check_citations(generation.text, len(results))
            output = self.guardrails.output.check(cited.text, texts, links)
        timings["guard_output_ms"] = (time.perf_counter() - mark) * 1000
        return generation, cited, output

    def _alongside(self, standalone: str, results: list[RetrievedChunk], session: Session, region: str | None,
                   base: dict, timings: dict[str, float]) -> _Alongside | None:
        """The help centre's answer given with a sensitive-topic handoff: only a reply that cites
        its sources and passes the output check (the check's result is kept on the turn)."""
        flags = base["flags"]
        generation, cited, output = self._generate_checked(standalone, results, session, region, flags, timings)
        base["output_check"] = output.to_json()
        if not output.passed or not cited.has_citation:
            return None
        flags.append("answered_alongside")
        return _Alongside(cited.text, tuple(cited.cited), generation.generator)

    @staticmethod
    def _handoff_step(decision: Decision, base: dict, results: list[RetrievedChunk],
                      alongside: _Alongside | None) -> tuple[SafeStep | None, int | None, list[dict]]:
        """The category's safe step, its marker and the handoff reply's citations. With the help
        centre's answer alongside, markers keep the sources' numbers and a step the answer already
        says is left out; otherwise the step is [1]."""
        step = find_safe_step(decision.category or "", base["standalone_question"], results)
        if alongside is None:
            return step, (1 if step else None), ([citation_json(1, results[step.source_number - 1])] if step else [])
        if step is not None and step.text in alongside.text:
            step = None
        numbers = set(alongside.cited) | ({step.source_number} if step else set())
        return step, (step.source_number if step else None), [citation_json(n, results[n - 1]) for n in sorted(numbers)]

    def _known_regions(self) -> tuple[str, ...]:
        """The regions a message may name: the help centre's own (front matter ``region``) and EU,
        UK and US, whose currency is named even on a help centre without regional documents."""
        return (*DEMO_REGIONS, *sorted(set(self.retriever.regions()) - set(DEMO_REGIONS)))

    def _currency_named(self, generation: Generation, region: str | None) -> Generation:
        """Quoted text that says "your account currency" names it when the region is known."""
        if generation.generator != self.fallback_generator.name or not region:
            return generation
        return dataclasses.replace(generation, text=name_currency(generation.text, region))

    def _escalate(self, decision: Decision, base: dict, session: Session, open_ticket: Ticket | None,
                  results: list[RetrievedChunk], context: dict, started: float, timings: dict,
                  alongside: _Alongside | None = None) -> Answer:
        if open_ticket is not None:  # the conversation's open ticket takes the message: never a second ticket
            # As read at the start of the turn: the change itself re-reads it under its row lock.
            try:
                return self._follow_up(open_ticket, decision, base, session, results, started, timings,
                                       alongside=alongside)
            except TicketStateError:  # resolved a moment ago: this message opens a new ticket
                session.ticket_id = None
        mark = time.perf_counter()
        step, step_number, citations = self._handoff_step(decision, base, results, alongside)
        empty_kb = not results and self.retriever.store.count() == 0

        def reply_for(ticket_id: str) -> str:
            if empty_kb:
                return EMPTY_KB_REPLY + f" Your reference is {ticket_id}."
            return escalation_message(decision.category or "", ticket_id, step, step_number,
                                      alongside.text if alongside else None, self.company)

        session.turns.append(Turn(base["question"], base["standalone_question"], base.get("region"), "", "escalate"))
        ticket = self.guardrails.open_ticket(session, decision, [source_json(c) for c in results], context,
                                             reply_for=reply_for)
        session.turns.pop()  # _finish records the turn with its reply
        session.ticket_id = ticket.ticket_id
        text = reply_for(ticket.ticket_id)
        timings["handoff_ms"] = (time.perf_counter() - mark) * 1000
        answer = _handoff_answer(ticket, False, text, citations, alongside, base)
        return self._finish(answer, session, decision, started, timings)

    # -- a conversation that already has an open ticket ---------------------------------
    def _pass_on(self, ticket: Ticket, base: dict, session: Session, region: str | None, started: float,
                 timings: dict) -> Answer:
        """An agent owns the conversation: Beacon does not answer over them. The message goes on
        the ticket and the customer is told it was passed on (nothing is searched or generated)."""
        base.update(standalone_question=base["question"], region=region or session.region, confidence=0.0)
        decision = Decision("escalate", ("passed_to_agent",), ticket.category, ticket.priority)
        return self._follow_up(ticket, decision, base, session, [], started, timings, escalating=False)

    def _follow_up(self, ticket: Ticket, decision: Decision, base: dict, session: Session,
                   results: list[RetrievedChunk], started: float, timings: dict, escalating: bool = True,
                   alongside: _Alongside | None = None) -> Answer:
        """The message joins the open ticket (its priority becomes the higher of the two) and the
        customer is told so, with the category's safe step when it has one (and the help centre's
        answer when the policy gives it alongside)."""
        mark = time.perf_counter()
        step, step_number, citations = (self._handoff_step(decision, base, results, alongside) if escalating
                                        else (None, None, []))
        raised = escalating and more_pressing(decision.priority or "low", ticket.priority)
        text = follow_up_message(decision.category or "", ticket.ticket_id, ticket.state in OWNED, step,
                                 step_number, raised, escalating, alongside.text if alongside else None,
                                 self.company)
        ticket = self.guardrails.add_to_ticket(ticket.ticket_id, base["question"], text, "escalate",
                                               decision if escalating else None)
        session.ticket_id = ticket.ticket_id
        timings["handoff_ms"] = (time.perf_counter() - mark) * 1000
        answer = _handoff_answer(ticket, True, text, citations, alongside, base)
        return self._finish(answer, session, decision, started, timings)

    def _note_on_ticket(self, session: Session, answer: Answer, decision: Decision) -> None:
        """A turn Beacon answered while the ticket waits for an agent: the exchange goes on the
        ticket, so the agent who picks it up sees it."""
        try:
            ticket = self.guardrails.add_to_ticket(session.ticket_id, answer.question, answer.answer, decision.action)
        except TicketStateError:
            session.ticket_id = None
            return
        answer.handoff = handoff_json(ticket)

    def _finish(self, answer: Answer, session: Session, decision: Decision, started: float,
                timings: dict[str, float]) -> Answer:
        answer.decision = decision.to_json()
        if answer.escalation is None and session.ticket_id:
            self._note_on_ticket(session, answer, decision)
        session.turns.append(Turn(answer.question, answer.standalone_question, answer.region, answer.answer,
                                  decision.action))
        session.region = answer.region or session.region
        # The customer reads their own values back; everything stored keeps the placeholders.
        answer.redacted_answer = answer.answer
        answer.answer = session.vault.restore(answer.answer)
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        answer.latency_ms = timings
        ticket_id = answer.escalation["ticket_id"] if answer.escalation else None
        self.guardrails.log.record(session.session_id, answer.question, answer.decision, answer.confidence,
                                   ticket_id, answer.flags)
        return answer
