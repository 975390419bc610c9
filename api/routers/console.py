"""The web console (console/, docs/CONSOLE.md): its built pages served at /console/.

The pages are static files built by `node console/build.mjs` (scripts/setup runs it) into
console/dist: everything they load comes from here, nothing from a CDN, so they work on an
intranet. They talk to this API from the browser, and the Audit page to the chain's RPC URL
that `config.json` names. Plain Starlette routes and a mount, outside the OpenAPI document.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

CONSOLE_URL = "/console"
DIST_DIR = Path(__file__).resolve().parents[2] / "console" / "dist"
NOT_BUILT = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>控制台未构建</title>
<h1>控制台尚未构建</h1><p>在项目目录运行 <code>scripts/setup</code>（或 <code>node console/build.mjs</code>）后刷新本页。</p>
<p lang="en">The console is not built: run scripts/setup (or node console/build.mjs), then reload.</p></html>"""


def install(app: FastAPI, dist_dir: Path = DIST_DIR) -> None:
    """Serve the console at /console/ (its config at /console/config.json)."""

    async def config(request: Request) -> JSONResponse:
        # The chain node the Audit page reads by default; an auditor may type another one.
        settings = request.app.state.runtime.settings
        return JSONResponse({"rpc_url": settings.rpc_endpoints[0]}, headers={"cache-control": "no-store"})

    async def to_index(request: Request) -> RedirectResponse:
        return RedirectResponse(f"{request.scope.get('root_path', '')}{CONSOLE_URL}/")

    async def not_built(request: Request) -> HTMLResponse:
        return HTMLResponse(NOT_BUILT, status_code=503)

    app.add_route(f"{CONSOLE_URL}/config.json", config, include_in_schema=False)
    app.add_route(CONSOLE_URL, to_index, include_in_schema=False)
    if (dist_dir / "index.html").is_file():
        app.mount(CONSOLE_URL, StaticFiles(directory=str(dist_dir), html=True), name="console")
    else:
        app.add_route(f"{CONSOLE_URL}/{{path:path}}", not_built, include_in_schema=False)
