"""Two ``BeaconService`` replicas in one process over one database and one Chroma server: what
must happen once across replicas (an ingest, the retention sweep) and what every replica must
see (a new index version, a conversation's turns and placeholders)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from app.core.clock import utc_now
from app.service.beacon_service import BeaconService, ChatRequest
from ingest.errors import KnowledgeDirError
from tests.fakes.kb_factory import faq_markdown, write_kb

pytestmark = pytest.mark.postgres


@pytest.fixture
def replicas(shared_settings, embedder, redactor, tmp_path):
    write_kb(shared_settings.knowledge_dir, documents=3, entries=3)
    made = []
    for name in ("a", "b"):
        settings = shared_settings.model_copy(update={"data_dir": tmp_path / f"replica-{name}"})
        made.append(BeaconService(settings, embedder=embedder, redactor=redactor))
    made[0].reingest()
    return made


def test_a_conversation_moves_between_replicas_with_its_placeholders(replicas):
    a, b = replicas
    first = a.chat(ChatRequest("s1", "My email is dana.quill@example.org. How does cards feature 0-1 work?"))
    assert first.citations and first.pii[0]["placeholder"] == "<EMAIL_ADDRESS_1>"
    second = b.chat(ChatRequest("s1", "dana.quill@example.org or dq@example.com, which one do you have?"))
    assert {p["placeholder"] for p in second.pii} == {"<EMAIL_ADDRESS_1>", "<EMAIL_ADDRESS_2>"}
    assert [t["question"][:11] for t in a.session("s1")["turns"]] == ["My email is", "<EMAIL_ADDR"]


def test_one_ingest_at_a_time_across_replicas(replicas, shared_settings):
    a, b = replicas
    from app.chain.factory import shared_database

    holding, release = threading.Event(), threading.Event()

    def long_ingest() -> None:
        with shared_database(shared_settings).exclusive("ingest", "an ingest"):
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=long_ingest)
    thread.start()
    holding.wait(10)
    try:
        with pytest.raises(KnowledgeDirError, match="another beacon ingest is running on another replica"):
            b.reingest()
    finally:
        release.set()
        thread.join()
    b.reingest()  # free again


def test_every_replica_picks_up_a_new_index_version(replicas, shared_settings):
    a, b = replicas
    assert "staking.md" not in [r["source"] for r in b.search("staking rewards schedule")["results"]]
    (shared_settings.knowledge_dir / "staking.md").write_text(faq_markdown(7, 1).replace(
        "How does account feature 7-0 work?", "What is the staking rewards schedule?"))
    a.reingest()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:  # the other replica swaps the new version in within seconds
        found = [r["source"] for r in b.search("staking rewards schedule")["results"]]
        if "staking.md" in found:
            break
        time.sleep(0.5)
    assert "staking.md" in found
    assert b.chain.retriever.keywords.version == a.chain.retriever.keywords.version


def test_retention_runs_once_across_replicas(replicas, monkeypatch):
    import app.core.database as database

    a, b = replicas
    a.chat(ChatRequest("old", "How does cards feature 0-0 work?"))
    later = utc_now() + timedelta(days=a.settings.retention_days + 1)
    assert a.purge_expired(now=later) == 1
    b.chat(ChatRequest("old-too", "How does cards feature 0-0 work?"))
    monkeypatch.setattr(database, "replica_name", lambda: "replica-b:2")
    assert b.purge_expired(now=later) == 0  # replica A holds today's sweep
    assert b.session("old-too")["turns"]
    assert a.chain.sessions.peek("old") is None and b.conversations.get_session("old") is None


def test_a_turn_is_stored_whole_or_not_at_all(replicas, monkeypatch):
    a, b = replicas
    a.chat(ChatRequest("s3", "How does cards feature 0-1 work?"))

    def lost(turn: dict) -> int:
        raise RuntimeError("the database went away while the turn was stored")

    monkeypatch.setattr(a.conversations, "record_turn", lost)
    with pytest.raises(RuntimeError):
        a.chat(ChatRequest("s3", "My email is dana.quill@example.org. And cards feature 0-2?"))
    # One transaction: neither the decision, nor the new value, nor the turn in the working state.
    assert len(b.session("s3")["turns"]) == 1
    state = b.chain.sessions.peek("s3")
    assert len(state.turns) == 1 and len(state.vault) == 0
    assert [e["session_id"] for e in b.chain.guardrails.log.read()].count("s3") == 1
    monkeypatch.undo()
    again = b.chat(ChatRequest("s3", "My email is dana.quill@example.org. And cards feature 0-2?"))
    assert again.pii[0]["placeholder"] == "<EMAIL_ADDRESS_1>" and len(a.session("s3")["turns"]) == 2
