"""Handoff tickets in a real SQLite file: create, queue order, filters, resolve and reopen,
erasure, and durability across connections."""

import re

import pytest

from app.core.clock import utc_now
from app.handoff.summary import summarize
from app.handoff.tickets import (
    SqliteTicketStore,
    Ticket,
    TicketNotFoundError,
    TicketStateError,
    new_ticket_id,
    normalise_resume_code,
)


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


def test_summary_names_every_other_reason_once_in_words():
    summary = summarize([{"role": "customer", "text": "someone got in and I was scammed"}], "account_takeover",
                        ["topic:account_takeover", "topic:fraud_scam", "human_requested"], [])
    assert summary.splitlines()[0] == ("Why: possible account takeover; also fraud or scam, the customer asked for a "
                                       "person.")


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
        "Why: lost or stolen card or device.",
        "Customer's latest message: “my card <CREDIT_CARD_1> was stolen”",
        "Earlier in the conversation (1 message(s)): “what are ATM fees?”",
        "Beacon consulted: Lost or stolen cards.",
    ]


# -- states -----------------------------------------------------------------------------------
def _states(ticket: Ticket) -> list[str]:
    return [event["state"] for event in ticket.events]


def test_a_ticket_goes_waiting_assigned_answered_resolved_with_times_and_people(store):
    made = _ticket(store)
    assert (made.state, made.status, made.assigned_to) == ("waiting", "open", None)
    assigned = store.assign(made.ticket_id, "alice")
    assert (assigned.state, assigned.status, assigned.assigned_to) == ("assigned", "open", "alice")
    assert assigned.assigned_at
    answered, entry = store.add_agent_message(made.ticket_id, "Hello <PERSON_1>, we froze the card.", "alice")
    assert (answered.state, answered.answered_at is not None) == ("answered", True)
    assert entry == {**entry, "role": "agent", "by": "alice", "message_id": f"{made.ticket_id}-1"}
    resolved = store.set_status(made.ticket_id, "resolved", "card replaced", by="alice")
    assert (resolved.state, resolved.status, resolved.resolved_by) == ("resolved", "resolved", "alice")
    assert _states(resolved) == ["waiting", "assigned", "answered", "resolved"]
    assert [e["by"] for e in resolved.events] == ["beacon", "alice", "alice", "alice"]
    assert [t.ticket_id for t in store.list(state="resolved")] == [made.ticket_id]
    assert store.list(status="resolved")[0].resolved_by == "alice"


def test_the_customer_writing_again_gives_an_answered_ticket_back_to_its_agent(store):
    made = _ticket(store)
    store.add_agent_message(made.ticket_id, "Can you confirm the amount?", "bob")  # replying takes the ticket
    again = store.add_customer_turn(made.ticket_id, [{"role": "customer", "text": "it was 40 euro", "at": "x"}])
    assert (again.state, again.assigned_to) == ("assigned", "bob")
    assert again.transcript[-1]["text"] == "it was 40 euro"


def test_a_follow_up_raises_the_priority_and_keeps_every_reason(store):
    made = _ticket(store, category="unanswered", priority="low")
    raised = store.add_customer_turn(made.ticket_id, [], priority="urgent", category="account_takeover",
                                     reasons=("topic:account_takeover",), summarize=lambda t: f"now {t.category}")
    assert (raised.priority, raised.category, raised.summary) == ("urgent", "account_takeover", "now account_takeover")
    assert raised.reasons == ["topic:unanswered", "topic:account_takeover"]
    lower = store.add_customer_turn(made.ticket_id, [], priority="low", category="unanswered", reasons=("x",))
    assert (lower.priority, lower.category) == ("urgent", "account_takeover")  # the highest seen stays


@pytest.mark.parametrize("action", ["assign", "reply", "resolve", "follow_up"])
def test_a_resolved_ticket_refuses_work_until_reopened(store, action):
    made = _ticket(store)
    store.set_status(made.ticket_id, "resolved")
    act = {"assign": lambda: store.assign(made.ticket_id, "alice"),
           "reply": lambda: store.add_agent_message(made.ticket_id, "hi", "alice"),
           "resolve": lambda: store.set_status(made.ticket_id, "resolved"),
           "follow_up": lambda: store.add_customer_turn(made.ticket_id, [])}[action]
    with pytest.raises(TicketStateError, match="resolved"):
        act()


def test_reopen_gives_the_ticket_back_to_its_agent_and_only_one_ticket_is_open(store):
    made = _ticket(store, session="s9")
    store.assign(made.ticket_id, "alice")
    store.set_status(made.ticket_id, "resolved", by="alice")
    reopened = store.set_status(made.ticket_id, "open", by="bob")
    assert (reopened.state, reopened.resolved_by, reopened.reopened_at is not None) == ("assigned", None, True)
    with pytest.raises(TicketStateError, match="not resolved"):
        store.set_status(made.ticket_id, "open")
    store.set_status(made.ticket_id, "resolved")
    newer = _ticket(store, session="s9", minute=5)
    with pytest.raises(TicketStateError, match=f"already has an open ticket, {newer.ticket_id}"):
        store.set_status(made.ticket_id, "open")
    assert store.open_for_session("s9").ticket_id == newer.ticket_id


def test_tickets_of_one_conversation_are_linked(store):
    first = _ticket(store, session="s7", minute=1)
    store.set_status(first.ticket_id, "resolved")
    second = _ticket(store, session="s7", minute=2)
    _ticket(store, session="other", minute=3)
    assert [r["ticket_id"] for r in store.get(second.ticket_id).related_tickets] == [first.ticket_id]
    assert [r["ticket_id"] for r in store.get(first.ticket_id).related_tickets] == [second.ticket_id]
    assert store.get(first.ticket_id).related_tickets[0]["state"] == "waiting"
    assert "related_tickets" not in store._db().execute("SELECT body FROM tickets WHERE ticket_id = ?",
                                                        (first.ticket_id,)).fetchone()[0]


def test_agent_messages_of_a_conversation_in_order(store):
    first = _ticket(store, session="s5", minute=1)
    store.add_agent_message(first.ticket_id, "one", "alice")
    store.set_status(first.ticket_id, "resolved")
    second = _ticket(store, session="s5", minute=2)
    store.add_agent_message(second.ticket_id, "two", "bob")
    assert [(m["text"], m["ticket_id"]) for m in store.agent_messages("s5")] == [("one", first.ticket_id),
                                                                                 ("two", second.ticket_id)]
    assert store.agent_messages("nobody") == []


def test_an_older_file_gets_the_new_columns(tmp_path):
    import json
    import sqlite3

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE tickets (ticket_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, updated_at TEXT "
                     "NOT NULL, session_id TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, category TEXT "
                     "NOT NULL, priority TEXT NOT NULL, body TEXT NOT NULL)")
    body = {"ticket_id": "HO-250101-AAAAA", "created_at": "2025-01-01T00:00:00+00:00", "session_id": "old",
            "reason": "r", "reasons": ["r"], "category": "complaint", "priority": "normal", "summary": "",
            "transcript": [], "sources": [], "customer_context": {}, "status": "resolved", "updated_at": "",
            "resolved_at": "2025-01-02T00:00:00+00:00", "notes": []}
    db.execute("INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", ("HO-250101-AAAAA", "2025-01-01", "2025-01-01",
                                                                          "old", "resolved", "r", "complaint",
                                                                          "normal", json.dumps(body)))
    db.commit()
    db.close()
    store = SqliteTicketStore(path)
    assert store.get("HO-250101-AAAAA").state == "resolved"
    assert [t.ticket_id for t in store.list(state="resolved")] == ["HO-250101-AAAAA"]
    store.close()


# -- resume codes -----------------------------------------------------------------------------
def test_resume_codes_are_unguessable_hashed_and_forgiving_to_type(store):
    code = store.issue_resume_code("sess-r")
    assert re.fullmatch(r"([A-HJ-NP-Z2-9]{4}-){3}[A-HJ-NP-Z2-9]{4}", code)
    assert code != store.issue_resume_code("sess-r")
    assert store.session_for_resume_code(code) == "sess-r"
    assert store.session_for_resume_code(code.lower().replace("-", " ")) == "sess-r"
    assert normalise_resume_code(" ab cd-efgh ") == "ABCD-EFGH"
    for wrong in ("", "sess-r", code[:-1], code[:-1] + ("A" if code[-1] != "A" else "B")):
        assert store.session_for_resume_code(wrong) is None
    assert code.encode() not in store.path.read_bytes() + store.path.with_name(store.path.name + "-wal").read_bytes()
    _ticket(store, session="sess-r")
    assert store.delete_sessions(["sess-r"]) == 1 and store.session_for_resume_code(code) is None
