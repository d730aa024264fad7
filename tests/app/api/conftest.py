"""A real Beacon API on loopback: uvicorn in a background thread, serving the real service
on a copy of the demo index. The service (models, stores) is built once per session; servers
are cheap, so a test module that needs other settings (tiny limits, a keys file) starts its own
around the same service."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from app.api import create_api
from app.core.settings import Settings
from app.service.beacon_service import BeaconService
from tests.conftest import DEMO_KB, copy_index

USER_KEY = "user-7Hq2pX9vLm4Rt8Wz3Nc6"
ADMIN_KEY = "admin-Qe5Tb1Ky7Gd3Mw9Hs2Lp"
# A Fernet key for tests only: the shared service keeps handed-over values encrypted, so every
# privacy test here also covers the encrypted vault.
VAULT_KEY = "OIY3xRWdpztP3PieYIUcPRyaUTWBggitUEkI5aY1mCc="


@contextmanager
def running(app):
    """Serve ``app`` on a free loopback port; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test API server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def clean_env():
    """Session-scoped twin of the autouse fixture: session objects must not read a
    developer's BEACON_* settings either."""
    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):
            if key.startswith("BEACON_"):
                patch.delenv(key)
        yield


@pytest.fixture(scope="session")
def api_dirs(demo_index, tmp_path_factory, clean_env) -> tuple[Path, Path]:
    """(data_dir, knowledge_dir): writable copies of the demo index and knowledge base."""
    root = tmp_path_factory.mktemp("api")
    copy_index(demo_index, root / "data")
    shutil.copytree(DEMO_KB, root / "kb")
    return root / "data", root / "kb"


def api_settings(data_dir: Path, kb_dir: Path, **overrides) -> Settings:
    values = {"data_dir": data_dir, "knowledge_dir": kb_dir, "api_keys": [USER_KEY], "admin_api_keys": [ADMIN_KEY],
              "rate_limit_per_minute": 100_000, "vault_key": VAULT_KEY, **overrides}
    return Settings(**values)


@pytest.fixture(scope="session")
def service(api_dirs, embedder, redactor) -> BeaconService:
    data_dir, kb_dir = api_dirs
    beacon = BeaconService(api_settings(data_dir, kb_dir), embedder=embedder, redactor=redactor)
    beacon.warm_up()
    return beacon


@pytest.fixture(scope="session")
def base_url(service) -> str:
    with running(create_api(service, service.settings)) as url:
        yield url


@pytest.fixture(scope="session")
def user(base_url):
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {USER_KEY}"}, timeout=60) as client:
        yield client


@pytest.fixture(scope="session")
def admin(base_url):
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=120) as client:
        yield client


@pytest.fixture(scope="session")
def anonymous(base_url):
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client
