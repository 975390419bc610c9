"""The officers' signed actions a transaction carried, read back from its calldata.

An auditor checks a signature against the exact bytes that reached the contract, not against
what a mirror says: the transaction's input is `execute(action)` or `executeBatch(action[])` of
Catalog or Sharing, with the action's ABI tuple as in chain/actions.py and chain/sharing.py.
"""

from __future__ import annotations

from eth_abi import decode as abi_decode
from eth_utils import keccak

from chain.errors import ChainError


def selectors(action_abi: str) -> dict[bytes, bool]:
    """4-byte selector -> whether it takes a batch, for `execute` and `executeBatch` of `action_abi`."""
    return {keccak(text=f"execute({action_abi})")[:4]: False, keccak(text=f"executeBatch({action_abi}[])")[:4]: True}


def signed_actions(w3, tx_hash: str, action_abi: str) -> list[tuple]:
    """The action tuples transaction `tx_hash` sent. Raises ChainError when its input is neither
    `execute` nor `executeBatch` of that ABI (a step the contract took on its own is not signed)."""
    tx = w3.eth.get_transaction(tx_hash)
    data = bytes(tx["input"])
    batch = selectors(action_abi).get(data[:4])
    if batch is None:
        raise ChainError(f"transaction {tx_hash} calls no execute/executeBatch of {action_abi}")
    if batch:
        return list(abi_decode([f"{action_abi}[]"], data[4:])[0])
    return [abi_decode([action_abi], data[4:])[0]]
