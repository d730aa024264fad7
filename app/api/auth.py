"""API keys and scopes for /v1.

Keys come only from settings (``BEACON_API_KEYS``, ``BEACON_ADMIN_API_KEYS``) and the keys
file (``BEACON_API_KEYS_FILE``); none is ever written in code. A presented key is compared
with every configured key in constant time, so neither a match's position nor a common
prefix shows in the response time. Keys are never logged: callers are known by a short
hash (``key_id``), which is also what the rate limiter counts.

With no key configured at all, /v1 answers 503 and says how to set one: an API without keys
is refused rather than left open.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

from app.api.limits import retry_after_header
from app.api.schemas import ApiError
from app.core.errors import ConfigError
from app.core.settings import Settings
from app.service.rate_limits import FailureThrottle, RateLimiter

MAKE_A_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
MIN_KEY_CHARS = 24
# Keys people type when they mean "I'll change it later": refused however long.
_PLACEHOLDER_WORDS = re.compile(r"changeme|change-me|change_me|example|placeholder|your[-_]?key|replace[-_]?me|"
                                r"secret[-_]?key|api[-_]?key|password|letmein|qwerty|123456")
_REPEATED = re.compile(r"^(.{1,8})\1+$", re.S)
NO_KEYS_MESSAGE = (
    f"No API keys are configured, so the API is closed. Make a key with {MAKE_A_KEY}, set BEACON_API_KEYS to it (and "
    "BEACON_ADMIN_API_KEYS for ingest, documents and handoffs), or BEACON_API_KEYS_FILE to a JSON file "
    '{"keys": [...], "admin_keys": [...]}, then restart beacon serve'
)


@dataclass(frozen=True)
class Caller:
    key_id: str  # a hash prefix of the key: safe to log and to count requests by
    admin: bool


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:12]


class ApiKeys:
    def __init__(self, keys: list[str], admin_keys: list[str]) -> None:
        # Admin keys also pass where a plain key is enough; one list with a flag keeps the
        # comparison loop the same length whatever the presented key is.
        self._entries = [(k.encode(), False) for k in keys if k] + [(k.encode(), True) for k in admin_keys if k]

    @classmethod
    def from_settings(cls, settings: Settings) -> ApiKeys:
        """The configured keys; a short or obvious key stops the start with how to make one."""
        keys = [s.get_secret_value() for s in settings.api_keys]
        admin = [s.get_secret_value() for s in settings.admin_api_keys]
        _refuse_weak(keys, "BEACON_API_KEYS")
        _refuse_weak(admin, "BEACON_ADMIN_API_KEYS")
        if settings.api_keys_file:
            file_keys, file_admin = read_keys_file(settings.api_keys_file)
            _refuse_weak(file_keys + file_admin, f"BEACON_API_KEYS_FILE {settings.api_keys_file}")
            keys += file_keys
            admin += file_admin
        return cls(keys, admin)

    @property
    def configured(self) -> bool:
        return bool(self._entries)

    def identify(self, presented: str) -> Caller | None:
        candidate = presented.encode()
        found: Caller | None = None
        for key, admin in self._entries:  # no early exit: every key is compared every time
            if hmac.compare_digest(candidate, key) and (found is None or admin):
                found = Caller(key_id(key), admin)
        return found

    def __repr__(self) -> str:
        return f"ApiKeys({len(self._entries)} keys)"


def weakness(key: str) -> str | None:
    """Why a key is too easy to guess, or None. The reason never repeats the key."""
    if len(key) < MIN_KEY_CHARS:
        return f"is {len(key)} characters long; an API key needs at least {MIN_KEY_CHARS}"
    if len(set(key)) < 8 or _REPEATED.match(key) or _PLACEHOLDER_WORDS.search(key.lower()):
        return "looks like a placeholder or a pattern, not a random key"
    return None


def _refuse_weak(keys: list[str], where: str) -> None:
    for number, key in enumerate(keys, start=1):
        problem = weakness(key)
        if problem:
            raise ConfigError(f"{where}: key {number} {problem}. Make one with {MAKE_A_KEY}")


def client_address(request) -> str:
    """The client's address as uvicorn saw it (behind a proxy, the proxy's unless uvicorn is told
    to trust X-Forwarded-For: FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client else "unknown"


def read_keys_file(path: Path) -> tuple[list[str], list[str]]:
    where = f"BEACON_API_KEYS_FILE {path}"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{where} does not exist: create it or unset BEACON_API_KEYS_FILE") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f'{where} is not readable JSON ({exc}): write {{"keys": [...], "admin_keys": [...]}}') from None
    if not isinstance(data, dict) or set(data) - {"keys", "admin_keys"}:
        raise ConfigError(f'{where}: expected an object with only "keys" and "admin_keys" lists')
    lists = []
    for name in ("keys", "admin_keys"):
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(k, str) and k.strip() for k in value):
            raise ConfigError(f'{where}: "{name}" must be a list of non-empty strings')
        lists.append([k.strip() for k in value])
    return lists[0], lists[1]


class Authenticator:
    """FastAPI dependencies: ``Depends(auth.any_key)`` and ``Depends(auth.admin_key)``. Each
    authenticated request also takes one token from the caller's rate-limit bucket."""

    def __init__(self, keys: ApiKeys, limiter: RateLimiter, failures: FailureThrottle | None = None) -> None:
        self.keys = keys
        self.limiter = limiter
        self.failures = failures or FailureThrottle(10)

    def _caller(self, request: Request) -> Caller:
        if not self.keys.configured:
            raise ApiError(503, "not_configured", NO_KEYS_MESSAGE)
        address = client_address(request)
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        sent = scheme.lower() == "bearer" and bool(presented.strip())
        caller = self.keys.identify(presented.strip()) if sent else None
        # An address with too many failures waits whatever it sends, a valid key too. With a valid
        # key, the check and the key's bucket are one step (one statement in the shared database).
        blocked, wait = (self.failures.admit(address, self.limiter, caller.key_id) if caller is not None
                         else (self.failures.wait(address), None))
        if blocked is not None:
            raise ApiError(429, "rate_limited",
                           f"Too many failed API keys from your address: wait {retry_after_header(blocked)} s and "
                           "retry with a valid key (limit: BEACON_AUTH_FAILURES_PER_MINUTE)",
                           {"Retry-After": retry_after_header(blocked)})
        if not sent:
            raise ApiError(401, "unauthorized", "Send your API key as 'Authorization: Bearer KEY'",
                           {"WWW-Authenticate": 'Bearer realm="beacon"'})
        if caller is None:
            self.failures.failed(address)
            raise ApiError(401, "unauthorized", "That API key is not valid: check it, or ask an admin for a key",
                           {"WWW-Authenticate": 'Bearer realm="beacon", error="invalid_token"'})
        if wait is not None:
            raise ApiError(429, "rate_limited",
                           f"Too many requests for this API key: wait {retry_after_header(wait)} s and retry "
                           "(limit: BEACON_RATE_LIMIT_PER_MINUTE per minute)",
                           {"Retry-After": retry_after_header(wait)})
        request.state.caller = caller
        return caller

    def any_key(self, request: Request) -> Caller:
        return self._caller(request)

    def admin_key(self, request: Request) -> Caller:
        caller = self._caller(request)
        if not caller.admin:
            raise ApiError(403, "forbidden", "This needs an admin API key (BEACON_ADMIN_API_KEYS); yours can chat, "
                                             "read sessions and send feedback")
        return caller
