"""Probes for a load balancer or orchestrator; no key needed."""

from __future__ import annotations

import time

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.service.beacon_service import BeaconService


def health_router(service: BeaconService) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> dict:
        """The process answers. Touches no model or store, so it stays fast while busy."""
        return {"status": "ok", "uptime_s": round(time.time() - service.started, 1)}

    @router.get("/readyz", responses={503: {"description": "not ready yet: models loading or store unreachable"}})
    def readyz() -> JSONResponse:
        """Ready to answer: the store is reachable and the models are loaded."""
        checks = service.ready()
        return JSONResponse(checks, status_code=200 if checks["ready"] else 503)

    return router
