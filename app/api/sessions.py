"""Stored conversations: read, export (a JSON download), erase; and feedback on answers."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from app.api.auth import Authenticator
from app.api.schemas import SESSION_ID_PATTERN, ApiError, FeedbackBody, error_responses, require_json
from app.service.beacon_service import BeaconService

SessionId = Path(..., pattern=SESSION_ID_PATTERN, description="The session_id a /v1/chat reply returned.")


def sessions_router(service: BeaconService, auth: Authenticator) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["sessions"], dependencies=[Depends(auth.any_key)])
    errors = error_responses(401, 404, 422, 429, 500)

    @router.get("/sessions/{session_id}", responses=errors)
    def get_session(session_id: str = SessionId) -> dict:
        """The stored conversation: redacted turns and feedback."""
        return service.session(session_id)

    @router.get("/sessions/{session_id}/export", responses=errors)
    def export_session(session_id: str = SessionId) -> Response:
        """Everything stored about a conversation (turns, feedback, handoff tickets), as a download."""
        exported = service.export_session(session_id)
        return Response(json.dumps(exported, ensure_ascii=False, indent=2), media_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="beacon-session-{session_id}.json"'})

    @router.delete("/sessions/{session_id}", responses=errors)
    def erase_session(session_id: str = SessionId) -> dict:
        """Erasure: removes the stored turns, feedback and handoff tickets, and the in-memory
        session; returns how many of each were removed."""
        return {"session_id": session_id, "removed": service.erase_session(session_id)}

    @router.post("/feedback", status_code=201, dependencies=[Depends(require_json)],
                 responses=error_responses(401, 404, 415, 422, 429, 500))
    def feedback(body: FeedbackBody) -> dict:
        """A thumbs up or down on a conversation, or on one turn of it (`turn_id`)."""
        try:
            feedback_id = service.feedback(body.session_id, body.rating, body.comment, body.turn_id)
        except ValueError as exc:  # the store's own checks, e.g. a turn of another session
            raise ApiError(422, "validation_error", str(exc)) from None
        return {"feedback_id": feedback_id, "session_id": body.session_id}

    return router
