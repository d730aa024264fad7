"""The token bucket behind the API's per-key limit and the chat's per-address limit."""

from __future__ import annotations

import threading

import pytest

from app.service.rate_limits import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("per_minute, burst, wait_s, allowed_after_wait", [
    (60, 60, 1.0, 1),  # one token a second
    (60, 60, 0.5, 0),
    (6, 6, 10.0, 1),
    (6, 6, 30.0, 3),
    (1, 1, 120.0, 1),  # tokens never pile up beyond the burst
])
def test_token_bucket(per_minute, burst, wait_s, allowed_after_wait):
    clock = FakeClock()
    limiter = RateLimiter(per_minute, clock)
    assert sum(limiter.acquire("k") is None for _ in range(burst + 5)) == burst
    clock.now += wait_s
    assert sum(limiter.acquire("k") is None for _ in range(burst + 5)) == allowed_after_wait
    assert limiter.acquire("other") is None


def test_rate_limiter_is_thread_safe():
    limiter = RateLimiter(50, FakeClock())
    allowed = []

    def hammer():
        allowed.extend(limiter.acquire("k") is None for _ in range(40))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(allowed) == 50
