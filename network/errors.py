"""One exception root for the network package, under the project's LedgerError."""

from __future__ import annotations

from chain.errors import LedgerError


class NetworkError(LedgerError):
    """Root of the network package's errors."""


class GethNotFound(NetworkError):
    """Raised when no geth v1.13.15 binary is found (scripts/setup builds it)."""


class NetworkExists(NetworkError):
    """Raised when `init` would overwrite a network already written to a directory."""


class NoNetwork(NetworkError):
    """Raised when a directory holds no network (`ledger network init` writes one)."""


class GethStartError(NetworkError):
    """Raised when a geth node exits or does not answer JSON-RPC in time."""
