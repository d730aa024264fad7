"""Handoff tickets in a real SQLite file: create, queue order, filters, resolve and reopen,
erasure, and durability across connections."""

import re

import pytest

from app.core.clock import utc_now
from app.handoff.summary import summarize
from app.handoff.tickets import SqliteTicketStore, Ticket, TicketNotFoundError, new_ticket_id


def _ticket(store, session="s1", category="complaint", priority="normal", minute=0) -> Ticket:
    now = utc_now()
    return store.create(Ticket(
        ticket_id=new_ticket_id(now), created_at=f"2026-11-23T10:{minute:02d}:00+00:00", session_id=session,
        reason=f"topic:{category}", reasons=[f"topic:{category}"], category=category, priority=priority,
        summary="Why: complaint.", transcript=[{"role": "customer", "text": "I am <PERSON_1>", "at": "x"}],
        sources=[{"source": "faq/cards.md", "title": "Cards", "section": "Freeze", "score": 0.8}],
        customer_context={"region": "UK"},
    ))


@pytest.fixture
def store(tmp_path):
    tickets = SqliteTicketStore(tmp_path / "handoffs.sqlite3")
    yield tickets
    tickets.close()


def test_ticket_ids_are_readable_and_unique():
    ids = {new_ticket_id(utc_now()) for _ in range(500)}
    assert len(ids) == 500 and all(re.fullmatch(r"HO-\d{6}-[A-HJ-NP-Z2-9]{5}", i) for i in ids)


def test_round_trip_keeps_every_field(store):
    made = _ticket(store)
    got = store.get(made.ticket_id)
    assert got.to_json() == made.to_json() and got.status == "open" and got.customer_context == {"region": "UK"}


def test_queue_puts_urgent_first_and_filters(store):
    _ticket(store, category="complaint", priority="normal", minute=1)
    urgent = _ticket(store, session="s2", category="account_takeover", priority="urgent", minute=0)
    _ticket(store, session="s3", category="unanswered", priority="low", minute=2)
    assert [t.priority for t in store.list()] == ["urgent", "normal", "low"]
    assert [t.ticket_id for t in store.list(priority="urgent")] == [urgent.ticket_id]
    assert [t.category for t in store.list(category="unanswered")] == ["unanswered"]
    assert store.list(status="resolved") == []


def test_resolve_and_reopen_are_recorded(store):
    made = _ticket(store)
    resolved = store.set_status(made.ticket_id, "resolved", note="card replaced")
    assert resolved.status == "resolved" and resolved.resolved_at and resolved.notes[0]["note"] == "card replaced"
    assert store.list(status="open") == []
    reopened = store.set_status(made.ticket_id, "open")
    assert reopened.resolved_at is None and [t.ticket_id for t in store.list(status="open")] == [made.ticket_id]


def test_unknown_ticket_and_status_are_clear_errors(store):
    with pytest.raises(TicketNotFoundError, match="no handoff ticket 'HO-nope'"):
        store.get("HO-nope")
    made = _ticket(store)
    with pytest.raises(ValueError, match="use one of open, resolved"):
        store.set_status(made.ticket_id, "closed")


def test_tickets_survive_a_new_connection_and_erasure_removes_them(tmp_path):
    path = tmp_path / "handoffs.sqlite3"
    first = SqliteTicketStore(path)
    made = _ticket(first, session="gone")
    _ticket(first, session="kept")
    first.close()
    second = SqliteTicketStore(path)
    assert second.get(made.ticket_id).session_id == "gone"
    assert second.delete_session("gone") == 1
    assert [t.session_id for t in second.list()] == ["kept"]
    second.close()


def test_summary_names_reason_latest_message_and_sources():
    turns = [{"role": "customer", "text": "what are ATM fees?"}, {"role": "beacon", "text": "They are..."},
             {"role": "customer", "text": "my card <CREDIT_CARD_1> was stolen"}]
    summary = summarize(turns, "lost_stolen_device", ["topic:lost_stolen_device"],
                        [{"title": "Lost or stolen cards"}, {"title": "Lost or stolen cards"}])
    assert summary.splitlines() == [
        "Why: lost or stolen card or device (topic:lost_stolen_device).",
        "Customer's latest message: “my card <CREDIT_CARD_1> was stolen”",
        "Earlier in the conversation (1 message(s)): “what are ATM fees?”",
        "Beacon consulted: Lost or stolen cards.",
    ]
