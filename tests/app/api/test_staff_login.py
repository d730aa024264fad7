"""Failed staff logins are throttled per address in front of Gradio's login route."""

from __future__ import annotations

import httpx

from app.server import create_app
from tests.app.api.conftest import api_settings, running


def test_failed_staff_logins_get_429_with_retry_after(service):
    settings = api_settings(service.settings.data_dir, service.settings.knowledge_dir,
                            ui_users=["editor:a-long-staff-password"], auth_failures_per_minute=3)
    with running(create_app(settings, service)) as url:
        def login(password):
            return httpx.post(f"{url}/staff/login", data={"username": "editor", "password": password})

        assert [login(f"wrong-{n}").status_code for n in range(3)] == [400, 400, 400]
        refused = login("wrong-again")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert "BEACON_AUTH_FAILURES_PER_MINUTE" in refused.json()["detail"]
        assert login("a-long-staff-password").status_code == 429


def test_a_right_login_is_not_counted(service):
    settings = api_settings(service.settings.data_dir, service.settings.knowledge_dir,
                            ui_users=["editor:a-long-staff-password"], auth_failures_per_minute=2)
    with running(create_app(settings, service)) as url:
        for _ in range(4):
            assert httpx.post(f"{url}/staff/login",
                              data={"username": "editor", "password": "a-long-staff-password"}).status_code == 200
