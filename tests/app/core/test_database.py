"""The shared database: migrations once across replicas starting together, a newer schema
refused, an unreachable database named with the fix, leases and locks that make work run once."""

from __future__ import annotations

import threading

import pytest

from app.core.database import Database, DatabaseUnavailableError, LockedError, database_for, migrations, safe_url
from app.core.errors import ConfigError

pytestmark = pytest.mark.postgres


def test_replicas_starting_at_once_apply_each_migration_once(database_url):
    replicas = [Database(database_url, 2) for _ in range(4)]
    applied: list[list[int]] = []
    errors: list[BaseException] = []

    def start(replica: Database) -> None:
        try:
            applied.append(replica.migrate())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(r,)) for r in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    shipped = [version for version, _, _ in migrations()]
    assert sorted(v for versions in applied for v in versions) == shipped  # each once, by one of them
    rows = replicas[0].open().execute("SELECT version FROM schema_version ORDER BY version")
    assert [r[0] for r in rows] == shipped
    replicas[0].close()


def test_a_database_of_a_newer_beacon_is_refused(database):
    database.execute("INSERT INTO schema_version (version, name, applied_by) VALUES (9999, 'future.sql', 'x')")
    with pytest.raises(ConfigError, match="migrated by a newer Beacon .*upgrade this replica"):
        Database(database.url).migrate()


def test_an_unreachable_database_is_named_without_its_password_with_what_to_check():
    url = "postgresql://beacon:s3cret-pass@127.0.0.1:9/beacon"
    with pytest.raises(DatabaseUnavailableError) as raised:
        Database(url).migrate()
    message = str(raised.value)
    assert "s3cret-pass" not in message and safe_url(url) in message and "pg_isready" in message


def test_a_lease_is_taken_by_one_replica_only(database, monkeypatch):
    import app.core.database as module

    assert database.take_lease("retention", 60)
    monkeypatch.setattr(module, "replica_name", lambda: "other-host:1")
    assert not database.take_lease("retention", 60)
    database.execute("UPDATE leases SET until = now() - interval '1 second'")
    assert database.take_lease("retention", 60)  # an expired lease is free again


def test_an_exclusive_lock_refuses_a_second_holder_and_frees_on_exit(database, database_url):
    other = Database(database_url, 2).open()
    with database.exclusive("ingest", "an ingest"):
        with pytest.raises(LockedError, match="an ingest is running on another replica"):
            with other.exclusive("ingest", "an ingest"):
                pass
    with other.exclusive("ingest", "an ingest"):
        pass
    other.close()


def test_statements_in_a_turn_run_in_its_transaction_and_go_with_it(database, database_url):
    database.execute("CREATE TABLE IF NOT EXISTS turn_probe (n integer)")
    database.execute("DELETE FROM turn_probe")
    other = Database(database_url, 2).open()
    locks = database_for(database_url, 2, "test-locks")

    def count(db: Database) -> int:
        return db.execute("SELECT count(*) FROM turn_probe")[0][0]

    with pytest.raises(RuntimeError), locks.transaction() as conn, database.turn(conn):
        database.execute("INSERT INTO turn_probe VALUES (1)")
        with database.transaction(savepoint=False) as inner:
            assert inner is conn
            inner.execute("INSERT INTO turn_probe VALUES (2)")
        assert count(database) == 2  # the turn reads its own writes
        assert database.execute("SELECT count(*) FROM turn_probe", joins_turn=False)[0][0] == 0
        assert count(other) == 2  # another pool on the same database joins the turn too...
        raise RuntimeError("the turn failed")
    assert count(database) == 0  # ...and every write went with the failed turn

    with locks.transaction() as conn, database.turn(conn):
        database.execute("INSERT INTO turn_probe VALUES (3)")
        with pytest.raises(ValueError), database.transaction() as inner:  # a savepoint: undone alone
            inner.execute("INSERT INTO turn_probe VALUES (4)")
            raise ValueError("this block failed")
    assert [r[0] for r in database.execute("SELECT n FROM turn_probe")] == [3]
    other.close()
