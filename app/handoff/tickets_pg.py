"""``TicketStore`` on the shared PostgreSQL database: the same rules as ``SqliteTicketStore``
(``ticket_states.py``), with each read-change-write of a ticket under the row's lock
(``SELECT ... FOR UPDATE``), so two agents on two replicas, or an agent and the customer,
never overwrite each other's change."""

from __future__ import annotations

from collections.abc import Callable

from app.core.database import Database
from app.handoff.ticket_states import STATUSES, TicketStateError, status_of
from app.handoff.tickets import (
    _PRIORITY_RANK,
    RESUME_GROUPS,
    SqliteTicketStore,
    Ticket,
    TicketNotFoundError,
    _code_hash,
    _now,
    new_resume_code,
    normalise_resume_code,
)


class PostgresTicketStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    # -- writing ------------------------------------------------------------------------
    def create(self, ticket: Ticket) -> Ticket:
        from psycopg.types.json import Jsonb

        ticket.updated_at = ticket.updated_at or ticket.created_at
        ticket.status = status_of(ticket.state)
        if not ticket.events:
            ticket.events.append({"at": ticket.created_at, "event": "created", "by": "beacon", "state": ticket.state})
        self.database.execute(
            "INSERT INTO tickets (ticket_id, created_at, updated_at, session_id, status, reason, category, priority, "
            "body, state, assigned_to) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (ticket.ticket_id, ticket.created_at, ticket.updated_at, ticket.session_id, ticket.status, ticket.reason,
             ticket.category, ticket.priority, Jsonb(_body(ticket)), ticket.state, ticket.assigned_to))
        return self._with_related([ticket])[0]

    def _modify(self, ticket_id: str, change: Callable[[Ticket, str], object]) -> tuple[Ticket, object]:
        from psycopg.types.json import Jsonb

        # In a turn, no savepoint: ``change`` raises (a resolved ticket) before anything is written.
        with self.database.transaction(savepoint=False) as conn:
            row = conn.execute("SELECT body FROM tickets WHERE ticket_id = %s FOR UPDATE", (ticket_id,)).fetchone()
            if row is None:
                raise _not_found(ticket_id)
            ticket = Ticket.from_json(row[0])
            now = _now()
            result = change(ticket, now)
            ticket.updated_at = now
            ticket.status = status_of(ticket.state)
            conn.execute("UPDATE tickets SET status = %s, updated_at = %s, priority = %s, category = %s, state = %s, "
                         "assigned_to = %s, body = %s WHERE ticket_id = %s",
                         (ticket.status, now, ticket.priority, ticket.category, ticket.state, ticket.assigned_to,
                          Jsonb(_body(ticket)), ticket_id))
        return self._with_related([ticket])[0], result

    # The state rules are the SQLite store's own: only the storage differs.
    set_status = SqliteTicketStore.set_status
    assign = SqliteTicketStore.assign
    add_agent_message = SqliteTicketStore.add_agent_message
    add_customer_turn = SqliteTicketStore.add_customer_turn
    delete_session = SqliteTicketStore.delete_session

    # -- reading ------------------------------------------------------------------------
    def _read(self, ticket_id: str) -> Ticket:
        rows = self.database.execute("SELECT body FROM tickets WHERE ticket_id = %s", (ticket_id,))
        if not rows:
            raise _not_found(ticket_id)
        return Ticket.from_json(rows[0][0])

    def get(self, ticket_id: str) -> Ticket:
        return self._with_related([self._read(ticket_id)])[0]

    def list(self, status: str | None = None, priority: str | None = None, category: str | None = None,
             limit: int = 100, session_id: str | None = None, state: str | None = None,
             assigned_to: str | None = None) -> list[Ticket]:
        clauses, values = [], []
        for column, value in (("status", status), ("priority", priority), ("category", category),
                              ("session_id", session_id), ("state", state), ("assigned_to", assigned_to)):
            if value:
                clauses.append(f"{column} = %s")
                values.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.database.execute(f"SELECT body FROM tickets {where} ORDER BY {_PRIORITY_RANK}, created_at DESC "
                                     "LIMIT %s", (*values, int(limit)))
        return self._with_related([Ticket.from_json(row[0]) for row in rows])

    def open_for_session(self, session_id: str) -> Ticket | None:
        rows = self.database.execute("SELECT body FROM tickets WHERE session_id = %s AND status = 'open' "
                                     "ORDER BY created_at DESC LIMIT 1", (session_id,))
        return Ticket.from_json(rows[0][0]) if rows else None

    def agent_messages(self, session_id: str) -> list[dict]:
        rows = self.database.execute("SELECT body FROM tickets WHERE session_id = %s ORDER BY created_at",
                                     (session_id,))
        found = []
        for row in rows:
            ticket = Ticket.from_json(row[0])
            found += [{**entry, "ticket_id": ticket.ticket_id} for entry in ticket.agent_messages]
        return sorted(found, key=lambda entry: entry["at"])

    def sessions_with_tickets(self, since: str = "", until: str | None = None) -> set[str]:
        query = "SELECT DISTINCT session_id FROM tickets WHERE created_at >= %s"
        values: list[str] = [since]
        if until:
            query += " AND created_at < %s"
            values.append(until)
        return {row[0] for row in self.database.execute(query, values)}

    def _with_related(self, tickets: list[Ticket]) -> list[Ticket]:
        sessions = sorted({t.session_id for t in tickets})
        if not sessions:
            return tickets
        rows = self.database.execute(
            "SELECT ticket_id, session_id, created_at, state, priority, category FROM tickets "
            "WHERE session_id = ANY(%s) ORDER BY created_at", (sessions,))
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
        code = new_resume_code()
        self.database.execute("INSERT INTO resume_codes VALUES (%s, %s, %s)", (_code_hash(code), session_id, _now()))
        return code

    def session_for_resume_code(self, code: str) -> str | None:
        if len(normalise_resume_code(code)) != RESUME_GROUPS * 5 - 1:
            return None
        rows = self.database.execute("SELECT session_id FROM resume_codes WHERE code_hash = %s", (_code_hash(code),))
        return rows[0][0] if rows else None

    # -- erasure ------------------------------------------------------------------------
    def delete_sessions(self, session_ids: list[str]) -> int:
        if not session_ids:
            return 0
        with self.database.transaction() as conn:
            removed = conn.execute("DELETE FROM tickets WHERE session_id = ANY(%s)", (list(session_ids),)).rowcount
            conn.execute("DELETE FROM resume_codes WHERE session_id = ANY(%s)", (list(session_ids),))
        return removed

    def close(self) -> None:
        """The pool is the process's and outlives this store."""


def _not_found(ticket_id: str) -> TicketNotFoundError:
    return TicketNotFoundError(f"no handoff ticket {ticket_id!r} — list tickets to find its id")


def _body(ticket: Ticket) -> dict:
    body = ticket.to_json()
    body.pop("related_tickets", None)  # always read fresh: another ticket may have been opened since
    return body


__all__ = ["PostgresTicketStore", "STATUSES", "TicketStateError"]
