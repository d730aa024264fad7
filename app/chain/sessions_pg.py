"""Conversation state shared by every replica, in PostgreSQL: any replica can serve any turn.

One row per conversation: the recent turns (redacted), the region, the open ticket, and the
PII vault encrypted with the operator's key (Fernet, ``BEACON_VAULT_KEY``), so ``<EMAIL_ADDRESS_1>``
means the same value whichever replica reads it, and the database never holds a customer's
value in the clear.

A turn holds its conversation's row lock from reading the state to writing it back
(``hold``): two messages of one conversation sent to two replicas at once are answered one
after the other, and neither numbers a new value over the other's. The turn's writes to the
other stores run in the same transaction (``Database.turn``). The lock lives on its own
pooled connection, apart from the pool the stores use, so turns waiting for it never starve
the stores; and it goes with that connection, so a replica killed mid-turn frees it at once.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict
from typing import Callable, Iterator

from app.chain.sessions import Session, Turn
from app.core.database import Database
from app.handoff.sealed_values import fernet_for

# The rewriter reads the last turn; a new ticket's transcript starts at most this far back, as it
# does after a restart of one replica (``HandoffDesk.restore_session`` keeps 10). More would be read
# and written back on every turn: 50 turns made the row about 75 KB.
MAX_STORED_TURNS = 10
_UNCHANGED = object()
_LOCK_STATE = "SELECT state, vault FROM session_state WHERE session_id = %s FOR UPDATE"


class PostgresSessionStore:
    def __init__(self, database: Database, locks: Database, keys: str, vault_factory: Callable) -> None:
        self.database = database
        self.locks = locks
        self._fernet = fernet_for(keys)
        self._vault_factory = vault_factory

    # -- the wire format -------------------------------------------------------------------
    def _encode(self, session: Session, vault: bool = True) -> tuple[dict, bytes | None]:
        """The state as jsonb, and the vault sealed (``_UNCHANGED`` when ``vault`` is False)."""
        from psycopg.types.json import Jsonb

        state = {"turns": [asdict(t) for t in session.turns[-MAX_STORED_TURNS:]], "region": session.region,
                 "ticket_id": session.ticket_id}
        if not vault:
            return Jsonb(state), _UNCHANGED
        sealed = None
        if session.vault is not None and len(session.vault):
            sealed = self._fernet.encrypt(json.dumps(session.vault.entries()).encode("utf-8"))
        return Jsonb(state), sealed

    def _decode(self, session_id: str, state: dict, vault: bytes | None) -> Session:
        session = Session(session_id, turns=[Turn(**t) for t in state.get("turns", [])], region=state.get("region"),
                          ticket_id=state.get("ticket_id"))
        session.vault = self._vault_factory()
        if vault:
            for placeholder, kind, value in json.loads(self._fernet.decrypt(bytes(vault))):
                session.vault.adopt(placeholder, kind, value)
        return session

    # -- the SessionStore interface --------------------------------------------------------
    @contextlib.contextmanager
    def hold(self, session_id: str) -> Iterator[tuple[Session, bool]]:
        # The turn's writes to the other stores join this transaction (``Database.turn``): one
        # commit a turn, and the state, the turn row and the decision are stored together or not at all.
        with self.locks.transaction(joins_turn=False) as conn, self.database.turn(conn):
            # A read with a row lock, not a write: the state is written back once, at the end of the
            # turn (an insert-or-touch here made two row versions per turn). A conversation's first
            # turn inserts the row; of two replicas inserting at once, one waits for the other's lock.
            created = False
            row = conn.execute(_LOCK_STATE, (session_id,)).fetchone()
            if row is None:
                created = conn.execute("INSERT INTO session_state (session_id, state) VALUES (%s, '{}') "
                                       "ON CONFLICT (session_id) DO NOTHING", (session_id,)).rowcount == 1
                row = conn.execute(_LOCK_STATE, (session_id,)).fetchone()
            state, vault = row
            session = self._decode(session_id, state, vault)
            values = len(session.vault)
            yield session, bool(created)
            encoded, sealed = self._encode(session, vault=len(session.vault) != values)
            if sealed is _UNCHANGED:  # most turns bring no new value: the sealed vault stays as it is
                conn.execute("UPDATE session_state SET state = %s, touched_at = now() WHERE session_id = %s",
                             (encoded, session_id))
            else:
                conn.execute("UPDATE session_state SET state = %s, vault = %s, touched_at = now() "
                             "WHERE session_id = %s", (encoded, sealed, session_id))

    def get(self, session_id: str) -> tuple[Session, bool]:
        found = self.peek(session_id)
        return (found, False) if found is not None else (Session(session_id), True)

    def peek(self, session_id: str) -> Session | None:
        rows = self.database.execute("SELECT state, vault FROM session_state WHERE session_id = %s", (session_id,))
        return self._decode(session_id, *rows[0]) if rows else None

    def save(self, session: Session) -> None:
        encoded, sealed = self._encode(session)
        self.database.execute(
            "INSERT INTO session_state (session_id, state, vault) VALUES (%s, %s, %s) ON CONFLICT (session_id) "
            "DO UPDATE SET state = EXCLUDED.state, vault = EXCLUDED.vault, touched_at = now()",
            (session.session_id, encoded, sealed))

    def forget(self, session_id: str) -> bool:
        """Erasure: the conversation's state and its encrypted vault go from the database."""
        return bool(self.database.execute("DELETE FROM session_state WHERE session_id = %s RETURNING 1",
                                          (session_id,)))

    def forget_untouched(self, days: int) -> int:
        """Retention of state whose conversation never stored a turn (a refused first message)."""
        with self.database.connection() as conn:
            return conn.execute("DELETE FROM session_state WHERE touched_at < now() - make_interval(days => %s)",
                                (days,)).rowcount
