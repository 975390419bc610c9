"""One exception root for the chain package."""

from __future__ import annotations


class LedgerError(Exception):
    """Root of every error this project raises on purpose."""


class ChainError(LedgerError):
    """Root of the chain package's errors."""


class CompileError(ChainError):
    """Raised when the contracts do not compile or their build output is missing."""


class NodeStartError(ChainError):
    """Raised when a local node does not become ready in time."""


class NotDeployedError(ChainError):
    """Raised when no deployment record exists for the node being used."""


class ActionRevertedError(ChainError):
    """Raised when a contract call reverts; carries the decoded custom error."""

    def __init__(self, error: str, args: dict, raw: bytes = b"") -> None:
        self.error = error
        self.error_args = args
        self.raw = raw
        super().__init__(f"{error}({', '.join(f'{k}={v}' for k, v in args.items())})")


class UndecodableLogError(ChainError):
    """Raised when a log from one of our contracts does not match any event in its ABI."""


class DocumentHashMismatch(ChainError):
    """Raised when a document's keccak256 differs from the hash recorded with it on-chain."""

    def __init__(self, where: str, expected: str, got: str) -> None:
        super().__init__(f"{where}: on-chain hash {expected}, document hashes to {got}")
        self.expected = expected
        self.got = got


class ChainReorganisingError(ChainError):
    """Raised when a block range keeps changing while the indexer reads it; the next sync retries."""


class CursorMovedBackError(ChainError):
    """Raised when a store is asked to move its cursor backwards outside a rollback."""
