"""Sessions, export, erasure, feedback and the handoff queue, over HTTP on the real stores."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from pathlib import Path

import pytest

STOLEN = "someone stole my card and took money from my account, i need a human"


def rows(db_path, table: str, session_id: str) -> int:
    with closing(sqlite3.connect(db_path)) as db:
        return db.execute(f"SELECT COUNT(*) FROM {table} WHERE session_id = ?", (session_id,)).fetchone()[0]


def test_stored_session_is_redacted(user):
    user.post("/v1/chat", json={"session_id": "sess-redact", "message": "Hi, I'm Sarah Connolly "
                                "(sarah.connolly@example.com). How do I change my phone number?"})
    stored = user.get("/v1/sessions/sess-redact")
    assert stored.status_code == 200
    question = stored.json()["turns"][0]["question"]
    assert "sarah.connolly@example.com" not in stored.text and "Connolly" not in stored.text
    assert "<EMAIL_ADDRESS_1>" in question or "EMAIL" in question


def test_escalation_becomes_a_ticket_that_can_be_resolved_and_reopened(user, admin):
    answer = user.post("/v1/chat", json={"session_id": "sess-escalate", "message": STOLEN}).json()
    ticket_id = answer["escalation"]["ticket_id"]
    queue = admin.get("/v1/handoffs", params={"status": "open"}).json()
    assert ticket_id in [t["ticket_id"] for t in queue["handoffs"]] and queue["count"] == len(queue["handoffs"])
    ticket = admin.get(f"/v1/handoffs/{ticket_id}").json()
    assert ticket["session_id"] == "sess-escalate" and ticket["status"] == "open"
    assert admin.get("/v1/handoffs", params={"category": ticket["category"], "priority": ticket["priority"]}
                     ).json()["count"] >= 1

    resolved = admin.post(f"/v1/handoffs/{ticket_id}/resolve", json={"note": "card frozen, refund started"})
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert resolved.json()["notes"][-1]["note"] == "card frozen, refund started"
    assert ticket_id not in [t["ticket_id"] for t in admin.get("/v1/handoffs?status=open").json()["handoffs"]]
    assert ticket_id in [t["ticket_id"] for t in admin.get("/v1/handoffs?status=resolved").json()["handoffs"]]

    reopened = admin.post(f"/v1/handoffs/{ticket_id}/reopen")  # no body: the note is optional
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"


@pytest.mark.parametrize("method, path, body, status, code", [
    ("GET", "/v1/handoffs/HO-000000-NOPE1", None, 404, "not_found"),
    ("POST", "/v1/handoffs/HO-000000-NOPE1/resolve", {}, 404, "not_found"),
    ("GET", "/v1/handoffs?status=closed", None, 422, "validation_error"),
    ("GET", "/v1/handoffs?limit=0", None, 422, "validation_error"),
    ("POST", "/v1/handoffs/HO-000000-NOPE1/resolve", {"notes": "typo"}, 422, "validation_error"),
])
def test_handoff_errors(admin, method, path, body, status, code):
    reply = admin.request(method, path, json=body)
    assert reply.status_code == status and reply.json()["error"]["code"] == code


def test_export_is_a_download_with_turns_and_handoffs(user):
    user.post("/v1/chat", json={"session_id": "sess-export", "message": "What are the ATM fees?"})
    user.post("/v1/chat", json={"session_id": "sess-export", "message": STOLEN})
    reply = user.get("/v1/sessions/sess-export/export")
    assert reply.status_code == 200
    assert reply.headers["content-disposition"] == 'attachment; filename="beacon-session-sess-export.json"'
    exported = reply.json()
    assert len(exported["turns"]) == 2 and exported["session_id"] == "sess-export"
    assert [h["session_id"] for h in exported["handoffs"]] == ["sess-export"]
    assert exported["handoffs"][0]["ticket_id"] == exported["turns"][1]["escalation"]["ticket_id"]


def test_erasure_removes_every_row_of_that_session_only(user, service):
    turn = user.post("/v1/chat", json={"session_id": "sess-erase", "message": STOLEN}).json()
    assert user.post("/v1/feedback", json={"session_id": "sess-erase", "rating": "down",
                                           "turn_id": turn["turn_id"]}).status_code == 201
    user.post("/v1/chat", json={"session_id": "sess-keep", "message": STOLEN})
    conversations = service.settings.data_dir / "conversations.sqlite3"
    handoffs = service.settings.data_dir / "handoffs.sqlite3"
    assert rows(handoffs, "tickets", "sess-erase") == 1 and rows(conversations, "feedback", "sess-erase") == 1

    reply = user.delete("/v1/sessions/sess-erase")
    assert reply.status_code == 200
    removed = reply.json()["removed"]
    assert removed["handoffs"] == 1 and removed["in_memory"]
    for table in ("sessions", "turns", "feedback"):
        assert rows(conversations, table, "sess-erase") == 0, table
    assert rows(handoffs, "tickets", "sess-erase") == 0
    assert rows(conversations, "turns", "sess-keep") == 1 and rows(handoffs, "tickets", "sess-keep") == 1
    assert user.get("/v1/sessions/sess-erase").status_code == 404
    assert user.delete("/v1/sessions/sess-erase").status_code == 404


def _files_holding(data_dir: Path, *needles: str) -> list[str]:
    """Every file under the data directory (databases, their write-ahead logs, the decision log,
    the vector store) whose bytes contain any of the needles."""
    return sorted(str(path.relative_to(data_dir)) for path in data_dir.rglob("*") if path.is_file()
                  and any(needle.encode() in path.read_bytes() for needle in needles))


def test_erasure_leaves_no_byte_of_the_conversation_in_any_file(user, admin, service):
    session, marker, email = "sess-zz-erase-7f3a", "quokka-marker-5521", "quokka.owner@example.org"
    turn = user.post("/v1/chat", json={"session_id": session, "message": f"{STOLEN} {marker} mail {email}"}).json()
    user.post("/v1/chat", json={"session_id": session, "message": f"and what about {marker} fees?"})
    user.post("/v1/feedback", json={"session_id": session, "rating": "down", "turn_id": turn["turn_id"],
                                    "comment": f"not helpful {marker}"})
    ticket_id = turn["escalation"]["ticket_id"]
    admin.post(f"/v1/handoffs/{ticket_id}/assign")
    assert admin.post(f"/v1/handoffs/{ticket_id}/messages", json={"text": f"About {marker}: we froze the card."}
                      ).status_code == 201
    assert admin.post(f"/v1/handoffs/{ticket_id}/reveal", json={"placeholder": "<EMAIL_ADDRESS_1>"}
                      ).json()["value"] == email
    data_dir = service.settings.data_dir
    assert _files_holding(data_dir, session, marker)  # it was stored: the check below can fail
    assert any(name.startswith("vault.sqlite3") for name in _files_holding(data_dir, session))  # kept, encrypted
    assert _files_holding(data_dir, email) == []  # never in the clear, reveal audit log included
    reply = user.delete(f"/v1/sessions/{session}")
    assert reply.status_code == 200 and reply.json()["removed"]["vault_values"] >= 1
    assert _files_holding(data_dir, session, marker, email) == []
    assert service.desk.sealed.entries(session) == []
    # The audit log keeps the reveal (no value, no session id): an agent looked, and when.
    assert [e["ticket_id"] for e in service.desk.reveals(ticket_id)] == [ticket_id]


def test_retention_purges_every_store_like_erasure(service, demo_index, tmp_path):
    from datetime import timedelta

    from app.core.clock import utc_now
    from app.service.beacon_service import BeaconService, ChatRequest
    from tests.conftest import copy_index

    data_dir = copy_index(demo_index, tmp_path / "data")
    beacon = BeaconService(service.settings.model_copy(update={"data_dir": data_dir}), embedder=service.embedder,
                           redactor=service.chain.guardrails.input.redactor)
    session, marker = "sess-zz-retain-91c2", "wombat-marker-8830"
    beacon.chat(ChatRequest(session, f"{STOLEN} {marker} write to wombat.keeper@example.org"))
    assert _files_holding(data_dir, session, marker)
    assert beacon.desk.sealed.placeholders(session) == ["<EMAIL_ADDRESS_1>"]
    assert beacon.purge_expired(now=utc_now() + timedelta(days=beacon.settings.retention_days - 1)) == 0
    assert _files_holding(data_dir, session, marker)
    assert beacon.purge_expired(now=utc_now() + timedelta(days=beacon.settings.retention_days + 1)) == 1
    assert _files_holding(data_dir, session, marker) == [] and beacon.desk.sealed.placeholders(session) == []


@pytest.mark.parametrize("method, suffix", [("GET", ""), ("GET", "/export"), ("DELETE", "")])
def test_unknown_session_is_404(user, method, suffix):
    reply = user.request(method, f"/v1/sessions/never-was-here{suffix}")
    assert reply.status_code == 404
    error = reply.json()["error"]
    assert error["code"] == "unknown_session" and "never-was-here" in error["message"]
    assert error["message"].count("never-was-here") == 1 and "start a new conversation" in error["message"]


def test_feedback_is_stored_redacted(user):
    turn = user.post("/v1/chat", json={"session_id": "sess-feedback", "message": "How do I freeze my card?"}).json()
    reply = user.post("/v1/feedback", json={"session_id": "sess-feedback", "rating": "up", "turn_id": turn["turn_id"],
                                            "comment": "great, thanks! email me at tom.hardy88@gmail.com if needed"})
    assert reply.status_code == 201 and isinstance(reply.json()["feedback_id"], int)
    stored = user.get("/v1/sessions/sess-feedback").json()["feedback"]
    assert [f["rating"] for f in stored] == ["up"] and stored[0]["turn_id"] == turn["turn_id"]
    assert "tom.hardy88@gmail.com" not in stored[0]["comment"] and stored[0]["comment"].startswith("great, thanks!")


@pytest.mark.parametrize("body, status, code", [
    ({"session_id": "never-was-here", "rating": "up"}, 404, "unknown_session"),
    ({"session_id": "sess-feedback", "rating": "meh"}, 422, "validation_error"),
    ({"session_id": "sess-feedback", "rating": "up", "turn_id": 999_999}, 422, "validation_error"),
    ({"rating": "up"}, 422, "validation_error"),
])
def test_feedback_errors(user, body, status, code):
    user.post("/v1/chat", json={"session_id": "sess-feedback", "message": "How do I freeze my card?"})
    reply = user.post("/v1/feedback", json=body)
    assert reply.status_code == status, reply.text
    assert reply.json()["error"]["code"] == code
