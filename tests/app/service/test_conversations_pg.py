"""The conversation store's contract on PostgreSQL: the SQLite store's own tests, run again on
a real database (a throwaway cluster on loopback), plus what only several replicas can do."""

from __future__ import annotations

import threading

import pytest

from app.service.conversations_pg import PostgresConversationStore
from tests.app.service.test_conversations import (  # noqa: F401 (collected here again, on PostgreSQL)
    Clock,
    clock,
    make_turn,
    test_bad_feedback_is_refused,
    test_bad_turns_are_refused,
    test_feedback_is_stored_against_the_turn,
    test_feedback_keeps_a_session_from_expiring,
    test_a_follow_up_that_joined_a_ticket_is_not_another_handoff,
    test_insights_count_the_messages_declined_without_a_search,
    test_insights_on_a_hand_built_set,
    test_insights_on_an_empty_store,
    test_insights_since_a_day_counts_only_that_window,
    test_insights_until_leaves_out_what_came_after,
    test_a_conversation_a_person_took_over_is_not_contained,
    test_a_conversation_beacon_only_declined_or_asked_to_clarify_is_not_contained,
    test_later_turns_update_the_session_and_merge_context,
    test_not_helpful_comments_come_with_the_turn_they_rate,
    test_purge_removes_only_sessions_idle_past_retention,
    test_recent_turns_are_newest_first,
    test_round_trip_keeps_every_field_and_drops_citation_text,
    test_unknown_session_errors_name_the_session_and_the_fix,
    test_unknown_session_reads_as_none,
    insight_store,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def store(database, clock):
    return PostgresConversationStore(database, retention_days=30, clock=clock)


def test_two_replicas_writing_one_conversation_lose_no_turn(database, clock):
    """Two stores on one database are two replicas: every turn each writes is read by the other."""
    replicas = [PostgresConversationStore(database, clock=clock) for _ in range(2)]
    errors: list[BaseException] = []

    def write(replica: int) -> None:
        try:
            for i in range(40):
                replicas[replica].record_turn(make_turn("shared", f"r{replica} q{i}"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for replica in replicas:
        turns = replica.get_session("shared")["turns"]
        assert len(turns) == 80 and len({t["question"] for t in turns}) == 80


def test_erasure_leaves_no_row_of_the_conversation(store, database):
    store.record_turn(make_turn("gone"))
    store.record_feedback("gone", "down", "wrong")
    store.record_turn(make_turn("kept"))
    assert store.delete_session("gone") == {"turns": 1, "feedback": 1}
    for table in ("sessions", "turns", "feedback"):
        assert database.execute(f"SELECT count(*) FROM {table} WHERE session_id = 'gone'") == [(0,)]
    assert store.get_session("kept") is not None
