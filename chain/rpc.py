"""Raw JSON-RPC over pooled HTTP connections, for the hot paths (indexing, simulating, relaying).

web3.py's contract calls cost several milliseconds of formatting per call; here a call is one
POST and a dict. Errors keep the node's revert data so callers can decode the custom error.
Several URLs of one chain are tried in order when the one in use is unreachable (chain/failover.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import orjson
import requests
import urllib3

from chain.errors import ChainError
from chain.failover import TIMEOUT_S, Endpoints

_JSON = {"Content-Type": "application/json"}
POOL_SIZE = 64
READ_TIMEOUT_S = 120  # a reindex's eth_getLogs over thousands of blocks takes its time


class RpcError(ChainError):
    """Raised when the node answers a JSON-RPC call with an error; `data` holds revert bytes if any."""

    def __init__(self, method: str, error: dict) -> None:
        super().__init__(f"{method} failed: {error.get('message')}")
        self.code = error.get("code")
        data = error.get("data")
        if isinstance(data, dict):  # some nodes nest it
            data = data.get("data")
        self.data = bytes.fromhex(data[2:]) if isinstance(data, str) and data.startswith("0x") else None


class _Node:
    """One node's URL with its pool of connections, credentials and proxy, looked up once.

    It posts with urllib3, under requests: requests costs about 0.4 ms more per call, spent
    looking up proxies and netrc credentials again each time. Failures to reach the node raise
    requests' ConnectionError or Timeout, as requests would (chain.failover moves on from those).
    """

    def __init__(self, url: str, timeout: urllib3.Timeout | int) -> None:
        self.url = url
        self.timeout = timeout
        parts = urllib3.util.parse_url(url)
        self.headers = dict(_JSON)
        auth = parts.auth or ":".join(requests.utils.get_netrc_auth(url) or ()) or None
        if auth:
            self.headers.update(urllib3.util.make_headers(basic_auth=auth))
            self.url = parts._replace(auth=None).url
        proxy = requests.utils.get_environ_proxies(url).get(parts.scheme or "http")
        # A connection kept for each thread that may call at once (the API's 40 request threads
        # and its own loops); past that, urllib3 would open, then drop, one per call, with a warning.
        pool = {"maxsize": POOL_SIZE, "retries": False}
        self.pool = urllib3.ProxyManager(proxy, **pool) if proxy else urllib3.PoolManager(**pool)

    def post(self, payload: bytes) -> bytes:
        try:
            response = self.pool.request("POST", self.url, body=payload, headers=self.headers, timeout=self.timeout)
        except urllib3.exceptions.HTTPError as exc:
            raise _as_requests_error(exc, self.url) from exc
        if response.status >= 400:
            raise requests.HTTPError(f"{response.status} from {self.url}: {response.data[:200]!r}")
        return response.data


class RpcClient:
    """A node's JSON-RPC endpoint, or several nodes of one chain tried in order when the one in
    use is unreachable; safe to share between threads (one pool of connections per node)."""

    def __init__(self, url: str | Sequence[str] | Endpoints) -> None:
        self.endpoints = url if isinstance(url, Endpoints) else Endpoints([url] if isinstance(url, str) else url)
        self._ids = itertools.count(1)
        # With somewhere else to go, give up on a node that does not connect quickly.
        several = len(self.endpoints.urls) > 1
        timeout = urllib3.Timeout(connect=TIMEOUT_S[0], read=READ_TIMEOUT_S) if several else READ_TIMEOUT_S
        self._nodes = [_Node(u, timeout) for u in self.endpoints.urls]

    @property
    def url(self) -> str:
        """The URL in use."""
        return self._nodes[self.endpoints.urls.index(self.endpoints.current)].url

    def call(self, method: str, params: list):
        return self.batch([(method, params)])[0]

    def batch(self, calls: list[tuple[str, list]]) -> list:
        """Send several calls in one request; results in order, the first error raised."""
        if not calls:
            return []
        body = [{"jsonrpc": "2.0", "id": next(self._ids), "method": m, "params": p} for m, p in calls]
        payload = orjson.dumps(body if len(body) > 1 else body[0])
        data = self.endpoints.run(lambda i: self._nodes[i].post(payload))
        replies = orjson.loads(data)  # a reindex parses megabytes of logs: orjson is ~3x json
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


def _as_requests_error(exc: urllib3.exceptions.HTTPError, url: str) -> requests.RequestException:
    """The exception requests raises for `exc` (a refused connection is a ConnectionError)."""
    if isinstance(exc, urllib3.exceptions.NewConnectionError):  # before its base, ConnectTimeoutError
        return requests.ConnectionError(f"{url}: {exc}")
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError):
        return requests.ConnectTimeout(f"{url}: {exc}")
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return requests.ReadTimeout(f"{url}: {exc}")
    return requests.ConnectionError(f"{url}: {exc}")
