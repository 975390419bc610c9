"""JSON-RPC over geth's IPC socket, for what HTTP does not offer: starting to seal (`miner_start`).

The socket is the owner's alone (geth makes it mode 0600), so the `miner` API never goes on HTTP,
where any local process could stop a validator sealing. A socket path is limited to 107 bytes, so a
node in a deep directory gets one in the temporary directory, named after its directory.
"""

from __future__ import annotations

import hashlib
import json
import socket
import tempfile
from pathlib import Path

MAX_SOCKET_PATH = 100  # below the kernel's 108-byte sun_path, with room for geth's checks


def ipc_path(directory: Path) -> Path:
    path = Path(directory).resolve() / "geth.ipc"
    if len(str(path)) <= MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"ledger-geth-{digest}.ipc"


def ipc_call(path: Path, method: str, params: list, *, timeout: float = 5.0):
    """One call; the result, or RuntimeError with the node's message."""
    request = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    decoder = json.JSONDecoder()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(path))
        sock.sendall(request)
        buffer = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError(f"{method}: the node closed the connection")
            buffer += chunk
            try:
                reply, _ = decoder.raw_decode(buffer.decode())
                break
            except ValueError:
                continue  # an incomplete answer: read on
    if "error" in reply:
        raise RuntimeError(f"{method}: {reply['error'].get('message')}")
    return reply["result"]
