"""A thin client over web3.py: send a contract call from an account, wait, decode reverts.

It talks JSON-RPC to any node (anvil, Hardhat, geth Clique, or an external URL). Transactions are signed
locally with the account's key and numbered locally, so a burst of sends costs one round trip
each rather than three.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from coincurve import PrivateKey
from eth_account import Account
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.middleware import ExtraDataToPOAMiddleware

from chain import raw_tx
from chain.artifacts import load_artifact
from chain.errors import ActionRevertedError, ChainError
from chain.failover import Endpoints, FailoverProvider
from chain.gas import NetworkGas
from chain.reverts import decode_revert
from chain.rpc import RpcClient

RECEIPT_TIMEOUT_S = 120


def connect(url: str | Sequence[str] | Endpoints) -> Web3:
    """web3 on one node's URL, or on several nodes of one chain with failover (chain/failover.py)."""
    if isinstance(url, str):
        w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 60}))
    else:
        w3 = Web3(FailoverProvider(url))
        url = ", ".join(w3.provider.endpoints.urls)
    # The validation middleware asks the node for its chain id before every call (three round
    # trips per eth_call); transactions here carry their chainId explicitly. ENS is not used.
    for name in ("validation", "ens_name_to_address"):
        w3.middleware_onion.remove(name)
    # A Clique block's extraData carries the signers and the seal (97+ bytes); web3.py refuses
    # extraData over 32 bytes unless this moves it aside. Harmless on anvil and Hardhat.
    w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    if not w3.is_connected():
        raise ChainError(f"no JSON-RPC node answers at {url}: start one with `ledger node start`")
    return w3


def revert_data(exc: Exception) -> bytes | None:
    """The raw revert bytes carried by a web3 exception, when it carries any."""
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        return bytes.fromhex(data[2:])
    if isinstance(data, (bytes, HexBytes)):
        return bytes(data)
    return None


def as_revert(exc: Exception) -> ActionRevertedError:
    data = revert_data(exc)
    if data is None:
        return ActionRevertedError("Reverted", {"message": str(exc)})
    return decode_revert(data)


@dataclass
class Sender:
    """Sends transactions from one account with a locally kept nonce."""

    w3: Web3
    account: LocalAccount
    # Raw JSON-RPC for sending, where the caller has one: web3.py's request stack costs a few
    # milliseconds per call (the relayer's hot path).
    rpc: RpcClient | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._nonce: int | None = None
        self._stale = False
        self._chain_id = self.w3.eth.chain_id
        self.gas = NetworkGas(self.w3)
        self._key = PrivateKey(bytes(self.account.key))  # signs in chain.raw_tx

    @classmethod
    def from_key(cls, w3: Web3, key: str, *, rpc: RpcClient | None = None) -> "Sender":
        return cls(w3, Account.from_key(key), rpc)

    def resync(self) -> None:
        with self._lock:
            self._nonce = None

    def mark_stale(self) -> None:
        """Number the next transaction from the node's pool again (the node in use changed).

        Takes no lock: it is called from inside a send, when the failing-over provider moves on.
        """
        self._stale = True

    def send(self, call, *, gas: int | None = None, wait: bool = True):
        """Simulate `call` (a bound contract function), sign and send it; the receipt when `wait`.

        Raises ActionRevertedError, with the decoded custom error, when the call would revert.
        A deployment (a constructor call) has no `to`.
        """
        try:
            estimated = gas or self.gas.limit_for(call.estimate_gas({"from": self.account.address}))
        except (ContractCustomError, ContractLogicError) as exc:
            raise as_revert(exc) from None
        to = getattr(call, "address", None)
        data = call._encode_transaction_data() if to else call.data_in_transaction
        return self.send_data(to, bytes.fromhex(data[2:]) if isinstance(data, str) else data, gas=estimated, wait=wait)

    def send_data(self, to: str | None, data: bytes, *, gas: int, value: int = 0, wait: bool = True):
        """Sign and send a transaction with this calldata and gas limit (no simulation)."""
        with self._lock:
            if self._stale:
                self._stale, self._nonce = False, None
                self.gas.refresh()
            if self._nonce is None:
                self._nonce = self.w3.eth.get_transaction_count(self.account.address, "pending")
            fees = self.gas.fees()
            signed = raw_tx.sign(
                self._key,
                chain_id=self._chain_id,
                nonce=self._nonce,
                gas=gas,
                to=bytes.fromhex(to[2:]) if to else None,
                value=value,
                data=data,
                max_fee=fees.get("maxFeePerGas"),
                max_priority_fee=fees.get("maxPriorityFeePerGas"),
                gas_price=fees.get("gasPrice"),
            )
            try:
                if self.rpc is None:
                    tx_hash = self.w3.eth.send_raw_transaction(signed.raw)
                else:
                    tx_hash = HexBytes(self.rpc.call("eth_sendRawTransaction", ["0x" + signed.raw.hex()]))
            except Exception:
                self._nonce = None  # the node's view wins after any failure
                raise
            self._nonce += 1
        if not wait:
            return tx_hash
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT_S, poll_latency=0.01)
        if receipt["status"] != 1:
            raise ChainError(f"transaction {tx_hash.hex()} reverted on-chain after a passing simulation")
        self._wait_head(receipt["blockNumber"])
        return receipt

    def _wait_head(self, number: int) -> None:
        """Return once the node's head is block `number` or later, so that a read after the send
        sees it. geth answers a transaction's receipt as soon as its block is written, a moment
        before the block becomes the head that `latest` reads (seen on a loaded machine: a call
        right after a receipt read the state before it)."""
        deadline = time.monotonic() + RECEIPT_TIMEOUT_S
        while self.w3.eth.block_number < number:
            if time.monotonic() > deadline:
                raise ChainError(f"the node's head did not reach block {number}, which holds our transaction")
            time.sleep(0.01)

    def send_value(self, to: str, wei: int):
        """A plain transfer, waited for."""
        return self.send_data(to, b"", gas=21_000, value=wei)


def contract_at(w3: Web3, name: str, address: str) -> Contract:
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=load_artifact(name).abi)


def deploy_contract(sender: Sender, name: str, *args, libraries: dict[str, str] | None = None) -> tuple[Contract, dict]:
    """Deploy contract `name`, linked to the deployed `libraries` (name → address) it calls; the
    bound contract and the deployment receipt."""
    artifact = load_artifact(name)
    factory = sender.w3.eth.contract(abi=artifact.abi, bytecode=artifact.linked(libraries or {}))
    receipt = sender.send(factory.constructor(*args))
    return contract_at(sender.w3, name, receipt["contractAddress"]), receipt
