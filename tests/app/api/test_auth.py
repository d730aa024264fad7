"""API keys and scopes, over HTTP: who may call what, and the no-keys default."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import SecretStr

from app.api import create_api
from app.api.auth import ApiKeys, read_keys_file
from app.core.errors import ConfigError
from tests.app.api.conftest import USER_KEY, api_settings, running

# Authenticated callers reach the route: 404, not 401.
PLAIN_ROUTES = [("GET", "/v1/sessions/no-such-session"), ("GET", "/v1/sessions/no-such-session/events")]
ADMIN_ROUTES = [("GET", "/v1/handoffs"), ("GET", "/v1/handoffs/HO-000000-AAAAA"), ("GET", "/v1/documents"),
                ("POST", "/v1/ingest"), ("POST", "/v1/handoffs/HO-000000-AAAAA/resolve"),
                ("POST", "/v1/handoffs/HO-000000-AAAAA/assign"), ("POST", "/v1/handoffs/HO-000000-AAAAA/messages"),
                ("POST", "/v1/handoffs/HO-000000-AAAAA/reveal"), ("GET", "/v1/handoffs/HO-000000-AAAAA/placeholders"),
                ("GET", "/v1/audit/reveals")]


FILE_USER, FILE_ADMIN = "file-user-Ra4Nw8Pk2Xc6Vt9Bm3", "file-admin-Lq7Hd1Sz5Ge9Yj3Uf6"


@pytest.mark.parametrize("headers, why", [
    ({}, "no header"),
    ({"Authorization": "Bearer"}, "scheme without a key"),
    ({"Authorization": f"Basic {USER_KEY}"}, "wrong scheme"),
    ({"Authorization": "Bearer not-a-key"}, "unknown key"),
    ({"Authorization": f"Bearer {USER_KEY}x"}, "a known key plus a character"),
    ({"Authorization": f"Bearer {USER_KEY[:-1]}"}, "a prefix of a known key"),
])
def test_missing_or_unknown_key_is_401_with_challenge(base_url, headers, why):
    reply = httpx.post(f"{base_url}/v1/chat", json={"message": "hi"}, headers=headers)
    assert reply.status_code == 401, why
    assert reply.headers["www-authenticate"].startswith("Bearer")
    assert reply.json()["error"]["code"] == "unauthorized"
    assert USER_KEY not in reply.text


@pytest.mark.parametrize("method, path", ADMIN_ROUTES)
def test_user_key_on_admin_route_is_403(user, method, path):
    reply = user.request(method, path)
    assert reply.status_code == 403
    assert reply.json()["error"]["code"] == "forbidden"
    assert "admin" in reply.json()["error"]["message"]


@pytest.mark.parametrize("method, path, expected", [
    ("GET", "/v1/handoffs", 200),
    ("GET", "/v1/documents", 200),
    ("GET", "/v1/handoffs/HO-000000-AAAAA", 404),  # past auth: the ticket does not exist
    *[(m, p, 404) for m, p in PLAIN_ROUTES],  # an admin key also has the plain scope
])
def test_admin_key_passes(admin, method, path, expected):
    assert admin.request(method, path).status_code == expected


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json"])
def test_probes_and_docs_need_no_key(anonymous, path):
    assert anonymous.get(path).status_code == 200


def test_keys_file_adds_keys(service, tmp_path):
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps({"keys": [FILE_USER], "admin_keys": [FILE_ADMIN]}))
    settings = api_settings(service.settings.data_dir, service.settings.knowledge_dir, api_keys_file=keys_file)
    with running(create_api(service, settings)) as url:
        def call(key, path):
            return httpx.get(url + path, headers={"Authorization": f"Bearer {key}"}).status_code

        assert call(FILE_USER, "/v1/sessions/nobody") == 404
        assert call(FILE_USER, "/v1/handoffs") == 403
        assert call(FILE_ADMIN, "/v1/handoffs") == 200
        assert call(USER_KEY, "/v1/sessions/nobody") == 404  # settings keys still work beside the file
        assert call("not-in-file", "/v1/sessions/nobody") == 401


def test_no_keys_configured_closes_the_api_with_a_fix(service):
    settings = api_settings(service.settings.data_dir, service.settings.knowledge_dir, api_keys=[], admin_api_keys=[])
    with running(create_api(service, settings)) as url:
        reply = httpx.post(f"{url}/v1/chat", json={"message": "hi"}, headers={"Authorization": "Bearer anything"})
        assert reply.status_code == 503
        assert reply.json()["error"]["code"] == "not_configured"
        assert "BEACON_API_KEYS" in reply.json()["error"]["message"]
        assert httpx.get(f"{url}/healthz").status_code == 200


@pytest.mark.parametrize("content, problem", [
    (None, "does not exist"),
    ("{not json", "not readable JSON"),
    ('["a", "b"]', "only \"keys\" and \"admin_keys\""),
    ('{"keys": ["a"], "admin": ["b"]}', "only \"keys\" and \"admin_keys\""),
    ('{"keys": "a,b"}', "list of non-empty strings"),
    ('{"keys": ["a", ""]}', "list of non-empty strings"),
])
def test_broken_keys_file_stops_with_the_fix(tmp_path, content, problem):
    path = tmp_path / "keys.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=problem):
        read_keys_file(path)


@pytest.mark.parametrize("presented, expected", [
    ("u1", (False,)),
    ("a1", (True,)),
    ("both", (True,)),  # listed as plain and admin: the admin scope wins
    ("u", None),
    ("", None),
    ("ü1", None),
])
def test_identify(presented, expected):
    keys = ApiKeys(["u1", "both"], ["a1", "both"])
    caller = keys.identify(presented)
    assert (caller.admin,) == expected if expected else caller is None


def test_keys_are_never_shown(tmp_path):
    settings = api_settings(tmp_path, tmp_path, api_keys=[SecretStr("s3cret-user-Zk8Pw2Rn5Vb7Xq4")],
                            admin_api_keys=["s3cret-admin-Jh3Tm6Dc9Fy1Gs5"])
    keys = ApiKeys.from_settings(settings)
    assert "s3cret" not in repr(keys) and "s3cret" not in repr(settings)
    assert "s3cret" not in keys.identify("s3cret-user-Zk8Pw2Rn5Vb7Xq4").key_id


@pytest.mark.parametrize("key, problem", [
    ("key1", "is 4 characters long"),
    ("short-but-random-9Xq", "is 20 characters long"),
    ("changeme-changeme-changeme", "placeholder"),
    ("your-api-key-goes-here-please", "placeholder"),
    ("abcabcabcabcabcabcabcabcabc", "placeholder or a pattern"),
    ("aaaaaaaaaaaaaaaaaaaaaaaaaaaa", "placeholder or a pattern"),
    ("0123456789012345678901234", "placeholder or a pattern"),
])
def test_weak_keys_stop_the_start_with_how_to_make_one(tmp_path, key, problem):
    settings = api_settings(tmp_path, tmp_path, api_keys=[USER_KEY], admin_api_keys=[key])
    with pytest.raises(ConfigError, match=problem) as refused:
        ApiKeys.from_settings(settings)
    assert "BEACON_ADMIN_API_KEYS: key 1" in str(refused.value) and "secrets.token_urlsafe(32)" in str(refused.value)
    assert key not in str(refused.value)


def test_a_weak_key_in_the_keys_file_is_refused_too(tmp_path):
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps({"keys": [FILE_USER, "letmein"]}))
    with pytest.raises(ConfigError, match="keys.json: key 2 is 7 characters long"):
        ApiKeys.from_settings(api_settings(tmp_path, tmp_path, api_keys_file=keys_file))


def test_wrong_keys_from_one_address_are_throttled_even_before_a_right_one(service):
    settings = api_settings(service.settings.data_dir, service.settings.knowledge_dir, auth_failures_per_minute=5)
    with running(create_api(service, settings)) as url:
        def call(key):
            return httpx.get(f"{url}/v1/sessions/nobody", headers={"Authorization": f"Bearer {key}"})

        assert [call(f"guess-{n}").status_code for n in range(5)] == [401] * 5
        refused = call("guess-6")
        assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 12
        assert "BEACON_AUTH_FAILURES_PER_MINUTE" in refused.json()["error"]["message"]
        assert call(USER_KEY).status_code == 429  # a known key does not reopen the door for guessing
