"""Rate limits shared by the faces of the service: the REST API (per key), the open chat (per
browser address, per minute and per day) and failed sign-ins (per address).

In one process they count in memory. With several replicas (``BEACON_DATABASE_URL``) they count
in the shared database, so a client spreading requests over replicas meets the same limit:
each acquisition is one statement that refills and takes from the bucket atomically, on the
database's clock (replicas' clocks may differ). ``rate_limiter`` and ``daily_quota`` choose."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone


class RateLimiter:
    """A token bucket per key (an API key's hashed id, a browser's address): ``per_minute``
    requests in a burst, refilled evenly over the minute. Thread-safe; callers pass hashed ids,
    never the API keys themselves."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError("rate limit must be at least 1 request per minute (BEACON_RATE_LIMIT_PER_MINUTE)")
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill time)
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float | None:
        """Take one request for ``key``: None if allowed, else the seconds until one is."""
        return self._take(key, 1.0)

    def peek(self, key: str) -> float | None:
        """Like ``acquire``, without taking anything."""
        return self._take(key, 0.0)

    def _take(self, key: str, amount: float) -> float | None:
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.refill_per_second)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - amount, now)
                return None
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.refill_per_second


class DailyQuota:
    """At most ``per_day`` acquisitions per key per UTC day. ``acquire`` answers like
    RateLimiter's: None if allowed, else the seconds until the next day starts."""

    def __init__(self, per_day: int, clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        if per_day < 1:
            raise ValueError("a daily quota must allow at least 1 message (BEACON_CHAT_DAILY_LIMIT)")
        self.per_day = per_day
        self._clock = clock
        self._day = None
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float | None:
        with self._lock:
            now = self._clock()
            if now.date() != self._day:  # a new day: yesterday's counts go, so memory stays bounded
                self._day, self._counts = now.date(), {}
            used = self._counts.get(key, 0)
            if used >= self.per_day:
                tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
                return (tomorrow - now).total_seconds()
            self._counts[key] = used + 1
            return None


class Limits:
    """Several limits on the same keys: allowed only if every one allows (checked in order)."""

    def __init__(self, *limits) -> None:
        self.limits = limits

    def acquire(self, key: str) -> float | None:
        for limit in self.limits:
            wait = limit.acquire(key)
            if wait is not None:
                return wait
        return None


class FailureThrottle:
    """Failed sign-ins (wrong API keys, wrong staff passwords) per client address: ``per_minute``
    failures in a burst, then one more each 60/per_minute seconds. Only failures use up the
    allowance; while it is used up, every attempt from that address waits, right or wrong, so
    guessing cannot go faster by mixing in a known key."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic, limiter=None) -> None:
        self._failures = limiter or RateLimiter(per_minute, clock)

    def wait(self, address: str) -> float | None:
        """Seconds this address must wait before trying again, or None."""
        return self._failures.peek(address)

    def failed(self, address: str) -> None:
        self._failures.acquire(address)

    def admit(self, address: str, limiter, key: str) -> tuple[float | None, float | None]:
        """A request with a valid ``key`` from ``address``: (seconds the address must wait, or
        None; seconds the key must wait, or None). The key's bucket is drawn on only when the
        address may try; in the shared database both are one statement."""
        failures = self._failures
        if (isinstance(failures, PostgresRateLimiter) and isinstance(limiter, PostgresRateLimiter)
                and failures.database.url == limiter.database.url):
            return failures.peek_then_acquire(address, limiter, key)
        blocked = self.wait(address)
        return (blocked, None) if blocked is not None else (None, limiter.acquire(key))


# -- across replicas ---------------------------------------------------------------------------
# The bucket's level now, refilled since it was last touched (the database's clock).
_LEVEL = "LEAST(%(capacity)s, b.tokens + EXTRACT(EPOCH FROM now() - b.refreshed_at)::float8 * %(rate)s)"
# A take from a bucket that exists: the amount if the level allows it, else nothing.
_TAKE_FROM_EXISTING = f"""
ON CONFLICT (bucket) DO UPDATE SET
    tokens = CASE WHEN {_LEVEL} >= 1 THEN {_LEVEL} - %(amount)s ELSE {_LEVEL} END,
    allowed = {_LEVEL} >= 1,
    refreshed_at = now()
RETURNING b.tokens, b.allowed
"""
_TAKE = """
INSERT INTO rate_buckets AS b (bucket, tokens, refreshed_at, allowed)
VALUES (%(bucket)s, %(capacity)s - %(amount)s, now(), true)""" + _TAKE_FROM_EXISTING
# A bucket's level without touching it (no row: full).
_PEEK = """
SELECT LEAST(%(peek_capacity)s, tokens + EXTRACT(EPOCH FROM now() - refreshed_at)::float8 * %(peek_rate)s)
FROM rate_buckets WHERE bucket = %(peek_bucket)s"""


# A peek at one bucket, then a take from another unless the first is empty: the take's insert
# selects no row then, so nothing is drawn.
_PEEK_THEN_TAKE = f"""
WITH peeked (level) AS ({_PEEK}
), taken AS (
    INSERT INTO rate_buckets AS b (bucket, tokens, refreshed_at, allowed)
    SELECT %(bucket)s, %(capacity)s - %(amount)s, now(), true
    WHERE NOT EXISTS (SELECT 1 FROM peeked WHERE level < 1){_TAKE_FROM_EXISTING})
SELECT (SELECT level FROM peeked), (SELECT tokens FROM taken), (SELECT allowed FROM taken)
"""


class PostgresRateLimiter:
    """``RateLimiter`` with its buckets in the shared database (table ``rate_buckets``)."""

    def __init__(self, database, scope: str, per_minute: int) -> None:
        if per_minute < 1:
            raise ValueError("rate limit must be at least 1 request per minute (BEACON_RATE_LIMIT_PER_MINUTE)")
        self.database = database
        self.scope = scope
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0

    def acquire(self, key: str) -> float | None:
        return self._take(key, 1.0)

    def peek(self, key: str) -> float | None:
        """A read, not a write: asked on every request (failed sign-ins), it must stay cheap."""
        rows = self.database.execute(_PEEK, self._peek_params(key))
        if not rows or rows[0][0] >= 1.0:
            return None
        return (1.0 - rows[0][0]) / self.refill_per_second

    def peek_then_acquire(self, key: str, limiter: PostgresRateLimiter,
                          limited_key: str) -> tuple[float | None, float | None]:
        """``peek(key)``, then ``limiter.acquire(limited_key)`` unless the peek said wait: one
        statement (a request's failed-sign-in check and its API key's bucket, on every request)."""
        level, tokens, allowed = self.database.execute(_PEEK_THEN_TAKE, {
            **self._peek_params(key), "bucket": f"{limiter.scope}:{limited_key}", "capacity": limiter.capacity, "amount": 1.0,
            "rate": limiter.refill_per_second})[0]
        if level is not None and level < 1.0:
            return (1.0 - level) / self.refill_per_second, None
        return None, None if allowed else (1.0 - tokens) / limiter.refill_per_second

    def _peek_params(self, key: str) -> dict:
        return {"peek_bucket": f"{self.scope}:{key}", "peek_capacity": self.capacity, "peek_rate": self.refill_per_second}

    def _take(self, key: str, amount: float) -> float | None:
        tokens, allowed = self.database.execute(_TAKE, {"bucket": f"{self.scope}:{key}", "capacity": self.capacity,
                                                        "amount": amount, "rate": self.refill_per_second})[0]
        return None if allowed else (1.0 - tokens) / self.refill_per_second


class PostgresDailyQuota:
    """``DailyQuota`` counted in the shared database (table ``daily_counts``), per UTC day."""

    def __init__(self, database, scope: str, per_day: int) -> None:
        if per_day < 1:
            raise ValueError("a daily quota must allow at least 1 message (BEACON_CHAT_DAILY_LIMIT)")
        self.database = database
        self.scope = scope
        self.per_day = per_day

    def acquire(self, key: str) -> float | None:
        rows = self.database.execute(
            "INSERT INTO daily_counts AS d (bucket, day, used) VALUES (%s, (now() AT TIME ZONE 'UTC')::date, 1) "
            "ON CONFLICT (bucket, day) DO UPDATE SET used = d.used + 1 WHERE d.used < %s "
            "RETURNING EXTRACT(EPOCH FROM date_trunc('day', now() AT TIME ZONE 'UTC') + interval '1 day' "
            "- (now() AT TIME ZONE 'UTC'))", (f"{self.scope}:{key}", self.per_day))
        if rows:
            return None
        until_tomorrow = self.database.execute(
            "SELECT EXTRACT(EPOCH FROM date_trunc('day', now() AT TIME ZONE 'UTC') + interval '1 day' "
            "- (now() AT TIME ZONE 'UTC'))")[0][0]
        return float(until_tomorrow)


def purge_shared_limits(database) -> int:
    """Counters nobody has used for a day (retention of the limits themselves)."""
    with database.connection() as conn:
        removed = conn.execute("DELETE FROM daily_counts WHERE day < (now() AT TIME ZONE 'UTC')::date").rowcount
        removed += conn.execute("DELETE FROM rate_buckets WHERE refreshed_at < now() - interval '1 day'").rowcount
    return removed


def rate_limiter(settings, scope: str, per_minute: int):
    """A per-minute limit: in memory for one replica, in the shared database for several."""
    if not settings.shared:
        return RateLimiter(per_minute)
    from app.chain.factory import shared_database

    return PostgresRateLimiter(shared_database(settings), scope, per_minute)


def daily_quota(settings, scope: str, per_day: int):
    if not settings.shared:
        return DailyQuota(per_day)
    from app.chain.factory import shared_database

    return PostgresDailyQuota(shared_database(settings), scope, per_day)


def failure_throttle(settings, scope: str) -> FailureThrottle:
    per_minute = settings.auth_failures_per_minute
    return FailureThrottle(per_minute, limiter=rate_limiter(settings, scope, per_minute) if settings.shared else None)
