"""The audit log of reveals: every time an agent saw a value behind a ticket's placeholder.

One row per reveal: when, who (a staff login, or ``api:`` and an API key's id), which ticket,
which placeholder and its type, and who held the ticket then. Never the value, and never the
conversation's id: the log outlives the conversation's erasure (it says an agent looked, not
what they saw), and is kept for ``BEACON_REVEAL_AUDIT_DAYS``.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from app.core.private_files import private_file

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reveals (
    reveal_id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    revealed_by TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    placeholder TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    assigned_to TEXT
);
CREATE INDEX IF NOT EXISTS reveals_by_ticket ON reveals (ticket_id);
CREATE INDEX IF NOT EXISTS reveals_by_time ON reveals (at);
"""
COLUMNS = ("reveal_id", "at", "revealed_by", "ticket_id", "placeholder", "entity_type", "assigned_to")


class RevealAudit:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            private_file(self.path)
            connection = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")  # a reveal is recorded before the value is shown
            connection.execute("PRAGMA secure_delete=ON")
            connection.executescript(_SCHEMA)
            self._connection = connection
        return self._connection

    def record(self, at: str, revealed_by: str, ticket_id: str, placeholder: str, entity_type: str,
               assigned_to: str | None) -> dict:
        with self._lock, self._db() as db:
            cursor = db.execute("INSERT INTO reveals (at, revealed_by, ticket_id, placeholder, entity_type, "
                                "assigned_to) VALUES (?, ?, ?, ?, ?, ?)",
                                (at, revealed_by, ticket_id, placeholder, entity_type, assigned_to))
            reveal_id = cursor.lastrowid
        return dict(zip(COLUMNS, (reveal_id, at, revealed_by, ticket_id, placeholder, entity_type, assigned_to)))

    def entries(self, ticket_id: str | None = None, revealed_by: str | None = None, limit: int = 200) -> list[dict]:
        """Newest first."""
        clauses, values = [], []
        for column, value in (("ticket_id", ticket_id), ("revealed_by", revealed_by)):
            if value:
                clauses.append(f"{column} = ?")
                values.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            rows = self._db().execute(f"SELECT {', '.join(COLUMNS)} FROM reveals {where} "
                                      "ORDER BY reveal_id DESC LIMIT ?", (*values, int(limit))).fetchall()
        return [dict(zip(COLUMNS, row)) for row in rows]

    def forget_before(self, before: str) -> int:
        """Retention of the log itself: rows older than ``before`` (ISO time) go."""
        if not self.path.exists():
            return 0
        with self._lock:
            db = self._db()
            with db:
                removed = db.execute("DELETE FROM reveals WHERE at < ?", (before,)).rowcount
            if removed:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return removed

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
