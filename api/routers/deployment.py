"""Which chain and which contracts this platform writes to: what an auditor audits.

An auditor outside the platform needs only this answer and a chain RPC URL (`ledger audit`,
docs/PROTOCOL.md): the chain id, each contract's address and the keccak256 of its runtime code
(to check that the code at the address is the code of this release), and the deploy block to
start reading events from.
"""

from __future__ import annotations

from eth_utils import keccak
from fastapi import APIRouter

from api import schemas
from api.deps import RuntimeDep
from chain.deploy import DEPLOYED_CONTRACTS

router = APIRouter(tags=["deployment"])
# The answer, per deployment (chain id and deploy block hash): the code at a deployed address does
# not change (the contracts have no selfdestruct), so `/healthz` need not read it on every probe.
_DESCRIBED: dict[tuple[int, str], schemas.DeploymentPublic] = {}


def describe(runtime) -> schemas.DeploymentPublic:
    """The deployment, with each contract's runtime code hash read from the chain (once)."""
    record = runtime.deployment
    key = (record.chain_id, record.deploy_block_hash)
    if key not in _DESCRIBED:
        _DESCRIBED[key] = _read(runtime)
    return _DESCRIBED[key]


def _read(runtime) -> schemas.DeploymentPublic:
    record = runtime.deployment
    contracts = []
    for name, field in DEPLOYED_CONTRACTS.items():
        address = getattr(record, field)
        code = bytes(runtime.w3.eth.get_code(address))
        contracts.append(
            schemas.DeployedContract(
                name=name, address=address, code_hash="0x" + keccak(code).hex(), code_size=len(code)
            )
        )
    return schemas.DeploymentPublic(
        chain_id=record.chain_id,
        deploy_block=record.deploy_block,
        deploy_block_hash=record.deploy_block_hash,
        office=record.office,
        contracts=contracts,
    )


@router.get("/v1/deployment", response_model=schemas.DeploymentPublic)
def deployment(runtime: RuntimeDep) -> schemas.DeploymentPublic:
    """The chain id, the deploy block and each contract's address and runtime code hash.

    Save it as a file for `ledger audit --deployment FILE`: with it and a chain RPC URL anyone
    verifies a catalog version, a commitment or a grant without the platform.
    """
    return describe(runtime)
