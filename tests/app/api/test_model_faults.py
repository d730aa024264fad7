"""A hung model endpoint never stalls the API: answers fall back within the deadline, and the
paths that need no model (escalations, session reads, health) do not wait behind it."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from app.api import create_api
from app.service.beacon_service import BeaconService
from tests.app.api.conftest import USER_KEY, api_settings, running
from tests.conftest import copy_index
from tests.fakes.openai_server import FakeOpenAIServer

AUTH = {"Authorization": f"Bearer {USER_KEY}"}


@pytest.fixture(scope="module")
def hung():
    with FakeOpenAIServer() as fake:
        fake.stall_seconds = 60  # accepts the connection, never answers
        yield fake


@pytest.fixture(scope="module")
def url(hung, demo_index, api_dirs, embedder, redactor, tmp_path_factory):
    data_dir = copy_index(demo_index, tmp_path_factory.mktemp("faults") / "data")
    settings = api_settings(data_dir, api_dirs[1], generator="openai", openai_base_url=hung.base_url,
                            openai_api_key="sk-test", openai_first_token_s=1.5, openai_reply_deadline_s=3.0,
                            openai_breaker_failures=100)
    service = BeaconService(settings, embedder=embedder, redactor=redactor)
    service.warm_up()
    with running(create_api(service, settings)) as base:
        yield base


def timed(call) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    reply = call()
    return reply, time.monotonic() - started


def test_an_answer_falls_back_within_the_first_token_deadline(url):
    reply, seconds = timed(lambda: httpx.post(f"{url}/v1/chat", json={"session_id": "f-1", "message":
                                                                        "How do I freeze my card?"},
                                              headers=AUTH, timeout=30))
    body = reply.json()
    assert reply.status_code == 200 and seconds < 3.0
    assert "fallback:first_token_timeout" in body["flags"] and body["generator"] == "extractive"
    assert body["citations"]


def test_escalations_reads_and_health_do_not_wait_behind_hung_model_calls(url):
    waiting = [threading.Thread(target=httpx.post, args=(f"{url}/v1/chat",), daemon=True,
                                kwargs={"json": {"session_id": f"f-wait-{n}", "message": "What are the ATM fees?"},
                                        "headers": AUTH, "timeout": 30}) for n in range(6)]
    for thread in waiting:
        thread.start()
    time.sleep(0.3)  # the six answers are now waiting on the hung endpoint
    escalation, seconds = timed(lambda: httpx.post(f"{url}/v1/chat", json={"session_id": "f-2", "message":
                                                   "I will sue you if this is not fixed today"},
                                                   headers=AUTH, timeout=30))
    assert escalation.status_code == 200 and escalation.json()["escalation"] is not None and seconds < 1.2
    read, seconds = timed(lambda: httpx.get(f"{url}/v1/sessions/f-2", headers=AUTH, timeout=30))
    assert read.status_code == 200 and seconds < 0.5
    health, seconds = timed(lambda: httpx.get(f"{url}/healthz", timeout=30))
    assert health.status_code == 200 and seconds < 0.5
    for thread in waiting:
        thread.join(timeout=10)
