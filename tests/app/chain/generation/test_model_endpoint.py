"""Deadlines, retries inside them, the circuit breaker and the bounded pool, against a real
OpenAI-compatible server on loopback."""

from __future__ import annotations

import threading
import time

import openai
import pytest

from app.chain.generation.model_endpoint import CircuitBreaker, Deadlines, EndpointFailed, ModelEndpoint
from tests.fakes.openai_server import FakeOpenAIServer

MESSAGES = [{"role": "user", "content": "how do I freeze my card?"}]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server():
    with FakeOpenAIServer() as fake:
        yield fake


def endpoint(server, slots=4, breaker=None, **deadlines) -> ModelEndpoint:
    client = openai.OpenAI(api_key="sk-test", base_url=server.base_url, max_retries=0)
    limits = Deadlines(**{"first_token_s": 3.0, "reply_s": 5.0, "retries": 0, **deadlines})
    return ModelEndpoint(client, "tiny", limits, breaker or CircuitBreaker(failures=100), slots)


def reason_and_seconds(call) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(EndpointFailed) as failed:
        call()
    return failed.value.reason, time.monotonic() - started


def test_a_reply_streams_in_pieces(server):
    server.replies = ["Tap Card, then Freeze [1]."]
    assert endpoint(server).complete(MESSAGES, 64, 0.1) == "Tap Card, then Freeze [1]."


def test_a_hung_endpoint_costs_the_first_token_deadline_not_the_http_timeout(server):
    server.stall_seconds = 30
    reason, seconds = reason_and_seconds(lambda: endpoint(server, first_token_s=0.5, attempt_s=60).complete(MESSAGES, 64, 0.1))
    assert reason == "first_token_timeout" and seconds < 1.5


def test_a_reply_that_trickles_past_the_whole_reply_deadline_is_cut(server):
    server.replies = ["Open the app and then go to the card screen and tap the freeze switch [1]."]
    server.stall_mid_stream_seconds = 10
    pieces = []
    reason, seconds = reason_and_seconds(lambda: pieces.extend(endpoint(server, first_token_s=1.0, reply_s=1.5)
                                                               .stream(MESSAGES, 64, 0.1)))
    assert reason == "reply_deadline" and 1.4 < seconds < 2.5 and pieces == ["Open the"]


def test_retries_happen_inside_the_deadline(server):
    server.fail_with, server.fail_times = 503, 2
    server.replies = ["Tap Card, then Freeze [1]."]
    assert endpoint(server, retries=2).complete(MESSAGES, 64, 0.1) == "Tap Card, then Freeze [1]."
    assert len(server.requests) == 3


def test_no_retry_starts_that_the_deadline_cannot_finish(server):
    server.fail_with = 503
    reason, seconds = reason_and_seconds(lambda: endpoint(server, retries=10, reply_s=0.6).complete(MESSAGES, 64, 0.1))
    assert reason == "InternalServerError" and seconds < 1.0 and len(server.requests) <= 2


def test_a_full_pool_answers_busy_at_once(server):
    server.stall_seconds = 3
    shared = endpoint(server, slots=1, first_token_s=2.0, reply_s=2.0)
    hung = threading.Thread(target=lambda: pytest.raises(EndpointFailed, shared.complete, MESSAGES, 64, 0.1))
    hung.start()
    time.sleep(0.3)
    reason, seconds = reason_and_seconds(lambda: shared.complete(MESSAGES, 64, 0.1))
    hung.join()
    assert reason == "model_busy" and seconds < 0.1


def test_the_breaker_opens_after_failures_in_a_row_and_probes_after_the_cool_down(server):
    clock = FakeClock()
    breaker = CircuitBreaker(failures=2, cooldown_s=30, clock=clock)
    calls = endpoint(server, breaker=breaker)
    server.fail_with = 500
    for _ in range(2):
        assert reason_and_seconds(lambda: calls.complete(MESSAGES, 64, 0.1))[0] == "InternalServerError"
    assert breaker.state == "open"
    assert reason_and_seconds(lambda: calls.complete(MESSAGES, 64, 0.1))[0] == "circuit_open"
    assert len(server.requests) == 2  # the open breaker did not call the endpoint
    clock.now += 31
    server.fail_with, server.replies = None, ["Tap Freeze [1]."]
    assert calls.complete(MESSAGES, 64, 0.1) == "Tap Freeze [1]." and breaker.state == "closed"


@pytest.mark.parametrize("events, state, allowed", [
    (["fail", "fail"], "closed", True),
    (["fail", "fail", "fail"], "open", False),
    (["fail", "fail", "ok", "fail", "fail"], "closed", True),  # only failures in a row count
    (["fail", "fail", "fail", "wait", "probe"], "half_open", False),  # one probe at a time
    (["fail", "fail", "fail", "wait", "probe", "fail"], "open", False),  # a failed probe opens it again
    (["fail", "fail", "fail", "wait", "probe", "ok"], "closed", True),
])
def test_breaker_states(events, state, allowed):
    clock = FakeClock()
    breaker = CircuitBreaker(failures=3, cooldown_s=10, clock=clock)
    for event in events:
        {"fail": breaker.failed, "ok": breaker.succeeded, "probe": breaker.allow,
         "wait": lambda: setattr(clock, "now", clock.now + 11)}[event]()
    assert breaker.state == state and breaker.allow() is allowed
