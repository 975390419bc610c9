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


def signature_problem(w3, tx_hash: str, contract, *, nonce: int, document_hash: bytes, digest_of, key) -> str | None:
    """What is wrong with the signed action an event records, or None when it checks out.

    `contract` is a chain.signed_contracts.SignedContract; `digest_of(action_tuple)` gives the
    action's EIP-712 digest; `key` is the signer's registered key (`key_id`, `public_key`). The
    action is the one in transaction `tx_hash` with this nonce and document; its signature must
    recover to that key (an SM2 one verified against the registered public key).
    """
    from chain.signatures import SignatureMismatchError, recover_action_signer

    fields = contract.action_fields
    at_nonce, at_document, at_signature = fields.index("nonce"), fields.index("document"), fields.index("signature")
    carried = [
        a
        for a in signed_actions(w3, tx_hash, contract.action_abi)
        if a[at_nonce] == nonce and keccak(a[at_document]) == document_hash
    ]
    if len(carried) != 1:
        return "the transaction carries no signed action matching the event (nonce and document)"
    try:
        signer = recover_action_signer(
            digest_of(carried[0]),
            carried[0][at_signature],
            lambda key_id: key.public_key if key_id.lower() == key.key_id.lower() else None,
        )
    except (ValueError, SignatureMismatchError) as exc:
        return f"the signature does not verify: {exc}"
    if signer.lower() != key.key_id.lower():
        return f"the signature was made by {signer}, not by {key.key_id}"
    return None
