"""The Escalations tab's callbacks over real handoff tickets opened through the chat."""

from __future__ import annotations

import typing

import gradio as gr
import pytest

from app.service.beacon_service import ChatRequest
from app.ui.escalations import ANY, NO_TICKET, QUEUE_COLUMNS, change_status, queue_table, selected_ticket, ticket_detail
from tests.app.ui import demo_service

SKIPPED = gr.skip()


@pytest.fixture(scope="module")
def service(tmp_path_factory, demo_index, embedder, redactor):
    return demo_service(tmp_path_factory.mktemp("ui-escalations"), demo_index, embedder, redactor)


@pytest.fixture(scope="module")
def tickets(service) -> dict[str, dict]:
    """category -> ticket, each opened by a customer message through the real chain."""
    opened = {}
    for session, region, message in [
        ("esc-human", "UK", "can i speak to a real person pls"),
        ("esc-lost", "EU", "I've lost my phone and my card was in the case, what do I do?"),
        ("esc-complaint", "US", "I want to make a formal complaint, you blocked my transfer for a week"),
    ]:
        answer = service.chat(ChatRequest(session_id=session, message=message, region=region, channel="ui"))
        assert answer.escalation, f"{message!r} did not escalate"
        opened[answer.escalation["category"]] = service.handoff(answer.escalation["ticket_id"])
    return opened


def test_queue_lists_open_tickets(service, tickets):
    table = queue_table(service)
    assert list(table.columns) == QUEUE_COLUMNS
    assert {t["ticket_id"] for t in tickets.values()} <= set(table["ticket_id"])
    assert set(table["status"]) == {"open"}


@pytest.mark.parametrize("priority, category", [
    ("normal", ANY), (ANY, "human_requested"), ("high", "lost_stolen_device"), ("urgent", "human_requested"),
])
def test_queue_filters(service, tickets, priority, category):
    table = queue_table(service, "open", priority, category)
    expected = {t["ticket_id"] for t in tickets.values()
                if priority in (ANY, t["priority"]) and category in (ANY, t["category"])}
    assert set(table["ticket_id"]) == expected


def test_detail_shows_transcript_sources_and_context(service, tickets):
    ticket = tickets["lost_stolen_device"]
    shown = ticket_detail(service, f"  {ticket['ticket_id']} ")
    assert shown.startswith(f"### {ticket['ticket_id']} — open")
    for part in ("**Priority:** high", "lost_stolen_device", "#### Transcript (redacted)",
                 "**Customer**", "I've lost my phone", "#### Sources retrieved", "region: EU"):
        assert part in shown


def test_resolve_then_reopen_with_notes(service, tickets):
    ticket_id = tickets["human_requested"]["ticket_id"]
    detail, table, note = change_status(service, "resolved", ticket_id, " called the customer back ", "open", ANY, ANY)
    assert f"### {ticket_id} — resolved" in detail and "resolved: called the customer back" in detail
    assert ticket_id not in set(table["ticket_id"]) and note == ""
    assert ticket_id in set(queue_table(service, "resolved")["ticket_id"])
    detail, table, _ = change_status(service, "open", ticket_id, "", ANY, ANY, ANY)
    assert f"### {ticket_id} — open" in detail and ticket_id in set(table["ticket_id"])
    assert service.handoff(ticket_id)["status"] == "open"


@pytest.mark.parametrize("ticket_id", ["HO-000000-NOPE2", "nonsense"])
def test_unknown_ticket_is_a_message_not_a_traceback(service, ticket_id):
    assert ticket_detail(service, ticket_id).startswith(f"**Error:** no handoff ticket {ticket_id!r}")
    detail, table, note = change_status(service, "resolved", ticket_id, "keep me", "open", ANY, ANY)
    assert detail.startswith("**Error:** no handoff ticket") and table == SKIPPED and note == "keep me"


@pytest.mark.parametrize("ticket_id", [None, "", "   "])
def test_no_ticket_selected(service, ticket_id):
    assert ticket_detail(service, ticket_id) == NO_TICKET
    assert change_status(service, "resolved", ticket_id, "x", "open", ANY, ANY)[0] == NO_TICKET


@pytest.mark.parametrize("data, expected", [
    ({"index": [1, 4], "value": "some summary", "row_value": ["HO-250301-BBBBB", "2025-03-01", "open"]},
     "HO-250301-BBBBB"),
    ({"index": [1, 0], "value": "HO-250301-BBBBB"}, "HO-250301-BBBBB"),  # no row_value: index into the table
    ({"index": [0, 3], "value": "urgent"}, "HO-250301-AAAAA"),
])
def test_clicking_any_cell_selects_its_ticket(data, expected):
    import pandas as pd

    table = pd.DataFrame([["HO-250301-AAAAA", "", "open", "urgent", "fraud_scam", "topic:fraud_scam", ""],
                          ["HO-250301-BBBBB", "", "open", "low", "unanswered", "low_confidence", ""]],
                         columns=QUEUE_COLUMNS)
    assert selected_ticket(table, gr.SelectData(None, data)) == expected


def test_gradio_sees_the_select_event_parameter():
    # Gradio injects event data by type hint; a hint it cannot resolve would silently pass None.
    assert typing.get_type_hints(selected_ticket)["evt"] is gr.SelectData
