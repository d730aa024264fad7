"""The shared PostgreSQL database of a deployment with several ``beacon serve`` replicas
(``BEACON_DATABASE_URL``): one connection pool per process, the schema migrations, and the
locks and leases that make a piece of work run once across replicas.

psycopg 3 with plain SQL. The migrations are numbered SQL files in ``app/core/migrations/``,
applied at start inside one transaction that holds a transaction-level advisory lock, so
replicas starting at once apply each migration exactly once (the others wait, then find it
recorded in ``schema_version``). A database written by a newer Beacon is refused.

Every store reaches the pool through ``database_for(url)``: one pool per URL per process.

A turn is one transaction: the conversation's row lock is taken on a connection of the ``locks``
pool (``app/chain/sessions_pg.py``), and every statement the stores make during the turn (the
turn row, the decision, the ticket, the sealed values) runs on that same connection, inside that
transaction. So a turn costs one commit and one flush of the write-ahead log, its writes land
together or not at all, and a read in the turn sees the turn's own writes (a ticket row the turn
locked is never waited for by the same turn on another connection). The connection is found
through a context variable set by ``Database.turn`` rather than passed down: the store protocols
it would cross are shared with the SQLite and file stores, which have nothing to join. Work that
must not ride on a turn (locks across replicas, leases, the keyword index) says so
(``joins_turn=False``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import socket
import threading
from contextvars import ContextVar
from importlib import resources
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

from app.core.errors import ConfigError, UnavailableError

log = logging.getLogger(__name__)
MIGRATION_LOCK = 0x6265_6163  # "beac": the advisory lock key every replica takes to migrate
# (database URL, connection) of the turn this thread or task is in, if any (``Database.turn``).
_turn: ContextVar[tuple[str, object] | None] = ContextVar("beacon_turn", default=None)
_MIGRATION_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
CHECK_DATABASE = ("check that PostgreSQL is running and reachable from this host (pg_isready -d URL), that the "
                  "user, password and database in BEACON_DATABASE_URL are right, and that the database exists "
                  "(createdb NAME)")


class DatabaseUnavailableError(UnavailableError):
    """The shared database cannot be reached; the message names the URL (without its password)."""


def safe_url(url: str) -> str:
    """The URL with its password replaced, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def is_database_url(text: str | None) -> bool:
    return bool(text) and str(text).startswith(("postgresql://", "postgres://"))


def replica_name() -> str:
    """Who holds a lease or a lock, as people read it in the database: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every migration shipped, in order."""
    found = []
    for entry in resources.files("app.core.migrations").iterdir():
        match = _MIGRATION_FILE.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class Database:
    """A connection pool on one PostgreSQL database, with the schema migrated."""

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.pool_size = pool_size
        self._pool = None
        self._lock = threading.Lock()

    def open(self) -> Database:
        with self._lock:
            if self._pool is None:
                self.migrate()
                from psycopg_pool import ConnectionPool

                self._pool = ConnectionPool(self.url, min_size=min(2, self.pool_size), max_size=self.pool_size,
                                            kwargs={"autocommit": True}, open=True, name="beacon", timeout=30)
        return self

    def migrate(self) -> list[int]:
        """Apply the migrations this database lacks; returns the versions applied now."""
        import psycopg

        shipped = migrations()
        newest = shipped[-1][0] if shipped else 0
        try:
            with psycopg.connect(self.url, connect_timeout=10) as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, "
                             "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), "
                             "applied_by text NOT NULL)")
                applied = {row[0] for row in conn.execute("SELECT version FROM schema_version")}
                if applied and max(applied) > newest:
                    raise ConfigError(
                        f"the database at {safe_url(self.url)} was migrated by a newer Beacon (schema "
                        f"{max(applied)}, this one knows {newest}): upgrade this replica, or point "
                        "BEACON_DATABASE_URL at another database")
                done = []
                for version, name, sql in shipped:
                    if version in applied:
                        continue
                    conn.execute(sql)
                    conn.execute("INSERT INTO schema_version (version, name, applied_by) VALUES (%s, %s, %s)",
                                 (version, name, replica_name()))
                    done.append(version)
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailableError(
                f"cannot connect to PostgreSQL at {safe_url(self.url)} ({_first_line(exc)}): {CHECK_DATABASE}"
            ) from None
        if done:
            log.info("database %s: applied migrations %s", safe_url(self.url), done)
        return done

    @contextlib.contextmanager
    def connection(self, joins_turn: bool = True) -> Iterator:
        """A pooled connection in autocommit mode; wrap writes in ``conn.transaction()``. Inside
        ``turn`` on this database (unless not ``joins_turn``): the turn's connection, in its transaction."""
        joined = _joined_connection(self.url) if joins_turn else None
        if joined is not None:
            yield joined
            return
        import psycopg
        from psycopg_pool import PoolTimeout

        pool = self.open()._pool
        try:
            with pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise DatabaseUnavailableError(
                f"PostgreSQL at {safe_url(self.url)} did not answer ({_first_line(exc)}): {CHECK_DATABASE}"
            ) from None

    def execute(self, sql: str, params=None, joins_turn: bool = True) -> list[tuple]:
        """One statement on a pooled connection (or the turn's, see ``connection``); the rows it
        returns (none for a plain write)."""
        with self.connection(joins_turn) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description is not None else []

    @contextlib.contextmanager
    def transaction(self, joins_turn: bool = True, savepoint: bool = True) -> Iterator:
        """A transaction; inside a turn, a savepoint in the turn's (an error in the block undoes the
        block alone), or with ``savepoint=False`` the turn's transaction itself: two statements
        fewer, for a block that raises nothing after its first write (a database error fails the turn)."""
        with self.connection(joins_turn) as conn:
            if conn is _joined_connection(self.url) and not savepoint:
                yield conn
                return
            with conn.transaction():
                yield conn

    @contextlib.contextmanager
    def turn(self, conn) -> Iterator[None]:
        """For the block, the statements on this database in this thread or task run on ``conn``
        (a connection in a transaction, from any pool on the same database) and commit or roll
        back with it."""
        token = _turn.set((self.url, conn))
        try:
            yield
        finally:
            _turn.reset(token)

    # -- work done once across replicas ------------------------------------------------------
    def take_lease(self, name: str, seconds: float) -> bool:
        """True when this replica holds ``name`` for the next ``seconds`` (it was free or expired).
        A lease outlives its holder on purpose: the daily retention sweep taken by one replica is
        not run again by another until the lease ends."""
        rows = self.execute(
            "INSERT INTO leases (name, holder, until) VALUES (%s, %s, now() + make_interval(secs => %s)) "
            "ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until "
            "WHERE leases.until < now() OR leases.holder = EXCLUDED.holder RETURNING holder",
            (name, replica_name(), seconds), joins_turn=False)
        return bool(rows)

    @contextlib.contextmanager
    def exclusive(self, name: str, what: str) -> Iterator[None]:
        """Hold the session-level advisory lock ``name`` for the block, or raise ``LockedError``
        at once when another replica holds it. The lock is held on its own connection and goes
        when that connection does: a replica killed mid-way frees it."""
        key = _lock_key(name)
        with self.connection(joins_turn=False) as conn:
            if not conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]:
                raise LockedError(f"{what} is running on another replica: wait for it to finish, then try again")
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (key,))

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None


class LockedError(UnavailableError):
    """Another replica holds the lock for this work."""


def _joined_connection(url: str):
    turn = _turn.get()
    return turn[1] if turn is not None and turn[0] == url else None


def _lock_key(name: str) -> int:
    import hashlib

    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


_databases: dict[tuple[str, str], Database] = {}
_registry_lock = threading.Lock()


def database_for(url: str, pool_size: int = 10, purpose: str = "stores") -> Database:
    """The process's one pool on ``url`` for ``purpose``, opened (and migrated) on first use.
    ``locks`` is the pool that holds conversations during turns, apart from the stores' pool so
    that turns waiting for a conversation never take the connections the stores need."""
    with _registry_lock:
        database = _databases.get((url, purpose))
        if database is None:
            database = _databases[(url, purpose)] = Database(url, pool_size)
    return database.open()


def close_databases() -> None:
    with _registry_lock:
        for database in _databases.values():
            database.close()
        _databases.clear()
