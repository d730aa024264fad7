"""Where Beacon keeps conversations: turns, feedback, erasure and retention (the dashboard
figures over them are in ``app/service/insights.py``).

Everything handed to the store is already redacted by the guardrails (``<PERSON_1>`` and the
like); the store never sees a customer's raw values. Message text is still never logged.

The default backend is SQLite in the data directory (``data_dir / "conversations.sqlite3"``):
WAL journal, ``synchronous=FULL`` and one transaction per turn, so a crash loses at most the
turn in flight. One connection behind a lock serves every thread: SQLite serialises writers
anyway, and a single connection avoids ``database is locked`` retries under load.

Several replicas keep conversations in PostgreSQL instead (``conversations_pg.py``, chosen by
``BEACON_DATABASE_URL``): the same tables behind the same ``ConversationStore`` protocol.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

from app.core.clock import utc_now
from app.core.errors import BeaconError, ConfigError, NotFoundError
from app.core.private_files import private_file
from app.service.insights import sqlite_insights

DEFAULT_FILENAME = "conversations.sqlite3"
SCHEMA_VERSION = 1
RATINGS = ("up", "down")
CHANNELS = ("api", "ui", "cli")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    context TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS turns (
    turn_id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions(session_id),
    at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    action TEXT,
    category TEXT,
    reason TEXT,
    escalated INTEGER NOT NULL,
    total_ms REAL,
    confidence REAL,
    decision TEXT NOT NULL,
    escalation TEXT,
    citations TEXT NOT NULL,
    flags TEXT NOT NULL,
    latency_ms TEXT NOT NULL,
    region TEXT,
    context TEXT NOT NULL,
    generator TEXT,
    channel TEXT
);
CREATE TABLE IF NOT EXISTS feedback (
    feedback_id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions(session_id),
    turn_id INTEGER REFERENCES turns(turn_id),
    at TEXT NOT NULL,
    rating TEXT NOT NULL,
    comment TEXT
);
-- Lookups by session (get/export/delete), the retention sweep and the time-windowed insights.
CREATE INDEX IF NOT EXISTS turns_by_session ON turns(session_id, turn_id);
CREATE INDEX IF NOT EXISTS turns_by_time ON turns(at);
CREATE INDEX IF NOT EXISTS feedback_by_session ON feedback(session_id);
CREATE INDEX IF NOT EXISTS feedback_by_time ON feedback(at);
CREATE INDEX IF NOT EXISTS sessions_by_update ON sessions(updated_at);
"""

# Citations keep where an answer came from, not the passage itself: the knowledge base holds
# the text, and storing it per turn would bloat every row.
_CITATION_KEYS = ("number", "source", "title", "section", "score", "chunk_id", "url")
_TURN_JSON = ("decision", "escalation", "citations", "flags", "latency_ms", "context")


class UnknownSessionError(NotFoundError):
    """No conversation is stored under this session id."""

    code = "unknown_session"

    def __init__(self, session_id: str) -> None:
        super().__init__(
            f"No conversation is stored for session {session_id!r}: check the session id (it may have been "
            "deleted or removed by the retention policy), or start a new conversation"
        )
        self.session_id = session_id


class ConversationStore(Protocol):
    def record_turn(self, turn: dict) -> int: ...
    def record_feedback(self, session_id: str, rating: str, comment: str | None = None,
                        turn_id: int | None = None) -> int: ...
    def get_session(self, session_id: str) -> dict | None: ...
    def export_session(self, session_id: str) -> dict: ...
    def delete_session(self, session_id: str) -> dict: ...
    def delete_sessions(self, session_ids: list[str]) -> dict: ...
    def expired_sessions(self, now: datetime | None = None) -> list[str]: ...
    def purge_expired(self, now: datetime | None = None) -> int: ...
    def insights(self, since: datetime | None = None, until: datetime | None = None,
                 taken_over: set[str] | frozenset[str] = frozenset()) -> dict: ...
    def touch_session(self, session_id: str) -> bool: ...
    def recent_turns(self, limit: int = 100) -> list[dict]: ...
    def close(self) -> None: ...


def iso(moment: datetime) -> str:
    """Fixed-width UTC text, so string order in SQL is time order. A naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def default_conversation_path(data_dir: Path) -> Path:
    return Path(data_dir) / DEFAULT_FILENAME


def open_conversation_store(url_or_path: str | Path, retention_days: int) -> ConversationStore:
    """A path or ``sqlite:///path`` opens SQLite; other schemes are refused with the way forward."""
    text = str(url_or_path)
    if text.startswith(("postgresql://", "postgres://", "postgresql+")):
        raise ConfigError(
            "PostgreSQL holds every shared store at once, not conversations alone: set BEACON_DATABASE_URL to that "
            "URL (see docs/deployment.md) and leave the conversation store unset"
        )
    if text.startswith("sqlite:///"):
        return SqliteConversationStore(Path(text[len("sqlite:///"):]), retention_days)
    if "://" in text:
        raise ConfigError(
            f"Conversation store URL {text!r} has an unsupported scheme: use a file path or sqlite:///path"
        )
    return SqliteConversationStore(Path(text), retention_days)


class SqliteConversationStore:
    def __init__(self, path: Path, retention_days: int = 30,
                 clock: Callable[[], datetime] = utc_now) -> None:
        if not isinstance(retention_days, int) or retention_days < 1:
            raise ConfigError(f"retention_days must be a whole number of days, at least 1 (got {retention_days!r})")
        self.path = Path(path)
        self.retention_days = retention_days
        self._clock = clock  # injectable so tests can place turns on chosen days
        self._lock = threading.Lock()
        self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            private_file(self.path)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per call.
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            # Erasure must not leave the text in free pages: overwrite deleted content with zeros.
            conn.execute("PRAGMA secure_delete=ON")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ConfigError(
                    f"{self.path} was written by a newer Beacon (schema {version}, this one knows {SCHEMA_VERSION}): "
                    "upgrade Beacon or point the conversation store at another file"
                )
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            return conn
        except (sqlite3.DatabaseError, OSError) as exc:
            raise ConfigError(
                f"Cannot open the conversation store at {self.path}: {exc} — check the folder exists and is "
                "writable, or move a damaged file aside so a new one is created"
            ) from exc

    # -- writing ---------------------------------------------------------------------------

    def record_turn(self, turn: dict) -> int:
        row = _turn_row(turn)
        now = iso(self._clock())
        context = row["context"]
        with self._transaction() as conn:
            existing = conn.execute("SELECT context FROM sessions WHERE session_id = ?",
                                    (row["session_id"],)).fetchone()
            if existing is None:
                conn.execute("INSERT INTO sessions (session_id, created_at, updated_at, context) VALUES (?, ?, ?, ?)",
                             (row["session_id"], now, now, json.dumps(context)))
            else:
                # The session keeps the latest value the channel gave for each context key.
                merged = json.loads(existing["context"]) | {k: v for k, v in context.items() if v is not None}
                conn.execute("UPDATE sessions SET updated_at = ?, context = ? WHERE session_id = ?",
                             (now, json.dumps(merged), row["session_id"]))
            values = {**row, "at": now, **{k: json.dumps(row[k]) for k in _TURN_JSON}}
            columns = ", ".join(values)
            cursor = conn.execute(f"INSERT INTO turns ({columns}) VALUES ({', '.join('?' * len(values))})",
                                  tuple(values.values()))
            return int(cursor.lastrowid)

    def record_feedback(self, session_id: str, rating: str, comment: str | None = None,
                        turn_id: int | None = None) -> int:
        if rating not in RATINGS:
            raise ValueError(f"Feedback rating must be 'up' or 'down', not {rating!r}")
        now = iso(self._clock())
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM sessions WHERE session_id = ?", (session_id,)).fetchone() is None:
                raise UnknownSessionError(session_id)
            if turn_id is not None and conn.execute(
                    "SELECT 1 FROM turns WHERE turn_id = ? AND session_id = ?", (turn_id, session_id)).fetchone() is None:
                raise ValueError(f"Turn {turn_id} is not part of session {session_id!r}: "
                                 "send a turn id returned for this session, or leave turn_id out")
            cursor = conn.execute(
                "INSERT INTO feedback (session_id, turn_id, at, rating, comment) VALUES (?, ?, ?, ?, ?)",
                (session_id, turn_id, now, rating, comment))
            # Feedback is activity too: it keeps the session from expiring.
            conn.execute("UPDATE sessions SET updated_at = ? WHERE session_id = ?", (now, session_id))
            return int(cursor.lastrowid)

    def delete_session(self, session_id: str) -> dict:
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM sessions WHERE session_id = ?", (session_id,)).fetchone() is None:
                raise UnknownSessionError(session_id)
            removed = _delete_sessions(conn, [session_id])
        self._flush_wal()
        return removed

    def delete_sessions(self, session_ids: list[str]) -> dict:
        """Erasure of several conversations at once (retention); unknown ids are skipped."""
        with self._transaction() as conn:
            removed = _delete_sessions(conn, list(session_ids))
        if session_ids:
            self._flush_wal()
        return removed

    def touch_session(self, session_id: str) -> bool:
        """Activity that is not a turn (an agent's reply): the conversation does not expire from
        under an open handoff. False when no conversation is stored under that id."""
        with self._transaction() as conn:
            return conn.execute("UPDATE sessions SET updated_at = ? WHERE session_id = ?",
                                (iso(self._clock()), session_id)).rowcount > 0

    def expired_sessions(self, now: datetime | None = None) -> list[str]:
        """Conversations untouched for longer than the retention period."""
        with self._locked() as conn:
            return [r[0] for r in conn.execute("SELECT session_id FROM sessions WHERE updated_at < ?",
                                               (self.retention_cutoff(now),))]

    def retention_cutoff(self, now: datetime | None = None) -> str:
        return iso((now or self._clock()) - timedelta(days=self.retention_days))

    def purge_expired(self, now: datetime | None = None) -> int:
        expired = self.expired_sessions(now)
        self.delete_sessions(expired)
        return len(expired)

    def _flush_wal(self) -> None:
        # The WAL still holds page images with the erased text until a checkpoint; TRUNCATE
        # copies the zeroed pages into the database and empties the WAL file.
        with self._locked() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- reading ---------------------------------------------------------------------------

    def get_session(self, session_id: str) -> dict | None:
        with self._locked() as conn:
            session = conn.execute("SELECT * FROM sessions WHERE session_id = ?", (session_id,)).fetchone()
            if session is None:
                return None
            turns = conn.execute("SELECT * FROM turns WHERE session_id = ? ORDER BY turn_id", (session_id,)).fetchall()
            feedback = conn.execute("SELECT * FROM feedback WHERE session_id = ? ORDER BY feedback_id",
                                    (session_id,)).fetchall()
        return {"session_id": session["session_id"], "created_at": session["created_at"],
                "updated_at": session["updated_at"], "context": json.loads(session["context"]),
                "turns": [_turn_dict(t) for t in turns], "feedback": [dict(f) for f in feedback]}

    def export_session(self, session_id: str) -> dict:
        session = self.get_session(session_id)
        if session is None:
            raise UnknownSessionError(session_id)
        expires = datetime.fromisoformat(session["updated_at"]) + timedelta(days=self.retention_days)
        return {**session, "exported_at": iso(self._clock()), "retention_days": self.retention_days,
                "expires_at": iso(expires), "schema_version": SCHEMA_VERSION}

    def recent_turns(self, limit: int = 100) -> list[dict]:
        if limit < 1:
            raise ValueError(f"limit must be at least 1 (got {limit})")
        with self._locked() as conn:
            rows = conn.execute("SELECT * FROM turns ORDER BY turn_id DESC LIMIT ?", (limit,)).fetchall()
        return [_turn_dict(r) for r in rows]

    def insights(self, since: datetime | None = None, until: datetime | None = None,
                 taken_over: set[str] | frozenset[str] = frozenset()) -> dict:
        """The figures over ``[since, until)``; conversations in ``taken_over`` had a person and
        are never counted as contained."""
        with self._locked() as conn:
            return sqlite_insights(conn, iso(since) if since is not None else "",
                                   iso(until) if until is not None else None, taken_over)

    # -- plumbing --------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> SqliteConversationStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _locked(self) -> _Locked:
        return _Locked(self)

    def _transaction(self) -> _Locked:
        return _Locked(self, write=True)


class _Locked:
    """Holds the store's lock; for writes, wraps the body in BEGIN IMMEDIATE ... COMMIT/ROLLBACK."""

    def __init__(self, store: SqliteConversationStore, write: bool = False) -> None:
        self.store, self.write = store, write

    def __enter__(self) -> sqlite3.Connection:
        self.store._lock.acquire()
        conn = self.store._conn
        if conn is None:
            self.store._lock.release()
            raise BeaconError(f"The conversation store at {self.store.path} is closed: open a new one")
        if self.write:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except BaseException:
                self.store._lock.release()
                raise
        return conn

    def __exit__(self, exc_type: object, *rest: object) -> None:
        conn = self.store._conn
        try:
            if self.write and exc_type is None:
                try:
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")  # e.g. disk full: leave no half-open transaction behind
                    raise
            elif self.write:
                conn.execute("ROLLBACK")
        finally:
            self.store._lock.release()


def _delete_sessions(conn: sqlite3.Connection, session_ids: list[str]) -> dict:
    removed = {"turns": 0, "feedback": 0}
    for session_id in session_ids:
        # Feedback first: it may point at the session's turns.
        removed["feedback"] += conn.execute("DELETE FROM feedback WHERE session_id = ?", (session_id,)).rowcount
        removed["turns"] += conn.execute("DELETE FROM turns WHERE session_id = ?", (session_id,)).rowcount
        conn.execute("DELETE FROM sessions WHERE session_id = ?", (session_id,))
    return removed


def _turn_row(turn: dict) -> dict[str, Any]:
    session_id = turn.get("session_id")
    if not isinstance(session_id, str) or not session_id.strip():
        raise ValueError("A turn needs a non-empty string session_id: pass the id the chain used for this conversation")
    for key in ("question", "answer"):
        if not isinstance(turn.get(key), str):
            raise ValueError(f"A turn needs its redacted {key} as a string (got {type(turn.get(key)).__name__})")
    channel = turn.get("channel")
    if channel is not None and channel not in CHANNELS:
        raise ValueError(f"Turn channel must be one of {', '.join(CHANNELS)} (got {channel!r})")
    decision = dict(turn.get("decision") or {})
    escalation = dict(turn["escalation"]) if turn.get("escalation") else None
    latency = {str(k): float(v) for k, v in (turn.get("latency_ms") or {}).items()}
    escalated = escalation is not None or decision.get("action") == "escalate"
    return {
        "session_id": session_id,
        "question": turn["question"],
        "answer": turn["answer"],
        "action": decision.get("action"),
        # The turn's own reading first: a follow-up that joined an open ticket keeps its reason
        # (e.g. passed_to_agent), while its escalation names the ticket it joined.
        "category": decision.get("category") or (escalation or {}).get("category"),
        "reason": (decision.get("reasons") or [None])[0] or (escalation or {}).get("reason")
        or ((escalation or {}).get("reasons") or [None])[0],
        "escalated": int(escalated),
        "total_ms": latency.get("total_ms"),
        "confidence": float(turn["confidence"]) if turn.get("confidence") is not None else None,
        "decision": decision,
        "escalation": escalation,
        "citations": [{k: c[k] for k in _CITATION_KEYS if k in c} for c in turn.get("citations") or []],
        "flags": list(turn.get("flags") or []),
        "latency_ms": latency,
        "region": turn.get("region"),
        "context": dict(turn.get("context") or {}),
        "generator": turn.get("generator"),
        "channel": channel,
    }


def _turn_dict(row: sqlite3.Row) -> dict:
    data = dict(row)
    for key in _TURN_JSON:
        data[key] = json.loads(data[key]) if data[key] is not None else None
    # Derived index columns are an implementation detail; the decision/escalation dicts hold them.
    for key in ("action", "category", "reason", "escalated", "total_ms"):
        data.pop(key)
    return data
