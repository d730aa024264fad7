"""Conversation state per session id, and follow-up questions made standalone.

``SessionStore`` keeps sessions in this process's memory (one replica, the embedded default).
A turn holds the customer's message in redacted form; the session's PII vault (placeholder ->
the customer's own value) is never written anywhere. A long-running server keeps sessions;
each CLI run starts fresh. Several replicas share ``PostgresSessionStore`` instead
(``sessions_pg.py``): the same interface, the vault encrypted with the operator's key.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections import OrderedDict
from typing import Iterator
from dataclasses import dataclass, field

_WORD = re.compile(r"[A-Za-z0-9£€$%']+")
_FOLLOW_UP_START = re.compile(r"^\s*(and|also|what about|how about|and what|but|so|ok(ay)?|same|then|what if)\b", re.I)
_PRONOUN = re.compile(r"\b(it|that|this|those|these|them|they|there|one)\b", re.I)
_STOP = {"the", "a", "an", "is", "are", "do", "does", "i", "my", "you", "your", "for", "to", "of", "in", "on", "and",
         "what", "how", "about", "can", "it", "that", "this", "me", "be", "with", "at", "or", "if", "so", "also"}


@dataclass
class Turn:
    question: str  # redacted
    standalone: str
    region: str | None
    reply: str = ""  # redacted, as generated (before the customer's values are restored)
    action: str = "answer"
    at: float = field(default_factory=time.time)


@dataclass
class Session:
    session_id: str
    turns: list[Turn] = field(default_factory=list)
    region: str | None = None
    touched: float = field(default_factory=time.monotonic)
    vault: object | None = None  # guardrails.pii.PiiVault, created by the chain on first use
    ticket_id: str | None = None  # the open handoff ticket of this conversation, if any


def looks_like_follow_up(question: str) -> bool:
    words = [w for w in _WORD.findall(question.lower()) if w not in _STOP]
    return bool(_FOLLOW_UP_START.search(question)) or (len(words) <= 3 and bool(_PRONOUN.search(question))) or len(words) <= 1


def rewrite_follow_up(question: str, session: Session) -> str:
    """Deterministic rewrite for extractive mode: a follow-up carries the previous turn's
    subject ("what are the ATM fees?" then "and in the EU?" searches for both)."""
    if not session.turns or not looks_like_follow_up(question):
        return question
    return f"{session.turns[-1].standalone} {question}".strip()


class SessionStore:
    """Bounded in-memory sessions: the least recently used go first, idle ones expire."""

    def __init__(self, max_sessions: int = 10_000, idle_seconds: float = 3600) -> None:
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()
        self.max_sessions = max_sessions
        self.idle_seconds = idle_seconds

    def get(self, session_id: str) -> tuple[Session, bool]:
        """The session and whether it was created now (an unknown id starts a new one)."""
        now = time.monotonic()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None and now - session.touched > self.idle_seconds:
                del self._sessions[session_id]
                session = None
            created = session is None
            if created:
                session = Session(session_id)
                self._sessions[session_id] = session
                while len(self._sessions) > self.max_sessions:
                    self._sessions.popitem(last=False)
            session.touched = now
            self._sessions.move_to_end(session_id)
            return session, created

    @contextlib.contextmanager
    def hold(self, session_id: str) -> Iterator[tuple[Session, bool]]:
        """The session for one turn, and whether it was created now. In memory the session is
        the live object, so there is nothing to write back; the shared store locks and saves."""
        yield self.get(session_id)

    def save(self, session: Session) -> None:
        """In memory the session is the live object: nothing to write."""

    def peek(self, session_id: str) -> Session | None:
        """The session if it is in memory, without touching or creating it."""
        with self._lock:
            return self._sessions.get(session_id)

    def forget(self, session_id: str) -> bool:
        """Erasure: drop the conversation and its PII vault from memory."""
        with self._lock:
            session = self._sessions.pop(session_id, None)
        if session is not None and session.vault is not None:
            session.vault.clear()
        return session is not None
