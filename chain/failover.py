"""Several JSON-RPC URLs for one chain: use one, move to the next when it stops answering.

The platform's node can die (a validator restarted, a machine down); any other validator's node
serves the same chain. Only a failure to reach the node moves on (refused, reset, timed out); a
node that answers with an error answered, and its answer stands. The node in use stays in use
until it fails, so reads and the relayer's sends do not alternate between nodes that may be a
block apart. Listeners hear of each move (the relayer's sender renumbers its nonces from the new
node's pool: a transaction the dead node never passed on would otherwise leave a gap).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

import requests
from web3 import HTTPProvider

log = logging.getLogger(__name__)
T = TypeVar("T")
# Connect quickly to a live node or give up on it; a live node may take its time to answer (a
# reindex's eth_getLogs over thousands of blocks).
TIMEOUT_S = (3.0, 60.0)
UNREACHABLE = (requests.ConnectionError, requests.Timeout)


class Endpoints:
    """An ordered list of URLs and the index of the one in use; safe to share between threads."""

    def __init__(self, urls: Sequence[str]) -> None:
        if not urls:
            raise ValueError("at least one JSON-RPC URL is needed")
        self.urls = list(urls)
        self._current = 0
        self._lock = threading.Lock()
        self._listeners: list[Callable[[str], None]] = []

    @property
    def current(self) -> str:
        return self.urls[self._current]

    def on_switch(self, listener: Callable[[str], None]) -> None:
        """Call `listener(new_url)` after each move to another node."""
        self._listeners.append(listener)

    def run(self, attempt: Callable[[int], T]) -> T:
        """`attempt(i)` on the node in use, then on each next one while the node is unreachable;
        the first answer. Raises the last failure when no node answers."""
        start = self._current
        failure: Exception | None = None
        for step in range(len(self.urls)):
            index = (start + step) % len(self.urls)
            try:
                result = attempt(index)
            except UNREACHABLE as exc:
                failure = exc
                continue
            if index != self._current:
                self._switch(index)
            return result
        raise failure

    def _switch(self, index: int) -> None:
        with self._lock:
            if self._current == index:
                return
            log.warning("JSON-RPC: %s does not answer; using %s", self.current, self.urls[index])
            self._current = index
        for listener in self._listeners:
            listener(self.urls[index])


class FailoverProvider(HTTPProvider):
    """web3.py's HTTP provider over `Endpoints`: each request goes to the node in use, and to the
    next when that one is unreachable. web3's own retries of an unreachable node are off: moving
    on is the retry."""

    def __init__(self, urls: Sequence[str] | Endpoints, request_kwargs: dict | None = None) -> None:
        self.endpoints = urls if isinstance(urls, Endpoints) else Endpoints(urls)
        kwargs = {"timeout": TIMEOUT_S, **(request_kwargs or {})}
        super().__init__(self.endpoints.urls[0], request_kwargs=kwargs, exception_retry_configuration=None)
        self._providers = [
            HTTPProvider(url, request_kwargs=kwargs, exception_retry_configuration=None) for url in self.endpoints.urls
        ]

    def make_request(self, method, params):
        return self.endpoints.run(lambda i: self._providers[i].make_request(method, params))

    def make_batch_request(self, batch_requests):
        return self.endpoints.run(lambda i: self._providers[i].make_batch_request(batch_requests))
