"""Rate limits shared by the faces of the service: the REST API (per key), the open chat (per
browser address, per minute and per day) and failed sign-ins (per address)."""

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

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._failures = RateLimiter(per_minute, clock)

    def wait(self, address: str) -> float | None:
        """Seconds this address must wait before trying again, or None."""
        return self._failures.peek(address)

    def failed(self, address: str) -> None:
        self._failures.acquire(address)
