"""The console's tests: the built pages in Debian's Chromium (playwright-core, from Node) against
a real API on a real anvil node with a real SQLite mirror.

Each test's browser part is a Node script beside it (`*.mjs`), run with the platform's URLs in its
environment; it answers one JSON line, which the test checks against the chain. Screenshots go to
test-artifacts/console/ (ignored by git), 1280×800 and phone width.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
import uvicorn
from sqlalchemy import select

from api.app import create_app
from chain.node import free_port
from mirror.models import Unit
from tests.api.conftest import make_runtime, wait_for
from tests.sharing_desk import SharingDesk

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DIST = ROOT / "console" / "dist"
ARTIFACTS = ROOT / "test-artifacts" / "console"
SCRIPT_TIMEOUT_S = 240


def pytest_collection_modifyitems(config, items):
    """Without Chromium or the built console (scripts/setup makes both) the browser tests skip,
    except in CI, where setup must have made them."""
    missing = [what for what, ok in (("chromium", Path(CHROMIUM).exists()), ("console/dist", DIST.is_dir())) if not ok]
    ours = [item for item in items if HERE in Path(item.fspath).parents]
    if not missing or not ours:
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"console tests: {', '.join(missing)} missing; scripts/setup installs them")
    for item in ours:
        item.add_marker(pytest.mark.skip(reason=f"{', '.join(missing)} missing: run scripts/setup"))


def run_script(name: str, **env: str) -> dict:
    """Run tests/console/NAME with `env` added; its last stdout line, as JSON."""
    result = subprocess.run(
        [shutil.which("node") or "node", str(HERE / name)],
        cwd=ROOT,
        env={**os.environ, "CHROMIUM": CHROMIUM, "CONSOLE_ARTIFACTS": str(ARTIFACTS), **env},
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT_S,
    )
    assert result.returncode == 0, f"{name} failed:\n{result.stderr[-4000:]}\n{result.stdout[-2000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def mirrored_units(runtime) -> list:
    with runtime.store.sessions() as session:
        return list(session.scalars(select(Unit)))


@contextmanager
def serving(system, tmp_path, desk: SharingDesk, **settings):
    """The district's API (console included) on a free port, its units registered and mirrored;
    `settings` override the platform's (e.g. the Art. 18 signing service). Login challenges name
    the URL the browser opens as their audience, as `ledger serve` does for its own address."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    runtime = make_runtime(system, tmp_path / "platform", **{"auth_audience": url, **settings})
    runtime.start()
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime=runtime), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started)
    wait_for(lambda: len(mirrored_units(runtime)) == 5)
    try:
        yield SimpleNamespace(desk=desk, system=system, runtime=runtime, tmp=tmp_path, url=url, server=server)
    finally:
        server.should_exit = True
        thread.join(10)
        runtime.stop()


@pytest.fixture
def platform(system, tmp_path):
    """The district's API with the console, over a district of five units (tests.sharing_desk)."""
    with serving(system, tmp_path, SharingDesk(system)) as served:
        yield served
