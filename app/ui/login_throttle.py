"""Failed staff logins throttled per client address, in front of Gradio's own login route
(Gradio checks the password but does not count failures)."""

from __future__ import annotations

import json
import math

from app.service.rate_limits import FailureThrottle

_LOGIN_PATHS = ("/login", "/login/")


class LoginThrottleMiddleware:
    """ASGI middleware: a POST to ``{prefix}/login`` from an address with too many recent
    failures gets 429 with Retry-After before Gradio sees it; a failed login (Gradio answers
    400) counts against the address."""

    def __init__(self, app, throttle: FailureThrottle, prefix: str = "/staff") -> None:
        self.app = app
        self.throttle = throttle
        self.paths = {prefix + path for path in _LOGIN_PATHS}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        address = (scope.get("client") or ("unknown", 0))[0]
        wait = self.throttle.wait(address)
        if wait is not None:
            await _too_many(send, math.ceil(wait))
            return

        async def watch(message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (400, 401):
                self.throttle.failed(address)
            await send(message)

        await self.app(scope, receive, watch)


async def _too_many(send, seconds: int) -> None:
    body = json.dumps({"detail": f"Too many failed logins from your address: wait {seconds} s and try again "
                                 "(limit: BEACON_AUTH_FAILURES_PER_MINUTE)"}).encode()
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(max(1, seconds)).encode())]})
    await send({"type": "http.response.body", "body": body})
