"""The validators vote the Office's decisions into the network's signer set (`clique_propose`).

Clique applies a vote once more than half of the signers have cast it (each in a block it seals).
geth itself votes for whatever its owner proposes; the refusal is here, in the only code that holds
a validator's IPC socket (mode 0600, the owner's alone): before proposing, each validator reads the
Office's decision from its own node, at the settled block (⌊N/2⌋+1 behind its head), and refuses a
change that chain does not hold. After the change has passed, each validator drops its proposal
(`clique_discard`): a stale "remove X" left in a node would vote X out again once re-added.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from eth_utils import to_checksum_address

from chain.client import connect
from network.errors import NetworkError
from network.governance import DecisionKind, decided_validators, decision_of
from network.ipc import ipc_call, ipc_path
from network.nodes import GethNode
from network.status import node_status

APPLY_TIMEOUT_S = 60.0


class NoOfficeDecision(NetworkError):
    """Raised when a validator is asked to vote a change its chain holds no settled Office decision for."""

    def __init__(self, code: str, validator: str, wanted: DecisionKind, found: DecisionKind, block: int) -> None:
        super().__init__(
            f"{code}'s validator refuses to vote {wanted.name.lower()} {validator}: its chain holds "
            f"{'no Office decision' if found == DecisionKind.NONE else 'the decision ' + found.name.lower()} "
            f"for it at settled block {block} (record the decision, or wait until it settles)"
        )
        self.code, self.validator, self.wanted, self.found, self.block = code, validator, wanted, found, block


def settle_depth(signers: int) -> int:
    """Blocks after which a Clique block is settled: ⌊N/2⌋+1 (DESIGN; chain/indexer's settle_blocks)."""
    return signers // 2 + 1


def check_decision(node: GethNode, governance: str, validator: str, add: bool) -> None:
    """Whether `node`'s own chain holds the Office's decision for the change at its settled block.
    Raises NoOfficeDecision when not."""
    validator = to_checksum_address(validator)
    status = node_status(node.spec, node.directory)
    if status.head is None:
        raise NetworkError(f"{node.spec.code}'s node does not answer ({status.error}): it cannot vote")
    settled = max(status.head - settle_depth(len(status.signers)), 0)
    wanted = DecisionKind.ADD if add else DecisionKind.REMOVE
    found = decision_of(connect(node.spec.rpc_url), governance, validator, settled).kind
    if found != wanted:
        raise NoOfficeDecision(node.spec.code, validator, wanted, found, settled)


def vote(node: GethNode, governance: str, validator: str, add: bool) -> None:
    """Have `node`'s validator propose the change, once its own chain holds the Office's decision
    for it at the settled block. Raises NoOfficeDecision, voting nothing, when not."""
    check_decision(node, governance, validator, add)
    ipc_call(ipc_path(node.directory), "clique_propose", [to_checksum_address(validator), add])


def vote_all(nodes: list[GethNode], governance: str, validator: str, add: bool) -> None:
    """Every node of `nodes` votes the change; none does unless each one's chain holds the decision."""
    for node in nodes:
        check_decision(node, governance, validator, add)
    for node in nodes:
        vote(node, governance, validator, add)


def proposals(node: GethNode) -> dict[str, bool]:
    """The changes `node`'s validator is voting for (address → add)."""
    return {to_checksum_address(a): v for a, v in ipc_call(ipc_path(node.directory), "clique_proposals", []).items()}


def discard(node: GethNode, validator: str) -> None:
    ipc_call(ipc_path(node.directory), "clique_discard", [to_checksum_address(validator)])


def wait_applied(nodes: list[GethNode], validator: str, add: bool, timeout: float = APPLY_TIMEOUT_S) -> None:
    """Wait until every node's signer set has (or no longer has) `validator`, then drop the votes."""
    validator = to_checksum_address(validator)
    deadline = time.monotonic() + timeout
    while True:
        views = [{to_checksum_address(a) for a in node_status(n.spec, n.directory).signers} for n in nodes]
        if all((validator in view) == add for view in views):
            break
        if time.monotonic() > deadline:
            raise NetworkError(
                f"the vote to {'add' if add else 'remove'} {validator} has not passed on every node within "
                f"{timeout:.0f} s: more than half of the signers must be running and vote"
            )
        time.sleep(0.2)
    for node in nodes:
        discard(node, validator)


@dataclass(frozen=True)
class Agreement:
    """The Office's decided validators against a node's signers."""

    decided: frozenset[str]
    signers: frozenset[str]

    @property
    def agree(self) -> bool:
        return self.decided == self.signers

    @property
    def not_signing(self) -> frozenset[str]:
        """Decided in by the Office but not (yet) a signer of the network."""
        return self.decided - self.signers

    @property
    def undecided(self) -> frozenset[str]:
        """Signing without (or against) an Office decision."""
        return self.signers - self.decided


def agreement(node: GethNode, governance: str) -> Agreement:
    """The Office's decisions and the signers, both read from `node` at its head."""
    signers = frozenset(to_checksum_address(a) for a in node_status(node.spec, node.directory).signers)
    return Agreement(frozenset(decided_validators(connect(node.spec.rpc_url), governance)), signers)
