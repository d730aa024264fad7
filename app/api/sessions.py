"""Stored conversations: read, export (a JSON download), erase, follow the agents' replies as
they come (server-sent events); and feedback on answers."""

from __future__ import annotations

import asyncio
import json
import time

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.api.auth import Authenticator
from app.api.schemas import SESSION_ID_PATTERN, ApiError, FeedbackBody, error_responses, require_json
from app.service.beacon_service import BeaconService

SessionId = Path(..., pattern=SESSION_ID_PATTERN, description="The session_id a /v1/chat reply returned.")
POLL_S = 1.0  # how often the stream looks for a new reply
KEEPALIVE_S = 15.0  # a comment line this often keeps proxies from closing an idle stream


def sse_event(event: str, data: dict, event_id: str | None = None) -> str:
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def sessions_router(service: BeaconService, auth: Authenticator) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["sessions"], dependencies=[Depends(auth.any_key)])
    errors = error_responses(401, 404, 422, 429, 500)

    @router.get("/sessions/{session_id}", responses=errors)
    def get_session(session_id: str = SessionId) -> dict:
        """The stored conversation: redacted turns and feedback, the agents' replies
        (`agent_messages`, redacted) and the conversation's ticket (`handoff`: id, state, agent)."""
        return service.session(session_id)

    @router.get("/sessions/{session_id}/events", responses={
        200: {"description": "text/event-stream", "content": {"text/event-stream": {}}}, **errors})
    async def session_events(request: Request, session_id: str = SessionId,
                             after: str | None = Query(None, max_length=80,
                                                       description="Skip replies up to this message_id (or send "
                                                                   "Last-Event-ID)"),
                             timeout: float = Query(60.0, ge=1, le=600,
                                                    description="Seconds to stay open; reconnect after `done`")):
        """Server-sent events for a channel that relays the conversation: `agent_message` (an
        agent's reply as the customer reads it, with `message_id` as the event id), `handoff`
        (the ticket's state when it changes), then `done` after `timeout` seconds."""
        await run_in_threadpool(service.session, session_id)  # 404 before the stream starts
        await run_in_threadpool(service.desk.restore_session, session_id)  # the customer's values, after a restart
        last = request.headers.get("last-event-id") or after

        async def stream():
            seen: set[str] = set()
            state, started, beat, first = None, time.monotonic(), time.monotonic(), True
            while True:
                messages = await run_in_threadpool(service.desk.messages_for_customer, session_id)
                if first and last:
                    ids = [m["message_id"] for m in messages]
                    seen.update(ids[: ids.index(last) + 1] if last in ids else [])
                first = False
                for message in messages:
                    if message["message_id"] not in seen:
                        seen.add(message["message_id"])
                        yield sse_event("agent_message", message, message["message_id"])
                handoff = await run_in_threadpool(service.desk.handoff_state, session_id)
                if handoff != state:
                    state = handoff
                    yield sse_event("handoff", handoff or {})
                now = time.monotonic()
                if now - started >= timeout:
                    yield sse_event("done", {"reconnect_after": messages[-1]["message_id"] if messages else None})
                    return
                if now - beat >= KEEPALIVE_S:
                    beat = now
                    yield ": keep-alive\n\n"
                await asyncio.sleep(min(POLL_S, max(0.0, timeout - (now - started))))

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @router.get("/sessions/{session_id}/export", responses=errors)
    def export_session(session_id: str = SessionId) -> Response:
        """Everything stored about a conversation (turns, feedback, handoff tickets), as a download."""
        exported = service.export_session(session_id)
        return Response(json.dumps(exported, ensure_ascii=False, indent=2), media_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="beacon-session-{session_id}.json"'})

    @router.delete("/sessions/{session_id}", responses=errors)
    def erase_session(session_id: str = SessionId) -> dict:
        """Erasure: removes the stored turns, feedback, handoff tickets (with the agents' replies
        and resume codes), the encrypted values and the in-memory session; returns how many of
        each were removed."""
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
