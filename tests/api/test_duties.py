"""The overdue views (Art. 11, 13, 14, 15): every duty with the due time the chain recorded,
checked against an independent working-day reference, and its state judged at the chain's time.

`Timeline` drives a district through March 2026 in seven batches of signed actions, each at a
chosen Asia/Shanghai time (`evm_setNextBlockTimestamp`), so that every rule and every state
occurs; `EXPECTED` is what each entry owes, written out by hand from that script.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from catalog.document import COLLECTION_SCHEMA
from chain.actions import ActionKind
from chain.events import receipt_events
from tests.api.auth_helpers import PLATFORM
from tests.api.conftest import make_runtime
from tests.api.helpers import (
    approval,
    deletion,
    document,
    entry_id,
    error_of,
    hex0x,
    return_note,
    sign,
)
from tests.conftest import Units
from tests.contracts.test_catalog_deadlines import at, due
from tests.workdays.helpers import ts

STEPS = (
    "2026-03-03 10:00",  # 1 Tue: A, B, C, D, E submitted
    "2026-03-04 16:00",  # 2 Wed: A, E approved (on time); B returned
    "2026-03-05 11:00",  # 3 Thu: D approved a day late; E's deletion requested
    "2026-03-06 09:00",  # 4 Fri: E deleted (before its data was collected); B resubmitted in time
    "2026-03-10 10:00",  # 5 Tue: B returned again, a day late; A's change requested
    "2026-03-16 09:00",  # 6 Mon: B resubmitted late; A collected; A's change approved late; G submitted
    "2026-03-20 10:00",  # 7 Fri: F submitted; G returned late. "Now" is this block's time.
)
BASIS = {
    "A": "2026-02-26",
    "B": "2026-02-26",
    "C": "2026-02-02",
    "D": "2015-06-01",
    "E": "2026-02-26",
    "F": "2026-03-16",
    "G": "2026-03-13",
}
CIVIL, MARKET = ("A", "B", "E", "G"), ("C", "D", "F")
SUBMITTED = {"A": 1, "B": 1, "C": 1, "D": 1, "E": 1, "F": 7, "G": 6}  # the step of each first version
COLLECTED = {"schema": COLLECTION_SCHEMA, "description": "已归集至区大数据资源分平台"}
RETURN = return_note(1, "缺少数据项说明，请补充后重新提交")


def declared(label: str) -> int:
    return ts(f"{BASIS[label]} 00:00")


# (entry, rule, version, started_by: (step | "declared"), due: (start, working days) | 0, done step | None, state)
# A step number n stands for that batch's block time and transaction.
EXPECTED = [
    ("A", "art11_compile", 1, "declared", 10, 1, "done_on_time"),
    ("A", "art13_review", 1, 1, 1, 2, "done_on_time"),
    ("A", "art15_collect", None, 2, 10, 6, "done_on_time"),
    ("A", "art14_review", 2, 5, 1, 6, "done_late"),
    ("B", "art11_compile", 1, "declared", 10, 1, "done_on_time"),
    ("B", "art13_review", 1, 1, 1, 2, "done_on_time"),
    ("B", "art13_resubmit", 1, 2, 3, 4, "done_on_time"),
    ("B", "art13_review", 2, 4, 1, 5, "done_late"),
    ("B", "art13_resubmit", 2, 5, 3, 6, "done_late"),
    ("B", "art13_review", 3, 6, 1, None, "overdue"),
    ("C", "art11_compile", 1, "declared", 10, 1, "done_late"),
    ("C", "art13_review", 1, 1, 1, None, "overdue"),
    ("D", "art11_compile", 1, "declared", 0, 1, "unknown"),  # a 2015 date: the calendar holds no such year
    ("D", "art13_review", 1, 1, 1, 3, "done_late"),
    ("D", "art15_collect", None, 3, 10, None, "overdue"),
    ("E", "art11_compile", 1, "declared", 10, 1, "done_on_time"),
    ("E", "art13_review", 1, 1, 1, 2, "done_on_time"),
    ("E", "art15_collect", None, 2, 10, 4, "cancelled"),  # done_at: the deletion's approval
    ("E", "art14_review", 2, 3, 1, 4, "done_on_time"),
    ("F", "art11_compile", 1, "declared", 10, 7, "done_on_time"),
    ("F", "art13_review", 1, 7, 1, None, "due"),
    ("G", "art11_compile", 1, "declared", 10, 6, "done_on_time"),
    ("G", "art13_review", 1, 6, 1, 7, "done_late"),
    ("G", "art13_resubmit", 1, 7, 3, None, "due"),
]
ARTICLES = {
    "art11_compile": ("Art. 11 (10 working days)", 10),
    "art13_review": ("Art. 13 (1 working day)", 1),
    "art13_resubmit": ("Art. 13 (3 working days)", 3),
    "art14_review": ("Art. 14 (1 working day)", 1),
    "art15_collect": ("Art. 15 (10 working days)", 10),
}


@dataclass
class Timeline:
    system: object
    units: Units
    ids: dict[str, bytes] = field(default_factory=dict)
    owners: dict[str, object] = field(default_factory=dict)
    times: dict[int, int] = field(default_factory=dict)  # step -> block time
    txs: dict[int, str] = field(default_factory=dict)  # step -> transaction hash

    def id(self, label: str) -> str:
        return hex0x(self.ids[label])

    def expected(self, label: str | None = None) -> list[dict]:
        """The API's items for EXPECTED (of one entry), in the API's order (oldest due first)."""
        items = []
        for entry, rule, version, started, days, done, state in EXPECTED:
            if label is not None and entry != label:
                continue
            started_at = declared(entry) if started == "declared" else self.times[started]
            start_tx = self.txs[SUBMITTED[entry] if started == "declared" else started]
            unit = hex0x(self.owners[entry].unit_id)
            article, working_days = ARTICLES[rule]
            items.append(
                {
                    "subject_type": "entry",
                    "subject_id": self.id(entry),
                    "entry_id": self.id(entry),
                    "unit_id": unit,
                    "owed_by": "data_center" if rule.endswith("_review") else unit,
                    "rule": rule,
                    "article": article,
                    "working_days": working_days,
                    "version": version,
                    "item": None,
                    "started_at": started_at,
                    "start_tx": start_tx,
                    "due_at": due(started_at, days) if days else 0,
                    "done_at": self.times[done] if done else None,
                    "done_tx": self.txs[done] if done else None,
                    "state": state,
                }
            )
        items.sort(
            key=lambda d: (
                d["due_at"] == 0,
                d["due_at"],
                d["entry_id"],
                list(ARTICLES).index(d["rule"]),
                d["version"] or 0,
            )
        )
        return items


def build(system, units: Units) -> Timeline:
    """The district of EXPECTED, sent straight to executeBatch (one batch per step)."""
    t = Timeline(system, units)
    civil, market, dc = units.civil, units.market, units.data_center
    docs = {}
    for label in (*CIVIL, *MARKET):
        officer = civil if label in CIVIL else market
        code = f"{'MZJ' if officer is civil else 'SCJ'}-{label}"
        docs[label] = document(
            code, f"数据资源{label}", basis_event={"kind": "business_approval", "date": BASIS[label]}
        )
        t.ids[label], t.owners[label] = entry_id(officer, docs[label]), officer

    def submit(label):
        return sign(t.owners[label], ActionKind.SUBMIT, t.ids[label], docs[label])

    def owner(label, kind, doc):
        return sign(t.owners[label], kind, t.ids[label], doc)

    def review(label, version, note=None):
        return sign(dc, ActionKind.REVIEW, t.ids[label], note or approval(), version=version)

    changed = document("MZJ-A", "数据资源A", "变更后的描述：增加复核结果。")
    batches = {
        1: [submit("A"), submit("B"), submit("C"), submit("D"), submit("E")],
        2: [review("A", 1), review("B", 1, RETURN), review("E", 1)],
        3: [review("D", 1), owner("E", ActionKind.REQUEST_DELETE, deletion())],
        4: [review("E", 2), owner("B", ActionKind.RESUBMIT, docs["B"])],
        5: [review("B", 2, RETURN), owner("A", ActionKind.REQUEST_CHANGE, changed)],
        6: [
            owner("B", ActionKind.RESUBMIT, docs["B"]),
            sign(dc, ActionKind.RECORD_COLLECTION, t.ids["A"], COLLECTED),
            review("A", 2),
            submit("G"),
        ],
        7: [submit("F"), review("G", 1, RETURN)],
    }
    for step, actions in batches.items():
        t.times[step] = at(system, STEPS[step - 1])
        # A fixed gas limit: an estimate runs at the previous block's time, where an action declaring a
        # later date is refused cheaply (CatalogInvalidDeclaredAt), and would leave too little gas.
        receipt = system.relayer.send(
            units.catalog.functions.executeBatch([a.as_tuple() for a in actions]), gas=10_000_000
        )
        assert [e.args for e in receipt_events(receipt) if e.name == "ActionRejected"] == []
        t.txs[step] = receipt["transactionHash"].to_0x_hex()
    return t


@dataclass
class District:
    timeline: Timeline
    client: TestClient
    runtime: object


@pytest.fixture(scope="class")
def district(_systems, tmp_path_factory):
    """The timeline, mirrored once (no follower: the mirror stays as synced); its tests only read."""
    yield from mirrored_district(_systems, tmp_path_factory)


def mirrored_district(_systems, tmp_path_factory):
    """What `district` yields, reverted after (test_evaluation's class fixture too)."""
    system = _systems("anvil")
    snapshot = system.snapshot()
    try:
        units = Units(system)
        timeline = build(system, units)
        runtime = make_runtime(system, tmp_path_factory.mktemp("duties"))
        try:
            runtime.indexer.sync()
            with TestClient(create_app(runtime=runtime), headers=PLATFORM) as client:
                yield District(timeline, client, runtime)
        finally:
            runtime.stop()
    finally:
        system.revert(snapshot)


def get(client, path: str, **params) -> dict:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.json()
    return response.json()


def everything(client, path: str = "/v1/duties", **params) -> list[dict]:
    body = get(client, path, limit=100, **params)
    assert body["has_more"] is False and body["total"] == len(body["items"])
    return body["items"]


class TestDuties:
    def test_every_duty_with_the_due_time_the_chain_recorded(self, district):
        t = district.timeline
        body = get(district.client, "/v1/duties", limit=100)
        assert (body["now"], body["now_block"]) == (t.times[7], t.system.w3.eth.block_number)
        assert body["items"] == t.expected()
        assert {i["rule"] for i in body["items"]} == set(ARTICLES)
        assert {i["state"] for i in body["items"]} == {
            "due",
            "overdue",
            "done_on_time",
            "done_late",
            "unknown",
            "cancelled",
        }

    def test_due_times_are_the_contracts(self, district):
        """Review and compile due times as the contract stores them, collection as the entry holds it."""
        t, f = district.timeline, district.timeline.units.catalog.functions
        for item in everything(district.client):
            eid = bytes.fromhex(item["entry_id"][2:])
            if item["rule"] in ("art13_review", "art14_review"):
                assert f.version(eid, item["version"]).call()[3] == item["due_at"]
            elif item["rule"] == "art11_compile":
                assert f.version(eid, 1).call()[9] == item["due_at"]
            elif item["rule"] == "art15_collect":
                assert f.entry(eid).call()[7] == item["due_at"]
        # The one open resubmission is the entry's current duty; past ones were its due time then.
        assert f.entry(t.ids["G"]).call()[6] == due(t.times[7], 3)

    def test_due_times_fall_where_the_calendar_says(self, district):
        t = district.timeline
        by_key = {(i["entry_id"], i["rule"], i["version"]): i for i in everything(district.client)}
        # 10 working days after 26 February: Saturday 28 February was worked (调休).
        assert by_key[(t.id("A"), "art11_compile", 1)]["due_at"] == ts("2026-03-11 23:59:59")
        assert by_key[(t.id("B"), "art13_resubmit", 1)]["due_at"] == ts("2026-03-09 23:59:59")  # over a weekend
        assert by_key[(t.id("D"), "art15_collect", None)]["due_at"] == ts("2026-03-19 23:59:59")

    @pytest.mark.parametrize("state", ["due", "overdue", "done_on_time", "done_late", "unknown", "cancelled"])
    def test_filter_by_state(self, district, state):
        expected = [i for i in district.timeline.expected() if i["state"] == state]
        assert expected and everything(district.client, state=state) == expected

    @pytest.mark.parametrize("rule", list(ARTICLES))
    def test_filter_by_rule(self, district, rule):
        expected = [i for i in district.timeline.expected() if i["rule"] == rule]
        assert expected and everything(district.client, rule=rule) == expected

    def test_filter_by_unit_and_by_who_owes(self, district):
        t, client = district.timeline, district.client
        civil, dc = hex0x(t.units.civil.unit_id), hex0x(t.units.data_center.unit_id)
        of_civil = [i for i in t.expected() if i["unit_id"] == civil]
        assert everything(client, unit_id=civil) == of_civil
        assert everything(client, unit_id=civil.upper().replace("0X", "0x")) == of_civil
        assert everything(client, f"/v1/units/{civil}/duties") == of_civil
        assert everything(client, f"/v1/units/{civil}/duties", owed_by="unit") == [
            i for i in of_civil if i["owed_by"] == civil
        ]
        reviews = [i for i in t.expected() if i["owed_by"] == "data_center"]
        assert everything(client, owed_by="data_center") == reviews
        assert everything(client, f"/v1/units/{dc}/duties") == reviews  # the Data Center owes every review
        assert everything(client, f"/v1/units/{dc}/duties", owed_by="unit") == []
        overdue_civil = everything(client, unit_id=civil, state="overdue", owed_by="data_center")
        assert [(i["entry_id"], i["rule"], i["version"]) for i in overdue_civil] == [(t.id("B"), "art13_review", 3)]
        assert everything(client, f"/v1/units/{hex0x(t.units.auditor.unit_id)}/duties") == []

    def test_pages(self, district):
        client, everything_ = district.client, district.timeline.expected()
        seen, offset = [], 0
        while True:
            body = get(client, "/v1/duties", limit=5, offset=offset)
            assert (body["limit"], body["offset"], body["total"]) == (5, offset, len(everything_))
            seen += body["items"]
            offset += 5
            assert body["has_more"] is (offset < len(everything_))
            if not body["has_more"]:
                break
        assert seen == everything_
        assert get(client, "/v1/duties", offset=len(everything_))["items"] == []
        overdue = [i for i in everything_ if i["state"] == "overdue"]
        assert len(overdue) == 3
        body = get(client, "/v1/duties", state="overdue", limit=1, offset=1)
        assert (body["items"], body["total"], body["has_more"]) == (overdue[1:2], 3, True)
        body = get(client, "/v1/duties", state="overdue", limit=2, offset=1)
        assert (body["items"], body["has_more"]) == (overdue[1:3], False)

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"state": "late"}, "state"),
            ({"rule": "art12"}, "rule"),
            ({"owed_by": "office"}, "owed_by"),
            ({"unit_id": "0x12"}, "unit_id"),
            ({"limit": 0}, "limit"),
            ({"limit": 101}, "limit"),
            ({"offset": -1}, "offset"),
            ({"offset": 10_001}, "offset"),
        ],
    )
    def test_bad_parameters(self, district, params, field):
        response = district.client.get("/v1/duties", params=params)
        assert response.status_code == 422
        assert error_of(response)["field"] == field

    def test_unknown_unit(self, district):
        response = district.client.get(f"/v1/units/0x{'ee' * 32}/duties")
        assert response.status_code == 404
        assert error_of(response)["code"] == "unknown_unit"


def mine_at(system, timestamp: int) -> None:
    for method, params in (("evm_setNextBlockTimestamp", [timestamp]), ("evm_mine", [])):
        answer = system.w3.provider.make_request(method, params)
        assert "error" not in answer, answer


def test_overdue_exactly_one_second_after_the_due_time(system, units, tmp_path):
    """At due_at a duty is still due; one second later (the chain's clock, not the host's) it is overdue."""
    civil, dc = units.civil, units.data_center
    x, y = document("MZJ-X", "数据资源X"), document("MZJ-Y", "数据资源Y")
    submitted = at(system, "2026-03-06 22:00")  # a Friday evening: review due at the end of Monday
    system.relayer.send(
        units.catalog.functions.executeBatch(
            [
                sign(civil, ActionKind.SUBMIT, entry_id(civil, x), x).as_tuple(),
                sign(civil, ActionKind.SUBMIT, entry_id(civil, y), y).as_tuple(),
            ]
        )
    )
    returned = at(system, "2026-03-09 08:30")
    system.relayer.send(
        units.catalog.functions.execute(sign(dc, ActionKind.REVIEW, entry_id(civil, y), RETURN, version=1).as_tuple())
    )
    review_due, resubmit_due = due(submitted, 1), due(returned, 3)
    assert (review_due, resubmit_due) == (ts("2026-03-09 23:59:59"), ts("2026-03-12 23:59:59"))

    runtime = make_runtime(system, tmp_path)
    try:
        runtime.indexer.sync()
        with TestClient(create_app(runtime=runtime), headers=PLATFORM) as client:

            def states() -> dict:
                body = get(client, "/v1/duties", limit=100)
                open_ = {
                    (i["entry_id"][-4:], i["rule"]): (i["due_at"], i["state"])
                    for i in body["items"]
                    if i["done_at"] is None
                }
                return {"now": body["now"], **open_}

            xr, yr = (hex0x(entry_id(civil, d))[-4:] for d in (x, y))
            for now, review_state, resubmit_state in (
                (review_due, "due", "due"),
                (review_due + 1, "overdue", "due"),
                (resubmit_due, "overdue", "due"),
                (resubmit_due + 1, "overdue", "overdue"),
            ):
                mine_at(system, now)
                runtime.indexer.sync()  # the evaluation judges at the block the mirror holds
                assert states() == {
                    "now": now,
                    (xr, "art13_review"): (review_due, review_state),
                    (yr, "art13_resubmit"): (resubmit_due, resubmit_state),
                }
                # The evaluation judges at the same time: open until the due time, then overdue.
                rows = {
                    u["unit_id"]: u
                    for u in get(client, "/v1/evaluation", **{"from": "2026-03-01", "to": "2026-03-31"})["units"]
                }
                review = rows[hex0x(dc.unit_id)]["review"]
                resubmit = rows[hex0x(civil.unit_id)]["resubmit"]
                assert (review["open"], review["overdue"]) == ((1, 0) if review_state == "due" else (0, 1))
                assert (resubmit["open"], resubmit["overdue"]) == ((1, 0) if resubmit_state == "due" else (0, 1))
            # The overdue view answers the same at the unit's own address.
            body = get(client, f"/v1/units/{hex0x(civil.unit_id)}/duties", state="overdue")
            assert [(i["rule"], i["due_at"]) for i in body["items"]] == [
                ("art13_review", review_due),
                ("art13_resubmit", resubmit_due),
            ]
    finally:
        runtime.stop()


def test_postgresql_and_sqlite_mirrors_answer_alike(system, units, tmp_path, postgres_url):
    """The duties and the evaluation (the journal's raw events included) read alike from both backends."""
    t = build(system, units)
    civil, dc = hex0x(units.civil.unit_id), hex0x(units.data_center.unit_id)
    paths = [
        "/v1/duties?limit=100",
        "/v1/duties?state=overdue&limit=2&offset=1",
        "/v1/duties?rule=art13_resubmit",
        f"/v1/units/{civil}/duties?limit=100",
        f"/v1/units/{dc}/duties?limit=100&state=done_late",
        "/v1/evaluation?from=2026-03-01&to=2026-03-31",
        "/v1/evaluation?from=2026-02-01&to=2026-02-28",
        "/v1/evaluation.csv?from=2026-03-01&to=2026-03-31",
    ]
    answers = {}
    for backend, overrides in (("sqlite", {}), ("postgresql", {"database_url": postgres_url()})):
        runtime = make_runtime(system, tmp_path / backend, **overrides)
        try:
            assert runtime.engine.dialect.name == backend
            runtime.indexer.sync()
            with TestClient(create_app(runtime=runtime), headers=PLATFORM) as client:
                answers[backend] = [(p, (r := client.get(p)).status_code, r.text) for p in paths]
        finally:
            runtime.stop()
    assert answers["postgresql"] == answers["sqlite"]
    assert all(status == 200 for _, status, _ in answers["sqlite"])
    assert json.loads(answers["sqlite"][0][2])["items"] == t.expected()
