"""The values behind a handed-over conversation's placeholders, encrypted at rest.

Only with ``BEACON_VAULT_KEY`` set, and only for conversations that reached a person: a
contained conversation's values never leave memory. Each value is encrypted on its own with
Fernet (AES-128-CBC and HMAC-SHA256, from ``cryptography``); the placeholder and its type
are stored beside it in the clear, because they are what the ticket already shows. Several
comma-separated keys rotate: the first encrypts, every one decrypts.

Erasure deletes the rows (secure_delete, then the write-ahead log is truncated), so a value
goes with its conversation even for someone who holds the key.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from app.core.errors import ConfigError, ConflictError
from app.core.private_files import private_file
from app.core.settings import MAKE_A_VAULT_KEY

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sealed_values (
    session_id TEXT NOT NULL,
    placeholder TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    token BLOB NOT NULL,
    sealed_at TEXT NOT NULL,
    PRIMARY KEY (session_id, placeholder)
);
"""


class SealedValueError(ConflictError):
    """A value cannot be unsealed with the configured keys."""


def fernet_for(keys: str):
    """A MultiFernet over the comma-separated keys; a malformed key is a ConfigError with the fix."""
    from cryptography.fernet import Fernet, MultiFernet

    parts = [part.strip() for part in keys.split(",") if part.strip()]
    if not parts:
        raise ConfigError(f"BEACON_VAULT_KEY is empty: make a key with {MAKE_A_VAULT_KEY}, or unset it")
    fernets = []
    for number, part in enumerate(parts, start=1):
        try:
            fernets.append(Fernet(part.encode()))
        except (ValueError, TypeError):
            raise ConfigError(f"BEACON_VAULT_KEY: key {number} is not a Fernet key (32 url-safe base64-encoded "
                              f"bytes). Make one with {MAKE_A_VAULT_KEY}") from None
    return MultiFernet(fernets)


class SealedValues:
    """``keys`` None opens the file for erasure only: values sealed while a key was set still
    go with their conversation after the key is removed."""

    def __init__(self, path: Path, keys: str | None) -> None:
        self.path = Path(path)
        self._fernet = fernet_for(keys) if keys is not None else None
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            private_file(self.path)
            connection = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA secure_delete=ON")
            connection.executescript(_SCHEMA)
            self._connection = connection
        return self._connection

    def seal(self, session_id: str, entries: list[tuple[str, str, str]], now: str) -> int:
        """Store (placeholder, entity type, value) entries not stored yet; returns how many were new."""
        if self._fernet is None:
            raise ConfigError(f"BEACON_VAULT_KEY is not set, so no value is kept: make a key with {MAKE_A_VAULT_KEY}")
        with self._lock:
            db = self._db()
            known = {row[0] for row in db.execute("SELECT placeholder FROM sealed_values WHERE session_id = ?",
                                                  (session_id,))}
            fresh = [(placeholder, kind, value) for placeholder, kind, value in entries if placeholder not in known]
            with db:
                db.executemany("INSERT INTO sealed_values VALUES (?, ?, ?, ?, ?)",
                               [(session_id, placeholder, kind, self._fernet.encrypt(value.encode("utf-8")), now)
                                for placeholder, kind, value in fresh])
        return len(fresh)

    def placeholders(self, session_id: str) -> list[str]:
        with self._lock:
            return [row[0] for row in self._db().execute(
                "SELECT placeholder FROM sealed_values WHERE session_id = ? ORDER BY rowid", (session_id,))]

    def unseal(self, session_id: str, placeholder: str) -> str | None:
        """One value, or None when it is not kept."""
        with self._lock:
            row = self._db().execute("SELECT token FROM sealed_values WHERE session_id = ? AND placeholder = ?",
                                     (session_id, placeholder)).fetchone()
        return None if row is None else self._decrypt(row[0])

    def entries(self, session_id: str) -> list[tuple[str, str, str]]:
        """Every (placeholder, entity type, value) of the conversation, to rebuild its vault."""
        with self._lock:
            rows = self._db().execute("SELECT placeholder, entity_type, token FROM sealed_values "
                                      "WHERE session_id = ? ORDER BY rowid", (session_id,)).fetchall()
        return [(placeholder, kind, self._decrypt(token)) for placeholder, kind, token in rows]

    def _decrypt(self, token: bytes) -> str:
        from cryptography.fernet import InvalidToken

        if self._fernet is None:
            raise SealedValueError("BEACON_VAULT_KEY is not set: set the key the values were sealed with and restart")
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken:
            raise SealedValueError("this value was sealed with a key that is no longer configured: put the old key "
                                   "after the new one in BEACON_VAULT_KEY (comma-separated) and restart") from None

    def delete_sessions(self, session_ids: list[str]) -> int:
        if self._connection is None and not self.path.exists():
            return 0
        with self._lock:
            db = self._db()
            with db:
                removed = sum(db.execute("DELETE FROM sealed_values WHERE session_id = ?", (s,)).rowcount
                              for s in session_ids)
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return removed

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __repr__(self) -> str:
        return f"SealedValues({self.path})"
