"""Gas of one signed action, SM2 against ECDSA (issue #9: SM2 verified on-chain, ≤ 400k the bar,
≤ 250k the goal for the verification itself).

The same catalog submission and the same sharing step are signed once by an ECDSA officer and
once by an SM2-only officer and estimated on the node (`eth_estimateGas` of `execute`). The
difference is what an on-chain SM2 verification costs through the registry; ECDSA is the baseline.
"""

from __future__ import annotations

from bench.common import start_system
from catalog.document import declared_at, signed_sharing
from chain.actions import ActionKind, CatalogAction, entry_id_for, fresh_nonce, sign_action, unit_id_for
from chain.client import contract_at
from chain.sharing import ScenarioTerms, SharingAction, StepKind, scenario_id_for
from chain.sharing import sign_action as sign_sharing
from signer.canonical import canonical_bytes
from signer.keys import SigningKey

DOCUMENT = {
    "schema": "putuo.catalog/1",
    "code": "GAS-0001",
    "name": "燃气用户信息",
    "description": "辖区燃气用户与表具信息。",
    "source": {"system": "燃气管理系统", "method": "generated"},
    "update_frequency": "monthly",
    "classification": {"category": "城市运行", "grade": "L2"},
    "sharing": {"attribute": "unconditional"},
    "opening": {"attribute": "unconditional"},
    "coverage": {"area": "普陀区", "period": "2020年至今"},
    "managing_agency": "区建管委",
    "data_items": [{"name": "用户号", "type": "string"}],
    "basis_event": {"kind": "system_acceptance", "date": "2026-02-20"},
}
EVALUATION = {
    "schema": "putuo.scenario-evaluation/1",
    "scenario_code": "GAS-SC",
    "name": "燃气安全",
    "class": 1,
    "basis": "一网统管事项认定书",
    "plan": "按月核对",
    "conclusion": "同意",
}


def main() -> None:
    system = start_system()
    try:
        w3, office = system.w3, system.office
        registry, sharing = system.registry, contract_at(w3, "Sharing", system.deployment.sharing)
        keys = {}  # (scheme, unit kind) -> the officer key of that unit
        for scheme in ("ecdsa", "sm2"):
            for code, kind in ((f"GAS-{scheme}", 3), (f"GAS-DC-{scheme}", 2)):
                unit_id = unit_id_for(code)
                office.send(registry.functions.registerUnit(code, kind, code))
                signer = SigningKey.generate(scheme)
                keys[(scheme, kind)] = signer
                ecdsa_id = signer.key_id if scheme == "ecdsa" else "0x" + "00" * 20
                office.send(
                    registry.functions.registerOfficer(unit_id, ecdsa_id, signer.public_key if scheme == "sm2" else b"")
                )
        gas = {}
        for scheme in ("ecdsa", "sm2"):
            owner, dc = keys[(scheme, 3)], keys[(scheme, 2)]
            entry_id = entry_id_for(unit_id_for(f"GAS-{scheme}"), DOCUMENT["code"])
            action = CatalogAction(
                ActionKind.SUBMIT,
                entry_id,
                0,
                0,
                canonical_bytes(DOCUMENT),
                fresh_nonce(),
                declared_at=declared_at(DOCUMENT),
                sharing=signed_sharing(DOCUMENT),
            )
            signed = sign_action(action, owner, chain_id=w3.eth.chain_id, catalog_address=system.deployment.catalog)
            gas[(scheme, "catalog submission")] = system.catalog.functions.execute(signed.as_tuple()).estimate_gas(
                {"from": system.relayer.account.address}
            )
            step = SharingAction(
                StepKind.APPROVE_SCENARIO,
                scenario_id_for(f"GAS-SC-{scheme}"),
                canonical_bytes({**EVALUATION, "scenario_code": f"GAS-SC-{scheme}"}),
                fresh_nonce(),
                terms=ScenarioTerms(1).encode(),
            )
            signed_step = sign_sharing(step, dc, chain_id=w3.eth.chain_id, sharing_address=system.deployment.sharing)
            gas[(scheme, "sharing step (scenario approval)")] = sharing.functions.execute(
                signed_step.as_tuple()
            ).estimate_gas({"from": system.relayer.account.address})
        for what in ("catalog submission", "sharing step (scenario approval)"):
            ecdsa, sm2 = gas[("ecdsa", what)], gas[("sm2", what)]
            print(
                f"  gas of one {what}: ECDSA {ecdsa:,} (baseline), SM2 {sm2:,} = {sm2 / ecdsa:.2f}x; "
                f"the SM2 verification adds {sm2 - ecdsa:,}"
            )
    finally:
        system.close()


if __name__ == "__main__":
    main()
