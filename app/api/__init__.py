"""Beacon's REST API: ``create_api(service, settings)`` builds the FastAPI app that
``beacon serve`` runs (the Gradio apps are mounted beside it).

Every failure answers ``{"error": {"code", "message"}}`` with a message that says what to do;
nothing unexpected reaches the client as a stack trace, and message text is never logged.
"""

from __future__ import annotations

import json
import logging
import traceback
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.auth import ApiKeys, Authenticator
from app.api.chat import chat_router
from app.api.handoffs import handoffs_router
from app.api.audit import audit_router
from app.api.health import health_router
from app.api.knowledge import knowledge_router
from app.api.limits import BodyLimitMiddleware
from app.api.schemas import ERROR_CODES, ApiError, error_body
from app.api.sessions import sessions_router
from app.core.errors import BeaconError, ConflictError, InvalidInputError, NotFoundError, UnavailableError
from app.core.settings import Settings
from app.service.beacon_service import BeaconService
from app.service.rate_limits import FailureThrottle, RateLimiter

__all__ = ["create_api"]

log = logging.getLogger("beacon.api")
API_PATHS = ("/v1", "/healthz", "/readyz")


def create_api(service: BeaconService, settings: Settings) -> FastAPI:
    """The REST API around one service. Reads the API keys now (a broken keys file stops
    here with ConfigError); loads no model: call ``service.warm_up()`` before serving."""
    auth = Authenticator(ApiKeys.from_settings(settings), RateLimiter(settings.rate_limit_per_minute),
                         FailureThrottle(settings.auth_failures_per_minute))
    app = FastAPIOffline(
        favicon_url="data:,",  # no icon request at all, to anywhere
        title="Beacon API", version="1",
        description="Customer-support answers grounded in the knowledge base, with guardrails and human "
                    "handoff. Send `Authorization: Bearer KEY` on every /v1 request.",
        exception_handlers={ApiError: _api_error, RequestValidationError: _validation_error,
                            StarletteHTTPException: _http_error, BeaconError: _beacon_error},
    )
    app.state.api_keys = auth.keys
    for router in (chat_router(service, auth), sessions_router(service, auth), handoffs_router(service, auth),
                   audit_router(service, auth), knowledge_router(service, settings, auth), health_router(service)):
        app.include_router(router)

    # Last: with the chat UI mounted at "/", an unknown /v1 path would otherwise reach Gradio.
    @app.api_route("/v1/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def unknown_endpoint(request: Request):
        raise ApiError(404, "not_found", f"No endpoint {request.method} {request.url.path}: see /docs for the API")

    app.add_middleware(BodyLimitMiddleware, json_limit=settings.max_request_kb * 1024,
                       upload_mb=settings.max_file_mb)
    # The Gradio apps mounted beside the API: the open chat's requests carry the conversation shown.
    app.add_middleware(BodyLimitMiddleware, json_limit=settings.chat_max_request_kb * 1024,
                       upload_mb=settings.max_file_mb, prefixes=("/gradio_api", "/staff/gradio_api"),
                       json_setting="BEACON_CHAT_MAX_REQUEST_KB")
    app.add_middleware(RequestContextMiddleware)  # outermost: it also catches what the limits raise
    return app


# -- errors -----------------------------------------------------------------------------------
def _reply(request: Request, status: int, code: str, message: str, headers: dict | None = None,
           details: list | None = None) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None)
    return JSONResponse(error_body(code, message, request_id if status >= 500 else None, details),
                        status_code=status, headers=headers)


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return _reply(request, exc.status, exc.code, exc.message, exc.headers, exc.details)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [{"location": ".".join(str(part) for part in e.get("loc", ())), "problem": e.get("msg", ""),
                 "type": e.get("type", "")} for e in exc.errors()]
    first = problems[0] if problems else {"location": "request", "problem": "invalid", "type": ""}
    if first["type"] == "json_invalid":
        error = exc.errors()[0]
        reason = (error.get("ctx") or {}).get("error", "")
        where = error["loc"][-1] if len(error.get("loc", ())) > 1 else "?"
        return _reply(request, 422, "invalid_json",
                      f"The body is not valid JSON ({reason} at character {where}): "
                      "send one JSON object, e.g. {\"message\": \"hello\"}", details=problems)
    return _reply(request, 422, "validation_error",
                  f"{first['location']}: {first['problem']} — fix that field and send again (see /docs)",
                  details=problems)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400:  # FastAPI's only 400: a body it could not decode at all (not UTF-8)
        return _reply(request, 422, "invalid_json", "The body could not be read as text: send JSON encoded as UTF-8, "
                                                    "e.g. {\"message\": \"hello\"}")
    code = ERROR_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return _reply(request, exc.status_code, code, message, dict(exc.headers or {}))


_STATUS_OF_KIND = ((InvalidInputError, 422, "validation_error"), (ConflictError, 409, "conflict"),
                   (UnavailableError, 503, "unavailable"))


def _beacon_error_status(exc: BeaconError) -> tuple[int, str]:
    if isinstance(exc, NotFoundError):
        return 404, exc.code
    for kind, status, code in _STATUS_OF_KIND:
        if isinstance(exc, kind):
            return status, getattr(exc, "code", code)  # a kind's own code when it has one (wrong_state)
    return 500, "internal_error"


async def _beacon_error(request: Request, exc: BeaconError) -> JSONResponse:
    status, code = _beacon_error_status(exc)
    if status >= 500:
        _log_failure(getattr(request.state, "request_id", "-"), request.method, request.url.path, exc)
    return _reply(request, status, code, str(exc))  # BeaconError messages are written to be shown


def _log_failure(request_id: str, method: str, path: str, exc: BaseException) -> None:
    """The exception's type and where it happened, never its message: that can quote the
    customer's text."""
    frames = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
    log.error("request %s %s %s failed with %s\n%s", request_id, method, path, type(exc).__name__, frames)


class RequestContextMiddleware:
    """Gives each API request an id (``X-Request-ID``), and turns anything unhandled into a
    500 ``internal_error`` with that id, so the client never sees a stack trace."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PATHS):
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", []),
                                                   (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:  # the last line of defence: log safely, answer 500
            _log_failure(request_id, scope.get("method", ""), scope["path"], exc)
            if started:
                return  # mid-stream: the client sees the stream end early, nothing more can be sent
            body = json.dumps(error_body("internal_error", "Something went wrong on our side. Try again; if it "
                                         "keeps happening, report this request id", request_id)).encode()
            await send({"type": "http.response.start", "status": 500, "headers": [
                (b"content-type", b"application/json"), (b"x-request-id", request_id.encode())]})
            await send({"type": "http.response.body", "body": body})
