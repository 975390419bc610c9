"""Raw JSON-RPC over one HTTP session, for the hot paths (indexing, simulating actions).

web3.py's contract calls cost several milliseconds of formatting per call; here a call is one
POST and a dict. Errors keep the node's revert data so callers can decode the custom error.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence

import orjson
import requests

from chain.errors import ChainError
from chain.failover import TIMEOUT_S, Endpoints

_JSON = {"Content-Type": "application/json"}


class RpcError(ChainError):
    """Raised when the node answers a JSON-RPC call with an error; `data` holds revert bytes if any."""

    def __init__(self, method: str, error: dict) -> None:
        super().__init__(f"{method} failed: {error.get('message')}")
        self.code = error.get("code")
        data = error.get("data")
        if isinstance(data, dict):  # some nodes nest it
            data = data.get("data")
        self.data = bytes.fromhex(data[2:]) if isinstance(data, str) and data.startswith("0x") else None


class RpcClient:
    """A node's JSON-RPC endpoint, or several nodes of one chain tried in order when the one in
    use is unreachable (chain/failover.py); safe to share between threads (a session per thread)."""

    def __init__(self, url: str | Sequence[str]) -> None:
        self.endpoints = url if isinstance(url, Endpoints) else Endpoints([url] if isinstance(url, str) else url)
        self._ids = itertools.count(1)
        self._local = threading.local()

    @property
    def _http(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    @property
    def url(self) -> str:
        """The URL in use."""
        return self.endpoints.current

    def _post(self, url: str, payload: bytes) -> requests.Response:
        timeout = (TIMEOUT_S[0], 120) if len(self.endpoints.urls) > 1 else 120
        response = self._http.post(url, data=payload, headers=_JSON, timeout=timeout)
        response.raise_for_status()
        return response

    def call(self, method: str, params: list):
        return self.batch([(method, params)])[0]

    def batch(self, calls: list[tuple[str, list]]) -> list:
        """Send several calls in one request; results in order, the first error raised."""
        if not calls:
            return []
        body = [{"jsonrpc": "2.0", "id": next(self._ids), "method": m, "params": p} for m, p in calls]
        payload = orjson.dumps(body if len(body) > 1 else body[0])
        response = self.endpoints.run(lambda i: self._post(self.endpoints.urls[i], payload))
        replies = orjson.loads(response.content)  # a reindex parses megabytes of logs: orjson is ~3x json
        replies = {r["id"]: r for r in (replies if isinstance(replies, list) else [replies])}
        out = []
        for request in body:
            reply = replies[request["id"]]
            if "error" in reply:
                raise RpcError(request["method"], reply["error"])
            out.append(reply["result"])
        return out

    def eth_call(self, to: str, data: bytes, sender: str | None = None) -> bytes:
        """`eth_call` at the latest block; raises RpcError (with revert data) when it reverts."""
        tx = {"to": to, "data": "0x" + data.hex()}
        if sender:
            tx["from"] = sender
        return bytes.fromhex(self.call("eth_call", [tx, "latest"])[2:])
