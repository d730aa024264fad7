"""The handoff loop over HTTP on the real service: one ticket per conversation, states,
agent replies that reach the customer (transcript and event stream), reveals under audit,
and the errors and scopes of the new endpoints."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from app.api import create_api
from app.api.auth import key_id
from app.service.beacon_service import BeaconService
from tests.app.api.conftest import ADMIN_KEY, api_settings, running
from tests.app.api.test_sessions import _files_holding

HACKED = "someone hacked my account and changed my password, i can't log in"
ME = f"api:{key_id(ADMIN_KEY.encode())}"
EMAIL = "marta.kowalczyk77@example.com"


def _ask(user, session: str, message: str) -> dict:
    reply = user.post("/v1/chat", json={"session_id": session, "message": message})
    assert reply.status_code == 200, reply.text
    return reply.json()


def _tickets_of(admin, session: str) -> list[dict]:
    return [t for t in admin.get("/v1/handoffs", params={"limit": 1000}).json()["handoffs"]
            if t["session_id"] == session]


def test_follow_ups_join_the_open_ticket_and_a_person_is_not_asked_for_twice(user, admin):
    first = _ask(user, "loop-join", HACKED)
    ticket_id = first["escalation"]["ticket_id"]
    assert first["escalation"]["priority"] == "urgent" and first["escalation"]["joined"] is False
    assert first["handoff"] == {**first["handoff"], "ticket_id": ticket_id, "state": "waiting"}

    follow = _ask(user, "loop-join", "what should I do right now?")
    human = _ask(user, "loop-join", "can I talk to a real person please")
    for answer in (follow, human):
        if answer["escalation"]:
            assert answer["escalation"]["ticket_id"] == ticket_id and answer["escalation"]["joined"] is True
            assert answer["escalation"]["priority"] == "urgent"  # the highest seen, not the follow-up's
        assert answer["handoff"]["ticket_id"] == ticket_id
    assert "already has your request" in human["answer"] and ticket_id in human["answer"]

    [ticket] = _tickets_of(admin, "loop-join")
    assert ticket["ticket_id"] == ticket_id and ticket["priority"] == "urgent"
    said = [entry["text"] for entry in ticket["transcript"] if entry["role"] == "customer"]
    assert said[-2:] == ["what should I do right now?", "can I talk to a real person please"]


def test_an_agent_assigns_replies_and_the_customer_reads_it(user, admin):
    ticket_id = _ask(user, "loop-reply", HACKED)["escalation"]["ticket_id"]
    assigned = admin.post(f"/v1/handoffs/{ticket_id}/assign")
    assert assigned.status_code == 200
    assert (assigned.json()["state"], assigned.json()["assigned_to"]) == ("assigned", ME)
    assert assigned.json()["assigned_at"] and assigned.json()["status"] == "open"
    assert [t["ticket_id"] for t in admin.get("/v1/handoffs", params={"state": "assigned", "assigned_to": ME}
                                              ).json()["handoffs"]].count(ticket_id) == 1

    # The agent owns the conversation: Beacon passes a routine question on instead of answering.
    passed = _ask(user, "loop-reply", "How do I freeze my card?")
    assert passed["decision"]["reasons"] == ["passed_to_agent"] and passed["citations"] == []
    assert "passed your message on" in passed["answer"] and passed["escalation"]["joined"] is True

    sent = admin.post(f"/v1/handoffs/{ticket_id}/messages", json={"text": "Hi, I've locked your account. Are "
                                                                          "you able to reach your e-mail?"})
    assert sent.status_code == 201, sent.text
    message = sent.json()["message"]
    assert sent.json()["ticket"]["state"] == "answered" and message["by"] == ME
    assert message["message_id"] == f"{ticket_id}-1"

    session = user.get("/v1/sessions/loop-reply").json()
    assert [m["text"] for m in session["agent_messages"]] == [message["text"]]
    assert session["handoff"]["state"] == "answered" and session["handoff"]["ticket_id"] == ticket_id

    events = _events(user, "loop-reply", timeout=1)
    assert [e["event"] for e in events] == ["agent_message", "handoff", "done"]
    assert events[0]["id"] == message["message_id"] and events[0]["data"]["text"] == message["text"]
    assert events[1]["data"]["state"] == "answered"
    resumed = _events(user, "loop-reply", timeout=1, headers={"Last-Event-ID": message["message_id"]})
    assert [e["event"] for e in resumed] == ["handoff", "done"]

    again = _ask(user, "loop-reply", "yes I can, thank you")
    assert again["handoff"]["state"] == "assigned"  # the agent's turn again
    resolved = admin.post(f"/v1/handoffs/{ticket_id}/resolve", json={"note": "account recovered"}).json()
    assert (resolved["state"], resolved["status"], resolved["resolved_by"]) == ("resolved", "resolved", ME)
    assert [e["state"] for e in resolved["events"]][:4] == ["waiting", "assigned", "answered", "assigned"]


def _events(user, session: str, timeout: float, headers: dict | None = None) -> list[dict]:
    events, current = [], {}
    with user.stream("GET", f"/v1/sessions/{session}/events", params={"timeout": timeout},
                     headers=headers or {}) as reply:
        assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/event-stream")
        for line in reply.iter_lines():
            if line.startswith("id: "):
                current["id"] = line[4:]
            elif line.startswith("event: "):
                current["event"] = line[7:]
            elif line.startswith("data: "):
                current["data"] = json.loads(line[6:])
            elif not line and current:
                events.append(current)
                current = {}
    return events


def test_reveal_is_for_the_assignee_audited_and_never_written_in_the_clear(user, admin, service):
    answer = _ask(user, "loop-reveal", f"my account was hacked, please email me at {EMAIL}")
    ticket_id = answer["escalation"]["ticket_id"]
    placeholders = admin.get(f"/v1/handoffs/{ticket_id}/placeholders").json()["placeholders"]
    assert {"placeholder": "<EMAIL_ADDRESS_1>", "entity_type": "EMAIL_ADDRESS", "kept": True} in placeholders

    body = {"placeholder": "<EMAIL_ADDRESS_1>"}
    early = admin.post(f"/v1/handoffs/{ticket_id}/reveal", json=body)
    assert early.status_code == 409 and early.json()["error"]["code"] == "wrong_state"
    assert "assign it to yourself" in early.json()["error"]["message"]
    admin.post(f"/v1/handoffs/{ticket_id}/assign")
    revealed = admin.post(f"/v1/handoffs/{ticket_id}/reveal", json=body)
    assert revealed.status_code == 200 and revealed.headers["cache-control"] == "no-store"
    assert revealed.json()["value"] == EMAIL and revealed.json()["revealed_by"] == ME

    log = admin.get("/v1/audit/reveals", params={"ticket_id": ticket_id}).json()
    assert log["count"] == 1 and EMAIL not in json.dumps(log)
    assert {k: log["reveals"][0][k] for k in ("revealed_by", "ticket_id", "placeholder", "entity_type",
                                               "assigned_to")} == {
        "revealed_by": ME, "ticket_id": ticket_id, "placeholder": "<EMAIL_ADDRESS_1>",
        "entity_type": "EMAIL_ADDRESS", "assigned_to": ME}
    # The value is in the encrypted vault only: no file of the data directory holds it in the clear.
    assert (service.settings.data_dir / "vault.sqlite3").exists()
    assert _files_holding(service.settings.data_dir, EMAIL, EMAIL.split("@")[0]) == []

    for placeholder, status, code in [("<EMAIL_ADDRESS_9>", 404, "unknown_placeholder"),
                                      ("EMAIL_ADDRESS_1", 422, "validation_error")]:
        reply = admin.post(f"/v1/handoffs/{ticket_id}/reveal", json={"placeholder": placeholder})
        assert (reply.status_code, reply.json()["error"]["code"]) == (status, code)
    admin.post(f"/v1/handoffs/{ticket_id}/resolve")
    late = admin.post(f"/v1/handoffs/{ticket_id}/reveal", json=body)
    assert late.status_code == 409 and "reopen it" in late.json()["error"]["message"]


def test_agent_messages_pass_the_pii_check(user, admin):
    ticket_id = _ask(user, "loop-pii", f"i was scammed, reach me at {EMAIL}")["escalation"]["ticket_id"]
    foreign = admin.post(f"/v1/handoffs/{ticket_id}/messages",
                         json={"text": "We wrote to jonas.berg@example.net about it."})
    assert foreign.status_code == 422 and foreign.json()["error"]["code"] == "message_refused"
    assert "not this customer's own" in foreign.json()["error"]["message"]
    unknown = admin.post(f"/v1/handoffs/{ticket_id}/messages", json={"text": "We'll call <PHONE_NUMBER_4>."})
    assert unknown.status_code == 422 and "not a placeholder of this conversation" in unknown.json()["error"]["message"]

    own = admin.post(f"/v1/handoffs/{ticket_id}/messages", json={"text": f"We have written to {EMAIL}."})
    assert own.status_code == 201
    stored = user.get("/v1/sessions/loop-pii").json()["agent_messages"][-1]["text"]
    assert stored == "We have written to <EMAIL_ADDRESS_1>." and EMAIL not in json.dumps(
        admin.get(f"/v1/handoffs/{ticket_id}").json())
    by_placeholder = admin.post(f"/v1/handoffs/{ticket_id}/messages", json={"text": "Check <EMAIL_ADDRESS_1>."})
    assert by_placeholder.status_code == 201
    # The event stream carries what the customer reads: their own address back.
    texts = [e["data"]["text"] for e in _events(user, "loop-pii", timeout=1) if e["event"] == "agent_message"]
    assert texts == [f"We have written to {EMAIL}.", f"Check {EMAIL}."]


@pytest.mark.parametrize("method, suffix, body, status, code", [
    ("POST", "/assign", {}, 404, "not_found"),
    ("POST", "/messages", {"text": "hello"}, 404, "not_found"),
    ("POST", "/reveal", {"placeholder": "<PERSON_1>"}, 404, "not_found"),
    ("GET", "/placeholders", None, 404, "not_found"),
    ("POST", "/messages", {"text": ""}, 422, "validation_error"),
    ("POST", "/messages", {"text": "x" * 4001}, 422, "validation_error"),
    ("POST", "/messages", {"message": "typo"}, 422, "validation_error"),
    ("POST", "/assign", {"agent": "<script>"}, 422, "validation_error"),
])
def test_new_endpoint_errors(admin, method, suffix, body, status, code):
    reply = admin.request(method, f"/v1/handoffs/HO-000000-NOPE1{suffix}", json=body)
    assert (reply.status_code, reply.json()["error"]["code"]) == (status, code), reply.text


def test_wrong_state_is_409_with_what_to_do(user, admin):
    ticket_id = _ask(user, "loop-409", "i want to make a formal complaint")["escalation"]["ticket_id"]
    reopen = admin.post(f"/v1/handoffs/{ticket_id}/reopen")
    assert reopen.status_code == 409 and reopen.json()["error"]["code"] == "wrong_state"
    assert admin.post(f"/v1/handoffs/{ticket_id}/assign", json={"agent": "alice"}).json()["assigned_to"] == "alice"
    again = admin.post(f"/v1/handoffs/{ticket_id}/assign", json={"agent": "alice"})
    assert again.status_code == 409 and "already assigned to alice" in again.json()["error"]["message"]
    assert admin.post(f"/v1/handoffs/{ticket_id}/resolve").status_code == 200
    for suffix, body in [("/resolve", None), ("/messages", {"text": "hello"}), ("/assign", None)]:
        reply = admin.post(f"/v1/handoffs/{ticket_id}{suffix}", json=body)
        assert reply.status_code == 409 and "reopen" in reply.json()["error"]["message"], suffix
    # A resolved conversation that escalates again gets a new ticket, linked to the old one.
    newer = _ask(user, "loop-409", "I'd like to talk to a human please")["escalation"]
    assert newer["ticket_id"] != ticket_id and newer["joined"] is False
    related = admin.get(f"/v1/handoffs/{newer['ticket_id']}").json()["related_tickets"]
    assert [r["ticket_id"] for r in related] == [ticket_id]
    blocked = admin.post(f"/v1/handoffs/{ticket_id}/reopen")
    assert blocked.status_code == 409 and newer["ticket_id"] in blocked.json()["error"]["message"]


def test_events_of_an_unknown_session_are_404(user):
    reply = user.get("/v1/sessions/never-was-here/events", params={"timeout": 1})
    assert reply.status_code == 404 and reply.json()["error"]["code"] == "unknown_session"


def test_without_a_vault_key_reveal_says_how_to_set_one(service, demo_index, tmp_path):
    from tests.conftest import copy_index

    data = copy_index(demo_index, tmp_path / "data")
    keyless = BeaconService(api_settings(data, service.settings.knowledge_dir, vault_key=None),
                            embedder=service.embedder, redactor=service.chain.guardrails.input.redactor)
    with running(create_api(keyless, keyless.settings)) as url:
        headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
        answer = httpx.post(f"{url}/v1/chat", headers=headers, timeout=60,
                            json={"session_id": "nokey", "message": f"i was scammed, email {EMAIL}"}).json()
        ticket_id = answer["escalation"]["ticket_id"]
        httpx.post(f"{url}/v1/handoffs/{ticket_id}/assign", headers=headers)
        reply = httpx.post(f"{url}/v1/handoffs/{ticket_id}/reveal", headers=headers,
                           json={"placeholder": "<EMAIL_ADDRESS_1>"})
        assert reply.status_code == 409 and reply.json()["error"]["code"] == "vault_not_configured"
        assert "Fernet.generate_key" in reply.json()["error"]["message"]
        kept = httpx.get(f"{url}/v1/handoffs/{ticket_id}/placeholders", headers=headers).json()["placeholders"]
        assert kept and not any(p["kept"] for p in kept)
    assert not (data / "vault.sqlite3").exists()
    assert re.search(r"HO-\d{6}-", ticket_id)
