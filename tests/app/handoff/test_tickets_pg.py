"""Handoff tickets on PostgreSQL: the SQLite store's tests again on a real database, and two
replicas changing one ticket at once."""

from __future__ import annotations

import threading

import pytest

from app.handoff.tickets_pg import PostgresTicketStore
from tests.app.handoff.test_tickets import (  # noqa: F401 (collected here again, on PostgreSQL)
    _ticket,
    test_a_follow_up_raises_the_priority_and_keeps_every_reason,
    test_a_resolved_ticket_refuses_work_until_reopened,
    test_a_ticket_goes_waiting_assigned_answered_resolved_with_times_and_people,
    test_agent_messages_of_a_conversation_in_order,
    test_queue_puts_urgent_first_and_filters,
    test_reopen_gives_the_ticket_back_to_its_agent_and_only_one_ticket_is_open,
    test_resolve_and_reopen_are_recorded,
    test_round_trip_keeps_every_field,
    test_the_customer_writing_again_gives_an_answered_ticket_back_to_its_agent,
    test_unknown_ticket_and_status_are_clear_errors,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def store(database):
    return PostgresTicketStore(database)


def test_two_replicas_adding_to_one_ticket_lose_nothing(database):
    """An agent's replies on one replica and the customer's follow-ups on another, at once."""
    agent_side, customer_side = PostgresTicketStore(database), PostgresTicketStore(database)
    ticket = _ticket(agent_side)
    errors: list[BaseException] = []

    def agent() -> None:
        try:
            for i in range(15):
                agent_side.add_agent_message(ticket.ticket_id, f"reply {i}", "alice")
        except BaseException as exc:
            errors.append(exc)

    def customer() -> None:
        try:
            for i in range(15):
                customer_side.add_customer_turn(ticket.ticket_id, [{"role": "customer", "text": f"more {i}", "at": "t"}])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=agent), threading.Thread(target=customer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    transcript = customer_side.get(ticket.ticket_id).transcript
    assert sum(e["role"] == "agent" for e in transcript) == 15
    assert sum(e["role"] == "customer" for e in transcript) == 16  # the first message and 15 follow-ups
    assert [m["message_id"] for m in agent_side.agent_messages(ticket.session_id)] == [
        f"{ticket.ticket_id}-{n}" for n in range(1, 16)]


def test_erasure_removes_tickets_and_resume_codes(store, database):
    ticket = _ticket(store, session="gone")
    code = store.issue_resume_code("gone")
    _ticket(store, session="kept")
    assert store.delete_sessions(["gone"]) == 1
    assert store.session_for_resume_code(code) is None
    assert database.execute("SELECT count(*) FROM tickets WHERE session_id = 'gone' OR ticket_id = %s",
                            (ticket.ticket_id,)) == [(0,)]
    assert len(store.list()) == 1
