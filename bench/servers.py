"""Serve the API or the bare baseline app in a subprocess, as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from chain.artifacts import ROOT
from chain.node import free_port


class Server:
    def __init__(self, args: list[str], env: dict[str, str], port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        # Its log goes to a file, not a pipe: the API writes an access line per request, and a pipe
        # nobody reads fills after a few thousand and blocks the server mid-benchmark.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            args, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=self.log
        )

    def wait(self, path: str, timeout: float = 120) -> "Server":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.tail()}")
            try:
                if requests.get(self.url + path, timeout=1).status_code < 500:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server on {self.url} not ready")

    def tail(self, size: int = 2000) -> str:
        """The end of the server's log."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-size:]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
        self.log.close()


def api_server(data_dir: Path, rpc_url: str, database_url: str | None = None) -> Server:
    port = free_port()
    env = {
        "LEDGER_ENV": "development",
        "LEDGER_DATA_DIR": str(data_dir),
        "LEDGER_RPC_URL": rpc_url,
        "LEDGER_PORT": str(port),
    }
    if database_url:
        env["LEDGER_DATABASE_URL"] = database_url
    return Server([str(Path(sys.executable).parent / "ledger"), "serve"], env, port).wait("/healthz")


def bare_server() -> Server:
    port = free_port()
    args = [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--port", str(port), "--log-level", "warning"]
    return Server(args, {}, port).wait("/bare")
