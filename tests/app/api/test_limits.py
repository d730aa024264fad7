"""Body size limits and the per-key rate limit, over HTTP with tiny limits."""

from __future__ import annotations

import httpx
import pytest

from app.api import create_api
from app.api.limits import retry_after_header
from tests.app.api.conftest import ADMIN_KEY, USER_KEY, api_settings, running

AUTH = {"Authorization": f"Bearer {USER_KEY}"}
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture(scope="module")
def small_url(service):
    """1 KB JSON bodies, 10 KB uploads."""
    settings = api_settings(service.settings.data_dir, service.settings.knowledge_dir,
                            max_request_kb=1, max_file_mb=0.01)
    with running(create_api(service, settings)) as url:
        yield url


def _is_413(reply: httpx.Response) -> None:
    assert reply.status_code == 413
    assert reply.json()["error"]["code"] == "payload_too_large"


def test_body_over_limit_by_content_length(small_url):
    reply = httpx.post(f"{small_url}/v1/chat", json={"message": "a" * 2000}, headers=AUTH)
    _is_413(reply)
    assert "BEACON_MAX_REQUEST_KB" in reply.json()["error"]["message"]


def test_body_over_limit_without_content_length(small_url):
    """A chunked body declares no length: the bytes themselves are counted."""
    def pieces():
        yield b'{"message": "'
        for _ in range(10):
            yield b"b" * 300
        yield b'"}'

    reply = httpx.post(f"{small_url}/v1/chat", content=pieces(),
                       headers={**AUTH, "Content-Type": "application/json"})
    assert "content-length" not in reply.request.headers
    _is_413(reply)


def test_body_under_limit_passes(small_url):
    reply = httpx.post(f"{small_url}/v1/chat", json={"message": "What are the ATM fees?"}, headers=AUTH, timeout=60)
    assert reply.status_code == 200


def test_upload_over_file_limit(small_url):
    content = b"# FAQ\n\n## Question?\n" + b"An answer line that repeats.\n" * 2000  # about 58 KB
    reply = httpx.post(f"{small_url}/v1/documents?preview=true", files={"file": ("big.md", content, "text/markdown")},
                       headers=ADMIN)
    _is_413(reply)
    assert "BEACON_MAX_FILE_MB" in reply.json()["error"]["message"]
    assert "the 0.01 MB allowed" in reply.json()["error"]["message"]  # the setting, not the limit with form overhead


def test_server_keeps_serving_after_refusals(small_url):
    for _ in range(3):
        _is_413(httpx.post(f"{small_url}/v1/chat", json={"message": "x" * 5000}, headers=AUTH))
    assert httpx.get(f"{small_url}/healthz").status_code == 200


def test_rate_limit_answers_429_with_retry_after(service):
    settings = api_settings(service.settings.data_dir, service.settings.knowledge_dir, rate_limit_per_minute=3)
    with running(create_api(service, settings)) as url:
        statuses = [httpx.get(f"{url}/v1/sessions/nobody", headers=AUTH).status_code for _ in range(3)]
        assert statuses == [404, 404, 404]
        refused = httpx.get(f"{url}/v1/sessions/nobody", headers=AUTH)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 20  # 3 a minute: one request back every 20 s
        # Each key has its own bucket.
        assert httpx.get(f"{url}/v1/handoffs", headers=ADMIN).status_code == 200


@pytest.mark.parametrize("seconds, header", [(0.01, "1"), (1.0, "1"), (1.2, "2"), (19.9, "20")])
def test_retry_after_is_whole_seconds_rounded_up(seconds, header):
    assert retry_after_header(seconds) == header


def test_the_open_chat_has_a_request_size_limit_too(service):
    from app.server import create_app

    settings = api_settings(service.settings.data_dir, service.settings.knowledge_dir, chat_max_request_kb=8)
    with running(create_app(settings, service)) as url:
        huge = {"data": ["x" * 20_000, [], "s", "None"], "fn_index": 0, "session_hash": "abc"}
        reply = httpx.post(f"{url}/gradio_api/queue/join", json=huge)
        _is_413(reply)
        assert "BEACON_CHAT_MAX_REQUEST_KB" in reply.json()["error"]["message"]
