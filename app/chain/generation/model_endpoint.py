"""Calls to an OpenAI-compatible chat endpoint that cost a customer seconds, never minutes.

Every call has a first-token deadline and a whole-reply deadline; retries happen only inside
them. A circuit breaker stops calling an endpoint that keeps failing and probes it again after a
cool-down. Calls run on their own threads, at most ``slots`` at once: when every slot is taken
(a hung endpoint holds them), the next call fails at once instead of queueing, so a turn falls
back to the extractive answer and the paths that need no model never wait behind one.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

log = logging.getLogger(__name__)


class EndpointFailed(Exception):
    """The endpoint gave no usable reply in time; ``reason`` is a stable code for flags and Insights."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Deadlines:
    first_token_s: float = 4.0  # from the call to the first piece of text
    reply_s: float = 10.0  # from the call to the last piece, retries included
    attempt_s: float = 30.0  # one HTTP request at most (BEACON_OPENAI_TIMEOUT_S)
    retries: int = 2  # further attempts after a connection error or a 5xx/429, inside reply_s


class CircuitBreaker:
    """Closed: calls go through. After ``failures`` failures in a row it opens: calls are refused
    for ``cooldown_s``; then one probe is let through (half-open), which closes it on success and
    opens it again on failure."""

    def __init__(self, failures: int = 3, cooldown_s: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.failures = failures
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._in_a_row = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> str:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            return "half_open" if self._clock() - self._opened_at >= self.cooldown_s else "open"

    def allow(self) -> bool:
        with self._lock:
            if self._opened_at is None:
                return True
            if self._clock() - self._opened_at < self.cooldown_s or self._probing:
                return False
            self._probing = True  # the one probe after the cool-down
            return True

    def succeeded(self) -> None:
        with self._lock:
            self._in_a_row, self._opened_at, self._probing = 0, None, False

    def failed(self) -> None:
        with self._lock:
            self._in_a_row += 1
            if self._probing or self._in_a_row >= self.failures:
                if self._opened_at is None or self._probing:
                    log.warning("model endpoint: %d failures in a row, not calling it for %.0f s",
                                self._in_a_row, self.cooldown_s)
                self._opened_at = self._clock()
            self._probing = False


# Errors after which another attempt may succeed: the request never reached a working server.
_RETRYABLE = ("APIConnectionError", "RateLimitError", "InternalServerError", "ServiceUnavailableError")
# The caller's fault, not the endpoint's: it says nothing about the endpoint's health.
_NOT_THE_ENDPOINT = ("BadRequestError", "UnprocessableEntityError", "NotFoundError")
_BACKOFF_S = 0.25


class ModelEndpoint:
    """One OpenAI-compatible chat endpoint behind deadlines, a breaker and a bounded pool."""

    def __init__(self, client, model: str, deadlines: Deadlines | None = None, breaker: CircuitBreaker | None = None,
                 slots: int = 8) -> None:
        self.client = client
        self.model = model
        self.deadlines = deadlines or Deadlines()
        self.breaker = breaker or CircuitBreaker()
        self._slots = threading.BoundedSemaphore(slots)

    def stream(self, messages: list[dict], max_tokens: int, temperature: float,
               reply_s: float | None = None) -> Iterator[str]:
        """Pieces of the reply as they come. Raises EndpointFailed, before or between pieces,
        when a deadline passes or the endpoint fails."""
        limits = self.deadlines
        reply_s = min(reply_s or limits.reply_s, limits.reply_s)
        if not self._slots.acquire(blocking=False):
            raise EndpointFailed("model_busy")
        if not self.breaker.allow():
            self._slots.release()
            raise EndpointFailed("circuit_open")
        started = time.monotonic()
        pieces: queue.Queue = queue.Queue()
        call = _Call(self, messages, max_tokens, temperature, started + reply_s, pieces)
        threading.Thread(target=call.run, name="beacon-model-call", daemon=True).start()
        first = True
        try:
            while True:
                limit = min(limits.first_token_s, reply_s) if first else reply_s
                try:
                    kind, value = pieces.get(timeout=max(0.0, started + limit - time.monotonic()))
                except queue.Empty:
                    call.cancel()
                    raise self._failure("first_token_timeout" if first else "reply_deadline") from None
                if kind == "text":
                    first = False
                    yield value
                elif kind == "error":
                    raise self._failure(value)
                else:  # "end": value is whether the server said the reply was complete
                    if not value:
                        raise self._failure("incomplete_stream")
                    self.breaker.succeeded()
                    return
        finally:
            call.cancel()  # a caller that stops early, or a deadline, ends the request too

    def complete(self, messages: list[dict], max_tokens: int, temperature: float, reply_s: float | None = None) -> str:
        text = "".join(self.stream(messages, max_tokens, temperature, reply_s)).strip()
        if not text:
            raise EndpointFailed("empty_reply")
        return text

    def _failure(self, reason: str) -> EndpointFailed:
        if reason not in _NOT_THE_ENDPOINT:
            self.breaker.failed()
        return EndpointFailed(reason)

    def release(self) -> None:
        self._slots.release()


class _Call:
    """One request on its own thread, handing pieces to the caller through a queue."""

    def __init__(self, endpoint: ModelEndpoint, messages, max_tokens, temperature, deadline: float, out) -> None:
        self.endpoint = endpoint
        self.messages = messages
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.deadline = deadline
        self.out = out
        self._cancelled = threading.Event()
        self._response = None

    def cancel(self) -> None:
        self._cancelled.set()
        response = self._response
        if response is not None:
            try:
                response.close()  # unblocks a read waiting on a hung server
            except Exception:  # closing a stream another thread reads may raise; the thread ends anyway
                pass

    def run(self) -> None:
        try:
            self._attempts()
        finally:
            self.endpoint.release()

    def _attempts(self) -> None:
        from app.core.errors import endpoint_error_name, endpoint_errors

        limits = self.endpoint.deadlines
        for attempt in range(limits.retries + 1):
            sent_text = False
            try:
                remaining = self.deadline - time.monotonic()
                timeout = _timeout(min(limits.attempt_s, remaining), limits.first_token_s)
                self._response = self.endpoint.client.chat.completions.create(
                    model=self.endpoint.model, messages=self.messages, stream=True, temperature=self.temperature,
                    max_tokens=self.max_tokens, timeout=timeout)
                finished = False
                for event in self._response:
                    if self._cancelled.is_set():
                        return
                    if not event.choices:
                        continue
                    choice = event.choices[0]
                    if choice.delta and choice.delta.content:
                        sent_text = True
                        self.out.put(("text", choice.delta.content))
                    finished = finished or choice.finish_reason is not None
                self.out.put(("end", finished))
                return
            except endpoint_errors() as exc:
                reason = endpoint_error_name(exc)
            except Exception as exc:  # a reply the SDK cannot parse (garbage): the endpoint's fault, not ours
                reason = f"bad_response:{type(exc).__name__}"
            if self._cancelled.is_set():
                return
            wait = _BACKOFF_S * 2 ** attempt
            if sent_text or reason not in _RETRYABLE or time.monotonic() + wait + 0.5 >= self.deadline \
                    or attempt == limits.retries:
                self.out.put(("error", reason))
                return
            time.sleep(wait)


def _timeout(total_s: float, read_s: float):
    """The HTTP client's timeout for one attempt: a read may wait ``read_s`` for the next bytes,
    and nothing waits past what is left of the whole-reply deadline."""
    import openai  # openai.Timeout is its HTTP client's (httpx, or httpx2 under openai 3)

    total_s = max(0.1, total_s)
    # A little longer than the caller's own wait, so the caller's deadline, not the client, names
    # the failure; the read timeout only frees this thread (and its slot) from a hung server.
    read_s = read_s * 1.5 + 0.5
    return openai.Timeout(total_s, connect=min(2.0, total_s), read=min(read_s, total_s))
