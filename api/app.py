"""The FastAPI application."""

from __future__ import annotations

import gc
import itertools
import logging
import re
import sys
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import access_log, docs, errors, raw_body, schemas
from api.deps import RuntimeDep
from api.paging import MAX_LIMIT, MAX_OFFSET
from api.routers import (
    auth,
    catalog,
    commitments,
    console,
    deployment,
    duties,
    evaluation,
    gateway,
    quality,
    responsibilities,
    sharing,
    supervision,
    units,
    usage,
)
from api.runtime import Runtime
from api.services import sharing_timekeeper
from api.services.intake import MAX_DOCUMENT_BYTES
from api.settings import Settings

MAX_JSON_DEPTH = 64
_STRUCTURE = b'[]{}"'  # all a depth check needs of a body once its escapes are gone
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in _STRUCTURE)
_BARE_STRING = re.compile(rb'"[^"]*"')
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_too_deep(body: bytes) -> bool:
    """Whether `body` nests arrays/objects deeper than MAX_JSON_DEPTH.

    Checked before any parser sees the body: web3 (through py_ecc) raises the interpreter's
    recursion limit for the whole process, and `json.loads` of deeply nested input then crashes
    the process instead of raising.

    Brackets inside strings do not count. The escapes go first, in JSON's own order: every
    escaped backslash, then every escaped quote (what is left of a backslash escapes neither);
    then all but brackets and quotes (C-speed `bytes.translate`), then the strings, which are now
    bare "..." pairs. A regular expression over the whole body, which this replaced, cost 29 µs
    a usage record, on the event loop (#11)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return False
    skeleton = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
    depths = itertools.accumulate(map(_STEP.__getitem__, _BARE_STRING.sub(b"", skeleton)))
    return max(depths, default=0) > MAX_JSON_DEPTH


# The cyclic collector's first threshold in the API process: a young-generation pass after this
# many new container objects, not Python's 700 (see `tune_collector`).
GC_YOUNG_THRESHOLD = 100_000


def tune_collector() -> None:
    """Fit the cyclic garbage collector to a server, once start-up is done (`ledger serve`).

    What start-up built (web3, the contracts, SQLAlchemy, the mirror: ~250,000 objects) lives as
    long as the process: `gc.freeze` keeps it out of the full passes, which a busy intake set off
    every few seconds, each walking all of it. A request's objects (a usage batch: ~3,000 models,
    dicts and lists) are freed by reference counting as it ends; with a pass every 700 new objects
    each was walked several times while alive. Measured on the usage intake (#11,
    bench/bench_usage_intake.py): the API's CPU a record was 102–135 µs with Python's settings,
    95–97 µs with these, 84 µs with the collector off. Cyclic garbage is still collected, after
    GC_YOUNG_THRESHOLD new objects instead of 700."""
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


class BodyLimit:
    """Answers 413 to a body over `max_bytes`, declared by Content-Length or not.

    A chunked body has no Content-Length to check up front, so the body is read here, counted as
    it arrives, and handed on whole; the routes read every body in full anyway.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await self._refuse(scope, receive, send)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left before sending its body
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                return await self._refuse(scope, receive, send)
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False
        if json_too_deep(body):
            error = {
                "code": "json_too_deep",
                "message": f"body: JSON nested deeper than {MAX_JSON_DEPTH} levels",
                "field": "body",
            }
            return await JSONResponse({"error": error}, status_code=400)(scope, receive, send)

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = {
            "error": {"code": "body_too_large", "message": f"body: at most {self.max_bytes} bytes", "field": "body"}
        }
        await JSONResponse(body, status_code=413)(scope, receive, send)


def describe(max_body_bytes: int) -> str:
    """The OpenAPI document's description: what the API is, and the conventions every route keeps."""
    return f"""Catalog and sharing (demands, commitments, grants) lookups from the chain's SQL mirror,
officers' signed actions relayed to the chain, and the gateway's check of a use (Art. 25).

**Times.** Every time the chain records or judges at (`*_at`, `now`, `due_at`, `block_time`) is an
integer of unix seconds (UTC); 0 means "none yet" where a field says so. Calendar days, an
evaluation's period (`from`, `to`) and the chain's date, are ISO 8601 dates (`YYYY-MM-DD`),
Asia/Shanghai. Signed documents keep the times their schemas give (`docs/schemas/`), exactly as
signed, and are answered unchanged.

**Lists.** A collection that grows with use is paged with `limit` (1–{MAX_LIMIT}, default 20) and
`offset` (at most {MAX_OFFSET:,}) and answers `{{items, limit, offset, has_more, total}}`. The parts
of one object (an entry's versions, a unit's keys, a grant's history) and the register of units
come whole.

**Signed actions** answer `202` with the action's `subject_type` and `subject_id` and a `Location`
header, its status at `GET /v1/catalog/actions/{{action_id}}` (catalog and sharing actions alike).

**Errors** are `{{"error": {{"code", "message", "field"}}}}` with a stable `code`; `message` starts
with the field it names. A body must be UTF-8 JSON of at most {max_body_bytes:,} bytes nested at
most {MAX_JSON_DEPTH} deep (400 `json_too_deep`, 413 `body_too_large`, 422 `invalid_request`); a
document goes on-chain as at most {MAX_DOCUMENT_BYTES:,} bytes of canonical JSON (413
`document_too_large`). A method a path does not serve is a 405 with `Allow`."""


# What every route with a body may answer before it runs (BodyLimit, FastAPI's body parsing).
BODY_ERRORS = {
    "400": "`json_too_deep`: the body nests deeper than the API parses",
    "413": "`body_too_large`: the body is over the limit (or, for an action, `document_too_large`)",
    "422": "`invalid_request`: the body is not UTF-8 JSON of the schema; `field` names the first problem",
}


def _declare_body_errors(app: FastAPI) -> None:
    """Make `app.openapi()` declare BODY_ERRORS on every operation that takes a body, where the
    route does not describe them itself."""
    make = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            spec = make()
            components = spec.setdefault("components", {}).setdefault("schemas", {})
            for name, model in raw_body.MODELS.items():  # bodies routes validate from bytes (api/raw_body.py)
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(schema.pop("$defs", {}))
                components[name] = schema
            for item in spec["paths"].values():
                for operation in item.values():
                    if "requestBody" not in operation:
                        continue
                    for status, description in BODY_ERRORS.items():
                        operation["responses"].setdefault(
                            status,
                            {
                                "description": description,
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
                            },
                        )
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi


def _log_to_stderr_unless_configured() -> None:
    """A server started without a logging configuration (`ledger serve`) still writes its access log."""
    logger = logging.getLogger(access_log.log.name)
    if not logger.hasHandlers():
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None, *, server: bool = False) -> FastAPI:
    """The app; it builds its Runtime from `settings` unless given one (tests share one). `server`:
    the process is the API's own (`ledger serve`), whose collector it tunes once started."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        owned = runtime is None
        app.state.runtime = runtime or Runtime(settings or Settings())
        if owned:
            _log_to_stderr_unless_configured()
            rt = app.state.runtime
            rt.add_loop("calendar", rt.calendar_watch.log_warnings, 3600)
            if rt.settings.node != "external" and rt.settings.heartbeat_s > 0:
                rt.add_loop("heartbeat", rt.heartbeat, rt.settings.heartbeat_s)
            if rt.settings.timekeeper_interval_s > 0:
                rt.add_loop(
                    "timekeeper", lambda: sharing_timekeeper.sweep(rt).total > 0, rt.settings.timekeeper_interval_s
                )
            rt.start()
            if server:
                tune_collector()
        yield
        if owned:
            app.state.runtime.stop()

    max_body_bytes = (settings or Settings()).max_body_bytes
    app = FastAPI(
        title="Putuo public data sharing ledger",
        version="0.1.0",
        description=describe(max_body_bytes),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    errors.install(app)
    docs.install(app)
    console.install(app)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(access_log.AccessLog)  # added last: the outermost, it sees every answer
    _declare_body_errors(app)

    app.include_router(gateway.router)  # first: the gateway asks it on every use (routes match in order)
    app.include_router(catalog.router)
    app.include_router(units.router)
    app.include_router(commitments.router)
    app.include_router(duties.router)
    app.include_router(evaluation.router)
    app.include_router(sharing.router)
    app.include_router(deployment.router)
    app.include_router(responsibilities.router)
    app.include_router(quality.router)
    app.include_router(supervision.router)
    app.include_router(usage.router)
    app.include_router(auth.router)

    @app.get("/healthz", tags=["health"], response_model=schemas.Health)
    def health(rt: RuntimeDep) -> dict:
        """Chain head, mirror cursor, outbox backlog, the working-day calendar (the years published,
        which are provisional, what the Office must publish, with the command) and the deployment."""
        cursor = rt.store.cursor()
        calendar = rt.calendar_watch.status()
        return {
            "chain_head": rt.indexer.node_head(),
            "mirror_block": cursor[0] if cursor else None,
            "outbox_pending": rt.relayer.pending(),
            "calendar": {
                "chain_date": calendar.today.isoformat(),
                "published": sorted(calendar.published),
                "provisional": calendar.provisional,
                "warnings": [vars(w) for w in calendar.warnings],
            },
            "deployment": deployment.describe(rt),
        }

    return app
