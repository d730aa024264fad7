"""``ConversationStore`` on the shared PostgreSQL database (``BEACON_DATABASE_URL``): the same
tables as the SQLite store, JSON columns as jsonb, times as the same fixed-width ISO text.

Every call is one transaction on a pooled connection, so any replica reads what another wrote
the moment it committed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from app.core.clock import utc_now
from app.core.database import Database
from app.core.errors import ConfigError
from app.service.conversations import (
    RATINGS,
    SCHEMA_VERSION,
    UnknownSessionError,
    _turn_row,
    _TURN_JSON,
    iso,
)
from app.service.insights import POSTGRES, insights_over

_DERIVED = ("action", "category", "reason", "escalated", "total_ms")


class PostgresConversationStore:
    def __init__(self, database: Database, retention_days: int = 30,
                 clock: Callable[[], datetime] = utc_now) -> None:
        if not isinstance(retention_days, int) or retention_days < 1:
            raise ConfigError(f"retention_days must be a whole number of days, at least 1 (got {retention_days!r})")
        self.database = database
        self.retention_days = retention_days
        self._clock = clock

    # -- writing ---------------------------------------------------------------------------
    def record_turn(self, turn: dict) -> int:
        from psycopg.types.json import Jsonb

        row = _turn_row(turn)
        now = iso(self._clock())
        context = {k: v for k, v in row["context"].items() if v is not None}
        values = {**row, "at": now, **{k: Jsonb(row[k]) if row[k] is not None else None for k in _TURN_JSON}}
        columns = ", ".join(values)
        # One statement, so one round trip and one transaction: the session row (it keeps the
        # latest value the channel gave for each context key) and the turn land together or not at all.
        rows = self.database.execute(
            "WITH session AS (INSERT INTO sessions (session_id, created_at, updated_at, context) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (session_id) DO UPDATE SET updated_at = EXCLUDED.updated_at, "
            "context = sessions.context || %s RETURNING session_id) "
            f"INSERT INTO turns ({columns}) SELECT {', '.join(['%s'] * len(values))} FROM session RETURNING turn_id",
            (row["session_id"], now, now, Jsonb(row["context"]), Jsonb(context), *values.values()))
        return int(rows[0][0])

    def record_feedback(self, session_id: str, rating: str, comment: str | None = None,
                        turn_id: int | None = None) -> int:
        if rating not in RATINGS:
            raise ValueError(f"Feedback rating must be 'up' or 'down', not {rating!r}")
        now = iso(self._clock())
        with self.database.transaction() as conn:
            # Feedback is activity too: it keeps the session from expiring.
            if conn.execute("UPDATE sessions SET updated_at = %s WHERE session_id = %s",
                            (now, session_id)).rowcount == 0:
                raise UnknownSessionError(session_id)
            if turn_id is not None and conn.execute(
                    "SELECT 1 FROM turns WHERE turn_id = %s AND session_id = %s", (turn_id, session_id)).fetchone() is None:
                raise ValueError(f"Turn {turn_id} is not part of session {session_id!r}: "
                                 "send a turn id returned for this session, or leave turn_id out")
            cursor = conn.execute(
                "INSERT INTO feedback (session_id, turn_id, at, rating, comment) VALUES (%s, %s, %s, %s, %s) "
                "RETURNING feedback_id", (session_id, turn_id, now, rating, comment))
            return int(cursor.fetchone()[0])

    def delete_session(self, session_id: str) -> dict:
        with self.database.transaction() as conn:
            if conn.execute("SELECT 1 FROM sessions WHERE session_id = %s FOR UPDATE",
                            (session_id,)).fetchone() is None:
                raise UnknownSessionError(session_id)
            return _delete_sessions(conn, [session_id])

    def delete_sessions(self, session_ids: list[str]) -> dict:
        with self.database.transaction() as conn:
            return _delete_sessions(conn, list(session_ids))

    def touch_session(self, session_id: str) -> bool:
        return bool(self.database.execute("UPDATE sessions SET updated_at = %s WHERE session_id = %s RETURNING 1",
                                          (iso(self._clock()), session_id)))

    def expired_sessions(self, now: datetime | None = None) -> list[str]:
        return [r[0] for r in self.database.execute("SELECT session_id FROM sessions WHERE updated_at < %s",
                                                    (self.retention_cutoff(now),))]

    def retention_cutoff(self, now: datetime | None = None) -> str:
        return iso((now or self._clock()) - timedelta(days=self.retention_days))

    def purge_expired(self, now: datetime | None = None) -> int:
        expired = self.expired_sessions(now)
        self.delete_sessions(expired)
        return len(expired)

    # -- reading ---------------------------------------------------------------------------
    def get_session(self, session_id: str) -> dict | None:
        with self.database.connection() as conn:
            session = conn.execute("SELECT session_id, created_at, updated_at, context FROM sessions "
                                   "WHERE session_id = %s", (session_id,)).fetchone()
            if session is None:
                return None
            turns = _dicts(conn.execute("SELECT * FROM turns WHERE session_id = %s ORDER BY turn_id", (session_id,)))
            feedback = _dicts(conn.execute("SELECT * FROM feedback WHERE session_id = %s ORDER BY feedback_id",
                                           (session_id,)))
        return {"session_id": session[0], "created_at": session[1], "updated_at": session[2], "context": session[3],
                "turns": [_turn_dict(t) for t in turns], "feedback": feedback}

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
        with self.database.connection() as conn:
            rows = _dicts(conn.execute("SELECT * FROM turns ORDER BY turn_id DESC LIMIT %s", (limit,)))
        return [_turn_dict(r) for r in rows]

    def insights(self, since: datetime | None = None, until: datetime | None = None,
                 taken_over: set[str] | frozenset[str] = frozenset()) -> dict:
        with self.database.connection() as conn:
            return insights_over(lambda sql, values: conn.execute(sql, values).fetchall(), POSTGRES,
                                 iso(since) if since is not None else "",
                                 iso(until) if until is not None else None, taken_over)

    def close(self) -> None:
        """The pool is the process's and outlives this store."""


def _dicts(cursor) -> list[dict]:
    names = [column.name for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _turn_dict(row: dict) -> dict:
    for key in _DERIVED:
        row.pop(key)
    return row


def _delete_sessions(conn, session_ids: list[str]) -> dict:
    if not session_ids:
        return {"turns": 0, "feedback": 0}
    # Feedback first: it may point at the session's turns.
    feedback = conn.execute("DELETE FROM feedback WHERE session_id = ANY(%s)", (session_ids,)).rowcount
    turns = conn.execute("DELETE FROM turns WHERE session_id = ANY(%s)", (session_ids,)).rowcount
    conn.execute("DELETE FROM sessions WHERE session_id = ANY(%s)", (session_ids,))
    return {"turns": turns, "feedback": feedback}
