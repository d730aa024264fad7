"""Request body size limits, and the Retry-After header of the rate limit (``app.service.rate_limits``).

The body limit is a plain ASGI middleware so it sees the bytes before anything parses them:
``Content-Length`` is checked first, and the bytes actually received are counted too, so a
chunked body (no length) or a lying header cannot get a large body past it.
"""

from __future__ import annotations

import json
import math

from app.api.schemas import error_body

MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around an uploaded file


class BodyLimitMiddleware:
    """413 for a body over the limit on the given path prefixes; multipart bodies get the
    upload limit, everything else the JSON limit."""

    def __init__(self, app, json_limit: int, upload_mb: float, prefixes: tuple[str, ...] = ("/v1",),
                 json_setting: str = "BEACON_MAX_REQUEST_KB") -> None:
        self.app = app
        self.json_limit = json_limit
        self.upload_mb = upload_mb  # the setting, as the message names it
        self.upload_limit = int(upload_mb * 1_000_000) + MULTIPART_OVERHEAD  # room for the form around the file
        self.prefixes = prefixes
        self.json_setting = json_setting

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        multipart = headers.get("content-type", "").lower().startswith("multipart/")
        limit = self.upload_limit if multipart else self.json_limit
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._too_large(send, multipart)
            return
        # Read the whole body first (it is at most `limit` bytes), then replay it to the app.
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._too_large(send, multipart)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # later calls: the client's disconnect, for streaming replies

        await self.app(scope, replay, send)

    async def _too_large(self, send, multipart: bool) -> None:
        if multipart:
            message = (f"The upload is larger than the {self.upload_mb:g} MB allowed: split the knowledge file, "
                       "or raise BEACON_MAX_FILE_MB")
        else:
            message = (f"The request body is larger than the {self.json_limit // 1024} KB allowed: send a shorter "
                       f"message, or raise {self.json_setting}")
        await _send_413(send, message)


async def _send_413(send, message: str) -> None:
    payload = json.dumps(error_body("payload_too_large", message)).encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload})


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
