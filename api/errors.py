"""Errors the API answers with: a stable machine-readable code, a message naming the field.

Every error body is {"error": {"code": ..., "message": ..., "field": ...}}. Nothing else
reaches the client: unexpected exceptions are logged and answered with a bare 500 body.
"""

from __future__ import annotations

import logging

import requests
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from chain.errors import ActionRevertedError
from chain.rpc import RpcError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """Raised by services for an answer other than success."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None, **details) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.details = details


# The contract's custom errors, as HTTP answers. The contract is the last line; these are the
# early, clear errors the API gives by simulating the action before accepting it.
REVERT_ANSWERS: dict[str, tuple[int, str, str, str | None]] = {
    "CatalogSignerNotActive": (403, "signer_not_active", "the signing key is not an active officer key", "signature"),
    "CatalogNonceUsed": (409, "nonce_used", "this action was already executed (replay refused)", "nonce"),
    "CatalogWrongUnitKind": (403, "wrong_unit_kind", "the signer's unit may not take this action", "signature"),
    "CatalogNotOwner": (403, "not_owner", "the entry belongs to another unit", "entry_id"),
    "CatalogEntryExists": (409, "entry_exists", "an entry with this id already exists", "entry_id"),
    "CatalogUnknownEntry": (404, "unknown_entry", "no catalog entry has this id", "entry_id"),
    "CatalogInvalidStatus": (409, "invalid_status", "the entry's status does not allow this action", "entry_id"),
    "CatalogNotPendingVersion": (409, "not_pending_version", "this version is not awaiting review", "version"),
    "CatalogInvalidSignature": (400, "bad_signature", "the signature is malformed", "signature"),
    "CatalogDocumentTooLarge": (413, "document_too_large", "the document is too large", "document"),
    "CatalogEmptyDocument": (422, "invalid_document", "the document is empty", "document"),
    "CatalogInvalidDeclaredAt": (422, "invalid_declared_at", "the declared approval or acceptance date is in the "
                                 "future", "document.basis_event.date"),
    "CatalogNotApproved": (409, "not_approved", "the entry has no approved version to collect data for", "entry_id"),
    "CatalogAlreadyCollected": (409, "already_collected", "the entry's data collection is already recorded",
                                "entry_id"),
    "WorkCalendarYearNotPublished": (409, "calendar_year_not_published", "a deadline of this step falls in a year "
                                     "whose working-day calendar the Office has not published "
                                     "(`ledger calendar publish YEAR`)", None),
}


def from_revert(exc: ActionRevertedError) -> ApiError:
    status, code, message, field = REVERT_ANSWERS.get(
        exc.error, (409, "refused_by_contract", "the contract refused the action", None)
    )
    return ApiError(status, code, f"{message}: {exc}", field, contract_error=exc.error, contract_args=exc.error_args)


def _body(code: str, message: str, field: str | None, **details) -> dict:
    error = {"code": code, "message": message, "field": field}
    error.update({k: v for k, v in details.items() if v is not None})
    return {"error": error}


def _field(error: dict) -> str:
    if error.get("type") == "json_invalid":
        return "body"  # its loc is ("body", character offset): the offset names no field
    parts = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return JSONResponse(_body(exc.code, exc.message, exc.field, **exc.details), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        first = exc.errors()[0]
        field = _field(first)
        message = f"{field}: {first.get('msg', 'invalid value')}"
        return JSONResponse(
            _body("invalid_request", message, field, errors=[{"field": _field(e), "message": e.get("msg")} for e in exc.errors()]),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(exc.status_code, "http_error")
        return JSONResponse(_body(code, str(exc.detail), None), status_code=exc.status_code)

    @app.exception_handler(RpcError)
    @app.exception_handler(requests.ConnectionError)
    async def _chain_down(request: Request, exc: Exception):
        log.warning("node unavailable on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(_body("chain_unavailable", "the chain node is not answering; retry shortly", None),
                            status_code=503)  # fmt: skip

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(_body("internal", "internal error; it has been logged", None), status_code=500)
