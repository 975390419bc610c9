"""Every error the usage log raises, under one root: :class:`UsageError`.

Each error carries the values that failed as attributes (``expected`` vs ``got`` where there is
an expectation), so a caller can report them without parsing the message.
"""

from __future__ import annotations

from chain.errors import LedgerError  # the project's one exception root


class UsageError(LedgerError):
    """Raised when anything in the usage log fails; the root of all usage-log errors."""


# --- proofs: made for, or checked against, a tree of a given size ---------------------


class ProofError(UsageError):
    """Raised when a proof cannot be made for the sizes asked, or does not verify."""


class LeafIndexOutOfRange(ProofError):
    """Raised when a leaf index is not below the tree size it is to be proven in."""

    def __init__(self, *, index: int, size: int) -> None:
        super().__init__(f"leaf index {index} is not in a tree of size {size}")
        self.index = index
        self.size = size


class TreeSizesOutOfOrder(ProofError):
    """Raised when a consistency proof is asked or checked for sizes that are not 0 < first <= second."""

    def __init__(self, *, first: int, second: int) -> None:
        why = (
            "the empty tree is consistent with every tree"
            if first == 0
            else "the first size must not exceed the second"
        )
        super().__init__(f"no consistency proof from size {first} to size {second}: {why}")
        self.first = first
        self.second = second


class ProofLengthMismatch(ProofError):
    """Raised when a proof has more or fewer hashes than its sizes and index call for."""

    def __init__(self, *, expected: int, got: int) -> None:
        super().__init__(f"proof has {got} hashes, expected {expected}")
        self.expected = expected
        self.got = got


class HashLengthMismatch(ProofError):
    """Raised when a leaf hash or a proof hash is not one digest long."""

    def __init__(self, *, field: str, expected: int, got: int) -> None:
        super().__init__(f"{field} is {got} bytes, expected a {expected}-byte digest")
        self.field = field
        self.expected = expected
        self.got = got


class RootMismatch(ProofError):
    """Raised when the root a proof leads to is not the root it was checked against."""

    def __init__(self, *, which: str, expected: bytes, got: bytes) -> None:
        super().__init__(f"{which} root computed from the proof is {got.hex()}, expected {expected.hex()}")
        self.which = which
        self.expected = expected
        self.got = got


# --- the tree and its node store -----------------------------------------------------


class TreeError(UsageError):
    """Raised when the tree or its node store is not in the state an operation needs."""


class SizeBeyondTree(TreeError):
    """Raised when a root or proof is asked for a size the tree has not reached."""

    def __init__(self, *, size: int, tree_size: int) -> None:
        super().__init__(f"size {size} is beyond the tree's {tree_size} leaves")
        self.size = size
        self.tree_size = tree_size


class MissingNode(TreeError):
    """Raised when the node store lacks a full-subtree hash that its size says it holds."""

    def __init__(self, *, level: int, index: int) -> None:
        super().__init__(f"node store has no hash at level {level}, index {index}")
        self.level = level
        self.index = index


class NodeRunOutOfPlace(TreeError):
    """Raised when nodes appended to a level would not start right after its last node."""

    def __init__(self, *, level: int, expected: int, got: int) -> None:
        super().__init__(f"level {level} continues at index {expected}, got a run starting at {got}")
        self.level = level
        self.expected = expected
        self.got = got
