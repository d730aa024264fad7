"""POST /v1/chat: one customer turn, as JSON or as server-sent events."""

from __future__ import annotations

import json
import uuid
from itertools import chain

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from app.api.auth import Authenticator
from app.api.schemas import ChatBody, error_responses, require_json
from app.service.beacon_service import BeaconService, ChatRequest, answer_json


def new_session_id() -> str:
    return f"api-{uuid.uuid4().hex}"


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def chat_router(service: BeaconService, auth: Authenticator) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["chat"])

    @router.post("/chat", dependencies=[Depends(auth.any_key), Depends(require_json)],
                 responses={200: {"description": "answer_json: the `beacon ask --json` fields plus turn_id; "
                                                 "or text/event-stream (delta, answer, done)",
                                  "content": {"text/event-stream": {}}},
                            **error_responses(400, 401, 413, 415, 422, 429, 500, 503)})
    def chat(body: ChatBody, request: Request,
             stream: bool = Query(False, description="Reply with server-sent events (or send Accept: text/event-stream)")):
        """Ask one question in a conversation. Leave out `session_id` to start one; the reply
        carries the id to send next time. Escalations come back in `escalation` with a ticket id."""
        context = body.context
        turn = ChatRequest(session_id=body.session_id or new_session_id(), message=body.message,
                           region=context.region if context else None,
                           language=context.language if context else None,
                           tier=context.tier if context else None, channel="api")
        if not (stream or "text/event-stream" in request.headers.get("accept", "")):
            return answer_json(service.chat(turn))
        events = service.stream(turn)
        # The turn is answered (and checked) while taking the first event, here, before the
        # response starts: a failure is still an ordinary JSON error, not a broken stream.
        first = next(events)
        body_events = (sse(e["event"], e["data"]) for e in chain([first], events))
        return StreamingResponse(chain(body_events, [sse("done", {})]), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return router
