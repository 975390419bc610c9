"""Clique read from block headers alone: who sealed a block, and the signer set at a block.

A node's HTTP port serves no `clique` namespace (network/nodes.py: `clique_propose` there would let
anyone who reaches the port vote a validator in or out). Where only HTTP is at hand, the sealer of a
block is recovered from its seal, and the signer set by replaying the votes in the headers since the
last checkpoint, as geth v1.13.15 does (consensus/clique: `SealHash`, `Snapshot.apply`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import requests
import rlp
from eth_keys import keys
from eth_utils import keccak, to_checksum_address

from network.genesis import EPOCH

VANITY, SEAL = 32, 65
NONCE_AUTH = "0xffffffffffffffff"  # a vote to add the block's coinbase; all zeros votes to drop it
BATCH = 200  # headers per JSON-RPC batch
TIMEOUT_S = 10.0


def _bytes(value: str) -> bytes:
    return bytes.fromhex(value[2:])


def _uint(value: str) -> int:
    return int(value, 16)


def seal_hash(header: dict) -> bytes:
    """geth's `clique.SealHash`: keccak of the header's RLP with the extradata's 65-byte seal cut off
    (London headers: the base fee last; a Clique header has no withdrawals or blob fields)."""
    extra = _bytes(header["extraData"])
    if len(extra) < VANITY + SEAL:
        raise ValueError(f"block {header.get('number')}: extradata of {len(extra)} bytes holds no Clique seal")
    for later in ("withdrawalsRoot", "blobGasUsed", "excessBlobGas", "parentBeaconBlockRoot"):
        if header.get(later) is not None:
            raise ValueError(f"block {header.get('number')} has {later}: not a Clique header")
    fields = [
        _bytes(header["parentHash"]),
        _bytes(header["sha3Uncles"]),
        _bytes(header["miner"]),
        _bytes(header["stateRoot"]),
        _bytes(header["transactionsRoot"]),
        _bytes(header["receiptsRoot"]),
        _bytes(header["logsBloom"]),
        _uint(header["difficulty"]),
        _uint(header["number"]),
        _uint(header["gasLimit"]),
        _uint(header["gasUsed"]),
        _uint(header["timestamp"]),
        extra[:-SEAL],
        _bytes(header["mixHash"]),
        _bytes(header["nonce"]),
    ]
    if header.get("baseFeePerGas") is not None:
        fields.append(_uint(header["baseFeePerGas"]))
    return keccak(rlp.encode(fields))


def block_signer(header: dict) -> str:
    """The address whose key sealed `header` (an `eth_getBlockByNumber` result), checksummed."""
    seal = _bytes(header["extraData"])[-SEAL:]
    signature = keys.Signature(seal[:64] + bytes([seal[64] % 27]))  # geth writes v as 0 or 1
    return signature.recover_public_key_from_msg_hash(seal_hash(header)).to_checksum_address()


def checkpoint_signers(header: dict) -> list[str]:
    """The signers a checkpoint block (the genesis, every EPOCH-th block) lists in its extradata."""
    listed = _bytes(header["extraData"])[VANITY:-SEAL]
    return [to_checksum_address(listed[i : i + 20]) for i in range(0, len(listed), 20)]


@dataclass
class Snapshot:
    """geth's `clique.Snapshot` without the recents (which only check a header's validity)."""

    number: int
    hash: str
    signers: set[str]
    votes: list[tuple[str, str, bool]] = field(default_factory=list)  # (signer, candidate, add)
    tally: dict[str, list] = field(default_factory=dict)  # candidate -> [add, votes]

    def _cast(self, address: str, add: bool) -> bool:
        if (address in self.signers) == add:
            return False  # a vote to add a signer or drop a non-signer means nothing
        if address in self.tally:
            self.tally[address][1] += 1
        else:
            self.tally[address] = [add, 1]
        return True

    def _uncast(self, address: str, add: bool) -> None:
        tally = self.tally.get(address)
        if tally is None or tally[0] != add:
            return
        if tally[1] > 1:
            tally[1] -= 1
        else:
            del self.tally[address]

    def apply(self, header: dict) -> None:
        number = _uint(header["number"])
        if number != self.number + 1:
            raise ValueError(f"block {number} does not follow the snapshot at {self.number}")
        if number % EPOCH == 0:
            self.votes, self.tally = [], {}
        signer, candidate = block_signer(header), to_checksum_address(header["miner"])
        if signer not in self.signers:
            raise ValueError(f"block {number} is sealed by {signer}, not a signer at block {self.number}")
        for i, (voter, address, add) in enumerate(self.votes):
            if voter == signer and address == candidate:
                self._uncast(address, add)
                del self.votes[i]
                break
        add = header["nonce"] == NONCE_AUTH
        if self._cast(candidate, add):
            self.votes.append((signer, candidate, add))
        tally = self.tally.get(candidate)
        if tally and tally[1] > len(self.signers) // 2:
            if tally[0]:
                self.signers.add(candidate)
            else:
                self.signers.discard(candidate)
                for _, address, was_add in [v for v in self.votes if v[0] == candidate]:
                    self._uncast(address, was_add)
                self.votes = [v for v in self.votes if v[0] != candidate]
            self.votes = [v for v in self.votes if v[1] != candidate]
            del self.tally[candidate]
        self.number, self.hash = number, header["hash"]


_snapshots: dict[str, Snapshot] = {}  # the last snapshot per node URL: a status poll replays only new blocks


def _headers(url: str, numbers: range) -> list[dict]:
    body = [{"jsonrpc": "2.0", "id": n, "method": "eth_getBlockByNumber", "params": [hex(n), False]} for n in numbers]
    replies = requests.post(url, json=body, timeout=TIMEOUT_S).json()
    by_id = {r.get("id"): r.get("result") for r in replies} if isinstance(replies, list) else {}
    if any(by_id.get(n) is None for n in numbers):
        raise ValueError(f"{url} did not return blocks {numbers.start}..{numbers.stop - 1}")
    return [by_id[n] for n in numbers]


class ChainMovedError(ValueError):
    """The node moved to another branch while its headers were read (Clique's out-of-turn blocks
    reorganise a chain now and then): the same question asked again has an answer."""


def signers_at(url: str, head: dict) -> tuple[str, ...]:
    """The signers Clique counts after block `head` (a header of the node at `url`), sorted as
    `clique_getSigners` lists them: replayed from the last checkpoint, or from the last snapshot
    taken of this node while that block is still on its chain."""
    number = _uint(head["number"])
    known = _snapshots.get(url)
    start = None
    if known is not None and number // EPOCH == known.number // EPOCH and known.number <= number:
        if _headers(url, range(known.number, known.number + 1))[0]["hash"] == known.hash:
            start = Snapshot(known.number, known.hash, set(known.signers), list(known.votes),
                             {a: list(t) for a, t in known.tally.items()})  # fmt: skip
    if start is None:
        checkpoint = _headers(url, range(number - number % EPOCH, number - number % EPOCH + 1))[0]
        start = Snapshot(_uint(checkpoint["number"]), checkpoint["hash"], set(checkpoint_signers(checkpoint)))
    snapshot = start
    for first in range(snapshot.number + 1, number + 1, BATCH):
        for header in _headers(url, range(first, min(first + BATCH, number + 1))):
            snapshot.apply(header)
    if snapshot.hash != head["hash"]:
        raise ChainMovedError(f"{url} moved to another chain while its votes were read; ask again")
    _snapshots[url] = snapshot
    return tuple(sorted(snapshot.signers, key=lambda a: bytes.fromhex(a[2:])))
