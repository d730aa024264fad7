"""The knowledge base (admin): list documents, upload one file (or preview it), re-ingest."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Query, UploadFile

from app.api.auth import Authenticator
from app.api.schemas import ApiError, error_responses, require_multipart
from app.core.settings import Settings
from app.service.beacon_service import BeaconService


def knowledge_router(service: BeaconService, settings: Settings, auth: Authenticator) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["knowledge"], dependencies=[Depends(auth.admin_key)])

    @router.get("/documents", responses=error_responses(401, 403, 429, 500))
    def list_documents() -> dict:
        """Every knowledge file the index or the last ingest knows, with its status and findings."""
        return {"documents": service.documents(), "last_ingest": service.last_ingest()}

    @router.post("/documents", dependencies=[Depends(require_multipart)],
                 responses=error_responses(401, 403, 409, 413, 415, 422, 429, 500))
    def upload_document(file: UploadFile = File(..., description="One Markdown, YAML or CSV knowledge file"),
                        preview: bool = Query(False, description="Validate and show the chunks; ingest nothing"),
                        replace: bool = Query(False, description="Replace an uploaded file of the same name")) -> dict:
        """Add one knowledge file under `uploads/` and ingest it. A file that fails validation or
        the injection scan, or whose name is not a plain file name, is refused with 422 and nothing
        changes. A name already taken gets 409 unless `replace=true` (the replacement is logged)."""
        content = file.file.read(int(settings.max_file_mb * 1_000_000) + 1)
        if len(content) > settings.max_file_mb * 1_000_000:
            raise ApiError(413, "payload_too_large", f"{file.filename}: larger than the {settings.max_file_mb} MB "
                                                     "allowed — split the file, or raise BEACON_MAX_FILE_MB")
        if not preview:
            return service.upload(file.filename or "", content, replace=replace)
        result = service.preview_upload(file.filename or "", content)
        if result["error"]:  # unreadable or invalid: the same 422 the upload would get
            raise ApiError(422, "validation_error", result["error"])
        return result

    @router.post("/ingest", responses=error_responses(401, 403, 409, 429, 500))
    def ingest() -> dict:
        """Re-ingest the whole knowledge directory (changed files only are re-embedded)."""
        return service.reingest()

    return router
