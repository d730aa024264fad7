"""The outgoing webhook: a help desk subscribes to new handoff tickets.

The body is the ticket as JSON (redacted text only). With ``BEACON_WEBHOOK_SECRET`` set,
``X-Beacon-Signature`` carries the HMAC-SHA256 of the body so the receiver can check the
sender. Delivery is best effort with retries; a failure is logged (ticket id only) and never
reaches the customer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request

from app.core.settings import Settings

log = logging.getLogger("beacon.webhooks")
ATTEMPTS = 3


def signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_ticket(settings: Settings, ticket: dict, attempts: int = ATTEMPTS, timeout_s: float = 5.0) -> bool:
    body = json.dumps({"event": "handoff.created", "ticket": ticket}, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "beacon-webhook"}
    if settings.webhook_secret is not None:
        headers["X-Beacon-Signature"] = signature(settings.webhook_secret.get_secret_value(), body)
    for attempt in range(1, attempts + 1):
        try:
            request = urllib.request.Request(settings.webhook_url, data=body, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                if 200 <= response.status < 300:
                    return True
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = type(exc).__name__
        else:
            reason = f"HTTP {response.status}"
        log.warning("webhook for ticket %s failed (%s), attempt %d of %d", ticket.get("ticket_id"), reason,
                    attempt, attempts)
        time.sleep(min(2 ** attempt * 0.25, 2))
    return False
