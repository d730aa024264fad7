"""Rate limits counted in the shared database hold across replicas."""

from __future__ import annotations

import pytest

from app.core.database import Database
from app.service.rate_limits import FailureThrottle, PostgresDailyQuota, PostgresRateLimiter, purge_shared_limits

pytestmark = pytest.mark.postgres


def test_a_minute_limit_holds_across_replicas(database, database_url):
    other = Database(database_url, 2).open()  # another replica's own pool
    a, b = PostgresRateLimiter(database, "api", 6), PostgresRateLimiter(other, "api", 6)
    allowed = [(a if i % 2 else b).acquire("key-1") is None for i in range(10)]
    assert allowed == [True] * 6 + [False] * 4
    wait = a.acquire("key-1")
    assert 0 < wait <= 10.5  # one request every 10 s at 6 a minute
    assert b.acquire("key-2") is None  # each key its own bucket
    assert PostgresRateLimiter(database, "chat", 6).acquire("key-1") is None  # each scope too
    other.close()


def test_peek_takes_nothing_and_failures_throttle_across_replicas(database):
    limiter = PostgresRateLimiter(database, "auth", 2)
    assert limiter.peek("10.0.0.1") is None and limiter.peek("10.0.0.1") is None
    throttles = [FailureThrottle(2, limiter=PostgresRateLimiter(database, "auth", 2)) for _ in range(2)]
    throttles[0].failed("10.0.0.1")
    throttles[1].failed("10.0.0.1")
    assert throttles[0].wait("10.0.0.1") is not None and throttles[1].wait("10.0.0.2") is None


def test_a_daily_quota_holds_across_replicas_and_says_when_it_resets(database):
    replicas = [PostgresDailyQuota(database, "chat-day", 3) for _ in range(2)]
    results = [replicas[i % 2].acquire("1.2.3.4") for i in range(5)]
    assert results[:3] == [None] * 3
    assert all(0 < wait <= 86_400 for wait in results[3:])
    database.execute("UPDATE daily_counts SET day = day - 1")
    assert replicas[0].acquire("1.2.3.4") is None  # a new day
    assert purge_shared_limits(database) == 1  # yesterday's counter goes


def test_a_blocked_address_waits_with_a_valid_key_and_its_bucket_is_not_drawn(database):
    failures = FailureThrottle(2, limiter=PostgresRateLimiter(database, "api-auth", 2))
    keys = PostgresRateLimiter(database, "api", 3)
    assert failures.admit("10.0.0.7", keys, "key-7") == (None, None)  # one statement: peek, then take
    failures.failed("10.0.0.7")
    failures.failed("10.0.0.7")
    blocked, wait = failures.admit("10.0.0.7", keys, "key-7")
    assert 0 < blocked <= 30.5 and wait is None
    # Two left of three: had the blocked request drawn one, only the first of these would pass.
    assert [failures.admit("10.0.0.8", keys, "key-7")[1] is None for _ in range(3)] == [True, True, False]
