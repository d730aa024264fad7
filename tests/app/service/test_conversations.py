"""The conversation store on a real SQLite file in tmp_path."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.core.errors import BeaconError, ConfigError
from app.service.conversations import SqliteConversationStore, UnknownSessionError, open_conversation_store
from app.service.insights import normalise_question

DAY1 = datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc)
DAY2 = datetime(2025, 3, 2, 14, 0, tzinfo=timezone.utc)
TABLES = ("sessions", "turns", "feedback")


class Clock:
    """A settable clock: tests place turns and feedback on chosen days."""

    def __init__(self, now: datetime = DAY1) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_turn(session_id: str, question: str = "how do i freeze my card?", action: str = "answer", *,
              confidence: float = 0.9, total_ms: float = 120.0, category: str | None = None,
              reason: str | None = None, **extra) -> dict:
    escalation = None
    if action == "escalate":
        escalation = {"reason": reason, "reasons": [reason], "category": category, "priority": "high",
                      "ticket_id": "T-1"}
    return {
        "session_id": session_id, "question": question, "answer": "Open Cards and tap Freeze [1].",
        "decision": {"action": action, "reasons": [reason] if reason else [], "category": category,
                     "priority": "high" if category else None},
        "escalation": escalation, "confidence": confidence,
        "citations": [{"number": 1, "source": "faq/cards.md", "title": "Cards", "section": "Freeze",
                       "score": 0.81, "chunk_id": "c1", "text": "Freeze your card from the Cards tab."}],
        "flags": ["redacted_pii"], "latency_ms": {"retrieve_ms": 10.5, "total_ms": total_ms},
        "region": "UK", "context": {"region": "UK", "language": "en", "tier": "plus"},
        "generator": "extractive", "channel": "api", **extra,
    }


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path, clock):
    with SqliteConversationStore(tmp_path / "conversations.sqlite3", retention_days=30, clock=clock) as opened:
        yield opened


def rows_for(store, session_id: str) -> dict[str, int]:
    """Rows of the conversation left in each table, read past the store (SQLite or PostgreSQL)."""
    if not isinstance(store, SqliteConversationStore):
        return {t: store.database.execute(f"SELECT COUNT(*) FROM {t} WHERE session_id = %s", (session_id,))[0][0]
                for t in TABLES}
    with sqlite3.connect(store.path) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t} WHERE session_id = ?", (session_id,)).fetchone()[0]
                for t in TABLES}


def test_round_trip_keeps_every_field_and_drops_citation_text(store):
    turn = make_turn("s1", "my name is <PERSON_1>, card blocked")
    turn_id = store.record_turn(turn)
    session = store.get_session("s1")
    assert session["context"] == {"region": "UK", "language": "en", "tier": "plus"}
    assert session["created_at"] == session["updated_at"] == "2025-03-01T09:30:00.000000Z"
    [stored] = session["turns"]
    assert stored["turn_id"] == turn_id and stored["at"] == "2025-03-01T09:30:00.000000Z"
    for key in ("question", "answer", "decision", "escalation", "confidence", "flags", "latency_ms",
                "region", "context", "generator", "channel"):
        assert stored[key] == turn[key], key
    assert stored["citations"] == [{k: v for k, v in turn["citations"][0].items() if k != "text"}]
    if isinstance(store, SqliteConversationStore):  # the passage itself is never kept
        raw = Path(store.path).read_bytes() + Path(f"{store.path}-wal").read_bytes()
        assert b"Freeze your card from the Cards tab" not in raw
    else:
        assert "Freeze your card" not in str(store.database.execute("SELECT citations FROM turns"))


def test_later_turns_update_the_session_and_merge_context(store, clock):
    store.record_turn(make_turn("s1", context={"region": "UK", "language": "en"}))
    clock.now = DAY2
    store.record_turn(make_turn("s1", context={"language": "cy", "tier": None}))
    session = store.get_session("s1")
    assert session["context"] == {"region": "UK", "language": "cy"}
    assert session["updated_at"] > session["created_at"]
    assert [t["turn_id"] for t in session["turns"]] == [1, 2]


def test_unknown_session_reads_as_none(store):
    assert store.get_session("nope") is None


@pytest.mark.parametrize("call", [
    lambda s: s.record_feedback("ghost", "up"),
    lambda s: s.export_session("ghost"),
    lambda s: s.delete_session("ghost"),
])
def test_unknown_session_errors_name_the_session_and_the_fix(store, call):
    with pytest.raises(UnknownSessionError, match="'ghost'.*start a new conversation"):
        call(store)


@pytest.mark.parametrize("turn, message", [
    ({"question": "q", "answer": "a"}, "session_id"),
    ({"session_id": "  ", "question": "q", "answer": "a"}, "session_id"),
    ({"session_id": "s", "answer": "a"}, "question"),
    ({"session_id": "s", "question": "q", "answer": "a", "channel": "fax"}, "channel must be one of api, ui, cli"),
])
def test_bad_turns_are_refused(store, turn, message):
    with pytest.raises(ValueError, match=message):
        store.record_turn(turn)
    assert store.recent_turns() == []


@pytest.mark.parametrize("rating, turn_id, message", [
    ("meh", None, "'up' or 'down'"),
    ("up", 999, "not part of session"),
])
def test_bad_feedback_is_refused(store, rating, turn_id, message):
    store.record_turn(make_turn("s1"))
    with pytest.raises(ValueError, match=message):
        store.record_feedback("s1", rating, turn_id=turn_id)
    assert store.get_session("s1")["feedback"] == []


def test_feedback_is_stored_against_the_turn(store):
    turn_id = store.record_turn(make_turn("s1"))
    feedback_id = store.record_feedback("s1", "down", "did not help", turn_id=turn_id)
    [stored] = store.get_session("s1")["feedback"]
    assert stored == {"feedback_id": feedback_id, "session_id": "s1", "turn_id": turn_id,
                      "at": "2025-03-01T09:30:00.000000Z", "rating": "down", "comment": "did not help"}


def test_export_contains_everything_stored(store, clock):
    turn_id = store.record_turn(make_turn("s1"))
    store.record_turn(make_turn("s1", "and abroad?", "escalate", category="unanswered", reason="low_confidence"))
    store.record_feedback("s1", "up", turn_id=turn_id)
    clock.now = DAY2
    export = store.export_session("s1")
    assert {k: v for k, v in export.items()
            if k not in ("exported_at", "retention_days", "expires_at", "schema_version")} == store.get_session("s1")
    assert export["exported_at"] == "2025-03-02T14:00:00.000000Z"
    assert export["expires_at"] == "2025-03-31T09:30:00.000000Z"
    assert len(export["turns"]) == 2 and len(export["feedback"]) == 1
    # Every column of every row for the session is in the export.
    with sqlite3.connect(store.path) as conn:
        for (question,) in conn.execute("SELECT question FROM turns WHERE session_id = 's1'"):
            assert question in [t["question"] for t in export["turns"]]


def test_erasure_removes_every_row_and_the_text_on_disk(store):
    marker = "zebra-unique-marker <PERSON_1>"
    store.record_turn(make_turn("gone", marker))
    store.record_turn(make_turn("gone"))
    store.record_feedback("gone", "down", "bad")
    store.record_turn(make_turn("kept"))
    store.record_feedback("kept", "up")

    assert store.delete_session("gone") == {"turns": 2, "feedback": 1}

    assert rows_for(store, "gone") == {"sessions": 0, "turns": 0, "feedback": 0}
    assert rows_for(store, "kept") == {"sessions": 1, "turns": 1, "feedback": 1}
    assert store.get_session("gone") is None
    wal = Path(f"{store.path}-wal")
    raw = store.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert b"zebra-unique-marker" not in raw


@pytest.mark.parametrize("last_activity_days_ago, expired", [
    (0, False), (29, False), (30, False), (31, True), (400, True),
])
def test_purge_removes_only_sessions_idle_past_retention(store, clock, last_activity_days_ago, expired):
    now = DAY2 + timedelta(days=100)
    clock.now = now - timedelta(days=last_activity_days_ago, seconds=1 if expired else 0)
    store.record_turn(make_turn("candidate"))
    clock.now = now
    store.record_turn(make_turn("fresh"))
    assert store.purge_expired(now=now) == int(expired)
    assert (store.get_session("candidate") is None) == expired
    assert store.get_session("fresh") is not None
    if expired:
        assert rows_for(store, "candidate") == {"sessions": 0, "turns": 0, "feedback": 0}


def test_feedback_keeps_a_session_from_expiring(store, clock):
    store.record_turn(make_turn("s1"))
    clock.now = DAY1 + timedelta(days=25)
    store.record_feedback("s1", "up")
    assert store.purge_expired(now=DAY1 + timedelta(days=40)) == 0
    assert store.purge_expired(now=DAY1 + timedelta(days=56)) == 1


@pytest.fixture
def insight_store(store, clock):
    """Four conversations over two days, built by hand so every figure can be checked on paper."""
    day1 = [
        make_turn("s1", "how do I freeze my card", confidence=0.9, total_ms=100),
        make_turn("s1", "and unfreeze?", confidence=0.8, total_ms=200,
                  flags=["fallback:circuit_open", "no_citation"]),
        make_turn("s2", "How do I  fix it?", "clarify", confidence=0.3, total_ms=300, reason="vague_question"),
        make_turn("s2", "how do i fix it", "escalate", confidence=0.2, total_ms=400, category="unanswered",
                  reason="low_confidence"),
    ]
    day2 = [
        make_turn("s3", "How do I fix it??", "answer_with_caution", confidence=0.5, total_ms=500),
        make_turn("s3", "someone logged into my account", "escalate", confidence=0.7, total_ms=600,
                  category="account_takeover", reason="sensitive_topic", flags=["answered_alongside"]),
        make_turn("s4", "fees for SEPA transfers", confidence=0.85, total_ms=700,
                  flags=["fallback:first_token_timeout"]),
        make_turn("s4", "card declined abroad", "answer_with_caution", confidence=0.55, total_ms=800),
    ]
    for turn in day1:
        store.record_turn(turn)
    store.record_feedback("s1", "up")
    store.record_feedback("s2", "down")
    clock.now = DAY2
    for turn in day2:
        store.record_turn(turn)
    store.record_feedback("s3", "down")
    store.record_feedback("s4", "up")
    store.record_feedback("s4", "up")
    return store


def test_insights_on_a_hand_built_set(insight_store):
    figures = insight_store.insights()
    assert figures["conversations"] == 4 and figures["turns"] == 8
    assert figures["contained"] == 2 and figures["containment_rate"] == 0.5
    assert figures["escalations_by_category"] == {"account_takeover": 1, "unanswered": 1}
    assert figures["escalations_by_reason"] == {"low_confidence": 1, "sensitive_topic": 1}
    assert figures["decisions"] == {"answer": 3, "answer_with_caution": 2, "escalate": 2, "clarify": 1}
    assert figures["feedback"] == {"up": 3, "down": 2}
    assert figures["model_fallbacks_by_reason"] == {"circuit_open": 1, "first_token_timeout": 1}
    assert figures["handoffs_with_answer_alongside"] == 1  # the takeover handoff gave the article's answer too
    assert figures["feedback_by_day"] == [{"day": "2025-03-01", "up": 1, "down": 1},
                                          {"day": "2025-03-02", "up": 2, "down": 1}]
    assert figures["latency_ms"] == pytest.approx({"p50": 450.0, "p95": 765.0})
    assert figures["latency_by_day"] == [
        {"day": "2025-03-01", "p50": 250.0, "p95": pytest.approx(385.0), "turns": 4},
        {"day": "2025-03-02", "p50": 650.0, "p95": pytest.approx(785.0), "turns": 4},
    ]
    # The clarified "How do I  fix it?" is a vague message, not a gap; its answered forms are.
    assert figures["content_gaps"] == [
        {"question": "how do i fix it", "count": 2, "max_confidence": 0.5},
        {"question": "card declined abroad", "count": 1, "max_confidence": 0.55},
    ]
    assert figures["not_helpful"] == []  # the two "down" ratings carry no comment


def test_a_conversation_a_person_took_over_is_not_contained(insight_store):
    assert insight_store.insights()["contained"] == 2
    assert insight_store.insights(taken_over={"s1"})["contained"] == 1  # s1 had an agent, though no turn escalated


def test_a_follow_up_that_joined_a_ticket_is_not_another_handoff(store):
    store.record_turn(make_turn("s1", "someone logged into my account", "escalate", category="account_takeover",
                                reason="topic:account_takeover"))
    joined = make_turn("s1", "what now?", "escalate", category="unanswered", reason="low_confidence")
    joined["escalation"] = {**joined["escalation"], "category": "account_takeover", "joined": True}
    store.record_turn(joined)
    passed = make_turn("s1", "hello?", "escalate", category="account_takeover", reason="passed_to_agent")
    passed["escalation"]["joined"] = True
    store.record_turn(passed)
    figures = store.insights()
    assert figures["escalations_by_category"] == {"account_takeover": 1}
    assert figures["decisions"] == {"escalate": 3}
    # The follow-up Beacon could not answer is a gap; a message passed to the agent is not.
    assert [g["question"] for g in figures["content_gaps"]] == ["what now?"]
    assert store.get_session("s1")["turns"][1]["escalation"]["joined"] is True


def test_not_helpful_comments_come_with_the_turn_they_rate(store, clock):
    turn = store.record_turn(make_turn("s1", "how do I freeze my card"))
    store.record_feedback("s1", "down", "it didn't say where", turn)
    store.record_feedback("s1", "down", None, turn)
    store.record_feedback("s1", "up", "great", turn)
    [entry] = store.insights()["not_helpful"]
    assert (entry["comment"], entry["question"], entry["answer"], entry["turn_id"]) == (
        "it didn't say where", "how do I freeze my card", "Open Cards and tap Freeze [1].", turn)


def test_insights_until_leaves_out_what_came_after(insight_store):
    figures = insight_store.insights(until=datetime(2025, 3, 2, tzinfo=timezone.utc))
    assert (figures["conversations"], figures["turns"]) == (2, 4)


def test_insights_since_a_day_counts_only_that_window(insight_store):
    figures = insight_store.insights(since=datetime(2025, 3, 2, tzinfo=timezone.utc))
    assert (figures["conversations"], figures["turns"], figures["contained"]) == (2, 4, 1)
    assert figures["feedback"] == {"up": 2, "down": 1}
    assert figures["escalations_by_category"] == {"account_takeover": 1}
    # Equal counts: alphabetical by normalised text, so the list is stable between refreshes.
    assert [(g["question"], g["count"]) for g in figures["content_gaps"]] == [
        ("card declined abroad", 1), ("How do I fix it??", 1)]


def test_insights_on_an_empty_store(store):
    figures = store.insights()
    assert figures["conversations"] == 0 and figures["containment_rate"] is None
    assert figures["latency_ms"] == {"p50": None, "p95": None}
    assert figures["content_gaps"] == [] and figures["feedback"] == {"up": 0, "down": 0}


@pytest.mark.parametrize("text, normalised", [
    ("How do I  fix it?", "how do i fix it"),
    ("  can't   LOG in!!\n", "cant log in"),
    ("card for <PERSON_1>?", "card for person_1"),
])
def test_normalise_question(text, normalised):
    assert normalise_question(text) == normalised


def test_recent_turns_are_newest_first(store):
    ids = [store.record_turn(make_turn(f"s{i % 3}", f"question {i}")) for i in range(5)]
    assert [t["turn_id"] for t in store.recent_turns(limit=3)] == ids[::-1][:3]


def test_concurrent_writers_all_land(store):
    threads, per_thread = 8, 40
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for i in range(per_thread):
                # Half the turns go to one shared session, so threads race on the same session row.
                session = "shared" if i % 2 else f"worker-{worker}"
                store.record_turn(make_turn(session, f"w{worker} q{i}"))
        except BaseException as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT question) FROM turns").fetchone() == (320, 320)
        assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == threads + 1
    assert len(store.get_session("shared")["turns"]) == threads * per_thread // 2


_CRASH_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from app.service.conversations import SqliteConversationStore
    store = SqliteConversationStore(Path(sys.argv[1]))
    i = 0
    while True:
        turn_id = store.record_turn({"session_id": f"s{i % 4}", "question": f"question {i}",
                                     "answer": "x" * 2000 + str(i), "decision": {"action": "answer"},
                                     "latency_ms": {"total_ms": float(i)}, "channel": "cli"})
        print(turn_id, i, flush=True)  # printed only after the transaction committed
        i += 1
""")


def test_a_killed_writer_loses_no_committed_turn(tmp_path):
    path = tmp_path / "crash.sqlite3"
    child = subprocess.Popen([sys.executable, "-c", _CRASH_WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    committed = []
    try:
        while len(committed) < 60:
            line = child.stdout.readline()
            assert line, "the writer died before it was killed"
            committed.append(tuple(map(int, line.split())))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        committed += [tuple(map(int, line.split())) for line in child.stdout.read().splitlines() if line.strip()]
    finally:
        child.kill()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    with SqliteConversationStore(path) as reopened:
        stored = {t["turn_id"]: t for t in reopened.recent_turns(limit=100_000)}
        for turn_id, i in committed:
            assert stored[turn_id]["question"] == f"question {i}"
            assert stored[turn_id]["answer"] == "x" * 2000 + str(i)
            assert stored[turn_id]["latency_ms"] == {"total_ms": float(i)}
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("target, kind", [
    ("{tmp}/a.sqlite3", SqliteConversationStore),
    ("sqlite:///{tmp}/b.sqlite3", SqliteConversationStore),
])
def test_factory_opens_sqlite_paths_and_urls(tmp_path, target, kind):
    store = open_conversation_store(target.format(tmp=tmp_path), retention_days=7)
    try:
        assert isinstance(store, kind) and store.retention_days == 7
        assert store.path.parent == tmp_path
    finally:
        store.close()


@pytest.mark.parametrize("target, message", [
    ("postgresql://beacon@db/beacon", "set BEACON_DATABASE_URL"),
    ("mysql://db/beacon", "unsupported scheme"),
])
def test_factory_refuses_other_backends_with_the_fix(target, message):
    with pytest.raises(ConfigError, match=message):
        open_conversation_store(target, retention_days=30)


@pytest.mark.parametrize("retention_days", [0, -1, 1.5])
def test_retention_must_be_whole_positive_days(tmp_path, retention_days):
    with pytest.raises(ConfigError, match="retention_days"):
        SqliteConversationStore(tmp_path / "c.sqlite3", retention_days=retention_days)


def test_a_damaged_file_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ConfigError, match="move a damaged file aside"):
        SqliteConversationStore(path)


def test_a_closed_store_says_so(store):
    store.close()
    with pytest.raises(BeaconError, match="is closed"):
        store.get_session("s1")


def test_insights_count_the_messages_declined_without_a_search(store):
    store.record_turn(make_turn("d1", "should I buy bitcoin now?", flags=["investment_advice"]))
    store.record_turn(make_turn("d2", "¿Cómo congelo mi tarjeta?", flags=["not_english"]))
    store.record_turn(make_turn("d3", "what is the best crypto to buy", flags=["new_session", "investment_advice"]))
    store.record_turn(make_turn("d4"))
    assert store.insights()["declined_by_reason"] == {"investment_advice": 2, "not_english": 1}


def test_a_conversation_beacon_only_declined_or_asked_to_clarify_is_not_contained(store):
    # Containment is what Beacon resolved: a declined message is recorded as an answer, but it answers nothing.
    store.record_turn(make_turn("declined", "¿Cómo congelo mi tarjeta?", flags=["not_english"]))
    store.record_turn(make_turn("vague", "card?", "clarify", reason="vague_question"))
    store.record_turn(make_turn("then-answered", "should I buy bitcoin now?", flags=["investment_advice"]))
    store.record_turn(make_turn("then-answered", "ok, what are the crypto fees?", "answer_with_caution"))
    store.record_turn(make_turn("answered"))
    figures = store.insights()
    assert (figures["conversations"], figures["contained"], figures["without_answer_or_handoff"]) == (4, 2, 2)
    assert figures["containment_rate"] == 0.5
