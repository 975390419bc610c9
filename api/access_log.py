"""One access log line per request, through `logging` (logger `api.access`).

A line holds the method, the path, the names of the query parameters (never their values: a
query may carry what should not be kept in a log), the status and the duration; never a body
or a header. A request that fails with an unhandled exception is logged as the 500 it becomes.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("api.access")


def shown_path(scope: Scope) -> str:
    """The path, with the query's parameter names only: `/v1/catalog/entries?q=…&limit=…`."""
    query = scope.get("query_string", b"").decode("latin-1")
    if not query:
        return scope["path"]
    names = dict.fromkeys(name for name, _ in parse_qsl(query, keep_blank_values=True))
    return scope["path"] + "?" + "&".join(f"{name}=…" for name in names) if names else scope["path"]


class AccessLog:
    """Logs `METHOD path status duration_ms` at INFO once the response has started (or failed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            duration_ms = (time.perf_counter() - start) * 1000
            path = shown_path(scope)
            log.info(
                "%s %s %d %.1fms",
                scope["method"],
                path,
                status,
                duration_ms,
                extra={"method": scope["method"], "path": path, "status": status, "duration_ms": round(duration_ms, 1)},
            )
