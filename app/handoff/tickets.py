"""Handoff tickets: what a support agent receives when Beacon escalates, and the life of
the handoff after that.

A ticket holds everything the agent needs so the customer never repeats themselves: the
reason and category, the priority, a short summary, the redacted transcript, the sources
Beacon consulted and the customer context the channel gave. Only redacted text is ever
passed in; the store does not see raw customer values.

A conversation has at most one open ticket. Its ``state`` moves
waiting → assigned → answered → resolved (``ticket_states.py`` holds the rules); ``status``
stays ``open`` / ``resolved`` for the scripts that filter on it. The transcript grows with the
customer's follow-ups and the agent's replies (role ``agent``).

SQLite in the data directory by default (WAL, synchronous=FULL: a committed ticket
survives a crash). ``TicketStore`` is the seam a deployment can back with another database.
The same file keeps the conversations' resume codes (hashed), which erasure removes too.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Protocol

from app.core.clock import utc_now
from app.core.errors import NotFoundError
from app.core.private_files import private_file
from app.handoff.ticket_states import (
    PRIORITIES,
    STATES,
    STATUSES,
    TicketStateError,
    assign,
    customer_wrote,
    more_pressing,
    reopen,
    replied,
    resolve,
    status_of,
)

__all__ = ["PRIORITIES", "STATES", "STATUSES", "SqliteTicketStore", "Ticket", "TicketNotFoundError",
           "TicketStateError", "TicketStore", "new_resume_code", "new_ticket_id"]


class TicketNotFoundError(NotFoundError):
    """No handoff ticket has that id."""


_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: ticket numbers are read aloud
RESUME_GROUPS = 4  # 4 groups of 4 characters of 32: 80 bits, not guessable through a rate-limited chat


def new_ticket_id(now: datetime) -> str:
    return f"HO-{now:%y%m%d}-" + "".join(secrets.choice(_ALPHABET) for _ in range(5))


def new_resume_code() -> str:
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(RESUME_GROUPS))


def normalise_resume_code(code: str) -> str:
    """What the customer typed, as issued: case, spaces and dashes do not matter."""
    letters = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return "-".join(letters[i:i + 4] for i in range(0, len(letters), 4))


def _code_hash(code: str) -> str:
    # The code has 80 random bits, so a plain hash is enough: only the hash is stored, and a
    # copy of the database does not let anyone resume a conversation.
    return hashlib.sha256(normalise_resume_code(code).encode()).hexdigest()


def _now() -> str:
    return utc_now().isoformat(timespec="seconds")


@dataclass
class Ticket:
    ticket_id: str
    created_at: str
    session_id: str
    reason: str  # the first reason code; all of them are in ``reasons``
    reasons: list[str]
    category: str
    priority: str  # the highest seen in the conversation while the ticket is open
    summary: str
    # [{"role": "customer"|"beacon"|"agent", "text": redacted text, "at": iso time, ...}]; agent
    # entries also carry "by" and "message_id"
    transcript: list[dict]
    sources: list[dict]  # [{"source", "title", "section", "score", "chunk_id", "url"}]: what was retrieved
    customer_context: dict
    status: str = "open"  # open or resolved: ``state`` says more
    updated_at: str = ""
    resolved_at: str | None = None
    notes: list[dict] = field(default_factory=list)
    state: str = "waiting"  # waiting, assigned, answered, resolved
    assigned_to: str | None = None
    assigned_at: str | None = None
    answered_at: str | None = None  # the agent's latest reply
    resolved_by: str | None = None
    reopened_at: str | None = None
    events: list[dict] = field(default_factory=list)  # [{"at", "event", "by", "state"}]: who moved it, when
    # Filled on read, never stored: the other tickets of the same conversation.
    related_tickets: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, body: dict) -> Ticket:
        known = {f.name for f in fields(cls)}
        ticket = cls(**{k: v for k, v in body.items() if k in known})
        if "state" not in body:  # written before states existed
            ticket.state = "resolved" if ticket.status == "resolved" else "waiting"
        return ticket

    @property
    def agent_messages(self) -> list[dict]:
        return [entry for entry in self.transcript if entry.get("role") == "agent"]


class TicketStore(Protocol):
    def create(self, ticket: Ticket) -> Ticket: ...

    def get(self, ticket_id: str) -> Ticket: ...

    def list(self, status: str | None = None, priority: str | None = None, category: str | None = None,
             limit: int = 100, session_id: str | None = None, state: str | None = None,
             assigned_to: str | None = None) -> list[Ticket]: ...

    def open_for_session(self, session_id: str) -> Ticket | None: ...
    def set_status(self, ticket_id: str, status: str, note: str | None = None, by: str | None = None) -> Ticket: ...
    def assign(self, ticket_id: str, agent: str, note: str | None = None) -> Ticket: ...
    def add_agent_message(self, ticket_id: str, text: str, by: str) -> tuple[Ticket, dict]: ...
    def add_customer_turn(self, ticket_id: str, entries: list[dict], priority: str | None = None,
                          category: str | None = None, reasons: tuple[str, ...] = (),
                          summarize: Callable[[Ticket], str] | None = None) -> Ticket: ...
    def agent_messages(self, session_id: str) -> list[dict]: ...
    def issue_resume_code(self, session_id: str) -> str: ...
    def session_for_resume_code(self, code: str) -> str | None: ...
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
CREATE TABLE IF NOT EXISTS resume_codes (
    code_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS resume_by_session ON resume_codes (session_id);
"""
# Columns added after the first release: an older file gets them on open.
_ADDED_COLUMNS = {"state": "TEXT NOT NULL DEFAULT 'waiting'", "assigned_to": "TEXT"}
_PRIORITY_RANK = "CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END"


class SqliteTicketStore:
    """Tickets in one SQLite file. Filterable columns are columns; the rest is one JSON body."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
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
            present = {row[1] for row in connection.execute("PRAGMA table_info(tickets)")}
            with connection:
                for column, kind in _ADDED_COLUMNS.items():
                    if column not in present:
                        connection.execute(f"ALTER TABLE tickets ADD COLUMN {column} {kind}")
                        if column == "state":
                            connection.execute("UPDATE tickets SET state = 'resolved' WHERE status = 'resolved'")
            self._connection = connection
        return self._connection

    # -- writing ------------------------------------------------------------------------
    def create(self, ticket: Ticket) -> Ticket:
        ticket.updated_at = ticket.updated_at or ticket.created_at
        ticket.status = status_of(ticket.state)
        if not ticket.events:
            ticket.events.append({"at": ticket.created_at, "event": "created", "by": "beacon", "state": ticket.state})
        with self._lock, self._db() as db:
            db.execute(
                "INSERT INTO tickets (ticket_id, created_at, updated_at, session_id, status, reason, category, "
                "priority, body, state, assigned_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (ticket.ticket_id, ticket.created_at, ticket.updated_at, ticket.session_id, ticket.status,
                 ticket.reason, ticket.category, ticket.priority, _body(ticket), ticket.state, ticket.assigned_to),
            )
        return self._with_related([ticket])[0]

    def _modify(self, ticket_id: str, change: Callable[[Ticket, str], object]) -> tuple[Ticket, object]:
        """Read, change and write one ticket under the lock, so two agents (or an agent and
        the customer) never overwrite each other's change. ``change(ticket, now)`` raises
        TicketStateError when the ticket's state does not allow it."""
        with self._lock:
            ticket = self._read(ticket_id)
            now = _now()
            result = change(ticket, now)
            ticket.updated_at = now
            ticket.status = status_of(ticket.state)
            with self._db() as db:
                db.execute("UPDATE tickets SET status = ?, updated_at = ?, priority = ?, category = ?, state = ?, "
                           "assigned_to = ?, body = ? WHERE ticket_id = ?",
                           (ticket.status, now, ticket.priority, ticket.category, ticket.state, ticket.assigned_to,
                            _body(ticket), ticket_id))
        return self._with_related([ticket])[0], result

    def set_status(self, ticket_id: str, status: str, note: str | None = None, by: str | None = None) -> Ticket:
        """Resolve (``resolved``) or reopen (``open``); ``by`` is who did it (a staff login or an
        API key id). A ticket already in that status is a TicketStateError."""
        if status not in STATUSES:
            raise ValueError(f"unknown ticket status {status!r}; use one of {', '.join(STATUSES)}")

        def change(ticket: Ticket, now: str) -> None:
            if status == "open":
                other = self.open_for_session(ticket.session_id)
                if other is not None and other.ticket_id != ticket.ticket_id:
                    raise TicketStateError(f"the conversation of {ticket.ticket_id} already has an open ticket, "
                                           f"{other.ticket_id}: work on that one (a conversation has one open ticket)")
            (resolve if status == "resolved" else reopen)(ticket, now, by)
            if note:
                ticket.notes.append({"at": now, "status": status, "note": note, "by": by})

        return self._modify(ticket_id, change)[0]

    def assign(self, ticket_id: str, agent: str, note: str | None = None) -> Ticket:
        def change(ticket: Ticket, now: str) -> None:
            assign(ticket, now, agent)
            if note:
                ticket.notes.append({"at": now, "status": ticket.status, "note": note, "by": agent})

        return self._modify(ticket_id, change)[0]

    def add_agent_message(self, ticket_id: str, text: str, by: str) -> tuple[Ticket, dict]:
        """The agent's reply (redacted) on the ticket's transcript; the ticket is then answered."""

        def change(ticket: Ticket, now: str) -> dict:
            replied(ticket, now, by)
            entry = {"role": "agent", "text": text, "at": utc_now().isoformat(timespec="milliseconds"), "by": by,
                     "message_id": f"{ticket.ticket_id}-{len(ticket.agent_messages) + 1}"}
            ticket.transcript.append(entry)
            return entry

        ticket, entry = self._modify(ticket_id, change)
        return ticket, entry

    def add_customer_turn(self, ticket_id: str, entries: list[dict], priority: str | None = None,
                          category: str | None = None, reasons: tuple[str, ...] = (),
                          summarize: Callable[[Ticket], str] | None = None) -> Ticket:
        """A follow-up of the customer (and what Beacon told them) on the open ticket. The
        ticket's priority becomes the higher of the two; a more pressing category replaces
        the ticket's (the reason codes of both stay). An answered ticket goes back to the agent."""

        def change(ticket: Ticket, now: str) -> None:
            customer_wrote(ticket, now)
            ticket.transcript.extend(entries)
            if priority and more_pressing(priority, ticket.priority):
                ticket.priority = priority
                if category:
                    ticket.category = category
                    ticket.events.append({"at": now, "event": f"priority raised to {priority}", "by": "beacon",
                                          "state": ticket.state})
            ticket.reasons += [r for r in reasons if r not in ticket.reasons]
            if summarize is not None:
                ticket.summary = summarize(ticket)

        return self._modify(ticket_id, change)[0]

    # -- reading ------------------------------------------------------------------------
    def _read(self, ticket_id: str) -> Ticket:
        with self._lock:
            row = self._db().execute("SELECT body FROM tickets WHERE ticket_id = ?", (ticket_id,)).fetchone()
        if row is None:
            raise TicketNotFoundError(f"no handoff ticket {ticket_id!r} — list tickets to find its id")
        return Ticket.from_json(json.loads(row[0]))

    def get(self, ticket_id: str) -> Ticket:
        return self._with_related([self._read(ticket_id)])[0]

    def list(self, status: str | None = None, priority: str | None = None, category: str | None = None,
             limit: int = 100, session_id: str | None = None, state: str | None = None,
             assigned_to: str | None = None) -> list[Ticket]:
        clauses, values = [], []
        for column, value in (("status", status), ("priority", priority), ("category", category),
                              ("session_id", session_id), ("state", state), ("assigned_to", assigned_to)):
            if value:
                clauses.append(f"{column} = ?")
                values.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        query = f"SELECT body FROM tickets {where} ORDER BY {_PRIORITY_RANK}, created_at DESC LIMIT ?"
        with self._lock:
            rows = self._db().execute(query, (*values, int(limit))).fetchall()
        return self._with_related([Ticket.from_json(json.loads(row[0])) for row in rows])

    def open_for_session(self, session_id: str) -> Ticket | None:
        """The conversation's open ticket (there is at most one), or None."""
        if self._connection is None and not self.path.exists():
            return None  # asked on every turn: a conversation that never escalated creates no file
        with self._lock:
            row = self._db().execute(
                "SELECT body FROM tickets WHERE session_id = ? AND status = 'open' ORDER BY created_at DESC LIMIT 1",
                (session_id,)).fetchone()
        return Ticket.from_json(json.loads(row[0])) if row else None

    def agent_messages(self, session_id: str) -> list[dict]:
        """Every agent reply in the conversation, oldest first, each with its ticket id."""
        with self._lock:
            rows = self._db().execute("SELECT body FROM tickets WHERE session_id = ? ORDER BY created_at",
                                      (session_id,)).fetchall()
        found = []
        for row in rows:
            ticket = Ticket.from_json(json.loads(row[0]))
            found += [{**entry, "ticket_id": ticket.ticket_id} for entry in ticket.agent_messages]
        return sorted(found, key=lambda entry: entry["at"])

    def sessions_with_tickets(self, since: str = "", until: str | None = None) -> set[str]:
        """Conversations that a person took over (a ticket was opened) in that window."""
        query = "SELECT DISTINCT session_id FROM tickets WHERE created_at >= ?"
        values: list[str] = [since]
        if until:
            query += " AND created_at < ?"
            values.append(until)
        with self._lock:
            return {row[0] for row in self._db().execute(query, values)}

    def _with_related(self, tickets: list[Ticket]) -> list[Ticket]:
        """Each ticket with the other tickets of its conversation, oldest first."""
        sessions = sorted({t.session_id for t in tickets})
        if not sessions:
            return tickets
        marks = ", ".join("?" * len(sessions))
        with self._lock:
            rows = self._db().execute(
                f"SELECT ticket_id, session_id, created_at, state, priority, category FROM tickets "
                f"WHERE session_id IN ({marks}) ORDER BY created_at", sessions).fetchall()
        by_session: dict[str, list[dict]] = {}
        for ticket_id, session_id, created_at, state, priority, category in rows:
            by_session.setdefault(session_id, []).append(
                {"ticket_id": ticket_id, "created_at": created_at, "state": state, "priority": priority,
                 "category": category})
        for ticket in tickets:
            ticket.related_tickets = [r for r in by_session.get(ticket.session_id, [])
                                      if r["ticket_id"] != ticket.ticket_id]
        return tickets

    # -- resume codes -------------------------------------------------------------------
    def issue_resume_code(self, session_id: str) -> str:
        """A new code the customer can come back with; only its hash is kept."""
        code = new_resume_code()
        with self._lock, self._db() as db:
            db.execute("INSERT INTO resume_codes VALUES (?, ?, ?)", (_code_hash(code), session_id, _now()))
        return code

    def session_for_resume_code(self, code: str) -> str | None:
        if len(normalise_resume_code(code)) != RESUME_GROUPS * 5 - 1:
            return None
        with self._lock:
            row = self._db().execute("SELECT session_id FROM resume_codes WHERE code_hash = ?",
                                     (_code_hash(code),)).fetchone()
        return row[0] if row else None

    # -- erasure ------------------------------------------------------------------------
    def delete_session(self, session_id: str) -> int:
        """Erasure: remove every ticket of a conversation; returns how many."""
        return self.delete_sessions([session_id])

    def delete_sessions(self, session_ids: list[str]) -> int:
        """Erasure of every ticket and resume code of these conversations. The write-ahead log
        still holds the deleted pages until a checkpoint: TRUNCATE writes them back (zeroed)
        and empties it."""
        with self._lock:
            db = self._db()
            with db:
                removed = sum(db.execute("DELETE FROM tickets WHERE session_id = ?", (session_id,)).rowcount
                              for session_id in session_ids)
                for session_id in session_ids:
                    db.execute("DELETE FROM resume_codes WHERE session_id = ?", (session_id,))
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return removed

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _body(ticket: Ticket) -> str:
    body = ticket.to_json()
    body.pop("related_tickets", None)  # always read fresh: another ticket may have been opened since
    return json.dumps(body, ensure_ascii=False)
