"""The contracts that take officers' signed actions, in one table: intake, the relayer, the
runtime and the auditor's calldata reader all read it.

Each action's ABI tuple is read from the compiled ABI (the `execute` function's parameter), never
pasted here, so a field added to a contract's `SignedAction` reaches every encoder at once.
The outbox's `contract` column holds a key of SIGNED_CONTRACTS.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak

from chain.artifacts import load_artifact


def abi_type(param: dict) -> str:
    """The canonical ABI type of a compiled ABI parameter, tuples spelled out: `(uint8,bytes)[]`."""
    kind = param["type"]
    if not kind.startswith("tuple"):
        return kind
    return "(" + ",".join(abi_type(c) for c in param["components"]) + ")" + kind[len("tuple") :]


@dataclass(frozen=True)
class SignedContract:
    name: str  # the outbox's `contract` column, a key of SIGNED_CONTRACTS
    artifact: str  # the compiled contract
    action_type: str  # its EIP-712 primary type
    deployment_field: str  # where chain.deploy.Deployment keeps its address

    @cached_property
    def _action_param(self) -> dict:
        """The compiled ABI of `execute(SignedAction)`'s parameter."""
        [execute] = [
            f for f in load_artifact(self.artifact).abi if f.get("type") == "function" and f["name"] == "execute"
        ]
        return execute["inputs"][0]

    @cached_property
    def action_abi(self) -> str:
        """The SignedAction tuple type, e.g. `(uint8,bytes32,…,bytes)`."""
        return abi_type(self._action_param)

    @cached_property
    def action_fields(self) -> tuple[str, ...]:
        """The SignedAction's field names, in the tuple's order."""
        return tuple(c["name"] for c in self._action_param["components"])

    def selector(self, function: str, batch: bool = False) -> bytes:
        return keccak(text=f"{function}({self.action_abi}{'[]' if batch else ''})")[:4]

    @cached_property
    def execute_selector(self) -> bytes:
        return self.selector("execute")

    @cached_property
    def execute_batch_selector(self) -> bytes:
        return self.selector("executeBatch", batch=True)

    @cached_property
    def simulate_selector(self) -> bytes:
        return self.selector("simulateBatch", batch=True)

    @cached_property
    def simulated_selector(self) -> bytes:
        """Of the custom error `simulateBatch` always reverts with (ISignedActions.BatchSimulated)."""
        return keccak(text="BatchSimulated(bytes[])")[:4]

    def address(self, deployment) -> str:
        return getattr(deployment, self.deployment_field)

    def encode(self, action: tuple) -> bytes:
        """The ABI encoding of one action tuple (what the outbox stores)."""
        return abi_encode([self.action_abi], [action])

    def decode(self, payload: bytes) -> tuple:
        return abi_decode([self.action_abi], payload)[0]

    def execute_calldata(self, action: tuple) -> bytes:
        return self.execute_selector + self.encode(action)

    def batch_calldata(self, actions: list[tuple], function: str = "executeBatch") -> bytes:
        return self.selector(function, batch=True) + abi_encode([f"{self.action_abi}[]"], [actions])


SIGNED_CONTRACTS: dict[str, SignedContract] = {
    c.name: c
    for c in (
        SignedContract("catalog", "Catalog", "CatalogAction", "catalog"),
        SignedContract("sharing", "Sharing", "SharingAction", "sharing"),
        SignedContract("responsibilities", "Responsibilities", "ResponsibilityAction", "responsibilities"),
        SignedContract("data_quality", "DataQuality", "QualityAction", "data_quality"),
        SignedContract("supervision", "Supervision", "SupervisionAction", "supervision"),
    )
}
