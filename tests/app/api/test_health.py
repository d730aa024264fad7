"""Probes and the OpenAPI description, over HTTP."""

from __future__ import annotations

import re

import httpx

from app.api import create_api
from app.service.beacon_service import BeaconService
from tests.app.api.conftest import api_settings, running

ENDPOINTS = {
    ("/v1/chat", "post"), ("/v1/sessions/{session_id}", "get"), ("/v1/sessions/{session_id}", "delete"),
    ("/v1/sessions/{session_id}/export", "get"), ("/v1/feedback", "post"), ("/v1/handoffs", "get"),
    ("/v1/handoffs/{ticket_id}", "get"), ("/v1/handoffs/{ticket_id}/resolve", "post"),
    ("/v1/handoffs/{ticket_id}/reopen", "post"), ("/v1/ingest", "post"), ("/v1/documents", "post"),
    ("/v1/documents", "get"), ("/healthz", "get"), ("/readyz", "get"),
    ("/v1/sessions/{session_id}/events", "get"), ("/v1/handoffs/{ticket_id}/assign", "post"),
    ("/v1/handoffs/{ticket_id}/messages", "post"), ("/v1/handoffs/{ticket_id}/reveal", "post"),
    ("/v1/handoffs/{ticket_id}/placeholders", "get"), ("/v1/audit/reveals", "get"),
}


def test_healthz_and_readyz_on_a_warm_service(anonymous):
    health = anonymous.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    ready = anonymous.get("/readyz")
    assert ready.status_code == 200 and ready.json()["ready"] is True and ready.json()["store_chunks"] > 0
    assert len(health.headers["x-request-id"]) == 16


def test_readyz_is_503_until_warmed_up(service, tmp_path):
    cold = BeaconService(api_settings(tmp_path / "data", tmp_path / "kb"), embedder=service.embedder)
    with running(create_api(cold, cold.settings)) as url:
        assert httpx.get(f"{url}/healthz").status_code == 200  # alive at once: touches no model
        reply = httpx.get(f"{url}/readyz")
        assert reply.status_code == 503 and reply.json()["models"] == "not loaded"


def test_openapi_documents_every_endpoint(anonymous):
    spec = anonymous.get("/openapi.json").json()
    documented = {(path, method) for path, methods in spec["paths"].items() for method in methods}
    assert documented == ENDPOINTS
    assert "ErrorReply" in spec["components"]["schemas"]


def test_docs_page_loads_nothing_from_outside(anonymous):
    """Swagger UI's script and style come from the server itself (FastAPI's own page takes them from a CDN)."""
    page = anonymous.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    for asset in assets:
        if not asset.startswith("data:"):
            assert anonymous.get(asset).status_code == 200, asset


def test_unknown_v1_path_is_a_json_404(user):
    reply = user.get("/v1/chats")
    assert reply.status_code == 404 and reply.json()["error"]["code"] == "not_found"
