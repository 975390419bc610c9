"""The Data Center's fusion desk in Chromium (Art. 22), with its SM2 key: one fusion plan approved,
another returned with its reason (an empty one refused in the page first), and an approved fusion
whose grant is issued recorded as served, then given a security evaluation (Art. 31; an
out-of-range score refused in the page first) — each signed in the browser, then read from the
chain: the step's event, its signer, the contract's record of the demand and the grant."""

from __future__ import annotations

from chain.sharing import DemandStatus, GrantStatus, PlanStatus, StepKind
from signer.keystore import save_key
from tests.console.conftest import run_script, serving
from tests.console.test_journey import named
from tests.console.test_supervision import synced
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

SECURITY = 3  # ISupervision.EvaluationKind


def step_of(desk: SharingDesk, tx: str, kind: StepKind):
    receipt = desk.w3.eth.get_transaction_receipt(tx)
    assert receipt["status"] == 1
    [event] = [e for e in desk.events(receipt) if e.name == "SharingStep" and e.args["kind"] == kind]
    return event


def test_the_data_center_reviews_fusion_plans_serves_and_evaluates_a_fusion_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    with serving(system, tmp_path, desk) as platform:
        resource = [desk.resource(desk.civil, desk.approved_entry(desk.civil, "MZJ-0001"))]
        approve, _ = desk.apply(desk.street, resource, application_no="普数融〔2026〕1号", fusion=True)
        ret, _ = desk.apply(desk.street, resource, application_no="普数融〔2026〕2号", fusion=True)
        serve, _ = desk.apply(desk.street, resource, application_no="普数融〔2026〕3号", fusion=True)
        desk.act(desk.data_center, StepKind.REVIEW_PLAN, serve)
        desk.decide(desk.civil, serve, 0)  # the grant is issued; its data is not served yet
        synced(platform.runtime, desk.w3)
        data_center = save_key(
            named(desk.data_center.sm2, "dsjzx-sm2"), PASSWORD, directory=tmp_path / "keys", scrypt_n=TEST_SCRYPT_N
        )
        hx = lambda b: "0x" + b.hex()  # noqa: E731
        out = run_script(
            "fusion.mjs",
            CONSOLE_URL=platform.url,
            DATA_CENTER_KEY=str(data_center),
            PASSWORD=PASSWORD,
            APPROVE_ID=hx(approve),
            RETURN_ID=hx(ret),
            SERVE_ID=hx(serve),
        )

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    for text in ("普数融〔2026〕1号", "普数融〔2026〕2号", "长风新村街道办事处", "参与部门"):
        assert text in out["plansText"], text
    assert "普数融〔2026〕3号" in out["serveText"]
    assert out["emptyReturn"] == "方案需修改之处：请填写"
    dc = desk.data_center.sm2.key_id.lower()
    approved = step_of(desk, out["approveTx"], StepKind.REVIEW_PLAN)
    returned = step_of(desk, out["returnTx"], StepKind.REVIEW_PLAN)
    served = step_of(desk, out["serveTx"], StepKind.RECORD_SERVED)
    assert [(e.args["subject"], e.args["code"], e.args["actor"].lower()) for e in (approved, returned, served)] == [
        (approve, 0, dc),
        (ret, 1, dc),
        (serve, 0, dc),
    ]
    assert desk.record("demand", approve).plan == PlanStatus.APPROVED
    assert desk.record("demand", approve).serveDueAt > 0
    assert (desk.record("demand", ret).plan, desk.record("demand", ret).status) == (
        PlanStatus.RETURNED,
        DemandStatus.RETURNED,
    )
    grant = desk.record("grant", serve)
    assert grant.status == GrantStatus.ACTIVE and grant.servedAt == desk.block_time(
        desk.w3.eth.get_transaction_receipt(out["serveTx"])
    )
    # Art. 31: the evaluation of the grant, signed by the Data Center's key, as typed.
    receipt = desk.w3.eth.get_transaction_receipt(out["evaluationTx"])
    assert receipt["status"] == 1
    [evaluated] = [e for e in desk.events(receipt) if e.name == "EvaluationRecorded"]
    assert "0x" + evaluated.args["evaluationId"].hex() == out["evaluationId"]
    assert (evaluated.args["target"], evaluated.args["evaluation"], evaluated.args["score"]) == (serve, SECURITY, 85)
    assert (evaluated.args["grant"], evaluated.args["signer"].lower()) == (True, dc)
    assert out["badScore"] == "得分：请填 0 至 100 的整数"
    assert "数据安全" in out["evaluationsText"] and "融合数据访问控制到位" in out["evaluationsText"]
