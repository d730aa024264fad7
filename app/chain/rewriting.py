"""Follow-up questions made standalone before retrieval: deterministically in extractive
mode, by the chat model when one is configured (falling back to the deterministic rule
if the model fails or answers with something unusable)."""

from __future__ import annotations

from typing import Protocol

from app.chain.sessions import Session, looks_like_follow_up, rewrite_follow_up

REWRITE_PROMPT = """Rewrite the customer's last message as one standalone question for a help-centre search,
using the earlier messages only to fill in what the last one leaves out. Reply with the question only.
Do not answer it. If the last message is already standalone, repeat it unchanged."""
MAX_REWRITE_TOKENS = 64


class Rewriter(Protocol):
    def rewrite(self, question: str, session: Session) -> str: ...


class CarrySubjectRewriter:
    """Extractive mode: a follow-up carries the previous turn's standalone question."""

    def rewrite(self, question: str, session: Session) -> str:
        return rewrite_follow_up(question, session)


class ChatModelRewriter:
    """The chat model rewrites; within a short deadline (a rewrite delays every answer), else the rule."""

    def __init__(self, endpoint, fallback: Rewriter | None = None, deadline_s: float | None = None) -> None:
        self.endpoint = endpoint
        self.fallback = fallback or CarrySubjectRewriter()
        self.deadline_s = deadline_s or endpoint.deadlines.first_token_s

    def rewrite(self, question: str, session: Session) -> str:
        if not session.turns or not looks_like_follow_up(question):
            return question
        from app.chain.generation.model_endpoint import EndpointFailed

        history = "\n".join(f"Customer: {t.question}" for t in session.turns[-3:])
        messages = [{"role": "system", "content": REWRITE_PROMPT},
                    {"role": "user", "content": f"{history}\nCustomer (last message): {question}"}]
        try:
            text = self.endpoint.complete(messages, MAX_REWRITE_TOKENS, 0, reply_s=self.deadline_s).strip('"')
        except EndpointFailed:
            text = ""
        # An empty, rambling or multi-line reply is no search query: use the rule instead.
        if not text or "\n" in text or len(text) > 4 * len(question) + 200:
            return self.fallback.rewrite(question, session)
        return text
