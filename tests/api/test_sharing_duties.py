"""The sharing duties (#10 rule 5, Art. 11 reporting, Art. 19, 20, 22, 26): every open sharing step
shows as someone's duty, with the due time the contract recorded, until it is met, missed or
cancelled. A real district on anvil (tests/sharing_desk.py) in March 2026, each step at a chosen
Asia/Shanghai time; the mirror is synced before each look (no follower), and "now" is the chain's.

Due times are checked twice: against the contract's own record of the step, and against the date
worked out by hand from the working-day calendar (March 2026 has no holiday).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from chain.actions import ActionKind
from chain.sharing import DECISION_GRACE_S, Method, StepKind
from tests.api.auth_helpers import PLATFORM
from tests.api.conftest import make_runtime
from tests.sharing_desk import APPROVE_REVIEW, SharingDesk
from tests.workdays.helpers import ts

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
ARTICLES = {
    "art19_confirm": ("Art. 19 (1 working day)", 1),
    "art20_review": ("Art. 20 (5 working days)", 5),
    "art22_catalogue": ("Art. 22 (15 working days)", 15),
    "art22_plan_review": ("Art. 22 (5 working days)", 5),
    "art22_serve": ("Art. 22 (10 working days)", 10),
    "art26_reason_review": ("Art. 26 (5 working days)", 5),
    "art26_objection_answer": ("Art. 26 (5 working days)", 5),
}


def hx(value: bytes) -> str:
    return "0x" + value.hex()


def tx(receipt) -> str:
    return receipt["transactionHash"].to_0x_hex()


class District:
    """The desk, and an API over a mirror synced on demand."""

    def __init__(self, desk: SharingDesk, client: TestClient, runtime) -> None:
        self.desk, self.client, self.runtime = desk, client, runtime

    def at(self, local: str) -> int:
        """The next transaction runs at `local` (Asia/Shanghai)."""
        self.desk.next_block_at(ts(local))
        return ts(local)

    def mined_at(self, receipt, pinned: int) -> int:
        """The time of the block that holds `receipt`: `pinned`, the time `at` set, or a second
        after it when another block took that time first (seen once, in CI under load)."""
        mined = self.desk.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
        assert mined in (pinned, pinned + 1), (mined, pinned)
        return mined

    def travel(self, timestamp: int) -> None:
        self.desk.travel_to(timestamp)

    def duties(self, path: str = "/v1/duties", **params) -> list[dict]:
        self.runtime.indexer.sync()
        response = self.client.get(path, params={"limit": 100, **params})
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["now"] == self.desk.now() and body["has_more"] is False
        return body["items"]

    def of(self, rule: str, **params) -> list[dict]:
        return self.duties(rule=rule, **params)

    def evaluation(self, unit: bytes, group: str) -> dict:
        self.runtime.indexer.sync()
        response = self.client.get("/v1/evaluation", params=MARCH)
        assert response.status_code == 200, response.json()
        return next(u for u in response.json()["units"] if u["unit_id"] == hx(unit))[group]


def duty(rule: str, subject_type: str, subject: bytes, unit: bytes, **fields) -> dict:
    """A duty as the API lists it: the rule's article, nothing done unless `fields` say."""
    article, days = ARTICLES[rule]
    owed_by = hx(unit) if rule in ("art20_review", "art22_catalogue") else "data_center"
    return {
        "subject_type": subject_type,
        "subject_id": hx(subject),
        "entry_id": None,
        "unit_id": hx(unit),
        "owed_by": owed_by,
        "rule": rule,
        "article": article,
        "working_days": days,
        "version": None,
        "item": None,
        "done_at": None,
        "done_tx": None,
        **fields,
    }


def figures(**counts) -> dict:
    out = {"on_time": 0, "late": 0, "missed": 0, "overdue": 0, "open": 0, "unknown": 0, **counts}
    out["judged"] = out["on_time"] + out["late"] + out["missed"] + out["overdue"]
    out["rate"] = out["on_time"] / out["judged"] if out["judged"] else None
    return out


@pytest.fixture
def district(system, tmp_path):
    desk = SharingDesk(system)
    runtime = make_runtime(system, tmp_path)
    try:
        with TestClient(create_app(runtime=runtime), headers=PLATFORM) as client:
            yield District(desk, client, runtime)
    finally:
        runtime.stop()


def test_art20_an_item_is_its_owners_duty_until_decided_or_deemed(district):
    """Art. 20: due 5 working days after the application, overdue one second after; a decision
    signed by the due time and mined within the grace is on time; silence is a missed duty."""
    d, desk = district, district.desk
    entry = desk.approved_entry(desk.civil, "MZJ-0001")
    resource = [desk.resource(desk.civil, entry)]
    applied = d.at("2026-03-02 10:00")
    first, first_receipt = desk.apply(desk.street, resource, application_no="CF-1")
    d.at("2026-03-02 10:01")
    second, second_receipt = desk.apply(desk.street, resource, application_no="CF-2")
    due = ts("2026-03-09 23:59:59")  # Tue 3 … Mon 9 March
    assert desk.record("item", first, 0).dueAt == desk.record("item", second, 0).dueAt == due
    owed = {"entry_id": hx(entry[0]), "version": 1, "item": 0, "due_at": due}
    expected = [
        duty(
            "art20_review",
            "demand_item",
            first,
            desk.civil.unit_id,
            started_at=d.mined_at(first_receipt, applied),
            start_tx=tx(first_receipt),
            **owed,
        ),
        duty(
            "art20_review",
            "demand_item",
            second,
            desk.civil.unit_id,
            started_at=d.mined_at(second_receipt, applied + 60),
            start_tx=tx(second_receipt),
            **owed,
        ),
    ]
    expected.sort(key=lambda i: i["subject_id"])
    by_id = {i["subject_id"]: i for i in expected}

    d.travel(due)
    assert d.of("art20_review") == [{**i, "state": "due"} for i in expected]
    d.travel(due + 1)
    assert d.of("art20_review") == [{**i, "state": "overdue"} for i in expected]
    # The owner's view, and the Office's, list them; the demand unit owes none.
    office, civil, street = (hx(u.unit_id) for u in (desk.office, desk.civil, desk.street))
    assert d.duties(f"/v1/units/{civil}/duties", rule="art20_review", owed_by="unit") == d.of("art20_review")
    assert d.duties(f"/v1/units/{office}/duties", state="overdue", rule="art20_review") == d.of("art20_review")
    assert d.duties(f"/v1/units/{street}/duties", rule="art20_review") == []

    decided = desk.send_action_at(due + 60, desk.decide_action(desk.civil, first, 0, at=due))
    finalised = desk.send_at(due + DECISION_GRACE_S + 1, desk.sharing.functions.finaliseItem(second, 0))
    by_id[hx(first)].update(done_at=due + 60, done_tx=tx(decided), state="done_on_time")  # relay lag is no lateness
    by_id[hx(second)].update(done_at=due + DECISION_GRACE_S + 1, done_tx=tx(finalised), state="missed")
    assert d.of("art20_review") == expected
    assert d.of("art20_review", state="missed") == [by_id[hx(second)]]
    assert d.evaluation(desk.civil.unit_id, "item_review") == figures(on_time=1, missed=1)
    response = d.client.get("/v1/evaluation.csv", params=MARCH)
    row = next(line.split(",") for line in response.text.splitlines() if hx(desk.civil.unit_id) in line)
    header = response.text.splitlines()[0].split(",")
    assert {k: row[header.index(f"item_review_{k}")] for k in ("judged", "on_time", "missed", "rate")} == {
        "judged": "2",
        "on_time": "1",
        "missed": "1",
        "rate": "0.5000",
    }


def test_art22_data_not_ready_stays_the_owners_overdue_duty_until_decided(district):
    """Art. 22: data not catalogued when asked: 15 working days to catalogue, collect and decide,
    no deemed approval, so it stays overdue (and reported to the Office) until the owner decides."""
    d, desk = district, district.desk
    applied = d.at("2026-03-02 10:00")
    demand, receipt = desk.apply(desk.street, [desk.resource(desk.market)], application_no="CF-3")
    due = ts("2026-03-23 23:59:59")  # the 15th working day after Monday 2 March
    assert desk.record("item", demand, 0).dueAt == due
    expected = duty(
        "art22_catalogue",
        "demand_item",
        demand,
        desk.market.unit_id,
        item=0,
        started_at=d.mined_at(receipt, applied),
        start_tx=tx(receipt),
        due_at=due,
    )
    assert d.of("art22_catalogue") == [{**expected, "state": "due"}]
    d.travel(ts("2026-03-27 10:00"))
    assert d.of("art22_catalogue") == [{**expected, "state": "overdue"}]
    office = hx(desk.office.unit_id)
    assert d.duties(f"/v1/units/{office}/duties", state="overdue", rule="art22_catalogue") == [
        {**expected, "state": "overdue"}
    ]
    assert d.evaluation(desk.market.unit_id, "catalogue") == figures(overdue=1)

    entry = desk.approved_entry(desk.market, "SCJ-0001", "企业登记信息")
    decided_at = d.at("2026-03-30 10:00")
    decided = desk.decide(desk.market, demand, 0, entry_id=entry[0], version=1)
    done = {"entry_id": hx(entry[0]), "version": 1, "done_at": decided_at, "done_tx": tx(decided)}
    assert d.of("art22_catalogue") == [{**expected, **done, "state": "done_late"}]
    assert d.evaluation(desk.market.unit_id, "catalogue") == figures(late=1)


def test_art22_the_data_center_reviews_a_fusion_plan_and_serves_it(district):
    """Art. 22: the plan's review is due in 5 working days from the application, serving in 10
    from the plan's approval (started by that review); a returned plan closes the demand, and the
    owner's review of its item is cancelled."""
    d, desk = district, district.desk
    entry = desk.approved_entry(desk.civil, "MZJ-0001")
    resource = [desk.resource(desk.civil, entry)]
    applied = d.at("2026-03-02 10:00")
    fusion, applied_receipt = desk.apply(desk.street, resource, application_no="CF-4", fusion=True)
    d.at("2026-03-02 10:01")
    other, other_receipt = desk.apply(desk.street, resource, application_no="CF-5", method=Method.OTHER)
    plan_due = ts("2026-03-09 23:59:59")
    assert desk.record("demand", fusion).planDueAt == desk.record("demand", other).planDueAt == plan_due
    street = desk.street.unit_id
    plan = duty(
        "art22_plan_review",
        "demand",
        fusion,
        street,
        started_at=d.mined_at(applied_receipt, applied),
        start_tx=tx(applied_receipt),
        due_at=plan_due,
    )
    other_plan = duty(
        "art22_plan_review",
        "demand",
        other,
        street,
        started_at=d.mined_at(other_receipt, applied + 60),
        start_tx=tx(other_receipt),
        due_at=plan_due,
    )
    by_subject = sorted([plan, other_plan], key=lambda i: i["subject_id"])
    assert d.of("art22_plan_review") == [{**i, "state": "due"} for i in by_subject]

    reviewed_at = d.at("2026-03-04 10:00")
    reviewed = desk.act(desk.data_center, StepKind.REVIEW_PLAN, fusion)
    serve_due = ts("2026-03-18 23:59:59")  # the 10th working day after Wednesday 4 March
    assert desk.record("demand", fusion).serveDueAt == serve_due
    returned_at = d.at("2026-03-05 10:00")
    returned = desk.act(desk.data_center, StepKind.REVIEW_PLAN, other, code=1)
    plans = sorted(
        [
            {**plan, "done_at": reviewed_at, "done_tx": tx(reviewed), "state": "done_on_time"},
            {**other_plan, "done_at": returned_at, "done_tx": tx(returned), "state": "done_on_time"},
        ],
        key=lambda i: i["subject_id"],
    )
    assert d.of("art22_plan_review") == plans
    # The returned plan closed its demand: its owner no longer owes the review of its item.
    [cancelled] = [i for i in d.of("art20_review") if i["subject_id"] == hx(other)]
    assert (cancelled["state"], cancelled["done_at"], cancelled["done_tx"]) == ("cancelled", returned_at, tx(returned))

    serve = duty(
        "art22_serve", "demand", fusion, street, started_at=reviewed_at, start_tx=tx(reviewed), due_at=serve_due
    )
    assert d.of("art22_serve") == [{**serve, "state": "due"}]
    desk.decide(desk.civil, fusion, 0)  # the grant is issued; its data is not served yet
    d.travel(serve_due + 1)
    assert d.of("art22_serve") == [{**serve, "state": "overdue"}]
    assert d.duties(f"/v1/units/{hx(desk.data_center.unit_id)}/duties", rule="art22_serve", state="overdue") == [
        {**serve, "state": "overdue"}
    ]
    served_at = d.at("2026-03-20 10:00")
    served = desk.act(desk.data_center, StepKind.RECORD_SERVED, fusion)
    assert d.of("art22_serve") == [{**serve, "done_at": served_at, "done_tx": tx(served), "state": "done_late"}]
    assert d.evaluation(desk.data_center.unit_id, "serve") == figures(late=1)
    assert d.evaluation(desk.data_center.unit_id, "plan_review") == figures(on_time=2)
    # The fusion item decided in time; the returned demand's cancelled before its due time: not judged.
    assert d.evaluation(desk.civil.unit_id, "item_review") == figures(on_time=1)


def test_art19_the_data_center_confirms_a_scenario_route_application(district):
    """Art. 19: the confirmation is due in 1 working day; a return answers it too, and cancels the
    plan review the returned demand would have needed."""
    d, desk = district, district.desk
    entry = desk.approved_entry(desk.civil, "MZJ-0001")
    resource = [desk.resource(desk.civil, entry)]
    applied = d.at("2026-03-02 10:00")
    granted, granted_receipt = desk.apply(desk.street, resource, application_no="CF-6", scenario_class=1, confirm=False)
    d.at("2026-03-02 10:01")
    other, other_receipt = desk.apply(
        desk.street, resource, application_no="CF-7", scenario_class=1, method=Method.OTHER, confirm=False
    )
    due = ts("2026-03-03 23:59:59")
    assert desk.record("demand", granted).conformityDueAt == desk.record("demand", other).conformityDueAt == due
    street = desk.street.unit_id
    confirm = duty(
        "art19_confirm",
        "demand",
        granted,
        street,
        started_at=d.mined_at(granted_receipt, applied),
        start_tx=tx(granted_receipt),
        due_at=due,
    )
    returned_confirm = duty(
        "art19_confirm",
        "demand",
        other,
        street,
        started_at=d.mined_at(other_receipt, applied + 60),
        start_tx=tx(other_receipt),
        due_at=due,
    )
    returned_at = d.at("2026-03-03 10:00")
    returned = desk.confirm(other, code=1)
    done_other = {"done_at": returned_at, "done_tx": tx(returned)}
    d.travel(due + 1)
    assert d.of("art19_confirm") == sorted(
        [{**confirm, "state": "overdue"}, {**returned_confirm, **done_other, "state": "done_on_time"}],
        key=lambda i: i["subject_id"],
    )
    assert d.of("art22_plan_review") == [
        {
            **duty(
                "art22_plan_review",
                "demand",
                other,
                street,
                started_at=d.mined_at(other_receipt, applied + 60),
                start_tx=tx(other_receipt),
            ),
            "due_at": ts("2026-03-09 23:59:59"),
            **done_other,
            "state": "cancelled",
        }
    ]
    confirmed_at = d.at("2026-03-04 09:00")
    confirmed = desk.confirm(granted)
    assert d.of("art19_confirm") == sorted(
        [
            {**confirm, "done_at": confirmed_at, "done_tx": tx(confirmed), "state": "done_late"},
            {**returned_confirm, **done_other, "state": "done_on_time"},
        ],
        key=lambda i: i["subject_id"],
    )
    assert d.evaluation(desk.data_center.unit_id, "confirm") == figures(on_time=1, late=1)
    assert d.evaluation(desk.data_center.unit_id, "plan_review") == figures()  # cancelled before its due time


def test_art26_the_data_center_reviews_each_reason_and_answers_each_objection(district, system, tmp_path):
    """Art. 26: each reason filed for idleness and each objection to a suspension is the Data
    Center's to answer in 5 working days (the journal keeps the past ones' due times); a reason
    still pending when the holder ends the grant is cancelled. A mirror rebuilt from block 0 lists
    the same duties."""
    d, desk = district, district.desk
    entry = desk.approved_entry(desk.civil, "MZJ-0001")
    d.at("2026-03-02 09:59")
    grant, _ = desk.apply(desk.street, [desk.resource(desk.civil, entry)], scenario_class=1, confirm=False)
    d.at("2026-03-02 10:00")
    desk.confirm(grant)
    street, dc = desk.street.unit_id, desk.data_center
    steps = {}

    def step(local: str, officer, kind: StepKind, **kw) -> int:
        when = d.at(local)
        steps[local] = (when, tx(desk.act(officer, kind, grant, **kw)))
        return when

    step("2026-03-05 10:00", desk.street, StepKind.FILE_IDLE_REASON, at=ts("2026-05-01 00:00"))
    step("2026-03-06 10:00", dc, StepKind.REVIEW_IDLE_REASON)
    step("2026-03-09 10:00", dc, StepKind.SECURITY_SUSPEND)
    step("2026-03-09 11:00", desk.street, StepKind.OBJECT)
    d.travel(ts("2026-03-17 09:00"))
    assert [i["state"] for i in d.of("art26_objection_answer")] == ["overdue"]
    step("2026-03-17 10:00", dc, StepKind.REINSTATE)
    step("2026-03-18 10:00", desk.street, StepKind.FILE_IDLE_REASON, at=ts("2026-06-01 00:00"))
    step("2026-03-18 11:00", dc, StepKind.SECURITY_SUSPEND)
    step("2026-03-18 11:30", desk.street, StepKind.OBJECT)
    step("2026-03-18 12:00", dc, StepKind.DISMISS_OBJECTION, code=2)
    assert [i["state"] for i in d.of("art26_reason_review")] == ["done_on_time", "due"]
    step("2026-03-19 10:00", desk.street, StepKind.TERMINATE)

    def answered(rule: str, started: str, due: str, done: str, state: str) -> dict:
        (start_at, start_tx), (done_at, done_tx) = steps[started], steps[done]
        return duty(
            rule,
            "grant",
            grant,
            street,
            started_at=start_at,
            start_tx=start_tx,
            due_at=ts(f"{due} 23:59:59"),
            done_at=done_at,
            done_tx=done_tx,
            state=state,
        )

    reasons = [
        answered("art26_reason_review", "2026-03-05 10:00", "2026-03-12", "2026-03-06 10:00", "done_on_time"),
        answered("art26_reason_review", "2026-03-18 10:00", "2026-03-25", "2026-03-19 10:00", "cancelled"),
    ]
    objections = [
        answered("art26_objection_answer", "2026-03-09 11:00", "2026-03-16", "2026-03-17 10:00", "done_late"),
        answered("art26_objection_answer", "2026-03-18 11:30", "2026-03-25", "2026-03-18 12:00", "done_on_time"),
    ]
    assert d.of("art26_reason_review") == reasons
    assert d.of("art26_objection_answer") == objections
    # The Data Center's view lists what it owes; the holder's lists them too, as not its own.
    assert d.duties(f"/v1/units/{hx(dc.unit_id)}/duties", rule="art26_objection_answer") == objections
    assert d.duties(f"/v1/units/{hx(street)}/duties", owed_by="unit") == []
    assert d.evaluation(dc.unit_id, "reason_review") == figures(on_time=1)
    assert d.evaluation(dc.unit_id, "objection_answer") == figures(on_time=1, late=1)

    everything = d.duties()
    rebuilt = make_runtime(system, tmp_path / "rebuilt")
    try:
        rebuilt.indexer.sync()
        with TestClient(create_app(runtime=rebuilt), headers=PLATFORM) as client:
            assert client.get("/v1/duties", params={"limit": 100}).json()["items"] == everything
    finally:
        rebuilt.stop()


def test_art14_a_grant_ended_by_its_entrys_adjustment_cancels_what_was_owed_on_it(district):
    """A grant suspended for a security risk, objected to, then ended by following its entry's
    deletion (Art. 14): the Data Center's answer to the objection is no longer owed; it is
    cancelled at the FollowAdjustment, not left overdue forever."""
    d, desk = district, district.desk
    civil, street, dc = desk.civil, desk.street, desk.data_center
    entry = desk.approved_entry(civil, "MZJ-0001")
    d.at("2026-03-02 10:00")
    grant_id, _ = desk.apply(street, [desk.resource(civil, entry)], scenario_class=1)
    d.at("2026-03-03 10:00")
    desk.act(dc, StepKind.SECURITY_SUSPEND, grant_id)
    d.at("2026-03-03 11:00")
    desk.act(street, StepKind.OBJECT, grant_id)
    assert [i["state"] for i in d.of("art26_objection_answer")] == ["due"]

    desk.adjustment_plan(civil, entry[0])  # move; a deletion ends the grant whatever the plan says
    deletion = b'{"reason":"system retired","schema":"putuo.catalog-deletion/1"}'
    desk.catalog_action(civil, ActionKind.REQUEST_DELETE, entry[0], deletion)
    desk.catalog_action(dc, ActionKind.REVIEW, entry[0], APPROVE_REVIEW, version=2)
    receipt = desk.system.relayer.send(desk.sharing.functions.followAdjustment(grant_id))
    assert desk.record("grant", grant_id).status == 3  # GrantStatus.Terminated
    [answer] = d.of("art26_objection_answer")
    assert (answer["state"], answer["done_tx"], answer["done_at"]) == (
        "cancelled",
        tx(receipt),
        desk.block_time(receipt),
    )
