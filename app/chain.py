"""The answer chain: check the question, make it standalone, retrieve, score confidence,
generate a cited reply, check its citations. Every part comes in through the constructor."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from app.citations import check_citations
from app.confidence import ConfidenceModel
from app.generation import Generator
from app.questions import check_question
from app.retrieval import HybridRetriever, RetrievedChunk
from app.rewriting import CarrySubjectRewriter, Rewriter
from app.sessions import SessionStore, Turn, mentioned_region

LOW_CONFIDENCE_REPLY = ("I'm not sure I have the right answer to that in our help centre, and I'd rather not guess. "
                        "Could you rephrase it, or ask to talk to a human agent?")
EMPTY_KB_REPLY = "I can't answer questions yet: no help articles have been loaded. Please ask to talk to a human agent."


@dataclass
class Answer:
    question: str
    answer: str
    confidence: float
    citations: list[dict]
    session_id: str
    standalone_question: str
    region: str | None
    generator: str
    flags: list[str] = field(default_factory=list)
    latency_ms: dict[str, float] = field(default_factory=dict)
    escalation: dict | None = None  # filled by the guardrails (a later issue)

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
        }


def citation_json(number: int, chunk: RetrievedChunk) -> dict:
    return {"number": number, "source": chunk.source, "title": chunk.title, "section": chunk.section,
            "text": chunk.text, "score": round(chunk.score, 4), "chunk_id": chunk.chunk_id}


class AnswerChain:
    def __init__(self, retriever: HybridRetriever, generator: Generator, confidence: ConfidenceModel,
                 sessions: SessionStore, threshold: float, sources: int = 3, max_question_chars: int = 2000,
                 rewriter: Rewriter | None = None) -> None:
        self.retriever = retriever
        self.generator = generator
        self.confidence = confidence
        self.sessions = sessions
        self.threshold = threshold
        self.sources = sources
        self.max_question_chars = max_question_chars
        self.rewriter = rewriter or CarrySubjectRewriter()

    def answer(self, question: str, session_id: str | None = None, region: str | None = None) -> Answer:
        started = time.perf_counter()
        timings: dict[str, float] = {}
        refusal = check_question(question, self.max_question_chars)
        session, created = self.sessions.get(session_id or f"cli-{time.time_ns()}")
        flags = ["new_session"] if session_id and created else []
        timings["checks_ms"] = (time.perf_counter() - started) * 1000
        if refusal:
            return self._finish(Answer(question, refusal.reply, 0.0, [], session.session_id, question, region,
                                       "none", flags + [refusal.flag]), started, timings)

        mark = time.perf_counter()
        standalone = self.rewriter.rewrite(question, session)
        region = region or mentioned_region(question) or session.region
        timings["rewrite_ms"] = (time.perf_counter() - mark) * 1000

        retrieval = self.retriever.retrieve(standalone, top_k=self.sources, region=region)
        timings.update(retrieval.timings)
        mark = time.perf_counter()
        confidence = self.confidence(retrieval.signals) if retrieval.results else 0.0
        timings["confidence_ms"] = (time.perf_counter() - mark) * 1000

        if not retrieval.results:
            answer = Answer(question, EMPTY_KB_REPLY if self.retriever.store.count() == 0 else LOW_CONFIDENCE_REPLY,
                            0.0, [], session.session_id, standalone, region, "none", flags + ["no_results"])
        elif confidence < self.threshold:
            answer = Answer(question, LOW_CONFIDENCE_REPLY, confidence, [], session.session_id, standalone, region,
                            "none", flags + ["low_confidence"])
        else:
            mark = time.perf_counter()
            history = [(t.question, t.standalone) for t in session.turns]
            generation = self.generator.generate(standalone, retrieval.results, history)
            timings["generate_ms"] = (time.perf_counter() - mark) * 1000
            checked = check_citations(generation.text, len(retrieval.results))
            flags += [] if checked.has_citation else ["no_citation"]
            flags += ["invalid_citation_removed"] if checked.removed else []
            flags += [f"fallback:{generation.fallback_reason}"] if generation.fallback_reason else []
            citations = [citation_json(n, retrieval.results[n - 1]) for n in checked.cited]
            answer = Answer(question, checked.text, confidence, citations, session.session_id, standalone, region,
                            generation.generator, flags)
        session.turns.append(Turn(question, standalone, region))
        session.region = region
        return self._finish(answer, started, timings)

    @staticmethod
    def _finish(answer: Answer, started: float, timings: dict[str, float]) -> Answer:
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        answer.latency_ms = timings
        return answer
