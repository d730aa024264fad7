"""Conversation state shared by replicas: placeholders mean the same value on every replica, the
vault is encrypted in the database, a conversation's turns never interleave, erasure removes it."""

from __future__ import annotations

import threading
import time

import pytest

from app.chain.sessions import Turn
from app.chain.sessions_pg import PostgresSessionStore
from app.core.database import Database
from guardrails.pii import PiiVault
from tests.conftest import VAULT_KEY

pytestmark = pytest.mark.postgres


@pytest.fixture
def replicas(database_url):
    """Two replicas' session stores, each with its own pools, on one database."""
    made = []
    for _ in range(2):
        stores, locks = Database(database_url, 4).open(), Database(database_url, 4).open()
        made.append(PostgresSessionStore(stores, locks, VAULT_KEY, PiiVault))
    yield made
    for store in made:
        store.database.close()
        store.locks.close()


def test_a_placeholder_means_one_value_on_every_replica(replicas):
    a, b = replicas
    with a.hold("s1") as (session, created):
        assert created and session.vault is not None
        assert session.vault.placeholder_for("EMAIL_ADDRESS", "dana@example.org") == "<EMAIL_ADDRESS_1>"
        session.turns.append(Turn("I am <EMAIL_ADDRESS_1>", "I am <EMAIL_ADDRESS_1>", "UK", "Hello", "answer"))
        session.region = "UK"
    with b.hold("s1") as (session, created):
        assert not created and session.region == "UK" and session.turns[0].question == "I am <EMAIL_ADDRESS_1>"
        assert session.vault.placeholder_for("EMAIL_ADDRESS", "DANA@example.org") == "<EMAIL_ADDRESS_1>"
        assert session.vault.placeholder_for("EMAIL_ADDRESS", "other@example.org") == "<EMAIL_ADDRESS_2>"
    assert a.peek("s1").vault.restore("<EMAIL_ADDRESS_2>") == "other@example.org"
    stored = str(a.database.execute("SELECT * FROM session_state"))
    assert "example.org" not in stored and "dana" not in stored.lower()


def test_two_turns_of_one_conversation_on_two_replicas_run_one_after_the_other(replicas):
    a, b = replicas
    order: list[str] = []

    def turn(store, name: str, pause: float) -> None:
        with store.hold("s1") as (session, _):
            order.append(f"{name} in")
            number = session.vault.placeholder_for("PERSON", f"Person {name}")
            time.sleep(pause)
            session.turns.append(Turn(number, number, None))
            order.append(f"{name} out")

    first = threading.Thread(target=turn, args=(a, "a", 0.3))
    first.start()
    time.sleep(0.1)
    second = threading.Thread(target=turn, args=(b, "b", 0))
    second.start()
    first.join()
    second.join()
    assert order == ["a in", "a out", "b in", "b out"]
    assert [t.question for t in a.peek("s1").turns] == ["<PERSON_1>", "<PERSON_2>"]


def test_a_killed_holder_frees_the_conversation(replicas, database_url):
    """A replica that dies mid-turn: its connection goes, and with it the lock."""
    import psycopg

    dying = psycopg.connect(database_url, autocommit=False)
    dying.execute("INSERT INTO session_state (session_id, state) VALUES ('s1', '{}') ON CONFLICT DO NOTHING")
    dying.execute("SELECT 1 FROM session_state WHERE session_id = 's1' FOR UPDATE")
    dying.close()  # what the kernel does to the sockets of a killed process
    started = time.monotonic()
    with replicas[0].hold("s1") as (session, _):
        session.region = "EU"
    assert time.monotonic() - started < 2 and replicas[1].peek("s1").region == "EU"


def test_forget_removes_the_state_and_its_vault(replicas):
    a, b = replicas
    with a.hold("gone") as (session, _):
        session.vault.placeholder_for("PERSON", "Dana Quill")
    assert b.forget("gone") and a.peek("gone") is None and not b.forget("gone")


def test_a_new_conversation_started_on_two_replicas_at_once_is_created_once(replicas):
    a, b = replicas
    entered, results = threading.Event(), {}

    def second() -> None:
        entered.wait(5)
        with b.hold("fresh") as (session, created):
            results["b"] = (created, session.region)

    thread = threading.Thread(target=second)
    thread.start()
    with a.hold("fresh") as (session, created):
        results["a"] = created
        entered.set()
        time.sleep(0.3)  # b's insert now waits for this transaction
        session.region = "EU"
    thread.join(10)
    assert results["a"] is True
    assert results["b"] == (False, "EU")  # b waited, then read what a wrote back
    assert a.database.execute("SELECT count(*) FROM session_state WHERE session_id = 'fresh'")[0][0] == 1


def test_rate_limit_counters_skip_the_write_ahead_log(replicas):
    rows = dict(replicas[0].database.execute(
        "SELECT relname, relpersistence FROM pg_class WHERE relname IN ('rate_buckets', 'daily_counts', 'turns')"))
    assert rows == {"rate_buckets": "u", "daily_counts": "u", "turns": "p"}
