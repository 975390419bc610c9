"""Start, wait for and stop a local EVM node: anvil (default) or the Hardhat node.

Anvil keeps its state in the data directory (dumped every second and on shutdown), so a
restart keeps the chain. The Hardhat node keeps nothing across restarts. Either is stopped
by its own pid, never by name.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from chain.artifacts import ROOT
from chain.errors import NodeStartError

NODE_KINDS = ("anvil", "hardhat")
CHAIN_ID = 31337
GAS_LIMIT = 60_000_000
# The fork every node runs: the contracts are compiled for it (hardhat.config.js evmVersion), and the
# multi-validator engine (geth 1.13 Clique) refuses the headers of any later one.
HARDFORK = "paris"
READY_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _anvil_binary(bin_dir: Path) -> Path:
    """The native anvil from npm's platform package; `.bin/anvil` is only a Node wrapper around it
    that does not forward SIGKILL (a "crash" would leave the node running) and exits before the
    node has finished dumping its state on SIGTERM."""
    native = sorted((bin_dir.parent / "@foundry-rs").glob("anvil-*/bin/anvil"))
    return native[0] if native else bin_dir / "anvil"


def rpc_ready(url: str, timeout: float = 1.0) -> bool:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return "result" in json.loads(response.read())
    except (OSError, ValueError):
        return False


@dataclass
class LocalNode:
    """A node process of `kind` listening on 127.0.0.1:`port`, with its files in `data_dir`."""

    kind: str
    data_dir: Path
    port: int = 8545
    start_time: int | None = None  # unix seconds of a new chain's genesis; the clock runs on from there

    def __post_init__(self) -> None:
        if self.kind not in NODE_KINDS:
            raise NodeStartError(f"node kind must be one of {NODE_KINDS}, got {self.kind!r}")
        # Absolute: the node runs with the project root as its working directory.
        self.data_dir = Path(self.data_dir).resolve()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / f"{self.kind}.pid"

    @property
    def state_file(self) -> Path:
        return self.data_dir / "anvil-state.json"

    def command(self) -> list[str]:
        bin_dir = ROOT / "node_modules" / ".bin"
        if self.kind == "anvil":
            return [
                str(_anvil_binary(bin_dir)),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--chain-id",
                str(CHAIN_ID),
                "--gas-limit",
                str(GAS_LIMIT),
                "--hardfork",
                HARDFORK,
                "--state",
                str(self.state_file),
                "--state-interval",
                "1",
                # Past its in-memory window (500 blocks) anvil writes each old block's state to disk,
                # up to 3,600 by default under ~/.foundry/anvil/tmp, and leaves them there when it is
                # killed: 0.5-0.9 GB a test session, 55 GB on this machine after a day. Here they go
                # into the node's own directory, and at most 500 of them.
                "--cache-path",
                str(self.data_dir / "states"),
                "--max-persisted-states",
                "500",
                "--silent",
                *(["--timestamp", str(self.start_time)] if self.start_time and not self.state_file.exists() else []),
            ]
        # Start Hardhat's own binary: `npx` does not pass SIGTERM on to it.
        return [str(bin_dir / "hardhat"), "node", "--hostname", "127.0.0.1", "--port", str(self.port)]

    def start(self) -> "LocalNode":
        """Start the node in the background and wait until it answers JSON-RPC."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.running():
            return self
        log = open(self.data_dir / f"{self.kind}.log", "ab")
        env = dict(os.environ)
        if self.start_time and self.kind == "hardhat":  # read by hardhat.config.js
            env["LEDGER_CHAIN_START"] = datetime.fromtimestamp(self.start_time, timezone.utc).isoformat()
        process = subprocess.Popen(
            self.command(), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.pid_file.write_text(str(process.pid))
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise NodeStartError(f"{self.kind} exited with {process.returncode}; see {log.name}")
            if rpc_ready(self.url):
                return self
            time.sleep(0.05)
        self.stop()
        raise NodeStartError(f"{self.kind} did not answer on {self.url} within {READY_TIMEOUT_S:.0f} s")

    def pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text())
        except (OSError, ValueError):
            return None

    def running(self) -> bool:
        pid = self.pid()
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return rpc_ready(self.url)

    def stop(self, *, hard: bool = False) -> None:
        """Stop the node by its pid. `hard` sends SIGKILL (a crash); otherwise SIGTERM so anvil dumps state.

        The signal goes to the node's whole process group (`start_new_session` made the started
        process its leader), so a wrapper's children get it too, and `stop` returns only when the
        group is gone: the port is free and anvil's state dump is complete.
        """
        pid = self.pid()
        if pid is None:
            return
        stop_group(pid, hard=hard)
        self.pid_file.unlink(missing_ok=True)


def stop_group(pgid: int, *, hard: bool = False) -> None:
    """Signal process group `pgid` (SIGKILL when `hard`, else SIGTERM) and return once it is gone."""
    try:
        os.killpg(pgid, signal.SIGKILL if hard else signal.SIGTERM)
    except ProcessLookupError:
        pass
    _wait_exit(pgid)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait_exit(pgid: int, timeout: float = 15.0) -> None:
    """Wait until process group `pgid` is empty, reaping its leader if it is our child; SIGKILL it on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.waitpid(pgid, os.WNOHANG)  # a zombie leader would keep the group alive
        except ChildProcessError:  # not our child, or already reaped
            pass
        if not _group_alive(pgid):
            return
        time.sleep(0.05)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
