"""A witness of the usage log (#11): the Office or a regulator checks each new checkpoint before
co-signing it, the way Certificate Transparency witnesses do.

The checkpoint comes from the chain (`UsageLog`), never from the log operator; the operator (the
API) supplies only the consistency proof, which is checked against the root this witness saw last
and the chain's root. Two roots for one size (a forked log, a split view) or a proof that does not
hold make the witness refuse, and say which.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from usage.errors import ProofError, UsageError
from usage.hasher import SM3
from usage.proofs import verify_consistency


class WitnessRefusal(UsageError):
    """Raised when the witness will not co-sign: the log forked, or the new checkpoint does not extend the last one."""


@dataclass(frozen=True)
class Seen:
    """The last checkpoint a witness co-signed, kept in its state file."""

    log_id: str
    size: int
    root: str

    @classmethod
    def load(cls, path: Path, log_id: str) -> "Seen | None":
        if not path.exists():
            return None
        body = json.loads(path.read_text(encoding="utf-8"))
        seen = cls(**body)
        if seen.log_id != log_id:
            raise WitnessRefusal(f"{path} holds log {seen.log_id}, not {log_id}: give this log its own --state file")
        return seen

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.__dict__, indent=2), encoding="utf-8")
        tmp.replace(path)


def check_new(seen: Seen | None, *, size: int, root: bytes, root_at_seen: bytes | None, proof) -> None:
    """Whether the chain's newest checkpoint (size, root) may be co-signed after `seen`.

    `root_at_seen` is the chain's root at `seen.size`; `proof` the operator's consistency proof
    from `seen.size` to `size` (a list of hashes, or None when `seen` is None or the sizes are equal).
    Raises WitnessRefusal naming the fork or the failed proof.
    """
    if seen is None:
        return  # the first checkpoint this witness sees: trusted on first use
    old_root = bytes.fromhex(seen.root[2:])
    if root_at_seen is not None and root_at_seen != old_root:
        raise WitnessRefusal(
            f"forked log: checkpoint size {seen.size} has root 0x{root_at_seen.hex()} on-chain, but this witness"
            f" co-signed root {seen.root} for that size; refusing to co-sign"
        )
    if size < seen.size:
        raise WitnessRefusal(f"the log shrank: size {size} after {seen.size}; refusing to co-sign")
    if size == seen.size:
        if root != old_root:
            raise WitnessRefusal(
                f"forked log: two checkpoints of size {size}, roots {seen.root} and 0x{root.hex()}; refusing to co-sign"
            )
        return
    try:
        verify_consistency(SM3, first=seen.size, second=size, first_root=old_root, second_root=root, proof=proof)
    except ProofError as exc:
        raise WitnessRefusal(
            f"inconsistent log: checkpoint size {size} root 0x{root.hex()} does not extend size {seen.size}"
            f" root {seen.root} ({exc}); refusing to co-sign"
        ) from None
