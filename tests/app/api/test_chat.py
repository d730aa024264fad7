"""POST /v1/chat over HTTP: the JSON contract, server-sent events, bad requests, failures."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from app.api import create_api
from app.service.beacon_service import BeaconService
from tests.app.api.conftest import USER_KEY, running


def parse_sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_reply_has_the_beacon_ask_json_fields(user, service):
    reply = user.post("/v1/chat", json={"message": "How much can I withdraw from ATMs for free?",
                                        "context": {"region": "UK"}})
    assert reply.status_code == 200
    data = reply.json()
    # What `beacon ask --json` prints is Answer.to_json(); the API adds only turn_id.
    cli = service.chain.answer("How much can I withdraw from ATMs for free?", session_id="cli-compare",
                               region="UK").to_json()
    assert set(data) == set(cli) | {"turn_id"}
    for field in ("answer", "citations", "region", "generator", "escalation"):
        assert data[field] == cli[field], field
    assert data["session_id"].startswith("api-") and isinstance(data["turn_id"], int)
    assert data["citations"] and "new_session" in data["flags"]  # the API started this conversation


def test_session_id_is_kept_and_context_is_stored(user):
    first = user.post("/v1/chat", json={"session_id": "chat-ctx-1", "message": "Can I freeze my card?",
                                        "context": {"region": "eu", "language": "en-IE", "tier": "premium"}}).json()
    second = user.post("/v1/chat", json={"session_id": "chat-ctx-1", "message": "and unfreeze it?"}).json()
    assert first["session_id"] == second["session_id"] == "chat-ctx-1"
    assert first["region"] == "EU"
    stored = user.get("/v1/sessions/chat-ctx-1").json()
    assert [t["turn_id"] for t in stored["turns"]] == [first["turn_id"], second["turn_id"]]
    assert stored["context"] == {"region": "EU", "language": "en-IE", "tier": "premium"}
    assert all(t["channel"] == "api" for t in stored["turns"])


@pytest.mark.parametrize("how", ["query", "accept"])
def test_streaming_deltas_make_up_the_answer(base_url, how):
    params = {"stream": "true"} if how == "query" else {}
    headers = {"Authorization": f"Bearer {USER_KEY}"}
    if how == "accept":
        headers["Accept"] = "text/event-stream"
    with httpx.stream("POST", f"{base_url}/v1/chat", params=params, headers=headers, timeout=60,
                      json={"message": "How do I reset my password?", "session_id": f"sse-{how}"}) as reply:
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(reply.read().decode())
    names = [name for name, _ in events]
    assert names[-2:] == ["answer", "done"] and set(names[:-2]) == {"delta"}
    answer = events[-2][1]
    assert "".join(data["text"] for _, data in events[:-2]) == answer["answer"]
    assert answer["session_id"] == f"sse-{how}" and isinstance(answer["turn_id"], int)


def test_over_long_message_gets_the_polite_reply(user):
    pasted = "I would like to know which fees apply to card payments abroad and how the exchange rate is set. " * 35
    reply = user.post("/v1/chat", json={"message": pasted})  # 3,360 characters, well under the 64 KB body limit
    assert reply.status_code == 200
    assert "too_long" in reply.json()["flags"]
    assert "2,000 characters" in reply.json()["answer"]


@pytest.mark.parametrize("body, headers, status, code, location", [
    (b'{"message": "hi"', {"Content-Type": "application/json"}, 422, "invalid_json", "character"),
    (b"{'message': 'hi'}", {"Content-Type": "application/json"}, 422, "invalid_json", "character"),
    (b'{"message": "caf\xe9 \xff"}', {"Content-Type": "application/json"}, 422, "invalid_json", "UTF-8"),
    (b"message=hi", {"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", None),
    (b"hi", {"Content-Type": "text/plain"}, 415, "unsupported_media_type", None),
    (b'{"message": "hi"}', {}, 415, "unsupported_media_type", None),
    (b'{"mesage": "hi"}', {"Content-Type": "application/json"}, 422, "validation_error", "body.message"),
    (b'{"message": 42}', {"Content-Type": "application/json"}, 422, "validation_error", "body.message"),
    (b'["hi"]', {"Content-Type": "application/json"}, 422, "validation_error", "body"),
    (b'{"message": "hi", "context": {"region": "North America"}}', {"Content-Type": "application/json"}, 422,
     "validation_error", "body.context.region"),
    (b'{"message": "hi", "session_id": "../etc"}', {"Content-Type": "application/json"}, 422,
     "validation_error", "body.session_id"),
    (b'{"message": "   "}', {"Content-Type": "application/json"}, 422, "validation_error", None),
])
def test_bad_requests_get_one_error_shape(user, body, headers, status, code, location):
    reply = user.post("/v1/chat", content=body, headers=headers)
    assert reply.status_code == status, reply.text
    error = reply.json()["error"]
    assert error["code"] == code and error["message"]
    if location:
        assert location in error["message"]


class FailingService(BeaconService):
    """The real service, except that answering fails the way a bug deep in the chain would."""

    def chat(self, request):
        raise RuntimeError(f"boom while answering {request.message!r}")


def test_failure_inside_the_chain_is_a_500_without_trace_or_text(service, caplog):
    failing = FailingService(service.settings, embedder=service.embedder)
    with running(create_api(failing, service.settings)) as url, caplog.at_level(logging.ERROR, "beacon.api"):
        headers = {"Authorization": f"Bearer {USER_KEY}"}
        for params in ({}, {"stream": "true"}):
            reply = httpx.post(f"{url}/v1/chat", params=params, headers=headers,
                               json={"message": "my secret pet name is Biscuit"})
            assert reply.status_code == 500
            error = reply.json()["error"]
            assert error["code"] == "internal_error" and error["request_id"] == reply.headers["x-request-id"]
            assert "Biscuit" not in reply.text and "Traceback" not in reply.text and "boom" not in reply.text
        assert httpx.get(f"{url}/healthz").status_code == 200  # still serving
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in logged and error["request_id"] in logged
    assert "Biscuit" not in logged
