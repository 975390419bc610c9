"""Launch and stop one validator's geth by pid, on loopback, with known peers only.

Every node has its own `--port`, `--http.port` and `--authrpc.port` (the Engine API binds even on a
Clique chain). A node starts without sealing; `seal` starts it once the network is ready
(network/lifecycle.py says when and in which order). Discovery is off and `--netrestrict` limits
p2p to the allowed range: v1.13.15 is past its support and later p2p advisories exist, so a node
talks only to the peers its config names. IPC is the owner's only (network/ipc.py); never
`--pprof`: its memsize page walks runtime internals this build links with -checklinkname=0.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from chain.node import rpc_ready, stop_group
from network.errors import GethStartError
from network.genesis import GAS_LIMIT
from network.ipc import ipc_call, ipc_path
from network.manifest import HOST, NodeSpec

READY_TIMEOUT_S = 30.0
NETRESTRICT = "127.0.0.0/8"  # loopback; on four machines, the organisations' own addresses
# What the platform calls. Never `clique` (its `clique_propose` votes a validator in or out), `miner`,
# `admin`, `personal` or `debug`: those stay on the owner's IPC socket (network/ipc.py).
HTTP_APIS = "eth,net,web3,txpool"


@dataclass
class GethNode:
    """The node of `spec`, its files in `directory` (datadir, node key, config, password)."""

    spec: NodeSpec
    directory: Path
    geth: Path
    chain_id: int
    netrestrict: str = NETRESTRICT
    gas_limit: int = GAS_LIMIT  # the block gas limit the validator aims at: the genesis block's
    min_tip: int | None = None  # `--miner.gasprice`, the least tip it includes
    netns: str | None = None  # a network namespace to run in (network/netns.py; the fault tests)

    def __post_init__(self) -> None:
        # Absolute: the pid check below finds the node by the datadir on its command line.
        self.directory = Path(self.directory).resolve()

    @property
    def pid_file(self) -> Path:
        return self.directory / "geth.pid"

    @property
    def log_file(self) -> Path:
        return self.directory / "geth.log"

    def command(self) -> list[str]:
        d, s = self.directory, self.spec
        # `ip netns exec` execs geth in the namespace: the pid stays the one we record.
        return (["ip", "netns", "exec", self.netns] if self.netns else []) + [
            str(self.geth),
            "--datadir", str(d / "data"),
            "--config", str(d / "config.toml"),
            "--networkid", str(self.chain_id),
            "--syncmode", "full",
            "--port", str(s.p2p_port),
            "--nodiscover",
            "--netrestrict", self.netrestrict,
            "--nat", "none",
            "--nodekey", str(d / "nodekey"),
            "--ipcpath", str(ipc_path(d)),
            "--http", "--http.addr", s.host, "--http.port", str(s.http_port), "--http.api", HTTP_APIS,
            "--authrpc.addr", HOST, "--authrpc.port", str(s.authrpc_port),
            # geth answers HTTP only for Host names it knows: localhost, or the address it serves on.
            "--http.vhosts", "localhost" if s.host == HOST else s.host,
            "--unlock", s.signer, "--password", str(d / "password"), "--allow-insecure-unlock",
            "--miner.etherbase", s.signer, "--miner.gaslimit", str(self.gas_limit),
        ] + (["--miner.gasprice", str(self.min_tip)] if self.min_tip is not None else [])  # fmt: skip

    def pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text())
        except (OSError, ValueError):
            return None

    def alive(self) -> bool:
        """Whether the process of our pid file is still this node's geth (answering or not).

        A stale pid file may name a pid the system has since given to another process: the
        command line must carry this node's datadir, or the pid is not ours to signal.
        """
        pid = self.pid()
        if pid is None:
            return False
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        return str(self.directory / "data").encode() in cmdline

    def start(self) -> "GethNode":
        """Start geth in the background and wait until it answers JSON-RPC; a running node is kept."""
        if self.alive() and rpc_ready(self.spec.rpc_url):
            return self
        with open(self.log_file, "ab") as log:
            process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.pid_file.write_text(str(process.pid))
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise GethStartError(f"geth of {self.spec.code} exited with {process.returncode}: {self._last_error()}")
            if rpc_ready(self.spec.rpc_url):
                return self
            time.sleep(0.1)
        self.stop()
        raise GethStartError(f"geth of {self.spec.code} did not answer on {self.spec.rpc_url}; see {self.log_file}")

    def wait_unlocked(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Wait until geth has unlocked the signer key: it answers JSON-RPC before it has decrypted
        the key named by `--unlock` (scrypt: a second or more on a loaded machine), and a sealer
        started earlier fails its slots ("authentication needed")."""
        deadline = time.monotonic() + timeout
        while not self._unlocked():
            if time.monotonic() > deadline:
                raise GethStartError(
                    f"geth of {self.spec.code} has not unlocked {self.spec.signer}; see {self.log_file}"
                )
            time.sleep(0.1)

    def seal(self) -> None:
        """Start sealing blocks (`miner_start` over IPC) once the signer key is unlocked. From then
        on the node also accepts the blocks its peers propagate (geth: sealing marks it synced)."""
        self.wait_unlocked()
        ipc_call(ipc_path(self.directory), "miner_start", [])

    def _unlocked(self) -> bool:
        # A signature over one byte (eth_sign's prefixed message: never a block seal), over IPC only.
        try:
            ipc_call(ipc_path(self.directory), "eth_sign", [self.spec.signer, "0x00"])
        except RuntimeError as exc:
            if "authentication needed" in str(exc):
                return False
            raise
        return True

    def stop(self, *, hard: bool = False) -> None:
        """SIGTERM (geth writes its state and exits) or, when `hard`, SIGKILL (a crash)."""
        pid = self.pid()
        if pid is None:
            return
        if self.alive():
            stop_group(pid, hard=hard)
        self.pid_file.unlink(missing_ok=True)

    def _last_error(self) -> str:
        lines = self.log_file.read_text(errors="replace").splitlines() if self.log_file.exists() else []
        fatal = [line for line in lines if line.startswith("Fatal") or "ERROR" in line]
        return (fatal or lines or [f"see {self.log_file}"])[-1].strip()
