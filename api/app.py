"""The FastAPI application."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api import errors
from api.deps import RuntimeDep
from api.routers import catalog, units
from api.runtime import Runtime
from api.settings import Settings


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """The app; it builds its Runtime from `settings` unless given one (tests share one)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        owned = runtime is None
        app.state.runtime = runtime or Runtime(settings or Settings())
        if owned:
            app.state.runtime.start()
        yield
        if owned:
            app.state.runtime.stop()

    app = FastAPI(
        title="Putuo public data sharing ledger",
        version="0.1.0",
        description="Catalog lookups from the chain's SQL mirror, and officers' signed actions relayed to the chain.",
        lifespan=lifespan,
    )
    errors.install(app)
    max_body = (settings or Settings()).max_body_bytes

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > max_body):
            return JSONResponse(
                {"error": {"code": "body_too_large", "message": f"body: at most {max_body} bytes", "field": "body"}},
                status_code=413,
            )
        return await call_next(request)

    app.include_router(catalog.router)
    app.include_router(units.router)

    @app.get("/healthz", tags=["health"])
    def health(rt: RuntimeDep) -> dict:
        """Chain head, mirror cursor and outbox backlog."""
        cursor = rt.store.cursor()
        return {"chain_head": rt.indexer.head(), "mirror_block": cursor[0] if cursor else None,
                "outbox_pending": rt.relayer.pending()}  # fmt: skip

    return app
