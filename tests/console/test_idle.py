"""Idle grants and scenario withdrawal in Chromium (Art. 19, 26). The street files, from its
workspace with its ECDSA key, a reason for leaving a grant unused (an empty one refused in the page
first); the Data Center, with its SM2 key, accepts it, signed in the browser;
a grant unused for 3 months is suspended and its unit notified; an idle suspension with no
objection in 30 days is ended; a registered scenario is withdrawn, signed in the browser. The last
two of the grant steps are the passage of time, taken unsigned (the contract refuses a signature on
them). Each is then read from the chain: the step's event, its actor, the contract's record."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from api.app import create_app
from chain.sharing import GrantStatus, StepKind, Suspension, scenario_id_for
from signer.keystore import save_key
from tests.api.auth_helpers import PLATFORM
from tests.api.test_sharing_api import Api
from tests.console.conftest import run_script, serving
from tests.console.test_journey import named
from tests.sharing_desk import SharingDesk
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

DAY = 86_400
WITHDRAWN = "PT-SC-2026-030"


def chain_grant(desk: SharingDesk, grant_id: str):
    """The contract's record of a grant (ISharing.Grant), its fields by name."""
    return desk.record("grant", bytes.fromhex(grant_id[2:]))


def step_of(desk: SharingDesk, tx: str, kind: StepKind):
    """The SharingStep event of `kind` in transaction `tx` (which must have succeeded)."""
    receipt = desk.w3.eth.get_transaction_receipt(tx)
    assert receipt["status"] == 1
    [event] = [e for e in desk.events(receipt) if e.name == "SharingStep" and e.args["kind"] == kind]
    return event


def test_the_data_center_reviews_idle_grants_and_withdraws_a_scenario_in_the_browser(system, tmp_path):
    desk = SharingDesk(system)
    # No timekeeper: the steps that fall due are the browser's to take.
    with (
        serving(system, tmp_path, desk, timekeeper_interval_s=0) as platform,
        TestClient(create_app(runtime=platform.runtime)) as c,
    ):
        c.headers.update(PLATFORM)
        api = Api(desk, c, platform.runtime)
        lapsing = api.apply(api.application(scenario_class=1, application_no="普数需〔2026〕20号"))
        idle = api.apply(api.application(scenario_class=1, application_no="普数需〔2026〕21号"))
        desk.travel_to(api.get(f"/v1/grants/{idle}")["idle_from"])
        assert c.post(f"/v1/grants/{lapsing}/suspend-idle").status_code == 200
        api.synced()
        desk.travel_to(api.get(f"/v1/grants/{lapsing}")["objection_due_at"] + 60)
        excused = api.apply(api.application(scenario_class=1, application_no="普数需〔2026〕22号"))
        until = (
            dt.datetime.fromtimestamp(desk.now(), dt.timezone(dt.timedelta(hours=8))) + dt.timedelta(days=60)
        ).date()
        api.register(WITHDRAWN, 1)
        api.synced()
        keys = tmp_path / "keys"
        street = save_key(named(desk.street.ecdsa, "cfjd"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)
        data_center = save_key(
            named(desk.data_center.sm2, "dsjzx-sm2"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N
        )

        out = run_script(
            "idle.mjs",
            CONSOLE_URL=platform.url,
            STREET_KEY=str(street),
            DATA_CENTER_KEY=str(data_center),
            UNTIL=until.isoformat(),
            PASSWORD=PASSWORD,
            EXCUSED_ID=excused,
            IDLE_ID=idle,
            LAPSING_ID=lapsing,
            SCENARIO=WITHDRAWN,
        )
        api.synced()
        grants = {g: api.get(f"/v1/grants/{g}") for g in (excused, idle, lapsing)}
        scenario = next(s for s in api.get("/v1/scenarios", limit=100)["items"] if s["code"] == WITHDRAWN)

    assert out["problems"] == [] and out["unlabelled"] == [] and out["lowContrast"] == []
    for text in ("系统升级期间暂停调用", "长风新村街道办事处", "起可暂停", "异议期"):
        assert text in out["idleText"], text
    assert out["emptyReview"] == "审核意见：请写明接受或不接受的理由"
    assert out["emptyReason"] == "暂不调用的理由：请写明依据和理由（第二十六条）"
    assert "理由待大数据中心审核" in out["grantsText"]
    # Art. 26: the street's reason, filed in its workspace with its key, for the day it chose.
    filed = step_of(desk, out["reasonTx"], StepKind.FILE_IDLE_REASON)
    assert (filed.args["subject"].hex(), filed.args["actor"].lower()) == (excused[2:], desk.street.ecdsa.key_id.lower())
    assert filed.args["at"] == int(
        dt.datetime.combine(until, dt.time(23, 59, 59), dt.timezone(dt.timedelta(hours=8))).timestamp()
    )
    assert out["emptyWithdrawal"] == "撤销理由：请填写"
    dc_key = desk.data_center.sm2.key_id.lower()
    # Art. 26: the reason accepted, signed by the Data Center's key; the grant excused until its day.
    reviewed = step_of(desk, out["reviewTx"], StepKind.REVIEW_IDLE_REASON)
    assert (reviewed.args["subject"].hex(), reviewed.args["actor"].lower(), reviewed.args["code"]) == (
        excused[2:],
        dc_key,
        0,
    )
    assert grants[excused]["excused_until"] > 0 and grants[excused]["reason_until"] == 0
    record = chain_grant(desk, excused)
    assert (record.excusedUntil, record.reasonPending) == (grants[excused]["excused_until"], False)
    # Unused for 3 months: suspended (an unsigned step: its actor is the platform's account).
    suspended = step_of(desk, out["suspendTx"], StepKind.SUSPEND_IDLE)
    assert suspended.args["subject"].hex() == idle[2:] and suspended.args["actor"].lower() != dc_key
    assert (grants[idle]["status"], grants[idle]["suspension"]) == ("suspended", "idle")
    record = chain_grant(desk, idle)
    assert (record.status, record.suspension) == (GrantStatus.SUSPENDED, Suspension.IDLE)
    # No objection within 30 days of the notice: ended.
    assert step_of(desk, out["lapseTx"], StepKind.FINALISE_LAPSE).args["subject"].hex() == lapsing[2:]
    assert grants[lapsing]["status"] == "terminated"
    assert chain_grant(desk, lapsing).status == GrantStatus.TERMINATED and grants[lapsing]["terminated_at"] > 0
    # Art. 19: the scenario withdrawn, signed by the Data Center; the contract's record says so.
    withdrawn = step_of(desk, out["withdrawTx"], StepKind.WITHDRAW_SCENARIO)
    assert withdrawn.args["actor"].lower() == dc_key
    assert withdrawn.args["subject"] == scenario_id_for(WITHDRAWN)
    assert desk.record("scenario", scenario_id_for(WITHDRAWN)).withdrawnAt == scenario["withdrawn_at"] > 0
    assert "已撤销" in out["scenarioText"]
