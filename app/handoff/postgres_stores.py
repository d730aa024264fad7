"""The desk's smaller stores on the shared PostgreSQL database: the encrypted values
(``sealed_values.py``), the reveal audit (``reveal_audit.py``) and the decision log
(``decision_log.py``). Same behaviour as their file-backed classes; only where the rows live
differs. The values are encrypted here with the operator's key before they reach the database."""

from __future__ import annotations

from datetime import datetime, timezone

from app.core.database import Database
from app.core.errors import ConfigError
from app.core.settings import MAKE_A_VAULT_KEY
from app.handoff.reveal_audit import COLUMNS
from app.handoff.sealed_values import SealedValues, fernet_for


class PostgresSealedValues(SealedValues):
    def __init__(self, database: Database, keys: str | None) -> None:
        self.database = database
        self.path = None
        self._fernet = fernet_for(keys) if keys is not None else None

    def seal(self, session_id: str, entries: list[tuple[str, str, str]], now: str) -> int:
        if self._fernet is None:
            raise ConfigError(f"BEACON_VAULT_KEY is not set, so no value is kept: make a key with {MAKE_A_VAULT_KEY}")
        if not entries:
            return 0
        with self.database.transaction(savepoint=False) as conn:  # in a turn: nothing raised after a write
            known = {row[0] for row in conn.execute("SELECT placeholder FROM sealed_values WHERE session_id = %s",
                                                    (session_id,))}
            fresh = [(placeholder, kind, value) for placeholder, kind, value in entries if placeholder not in known]
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO sealed_values (session_id, placeholder, entity_type, token, sealed_at) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    [(session_id, placeholder, kind, self._fernet.encrypt(value.encode("utf-8")), now)
                     for placeholder, kind, value in fresh])
        return len(fresh)

    def placeholders(self, session_id: str) -> list[str]:
        return [row[0] for row in self.database.execute(
            "SELECT placeholder FROM sealed_values WHERE session_id = %s ORDER BY seq", (session_id,))]

    def unseal(self, session_id: str, placeholder: str) -> str | None:
        rows = self.database.execute("SELECT token FROM sealed_values WHERE session_id = %s AND placeholder = %s",
                                     (session_id, placeholder))
        return None if not rows else self._decrypt(bytes(rows[0][0]))

    def entries(self, session_id: str) -> list[tuple[str, str, str]]:
        rows = self.database.execute("SELECT placeholder, entity_type, token FROM sealed_values "
                                     "WHERE session_id = %s ORDER BY seq", (session_id,))
        return [(placeholder, kind, self._decrypt(bytes(token))) for placeholder, kind, token in rows]

    def delete_sessions(self, session_ids: list[str]) -> int:
        if not session_ids:
            return 0
        with self.database.connection() as conn:
            return conn.execute("DELETE FROM sealed_values WHERE session_id = ANY(%s)", (list(session_ids),)).rowcount

    def close(self) -> None:
        """The pool is the process's."""

    def __repr__(self) -> str:
        return "PostgresSealedValues()"


class PostgresRevealAudit:
    def __init__(self, database: Database) -> None:
        self.database = database

    def record(self, at: str, revealed_by: str, ticket_id: str, placeholder: str, entity_type: str,
               assigned_to: str | None) -> dict:
        rows = self.database.execute(
            "INSERT INTO reveals (at, revealed_by, ticket_id, placeholder, entity_type, assigned_to) "
            "VALUES (%s, %s, %s, %s, %s, %s) RETURNING reveal_id",
            (at, revealed_by, ticket_id, placeholder, entity_type, assigned_to))
        return dict(zip(COLUMNS, (rows[0][0], at, revealed_by, ticket_id, placeholder, entity_type, assigned_to)))

    def entries(self, ticket_id: str | None = None, revealed_by: str | None = None, limit: int = 200) -> list[dict]:
        clauses, values = [], []
        for column, value in (("ticket_id", ticket_id), ("revealed_by", revealed_by)):
            if value:
                clauses.append(f"{column} = %s")
                values.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.database.execute(f"SELECT {', '.join(COLUMNS)} FROM reveals {where} "
                                     "ORDER BY reveal_id DESC LIMIT %s", (*values, int(limit)))
        return [dict(zip(COLUMNS, row)) for row in rows]

    def forget_before(self, before: str) -> int:
        with self.database.connection() as conn:
            return conn.execute("DELETE FROM reveals WHERE at < %s", (before,)).rowcount

    def close(self) -> None:
        """The pool is the process's."""


class PostgresDecisionLog:
    """The decision log as rows: one per decision, the same JSON entry the file log writes."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.path = None

    def record(self, session_id: str, redacted_question: str, decision: dict, confidence: float,
               ticket_id: str | None, flags: list[str]) -> None:
        from psycopg.types.json import Jsonb

        at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        entry = {"at": at, "session_id": session_id, "question": redacted_question, **decision,
                 "confidence": round(confidence, 4), "ticket_id": ticket_id, "flags": flags}
        self.database.execute("INSERT INTO decisions (at, session_id, entry) VALUES (%s, %s, %s)",
                              (at, session_id, Jsonb(entry)))

    def forget(self, session_ids: set[str], before: str | None = None) -> int:
        with self.database.connection() as conn:
            removed = conn.execute("DELETE FROM decisions WHERE session_id = ANY(%s)", (list(session_ids),)).rowcount
            if before:
                removed += conn.execute("DELETE FROM decisions WHERE at < %s", (before,)).rowcount
        return removed

    def read(self) -> list[dict]:
        return [row[0] for row in self.database.execute("SELECT entry FROM decisions ORDER BY decision_id")]
