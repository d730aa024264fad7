"""The Escalations tab's callbacks over real handoff tickets opened through the chat: the
queue with ages and labels, the escaped detail, assign, reply, reveal under audit, resolve."""

from __future__ import annotations

import html
import typing
from datetime import datetime, timedelta, timezone

import gradio as gr
import pandas as pd
import pytest

from app.service.beacon_service import ChatRequest
from app.ui.escalations import (
    ANY,
    NO_TICKET,
    QUEUE_COLUMNS,
    SIGN_IN,
    age_label,
    assign_to_me,
    audit_table,
    change_status,
    duration,
    queue_table,
    reveal_value,
    selected_ticket,
    send_reply,
    ticket_detail,
    ticket_html,
    urgent_alert,
)
from tests.app.ui import demo_service

SKIPPED = gr.skip()
VAULT_KEY = "OIY3xRWdpztP3PieYIUcPRyaUTWBggitUEkI5aY1mCc="  # tests only
SLA = {"urgent": 15, "high": 60, "normal": 240, "low": 1440}


@pytest.fixture(scope="module")
def service(tmp_path_factory, demo_index, embedder, redactor):
    return demo_service(tmp_path_factory.mktemp("ui-escalations"), demo_index, embedder, redactor,
                        vault_key=VAULT_KEY)


@pytest.fixture(scope="module")
def tickets(service) -> dict[str, dict]:
    """category -> ticket, each opened by a customer message through the real chain."""
    opened = {}
    for session, region, message in [
        ("esc-human", "UK", "can i speak to a real person pls"),
        ("esc-lost", "EU", "I've lost my phone and my card was in the case, what do I do? I'm Maria Lopez, "
                           "maria.lopez@example.com"),
        ("esc-complaint", "US", "I want to make a formal complaint, you blocked my transfer for a week"),
    ]:
        answer = service.chat(ChatRequest(session_id=session, message=message, region=region, channel="ui"))
        assert answer.escalation, f"{message!r} did not escalate"
        opened[answer.escalation["category"]] = service.handoff(answer.escalation["ticket_id"])
    return opened


def test_queue_lists_open_tickets_with_age_state_and_readable_labels(service, tickets):
    table = queue_table(service)
    assert list(table.columns) == QUEUE_COLUMNS
    assert {t["ticket_id"] for t in tickets.values()} <= set(table["ticket_id"])
    row = table.set_index("ticket_id").loc[tickets["lost_stolen_device"]["ticket_id"]]
    assert row["state"] == "waiting" and row["assigned_to"] == "—"
    assert row["category"] == "lost or stolen card or device" and row["reason"] == "—"  # not "topic:x (topic:x)"
    assert row["age"].endswith(", high") and "topic:" not in " ".join(table["reason"])


@pytest.mark.parametrize("priority, category", [
    ("normal", ANY), (ANY, "human_requested"), ("high", "lost_stolen_device"), ("urgent", "human_requested"),
])
def test_queue_filters(service, tickets, priority, category):
    table = queue_table(service, "open", priority, category)
    expected = {t["ticket_id"] for t in tickets.values()
                if priority in (ANY, t["priority"]) and category in (ANY, t["category"])}
    assert set(table["ticket_id"]) == expected


def test_detail_shows_every_word_of_redacted_text_as_text(service, tickets):
    ticket = tickets["lost_stolen_device"]
    shown = ticket_detail(service, f"  {ticket['ticket_id']} ")
    assert f">{ticket['ticket_id']} — waiting</h3>" in shown
    # The placeholders are escaped, and what follows them is still there (it used to vanish).
    assert "&lt;PERSON_1&gt;" in shown and "&lt;EMAIL_ADDRESS_1&gt;" in shown and "<PERSON_1>" not in shown
    text = html.unescape(shown)
    for part in ("high", "lost or stolen card or device", "Conversation (redacted)", "Customer",
                 "I've lost my phone", "what do I do? I'm <PERSON_1>, <EMAIL_ADDRESS_1>", "Sources retrieved",
                 "region: EU", "Summary", "Customer's latest message"):
        assert part in text, part
    assert "maria.lopez@example.com" not in text and "Lopez" not in text


def test_markup_in_a_ticket_cannot_inject_html():
    labels = {"category": str, "reasons": lambda reasons, category: list(reasons)}
    ticket = {"ticket_id": "HO-1", "state": "waiting", "priority": "low", "created_at": "2025-03-01T10:00:00+00:00",
              "category": "unanswered", "reasons": ["<b>x</b>"], "session_id": "<s>", "summary": "**hi** <script>",
              "transcript": [{"role": "customer", "text": "<img src=x onerror=alert(1)> # head", "at": "t"}],
              "sources": [], "customer_context": {"tier": "<i>gold</i>"}}
    shown = ticket_html(ticket, labels, SLA)
    assert "<img" not in shown and "<script" not in shown and "<i>" not in shown and "<b>x" not in shown
    assert "&lt;img src=x onerror=alert(1)&gt; # head" in shown and "**hi** &lt;script&gt;" in shown


def test_assign_reply_and_resolve_record_who_did_it(service, tickets):
    ticket_id = tickets["complaint"]["ticket_id"]
    assert assign_to_me(service, ticket_id, None, "open", ANY, ANY)[0].startswith("<p><strong>Error:</strong> Sign in")
    detail, table = assign_to_me(service, ticket_id, "alice", "open", ANY, ANY)
    assert "— assigned</h3>" in detail and "alice" in detail
    assert table.set_index("ticket_id").loc[ticket_id]["assigned_to"] == "alice"

    assert send_reply(service, ticket_id, "hello", None) == (SKIPPED, "hello", SIGN_IN)
    refused = send_reply(service, ticket_id, "Please write to bob.other@example.net", "alice")
    assert refused[0] == SKIPPED and refused[1] == "Please write to bob.other@example.net"
    assert refused[2].startswith("**Not done:**") and "not this customer" in refused[2]
    detail, box, note = send_reply(service, ticket_id, "We're sorry — a manager will review the block today.",
                                   "alice")
    assert "— answered</h3>" in detail and box == "" and note.startswith("Sent to the customer")
    assert "Agent alice" in detail and "a manager will review" in detail
    assert service.desk.messages_for_customer("esc-complaint")[-1]["text"].startswith("We're sorry")

    detail, table, note = change_status(service, "resolved", ticket_id, " called the customer back ", "open",
                                        ANY, ANY, "alice")
    assert "— resolved</h3>" in detail and "resolved (alice): called the customer back" in html.unescape(detail)
    assert "by alice" in detail and ticket_id not in set(table["ticket_id"]) and note == ""
    assert service.handoff(ticket_id)["resolved_by"] == "alice"
    detail, table, _ = change_status(service, "open", ticket_id, "", ANY, ANY, ANY, "bob")
    assert "— assigned</h3>" in detail and ticket_id in set(table["ticket_id"])  # back to its agent


def test_reveal_is_for_the_assignee_and_audited(service, tickets):
    ticket_id = tickets["lost_stolen_device"]["ticket_id"]
    value, status, _ = reveal_value(service, ticket_id, "<EMAIL_ADDRESS_1>", "carol")
    assert value == "" and "assign it to yourself" in status
    assign_to_me(service, ticket_id, "carol", "open", ANY, ANY)
    value, status, detail = reveal_value(service, ticket_id, "<EMAIL_ADDRESS_1>", "carol")
    assert value == "maria.lopez@example.com" and "recorded in the audit log" in status
    assert "Values revealed on this ticket" in detail and "maria.lopez" not in detail
    log = audit_table(service)
    assert list(log.iloc[0][["revealed_by", "ticket_id", "placeholder"]]) == ["carol", ticket_id, "<EMAIL_ADDRESS_1>"]
    assert reveal_value(service, ticket_id, "<EMAIL_ADDRESS_1>", None)[1] == SIGN_IN


def test_a_new_urgent_ticket_is_announced_once(service, tickets):
    known = list(queue_table(service)["ticket_id"])
    assert urgent_alert(service, known)[0] == ""
    answer = service.chat(ChatRequest(session_id="esc-urgent", message="someone hacked my account and changed my "
                                                                       "password", channel="ui"))
    alert, now_known = urgent_alert(service, known)
    assert answer.escalation["ticket_id"] in alert and "New urgent ticket" in alert
    assert urgent_alert(service, now_known)[0] == ""


@pytest.mark.parametrize("minutes, shown", [(0.2, "<1 min"), (12, "12 min"), (185, "3 h 5 min"),
                                            (60 * 52, "2 d 4 h"), (60, "1 h")])
def test_duration(minutes, shown):
    assert duration(minutes) == shown


@pytest.mark.parametrize("state, priority, age, expected", [
    ("waiting", "urgent", 12, "12 min, urgent"),
    ("waiting", "urgent", 47, "47 min, urgent: over the 15 min target"),
    ("assigned", "urgent", 47, "47 min, urgent"),  # picked up: the target was met
    ("waiting", "low", 120, "2 h, low"),
    ("resolved", "high", 130, "resolved after 2 h 10 min"),
])
def test_age_against_the_pick_up_target(state, priority, age, expected):
    now = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
    ticket = {"state": state, "priority": priority, "created_at": (now - timedelta(minutes=age)).isoformat(),
              "resolved_at": now.isoformat()}
    assert age_label(ticket, SLA, now) == expected


@pytest.mark.parametrize("ticket_id", ["HO-000000-NOPE2", "nonsense"])
def test_unknown_ticket_is_a_message_not_a_traceback(service, ticket_id):
    assert html.unescape(ticket_detail(service, ticket_id)).startswith(
        f"<p><strong>Error:</strong> no handoff ticket {ticket_id!r}")
    detail, table, note = change_status(service, "resolved", ticket_id, "keep me", "open", ANY, ANY)
    assert "no handoff ticket" in detail and table == SKIPPED and note == "keep me"


@pytest.mark.parametrize("ticket_id", [None, "", "   "])
def test_no_ticket_selected(service, ticket_id):
    assert ticket_detail(service, ticket_id) == NO_TICKET
    assert change_status(service, "resolved", ticket_id, "x", "open", ANY, ANY)[0] == NO_TICKET


@pytest.mark.parametrize("data, expected", [
    ({"index": [1, 4], "value": "some summary", "row_value": ["HO-250301-BBBBB", "2 min, low", "waiting"]},
     "HO-250301-BBBBB"),
    ({"index": [1, 0], "value": "HO-250301-BBBBB"}, "HO-250301-BBBBB"),  # no row_value: index into the table
    ({"index": [0, 3], "value": "urgent"}, "HO-250301-AAAAA"),
])
def test_clicking_any_cell_selects_its_ticket(data, expected):
    table = pd.DataFrame([["HO-250301-AAAAA", "", "waiting", "—", "urgent", "fraud or scam", "—", "", "—"],
                          ["HO-250301-BBBBB", "", "waiting", "—", "low", "unanswered", "—", "", "—"]],
                         columns=QUEUE_COLUMNS)
    assert selected_ticket(table, gr.SelectData(None, data)) == expected


def test_gradio_sees_the_select_event_parameter():
    # Gradio injects event data by type hint; a hint it cannot resolve would silently pass None.
    assert typing.get_type_hints(selected_ticket)["evt"] is gr.SelectData


def test_a_source_with_a_public_page_links_to_it_and_nothing_else_is_made_a_link():
    labels = {"category": str, "reasons": lambda reasons, category: list(reasons)}
    ticket = {"ticket_id": "HO-2", "state": "waiting", "priority": "low", "created_at": "2025-03-01T10:00:00+00:00",
              "category": "unanswered", "reasons": [], "session_id": "s", "summary": "", "transcript": [],
              "customer_context": {},
              "sources": [{"title": "Cards", "section": "Freeze", "source": "faq/cards.md", "score": 0.9,
                           "url": "https://help.example.com/cards?a=1&b=\"x\""},
                          {"title": "Fees", "section": "", "source": "fees.md", "score": 0.5, "url": None},
                          {"title": "Odd", "section": "", "source": "odd.md", "score": 0.4,
                           "url": "javascript:alert(1)"}]}
    shown = ticket_html(ticket, labels, SLA)
    assert ('<a href="https://help.example.com/cards?a=1&amp;b=&quot;x&quot;" target="_blank" '
            'rel="noopener noreferrer">public page</a>') in shown
    assert shown.count("public page") == 1 and "javascript:" not in shown
