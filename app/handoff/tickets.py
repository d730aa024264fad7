"""Handoff tickets: what a support agent receives when Beacon escalates.

A ticket holds everything the agent needs so the customer never repeats themselves: the
reason and category, the priority, a short summary, the redacted transcript, the sources
Beacon consulted and the customer context the channel gave. Only redacted text is ever
passed in; the store does not see raw customer values.

SQLite in the data directory by default (WAL, synchronous=FULL: a committed ticket
survives a crash). ``TicketStore`` is the seam a deployment can back with another database.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from app.core.clock import utc_now
from app.core.errors import NotFoundError
from app.core.private_files import private_file


class TicketNotFoundError(NotFoundError):
    """No handoff ticket has that id."""


STATUSES = ("open", "resolved")
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: ticket numbers are read aloud


def new_ticket_id(now: datetime) -> str:
    return f"HO-{now:%y%m%d}-" + "".join(secrets.choice(_ALPHABET) for _ in range(5))


@dataclass
class Ticket:
    ticket_id: str
    created_at: str
    session_id: str
    reason: str  # the first reason code; all of them are in ``reasons``
    reasons: list[str]
    category: str
    priority: str
    summary: str
    transcript: list[dict]  # [{"role": "customer"|"beacon", "text": redacted text, "at": iso time}]
    sources: list[dict]  # [{"source", "title", "section", "score"}]
    customer_context: dict
    status: str = "open"
    updated_at: str = ""
    resolved_at: str | None = None
    notes: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


class TicketStore(Protocol):
    def create(self, ticket: Ticket) -> Ticket: ...

    def get(self, ticket_id: str) -> Ticket: ...

    def list(self, status: str | None = None, priority: str | None = None, category: str | None = None,
             limit: int = 100) -> list[Ticket]: ...

    def set_status(self, ticket_id: str, status: str, note: str | None = None) -> Ticket: ...
    def delete_sessions(self, session_ids: list[str]) -> int: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    ticket_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    session_id TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tickets_queue ON tickets (status, priority, created_at);
CREATE INDEX IF NOT EXISTS tickets_session ON tickets (session_id);
"""
_PRIORITY_RANK = "CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END"


class SqliteTicketStore:
    """Tickets in one SQLite file. Filterable columns are columns; the rest is one JSON body."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            private_file(self.path)
            connection = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            # Erasure must not leave a transcript in free pages: deleted content is overwritten.
            connection.execute("PRAGMA secure_delete=ON")
            connection.executescript(_SCHEMA)
            self._connection = connection
        return self._connection

    def create(self, ticket: Ticket) -> Ticket:
        ticket.updated_at = ticket.updated_at or ticket.created_at
        with self._lock, self._db() as db:
            db.execute(
                "INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (ticket.ticket_id, ticket.created_at, ticket.updated_at, ticket.session_id, ticket.status,
                 ticket.reason, ticket.category, ticket.priority, json.dumps(ticket.to_json(), ensure_ascii=False)),
            )
        return ticket

    def get(self, ticket_id: str) -> Ticket:
        with self._lock:
            row = self._db().execute("SELECT body FROM tickets WHERE ticket_id = ?", (ticket_id,)).fetchone()
        if row is None:
            raise TicketNotFoundError(f"no handoff ticket {ticket_id!r} — list tickets to find its id")
        return Ticket(**json.loads(row[0]))

    def list(self, status: str | None = None, priority: str | None = None, category: str | None = None,
             limit: int = 100, session_id: str | None = None) -> list[Ticket]:
        clauses, values = [], []
        for column, value in (("status", status), ("priority", priority), ("category", category),
                              ("session_id", session_id)):
            if value:
                clauses.append(f"{column} = ?")
                values.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        query = f"SELECT body FROM tickets {where} ORDER BY {_PRIORITY_RANK}, created_at DESC LIMIT ?"
        with self._lock:
            rows = self._db().execute(query, (*values, int(limit))).fetchall()
        return [Ticket(**json.loads(row[0])) for row in rows]

    def set_status(self, ticket_id: str, status: str, note: str | None = None) -> Ticket:
        if status not in STATUSES:
            raise ValueError(f"unknown ticket status {status!r}; use one of {', '.join(STATUSES)}")
        ticket = self.get(ticket_id)
        now = utc_now().isoformat(timespec="seconds")
        ticket.status = status
        ticket.updated_at = now
        ticket.resolved_at = now if status == "resolved" else None
        if note:
            ticket.notes.append({"at": now, "status": status, "note": note})
        with self._lock, self._db() as db:
            db.execute("UPDATE tickets SET status = ?, updated_at = ?, body = ? WHERE ticket_id = ?",
                       (status, now, json.dumps(ticket.to_json(), ensure_ascii=False), ticket_id))
        return ticket

    def delete_session(self, session_id: str) -> int:
        """Erasure: remove every ticket of a conversation; returns how many."""
        return self.delete_sessions([session_id])

    def delete_sessions(self, session_ids: list[str]) -> int:
        """Erasure of every ticket of these conversations. The write-ahead log still holds the
        deleted pages until a checkpoint: TRUNCATE writes them back (zeroed) and empties it."""
        with self._lock:
            db = self._db()
            with db:
                removed = sum(db.execute("DELETE FROM tickets WHERE session_id = ?", (session_id,)).rowcount
                              for session_id in session_ids)
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return removed

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
