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
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

from app.api.limits import retry_after_header
from app.api.schemas import ApiError
from app.core.errors import ConfigError
from app.core.settings import Settings
from app.service.rate_limits import RateLimiter

NO_KEYS_MESSAGE = (
    "No API keys are configured, so the API is closed. Set BEACON_API_KEYS=key1,key2 (and "
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
        keys = [s.get_secret_value() for s in settings.api_keys]
        admin = [s.get_secret_value() for s in settings.admin_api_keys]
        if settings.api_keys_file:
            file_keys, file_admin = read_keys_file(settings.api_keys_file)
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

    def __init__(self, keys: ApiKeys, limiter: RateLimiter) -> None:
        self.keys = keys
        self.limiter = limiter

    def _caller(self, request: Request) -> Caller:
        if not self.keys.configured:
            raise ApiError(503, "not_configured", NO_KEYS_MESSAGE)
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        challenge = {"WWW-Authenticate": 'Bearer realm="beacon"'}
        if scheme.lower() != "bearer" or not presented.strip():
            raise ApiError(401, "unauthorized", "Send your API key as 'Authorization: Bearer KEY'", challenge)
        caller = self.keys.identify(presented.strip())
        if caller is None:
            raise ApiError(401, "unauthorized", "That API key is not valid: check it, or ask an admin for a key",
                           {"WWW-Authenticate": 'Bearer realm="beacon", error="invalid_token"'})
        wait = self.limiter.acquire(caller.key_id)
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
