"""What goes over the wire: request bodies, and the one error shape every failure uses.

Replies are the service's plain dicts (``answer_json``, ticket JSON, ingest reports), so the
API, the UI and ``beacon ask --json`` cannot drift apart; only requests are modelled here,
strictly (unknown fields are an error, so a typo like ``"mesage"`` is reported, not ignored).
"""

from __future__ import annotations

from typing import Literal

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.regions import customer_region

# Session ids travel in URLs and in the export's file name: keep them to safe characters.
SESSION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
TICKET_ID_PATTERN = r"^[A-Za-z0-9-]{1,64}$"

ERROR_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 422: "validation_error",
    429: "rate_limited", 500: "internal_error", 503: "unavailable",
}


class ApiError(Exception):
    """An error the API answers with ``{"error": {"code", "message"}}``; the message says what to do."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None,
                 details: list | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.details = details


def error_body(code: str, message: str, request_id: str | None = None, details: list | None = None) -> dict:
    error: dict = {"code": code, "message": message}
    if request_id:
        error["request_id"] = request_id
    if details:
        error["details"] = details
    return {"error": error}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChatContext(_Strict):
    region: str | None = Field(
        None, max_length=40,
        description="Customer's region: a code such as EU, UK, US or CA (any case) or a country's English name; "
                    "picks that region's documents.")
    language: str | None = Field(None, max_length=35, description="Customer's language tag, e.g. en-GB.")
    tier: str | None = Field(None, max_length=40, description="Customer's plan, e.g. standard or premium.")

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, value):
        return customer_region(value) if isinstance(value, str) else value


class ChatBody(_Strict):
    session_id: str | None = Field(
        None, pattern=SESSION_ID_PATTERN,
        description="Conversation id; leave out to start a new conversation (the reply carries the new id).")
    # No max_length: an over-long message gets the chain's polite request to shorten it (a 200);
    # only a body over BEACON_MAX_REQUEST_KB is refused, with 413.
    message: str = Field(..., description="The customer's message.")
    context: ChatContext | None = None


class FeedbackBody(_Strict):
    session_id: str = Field(..., pattern=SESSION_ID_PATTERN)
    rating: Literal["up", "down"]
    comment: str | None = Field(None, max_length=4000, description="Stored redacted.")
    turn_id: int | None = Field(None, ge=1, description="The turn_id a /v1/chat reply returned.")


class NoteBody(_Strict):
    note: str | None = Field(None, max_length=4000, description="Why the ticket changes status; kept on the ticket.")


class AssignBody(_Strict):
    agent: str | None = Field(None, min_length=1, max_length=80, pattern=r"^[^\s<>][^<>]*$",
                              description="Who takes the ticket; leave out to take it yourself (api:KEY_ID).")
    note: str | None = Field(None, max_length=4000, description="Kept on the ticket.")


class MessageBody(_Strict):
    text: str = Field(..., min_length=1, max_length=4000, description="What the customer reads. Checked for "
                      "personal data that is not this customer's own, then stored redacted.")


class RevealBody(_Strict):
    placeholder: str = Field(..., max_length=64, description="As the ticket shows it, e.g. <EMAIL_ADDRESS_1>.")


class ErrorDetail(BaseModel):
    code: str
    message: str
    request_id: str | None = None
    details: list | None = None


class ErrorReply(BaseModel):
    """Every failure, everywhere in /v1."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict:
    """OpenAPI entries so /docs shows the error shape for each status a route can return."""
    return {status: {"model": ErrorReply, "description": ERROR_CODES.get(status, "error")} for status in statuses}


def require_json(request: Request) -> None:
    """415 unless a body that is present is declared JSON (an empty body may omit the type)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
    if has_body and not (kind == "application/json" or kind.endswith("+json")):
        raise ApiError(415, "unsupported_media_type",
                       f"Send the body as JSON with 'Content-Type: application/json' (got {kind or 'no type'!r})")


def require_multipart(request: Request) -> None:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "multipart/form-data":
        raise ApiError(415, "unsupported_media_type",
                       f"Upload the file as multipart/form-data in a field named 'file' (got {kind or 'no type'!r}), "
                       "e.g. curl -F file=@cards-faq.md")
