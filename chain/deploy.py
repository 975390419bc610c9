"""Deploy the contracts and remember where they are.

The deployment record lives beside the node's data, one file per chain id. It keeps the deploy
block's hash so that a record left over from another chain (a restarted Hardhat node, a wiped
anvil state) is detected instead of being trusted.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from web3 import Web3

from chain.client import Sender, deploy_contract
from chain.errors import NotDeployedError

# Sharing's logic modules (external libraries, contracts/sharing/), by Deployment field.
SHARING_LIBRARIES = {
    "sharing_demands": "SharingDemands",
    "sharing_grants": "SharingGrants",
    "sharing_cases": "SharingCases",
}


@dataclass(frozen=True)
class Deployment:
    chain_id: int
    registry: str
    catalog: str
    calendar: str
    sharing: str
    sharing_demands: str
    sharing_grants: str
    sharing_cases: str
    responsibilities: str
    usage_log: str
    data_quality: str
    supervision: str
    office: str
    deploy_block: int
    deploy_block_hash: str

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, w3: Web3) -> "Deployment":
        """The record at `path`, checked against the chain `w3` is connected to."""
        if not path.exists():
            raise NotDeployedError(f"no deployment at {path}: run `ledger deploy` first")
        fields = json.loads(path.read_text())
        if set(fields) != set(cls.__dataclass_fields__):
            raise NotDeployedError(f"{path} is from an older release (its contracts differ): run `ledger deploy` again")
        record = cls(**fields)
        if not record.on_chain(w3):
            raise NotDeployedError(
                f"{path} describes another chain (deploy block {record.deploy_block} differs): run `ledger deploy` again"
            )
        return record

    def on_chain(self, w3: Web3) -> bool:
        """Whether the chain `w3` reads holds this deployment's block, by its hash."""
        try:
            block = w3.eth.get_block(self.deploy_block)
        except Exception:  # noqa: BLE001 - any failure means the block is not on this chain
            return False
        return block is not None and block["hash"].to_0x_hex() == self.deploy_block_hash


# Every contract `deploy_all` deploys, with the Deployment field that holds its address (tests
# hold each to the size limit; GET /v1/deployment and `ledger audit` name them so). Sharing's
# logic libraries run in Sharing's storage: an auditor checks their code hashes as Sharing's own.
DEPLOYED_CONTRACTS = {
    "UnitRegistry": "registry",
    "WorkCalendar": "calendar",
    "Catalog": "catalog",
    "Sharing": "sharing",
    "Responsibilities": "responsibilities",
    **{library: field for field, library in SHARING_LIBRARIES.items()},
    "UsageLog": "usage_log",
    "DataQuality": "data_quality",
    "Supervision": "supervision",
}


def deployment_path(data_dir: Path, chain_id: int) -> Path:
    return Path(data_dir) / f"deployment-{chain_id}.json"


def deploy_all(office: Sender, settle_blocks: int = 0, settle_timeout_s: float = 120.0) -> Deployment:
    """Deploy UnitRegistry and WorkCalendar (administered by the Office's account), Catalog, and
    Sharing linked to its logic libraries, and bind Sharing to the Catalog (asked before catalog
    changes, Art. 14).

    On a chain without finality (Clique) the first blocks of a deployment can still be replaced by
    a competing branch that carries the same transactions in other blocks: the contracts stay at
    their addresses, but a record of the old deploy block would describe "another chain" to every
    later load. With `settle_blocks` > 0 the record waits until the last deployment block has that
    many blocks on top, then reads where the first transaction settled."""
    registry, receipt = deploy_contract(office, "UnitRegistry", office.account.address)
    calendar, _ = deploy_contract(office, "WorkCalendar", office.account.address)
    catalog, _ = deploy_contract(office, "Catalog", registry.address, calendar.address)
    libraries = {library: deploy_contract(office, library)[0].address for library in SHARING_LIBRARIES.values()}
    sharing, _ = deploy_contract(
        office, "Sharing", registry.address, calendar.address, catalog.address, libraries=libraries
    )
    office.send(catalog.functions.bindSharing(sharing.address))
    # Art. 5, 11: responsibilities the catalog checks, designations it carries out.
    responsibilities, _ = deploy_contract(office, "Responsibilities", registry.address, calendar.address)
    office.send(responsibilities.functions.bindCatalog(catalog.address))
    office.send(catalog.functions.bindResponsibilities(responsibilities.address))
    # The usage log (#11) names Sharing, whose grants' idle clocks its anchors move: bound once.
    usage_log, _ = deploy_contract(office, "UsageLog", registry.address, sharing.address)
    office.send(sharing.functions.bindUsageLog(usage_log.address))
    # Art. 15-16: update schedules, reconciliations and objections; the Office's settings are Responsibilities',
    # a using unit's grants Sharing's.
    data_quality, _ = deploy_contract(
        office,
        "DataQuality",
        registry.address,
        catalog.address,
        calendar.address,
        responsibilities.address,
        sharing.address,
    )
    # Art. 29, 31: incidents, evaluations, reports of measures on grants (read from Sharing).
    supervision, last = deploy_contract(office, "Supervision", registry.address, sharing.address)
    if settle_blocks:
        receipt = _settled_receipt(
            office.w3, receipt["transactionHash"], last["blockNumber"], settle_blocks, settle_timeout_s
        )
    return Deployment(
        chain_id=office.w3.eth.chain_id,
        registry=registry.address,
        catalog=catalog.address,
        calendar=calendar.address,
        sharing=sharing.address,
        **{field: libraries[library] for field, library in SHARING_LIBRARIES.items()},
        responsibilities=responsibilities.address,
        usage_log=usage_log.address,
        data_quality=data_quality.address,
        supervision=supervision.address,
        office=office.account.address,
        deploy_block=receipt["blockNumber"],
        deploy_block_hash=receipt["blockHash"].to_0x_hex(),
    )


def _settled_receipt(w3: Web3, tx_hash, last_block: int, settle_blocks: int, timeout_s: float) -> dict:
    """The receipt of `tx_hash` once the chain's head is `settle_blocks` past `last_block`."""
    deadline = time.monotonic() + timeout_s
    while w3.eth.block_number < last_block + settle_blocks:
        if time.monotonic() > deadline:
            raise NotDeployedError(
                f"the deployment did not settle: no {settle_blocks} blocks after block {last_block} "
                f"within {timeout_s:.0f} s (are enough validators sealing?)"
            )
        time.sleep(0.2)
    return w3.eth.get_transaction_receipt(tx_hash)
