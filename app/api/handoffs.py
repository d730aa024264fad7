"""The handoff queue (admin): list, read, resolve and reopen tickets."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Path, Query

from app.api.auth import Authenticator
from app.api.schemas import TICKET_ID_PATTERN, NoteBody, error_responses, require_json
from app.service.beacon_service import BeaconService

TicketId = Path(..., pattern=TICKET_ID_PATTERN, description="e.g. HO-250101-ABCDE")


def handoffs_router(service: BeaconService, auth: Authenticator) -> APIRouter:
    router = APIRouter(prefix="/v1/handoffs", tags=["handoffs"], dependencies=[Depends(auth.admin_key)])
    errors = error_responses(401, 403, 404, 422, 429, 500)

    @router.get("", responses=errors)
    def list_handoffs(status: Literal["open", "resolved"] | None = None,
                      priority: str | None = Query(None, max_length=20, description="urgent, high, normal or low"),
                      category: str | None = Query(None, max_length=60),
                      limit: int = Query(100, ge=1, le=1000)) -> dict:
        """Tickets, most urgent first, then newest."""
        tickets = service.handoffs(status=status, priority=priority, category=category, limit=limit)
        return {"handoffs": tickets, "count": len(tickets)}

    @router.get("/{ticket_id}", responses=errors)
    def get_handoff(ticket_id: str = TicketId) -> dict:
        return service.handoff(ticket_id)

    @router.post("/{ticket_id}/resolve", dependencies=[Depends(require_json)], responses=errors)
    def resolve(ticket_id: str = TicketId, body: NoteBody | None = None) -> dict:
        return service.set_handoff_status(ticket_id, "resolved", body.note if body else None)

    @router.post("/{ticket_id}/reopen", dependencies=[Depends(require_json)], responses=errors)
    def reopen(ticket_id: str = TicketId, body: NoteBody | None = None) -> dict:
        return service.set_handoff_status(ticket_id, "open", body.note if body else None)

    return router
