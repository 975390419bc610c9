"""A small district on a real node, with officers whose keys are signer SigningKeys.

The `units` fixture's officers are bare eth accounts; commitments need SM2 and ECDSA keys
from the signer, registered through the UnitRegistry as the Office would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from chain.actions import unit_id_for
from chain.client import contract_at
from chain.deploy import deployment_path
from signer.commitment import SHANGHAI, Commitment, build_commitment
from signer.keys import SigningKey
from signer.keystore import save_key
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

UNIT_KINDS = {"office": 1, "data_center": 2, "ordinary": 3, "auditor": 4}
DEMAND_ID = "0x" + "ab" * 32


@dataclass(frozen=True)
class Officer:
    unit_id: bytes
    ecdsa: SigningKey
    sm2: SigningKey | None
    registered_at: int  # block timestamp of the registration

    @property
    def unit_hex(self) -> str:
        return "0x" + self.unit_id.hex()


class District:
    """Register units and officers on `system`'s registry from the Office's account."""

    def __init__(self, system) -> None:
        self.system = system
        self.w3 = system.w3
        self.registry = contract_at(system.w3, "UnitRegistry", system.deployment.registry)

    def unit(self, code: str, kind: str = "ordinary", name: str | None = None) -> bytes:
        unit_id = unit_id_for(code)
        self.system.office.send(self.registry.functions.registerUnit(code, UNIT_KINDS[kind], name or code))
        return unit_id

    def officer(
        self,
        unit_id: bytes,
        *,
        sm2: bool = True,
        user_id: bytes | None = None,
        keystore: Path | None = None,
        name: str | None = None,
    ) -> Officer:
        ecdsa_key = SigningKey.generate("ecdsa", name=f"{name}-ecdsa" if name else None)
        sm2_key = SigningKey.generate("sm2", user_id=user_id, name=f"{name}-sm2" if name else None) if sm2 else None
        if keystore is not None:
            for key in filter(None, (ecdsa_key, sm2_key)):
                save_key(key, PASSWORD, directory=keystore, scrypt_n=TEST_SCRYPT_N)
        receipt = self.system.office.send(
            self.registry.functions.registerOfficer(unit_id, ecdsa_key.key_id, sm2_key.public_key if sm2_key else b"")
        )
        return Officer(unit_id, ecdsa_key, sm2_key, self.block_time(receipt["blockNumber"]))

    def revoke(self, key_id: str) -> int:
        """Revoke `key_id`; the block timestamp of the revocation."""
        receipt = self.system.office.send(self.registry.functions.revokeKey(self.w3.to_checksum_address(key_id)))
        return self.block_time(receipt["blockNumber"])

    def increase_time(self, seconds: int) -> None:
        self.w3.provider.make_request("evm_increaseTime", [seconds])

    def block_time(self, number: int | str = "latest") -> int:
        return self.w3.eth.get_block(number)["timestamp"]

    def save_deployment(self, data_dir: Path) -> None:
        self.system.deployment.save(deployment_path(data_dir, self.w3.eth.chain_id))


def commitment_for(
    officer: Officer,
    *,
    scheme: str = "sm2",
    at: int,
    unit_id: str | None = None,
    scenario: str = "核实低保申请家庭的工商登记信息",
) -> Commitment:
    key = officer.sm2 if scheme == "sm2" else officer.ecdsa
    assert key is not None
    return build_commitment(
        demand_id=DEMAND_ID,
        signing_unit_id=unit_id or officer.unit_hex,
        officer_key_id=key.key_id,
        scheme=scheme,
        scenario=scenario,
        signed_at=datetime.fromtimestamp(at, SHANGHAI),
    )
