"""Disputes and escalations in Chromium (Art. 23, 24). The civil affairs bureau rejects the street's
application citing a law; the street's officer, from its applications in the workspace, takes the
rejection to the Office after its own negotiation failed (an empty statement refused in the page
first), signed with its ECDSA key; the Office's officer, on the Office's page with its SM2 key,
records the outcome of its coordination, sends the demand to the city platform and records the
city's answer; the bureau then takes up a dispute of its own on the same item from its inbox. Each
step is read back from the chain: its event, its actor, its code."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from chain.sharing import StepKind
from signer.keystore import save_key
from tests.api.auth_helpers import PLATFORM
from tests.api.test_sharing_api import Api
from tests.console.conftest import run_script, serving
from tests.console.test_journey import named
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

BASIS = "《中华人民共和国个人信息保护法》第十三条"
REASON = "申请的数据含个人敏感信息，本场景不具备处理的法定情形"


def step_of(desk: SharingDesk, tx: str, kind: StepKind):
    receipt = desk.w3.eth.get_transaction_receipt(tx)
    assert receipt["status"] == 1
    [event] = [e for e in desk.events(receipt) if e.name == "SharingStep" and e.args["kind"] == kind]
    return event


def test_a_dispute_is_coordinated_and_a_demand_sent_to_the_city_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk) as platform, TestClient(create_app(runtime=platform.runtime)) as c:
        c.headers.update(PLATFORM)
        api = Api(desk, c, platform.runtime)
        demand_id = api.apply(api.application())
        api.done(
            api.decide(
                desk.civil, demand_id, 0, decision="reject", reason_code="legal_basis", legal_basis=BASIS, reason=REASON
            )
        )
        api.synced()
        keys = tmp_path / "keys"
        street = save_key(named(desk.street.ecdsa, "cfjd"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)
        office = save_key(named(desk.office.sm2, "qfb-sm2"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)
        civil = save_key(named(desk.civil.ecdsa, "mzj"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)

        out = run_script(
            "cases.mjs",
            CONSOLE_URL=platform.url,
            STREET_KEY=str(street),
            OFFICE_KEY=str(office),
            CIVIL_KEY=str(civil),
            PASSWORD=PASSWORD,
            DEMAND_ID=demand_id,
        )
        api.synced()
        steps = api.get(f"/v1/grants/{demand_id}/history")["steps"]

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    assert out["emptyDispute"] == "请填写：争议事项与本单位意见、先行协商情况（第二十四条：双方应当先行协商）"
    assert "审核未通过的理由" in out["disputeText"] and "待区府办协调" in out["disputeText"]
    for text in ("长风新村街道办事处", "普数需〔2026〕17号", "个人信息保护法不适用于本场景"):
        assert text in out["officeText"], text
    street_key, office_key = desk.street.ecdsa.key_id.lower(), desk.office.sm2.key_id.lower()
    opened = step_of(desk, out["openTx"], StepKind.OPEN_DISPUTE)
    resolved = step_of(desk, out["resolveTx"], StepKind.RESOLVE_DISPUTE)
    escalated = step_of(desk, out["escalateTx"], StepKind.ESCALATE)
    answered = step_of(desk, out["outcomeTx"], StepKind.RECORD_ESCALATION_OUTCOME)
    subject = bytes.fromhex(demand_id[2:])
    assert [
        (e.args["subject"], e.args["actor"].lower(), e.args["item"], e.args["code"])
        for e in (
            opened,
            resolved,
            escalated,
            answered,
        )
    ] == [
        (subject, street_key, 0, 0),
        (subject, office_key, 0, 2),
        (subject, office_key, 0, 0),
        (subject, office_key, 0, 1),
    ]
    kinds = [s["kind"] for s in steps]
    assert kinds[-5:] == ["open_dispute", "resolve_dispute", "escalate", "record_escalation_outcome", "open_dispute"]
    assert steps[-5]["document"]["about"] == "rejection" and steps[-4]["document"]["outcome"] == "upheld"
    # The responsible unit's own dispute on the same item, once the first was coordinated.
    owner = step_of(desk, out["ownerTx"], StepKind.OPEN_DISPUTE)
    assert (owner.args["actor"].lower(), owner.args["item"]) == (desk.civil.ecdsa.key_id.lower(), 0)
    assert steps[-1]["document"]["about"] == "shareability" and steps[-1]["unit_id"] == desk.civil.unit_hex
    assert "已协调：维持原审核结果" in out["resolvedText"]
