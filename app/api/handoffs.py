"""The handoff queue (admin): list and read tickets, assign them, write to the customer,
reveal a kept value under audit, resolve and reopen.

The caller is known by its API key's id: ``api:KEY_ID`` is who assigned, replied, revealed or
resolved, in the ticket's events and in the audit log."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from app.api.auth import Authenticator
from app.api.schemas import (
    TICKET_ID_PATTERN,
    AssignBody,
    MessageBody,
    NoteBody,
    RevealBody,
    error_responses,
    require_json,
)
from app.service.beacon_service import BeaconService

TicketId = Path(..., pattern=TICKET_ID_PATTERN, description="e.g. HO-250101-ABCDE")
State = Literal["waiting", "assigned", "answered", "resolved"]


def caller_name(request: Request) -> str:
    """Who an admin API call acts as: the key's id, never the key."""
    return f"api:{request.state.caller.key_id}"


def handoffs_router(service: BeaconService, auth: Authenticator) -> APIRouter:
    router = APIRouter(prefix="/v1/handoffs", tags=["handoffs"], dependencies=[Depends(auth.admin_key)])
    errors = error_responses(401, 403, 404, 422, 429, 500)
    changes = error_responses(401, 403, 404, 409, 415, 422, 429, 500)

    @router.get("", responses=errors)
    def list_handoffs(status: Literal["open", "resolved"] | None = None,
                      state: State | None = Query(None, description="waiting, assigned, answered or resolved"),
                      priority: str | None = Query(None, max_length=20, description="urgent, high, normal or low"),
                      category: str | None = Query(None, max_length=60),
                      assigned_to: str | None = Query(None, max_length=80),
                      limit: int = Query(100, ge=1, le=1000)) -> dict:
        """Tickets, most urgent first, then newest. Each carries its `state`, `assigned_to` and
        the other tickets of its conversation in `related_tickets`."""
        tickets = service.handoffs(status=status, priority=priority, category=category, limit=limit, state=state,
                                   assigned_to=assigned_to)
        return {"handoffs": tickets, "count": len(tickets)}

    @router.get("/{ticket_id}", responses=errors)
    def get_handoff(ticket_id: str = TicketId) -> dict:
        return service.handoff(ticket_id)

    @router.post("/{ticket_id}/assign", dependencies=[Depends(require_json)], responses=changes)
    def assign(request: Request, ticket_id: str = TicketId, body: AssignBody | None = None) -> dict:
        """Take the ticket (or give it to `agent`): waiting becomes assigned. 409 when it is
        resolved or already that agent's."""
        agent = (body.agent if body and body.agent else None) or caller_name(request)
        return service.desk.assign(ticket_id, agent, body.note if body else None)

    @router.post("/{ticket_id}/messages", status_code=201, dependencies=[Depends(require_json)], responses=changes)
    def send_message(body: MessageBody, request: Request, ticket_id: str = TicketId) -> dict:
        """Write to the customer. The message appears in their chat, in `GET /v1/sessions/{id}`
        and in its event stream; the ticket becomes answered. 422 when it carries personal data
        that is not this customer's own; 409 when the ticket is resolved."""
        return service.desk.send(ticket_id, body.text, caller_name(request))

    @router.get("/{ticket_id}/placeholders", responses=errors)
    def placeholders(ticket_id: str = TicketId) -> dict:
        """The ticket's placeholders and whether a value is kept for each (BEACON_VAULT_KEY)."""
        return {"ticket_id": ticket_id, "placeholders": service.desk.placeholders(ticket_id)}

    @router.post("/{ticket_id}/reveal", dependencies=[Depends(require_json)], responses=changes)
    def reveal(body: RevealBody, request: Request, ticket_id: str = TicketId) -> JSONResponse:
        """The value behind one placeholder of this ticket, for the key the ticket is assigned
        to. Written to the audit log (`GET /v1/audit/reveals`) before it is returned. 409 without
        BEACON_VAULT_KEY, or when the ticket is resolved or someone else's."""
        revealed = service.desk.reveal(ticket_id, body.placeholder, caller_name(request))
        return JSONResponse(revealed, headers={"Cache-Control": "no-store"})

    @router.post("/{ticket_id}/resolve", dependencies=[Depends(require_json)], responses=changes)
    def resolve(request: Request, ticket_id: str = TicketId, body: NoteBody | None = None) -> dict:
        return service.set_handoff_status(ticket_id, "resolved", body.note if body else None, caller_name(request))

    @router.post("/{ticket_id}/reopen", dependencies=[Depends(require_json)], responses=changes)
    def reopen(request: Request, ticket_id: str = TicketId, body: NoteBody | None = None) -> dict:
        return service.set_handoff_status(ticket_id, "open", body.note if body else None, caller_name(request))

    return router
