"""The audit log of reveals (admin): who saw which value behind which ticket's placeholder, and when."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from app.api.auth import Authenticator
from app.api.schemas import TICKET_ID_PATTERN, error_responses
from app.service.beacon_service import BeaconService


def audit_router(service: BeaconService, auth: Authenticator) -> APIRouter:
    router = APIRouter(prefix="/v1/audit", tags=["audit"], dependencies=[Depends(auth.admin_key)])

    @router.get("/reveals", responses=error_responses(401, 403, 422, 429, 500))
    def reveals(ticket_id: str | None = Query(None, pattern=TICKET_ID_PATTERN),
                revealed_by: str | None = Query(None, max_length=80, description="a staff login or api:KEY_ID"),
                limit: int = Query(200, ge=1, le=5000)) -> dict:
        """Newest first: `{reveal_id, at, revealed_by, ticket_id, placeholder, entity_type,
        assigned_to}`. Never the value."""
        entries = service.desk.reveals(ticket_id, revealed_by, limit)
        return {"reveals": entries, "count": len(entries)}

    return router
