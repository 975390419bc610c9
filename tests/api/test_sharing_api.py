"""The sharing API end to end (Art. 17–26): a real node, a real SQLite mirror, the relayer and
the follower running. Applications with SM2 and ECDSA commitments, owners' decisions, deemed
approval, the grant's life, the views, the check, and bad input answered with nothing changed."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import pytest
from eth_account import Account
from fastapi.testclient import TestClient

from api.app import create_app
from chain.actions import ActionKind, entry_id_for
from chain.client import contract_at
from chain.indexer import Indexer
from chain.sharing import DECISION_GRACE_S, ApplyTerms, SharingAction, StepKind, scenario_id_for, sign_action
from signer.commitment import SHANGHAI, build_commitment, sign_commitment
from tests.api.auth_helpers import PLATFORM
from tests.api.conftest import make_runtime, wait_for
from tests.api.helpers import confirmed, error_of, outbox_count
from tests.sharing import examples
from tests.sharing_desk import APPROVE_REVIEW, SharingDesk, doc, entry_doc

SCENARIO = "PT-SC-2026-001"


class Api:
    """Drives the API as the desk's officers would: build, sign, post, wait until mirrored."""

    def __init__(self, desk: SharingDesk, client: TestClient, runtime) -> None:
        self.desk, self.client, self.runtime = desk, client, runtime
        self.civil_entry = desk.approved_entry(desk.civil, "MZJ-0001")
        self.market_entry = desk.approved_entry(desk.market, "SCJ-0001", "企业登记信息")
        self.nonce = 1000

    def application(
        self, *entries, application_no: str = "普数需〔2026〕17号", scenario_class: int = 0, **overrides
    ) -> dict:
        owners = {self.civil_entry: self.desk.civil, self.market_entry: self.desk.market}
        resources = [
            examples.resource(entry_id="0x" + e[0].hex(), version=e[1], owner_unit_id=owners[e].unit_hex)
            for e in (entries or (self.civil_entry,))
        ]
        return examples.application(
            application_no=application_no,
            demand_unit_id=self.desk.street.unit_hex,
            resources=resources,
            scenario=examples.scenario(code=SCENARIO, **{"class": scenario_class}),
            **overrides,
        )

    def commitment(self, document: dict, *, scheme: str = "sm2", officer=None, demand_id: str | None = None) -> dict:
        officer = officer or self.desk.street
        answer = self.client.post("/v1/demands/id", json={"document": document})
        assert answer.status_code == 200, answer.json()
        key = officer.sm2 if scheme == "sm2" or officer.ecdsa is None else officer.ecdsa
        commitment = build_commitment(
            demand_id=demand_id or answer.json()["demand_id"],
            signing_unit_id=officer.unit_hex,
            officer_key_id=key.key_id,
            scheme=scheme,
            scenario=document["scenario"]["code"],
            signed_at=datetime.fromtimestamp(self.desk.now(), SHANGHAI),
        )
        return {"document": commitment.to_document(), "signature": sign_commitment(commitment, key).to_json()}

    def signed(self, officer, kind: StepKind, document: dict, commitment: dict | None = None) -> dict:
        """The body of a signed step: the fields come from the API's typed data, as a wallet's would."""
        self.nonce += 1
        request = {"kind": kind.name.lower(), "document": document, "nonce": str(self.nonce)}
        if commitment is not None:
            request["commitment"] = commitment
        typed = self.client.post("/v1/sharing/typed-data", json=request)
        assert typed.status_code == 200, typed.json()
        m = typed.json()["message"]
        action = SharingAction(
            kind,
            bytes.fromhex(m["subject"][2:]),
            bytes.fromhex(m["document"][2:]),
            int(m["nonce"]),
            m["item"],
            m["code"],
            m["at"],
            bytes.fromhex(m["terms"][2:]),
        )
        signed = sign_action(
            action, officer.action_key, chain_id=self.desk.chain_id, sharing_address=self.runtime.deployment.sharing
        )
        if officer.ecdsa is not None:  # a wallet's typed-data signature is exactly what the contract checks
            wallet = Account.sign_typed_data(officer.ecdsa.private_key, full_message=typed.json())
            assert bytes(wallet.signature) == signed.signature
        return {**request, "signature": "0x" + signed.signature.hex()}

    def post(self, path: str, body: dict, status: int = 202) -> dict:
        response = self.client.post(
            path, json={k: v for k, v in body.items() if k != "kind" or path.endswith("actions")}
        )
        assert response.status_code == status, response.json()
        return response.json()

    def done(self, accepted: dict) -> dict:
        return confirmed(self.client, accepted["action_id"])

    def apply(self, document: dict, *, confirm: bool = True, **kw) -> str:
        """Apply through the API; on the scenario route its scenario is registered first (class 1 or
        3, for any unit) and the Data Center then confirms the application conforms (Art. 19)."""
        scenario = document["scenario"]
        if scenario["class"] in (1, 3):
            self.register(scenario["code"], scenario["class"])
        body = self.signed(self.desk.street, StepKind.APPLY, document, self.commitment(document, **kw))
        self.done(self.post("/v1/demands", body))
        demand_id = self.client.post("/v1/demands/id", json={"document": document}).json()["demand_id"]
        if confirm and scenario["class"] != 0:
            self.confirm(demand_id)
        return demand_id

    def register(self, code: str, klass: int, **fields) -> None:
        """The Data Center registers scenario `code` (Art. 19 (1)–(3)) unless it is already."""
        if any(s["code"] == code for s in self.get("/v1/scenarios", limit=100)["items"]):
            return
        named = {"key_work": examples.OMIT, "units": [], "entries": [], "class": klass, **fields}
        evaluation = examples.scenario_evaluation(scenario_code=code, **named)
        self.step(self.desk.data_center, StepKind.APPROVE_SCENARIO, evaluation)

    def confirm(self, demand_id: str, **fields) -> dict:
        document = {"schema": "putuo.conformity-review/1", "demand_id": demand_id, "decision": "confirm", **fields}
        return self.step(self.desk.data_center, StepKind.CONFIRM_CONFORMITY, document)

    def decision(self, **overrides) -> dict:
        """A decision document signed now, by the chain's clock (Art. 20: the API takes it only then)."""
        signed_at = datetime.fromtimestamp(self.desk.now(), SHANGHAI).isoformat()
        return examples.decision(**{"signed_at": signed_at, **overrides})

    def decide(self, officer, demand_id: str, item: int, **overrides) -> dict:
        document = self.decision(demand_id=demand_id, item=item, **overrides)
        return self.post(
            f"/v1/demands/{demand_id}/items/{item}/decision", self.signed(officer, StepKind.DECIDE, document)
        )

    def step(self, officer, kind: StepKind, document: dict) -> dict:
        return self.done(
            self.post("/v1/sharing/actions", {"actions": [self.signed(officer, kind, document)]})["accepted"][0]
        )

    def get(self, path: str, **params) -> dict:
        response = self.client.get(path, params=params)
        assert response.status_code == 200, response.json()
        return response.json()

    def check(self, *, entry=None, scenario: str = SCENARIO, method: str = "interface", **more) -> dict:
        entry = entry or self.civil_entry
        return self.get(
            "/v1/sharing/check",
            unit_id=self.desk.street.unit_hex,
            entry_id="0x" + entry[0].hex(),
            version=entry[1],
            items=more.pop("items", examples.resource()["items"]),
            scenario=scenario,
            method=method,
            **more,
        )

    def synced(self) -> None:
        """Wait until the mirror holds the chain's latest block (after time travel)."""
        head = self.desk.w3.eth.block_number
        wait_for(lambda: (self.runtime.store.cursor() or (0,))[0] >= head)


@pytest.fixture
def api(system, tmp_path):
    desk = SharingDesk(system)
    runtime = make_runtime(system, tmp_path, clock_ttl_s=0)
    runtime.start()
    try:
        with TestClient(create_app(runtime=runtime), headers=PLATFORM) as client:
            yield Api(desk, client, runtime)
    finally:
        runtime.stop()


@pytest.mark.every_node
def test_owner_review_approve_grant_check_and_history(api):
    """Art. 17, 18, 20, 25: apply with an SM2 commitment; the owner approves; the grant allows
    exactly its scenario and method; the history proves every step."""
    document = api.application()
    demand_id = api.apply(document)
    demand = api.get(f"/v1/demands/{demand_id}")
    assert demand["status"] == "open" and demand["route"] == "owner_review"
    assert demand["commitment"]["scheme"] == "sm2" and demand["commitment"]["document"]["demand_id"] == demand_id
    [item] = demand["items"]
    calendar = contract_at(api.desk.w3, "WorkCalendar", api.runtime.deployment.calendar)
    assert item["due_at"] == calendar.functions.addWorkingDays(demand["applied_at"], 5).call()  # Art. 20
    assert item["status"] == "pending" and not item["overdue"]
    incoming = api.get(f"/v1/units/{api.desk.civil.unit_hex}/incoming-demands", state="pending")["items"]
    assert [(i["demand_id"], i["item"]) for i in incoming] == [(demand_id, 0)]
    assert api.check()["reason"] == "no_grant"

    api.done(api.decide(api.desk.civil, demand_id, 0))
    assert api.get(f"/v1/demands/{demand_id}")["status"] == "granted"
    [grant] = api.get(f"/v1/units/{api.desk.street.unit_hex}/grants")["items"]
    assert grant["grant_id"] == demand_id and grant["status"] == "active"
    items = sorted(examples.resource()["items"])  # the data items granted, as the signed terms hash them
    assert grant["resources"] == [{"entry_id": "0x" + api.civil_entry[0].hex(), "version": 1, "items": items}]
    assert api.check() | {"now": 0} == {
        "allowed": True,
        "reason": "granted",
        "message": "the grant allows this use",
        "grant_id": demand_id,
        "version": 1,
        "now": 0,
    }
    assert api.check(scenario="另一场景")["reason"] == "scenario_not_granted"  # Art. 25
    assert api.check(method="batch_comparison")["reason"] == "method_not_granted"
    assert api.check(entry=api.market_entry)["reason"] == "no_grant"

    history = api.get(f"/v1/grants/{demand_id}/history")
    assert [s["kind"] for s in history["steps"]] == ["apply", "decide"]
    assert history["issued"]["tx_hash"] == history["steps"][1]["tx_hash"]
    receipt = api.desk.w3.eth.get_transaction_receipt(history["steps"][0]["tx_hash"])
    assert receipt["blockNumber"] == history["steps"][0]["block_number"]


def test_silence_is_approval_exactly_after_the_due_time(api):
    """Art. 20: nobody may finalise before the due time, nor within the grace a decision signed by
    then has to reach the chain; one second after it, anyone may. The owner is late from the due time."""
    demand_id = api.apply(api.application(), scheme="ecdsa")
    due = api.get(f"/v1/demands/{demand_id}")["items"][0]["due_at"]
    for at, overdue in ((due - 1, False), (due, False), (due + DECISION_GRACE_S, True)):
        api.desk.travel_to(at)  # the step is simulated at the latest block's time
        api.synced()
        assert api.get(f"/v1/demands/{demand_id}")["items"][0]["overdue"] is overdue  # at the due time: on time
        early = api.client.post(f"/v1/demands/{demand_id}/items/0/finalise")
        assert early.status_code == 409 and error_of(early)["code"] == "item_not_overdue"
    api.desk.travel_to(due + DECISION_GRACE_S + 1)
    done = api.client.post(f"/v1/demands/{demand_id}/items/0/finalise")
    assert done.status_code == 200, done.json()
    api.synced()
    demand = api.get(f"/v1/demands/{demand_id}")
    assert demand["status"] == "granted" and demand["items"][0]["status"] == "deemed_approved"
    late = api.client.post(
        f"/v1/demands/{demand_id}/items/0/decision",
        json={
            k: v
            for k, v in api.signed(api.desk.civil, StepKind.DECIDE, api.decision(demand_id=demand_id)).items()
            if k != "kind"
        },
    )
    assert late.status_code == 409 and error_of(late)["code"] == "demand_closed"  # a decision after finalisation
    assert api.check()["allowed"] is True


def test_rejection_needs_a_basis_and_only_the_owner_decides(api):
    """Art. 20: a rejection other than for non-conformity cites a legal basis; another unit's
    officer may not decide; nothing is stored for a refused step."""
    demand_id = api.apply(api.application(api.civil_entry, api.market_entry))
    before = outbox_count(api.runtime)
    wrong = api.client.post(
        f"/v1/demands/{demand_id}/items/0/decision",
        json={
            k: v
            for k, v in api.signed(api.desk.market, StepKind.DECIDE, api.decision(demand_id=demand_id)).items()
            if k != "kind"
        },
    )
    assert wrong.status_code == 403 and error_of(wrong)["code"] == "not_item_owner"
    no_basis = examples.rejection(demand_id=demand_id, item=1, signed_at=api.decision()["signed_at"])
    del no_basis["legal_basis"]
    response = api.client.post("/v1/sharing/typed-data", json={"kind": "decide", "document": no_basis, "nonce": "1"})
    assert response.status_code == 422 and error_of(response)["field"].startswith("document.legal_basis")
    assert outbox_count(api.runtime) == before
    api.done(api.decide(api.desk.civil, demand_id, 0))
    api.done(
        api.decide(
            api.desk.market,
            demand_id,
            1,
            decision="reject",
            reason_code="legal_basis",
            legal_basis="《中华人民共和国个人信息保护法》第十三条",
            reason="不予共享",
        )
    )
    grant = api.get(f"/v1/grants/{demand_id}")
    assert [r["entry_id"] for r in grant["resources"]] == ["0x" + api.civil_entry[0].hex()]  # the approved item only
    again = api.client.post(
        f"/v1/demands/{demand_id}/items/1/decision",
        json={
            k: v
            for k, v in api.signed(api.desk.market, StepKind.DECIDE, api.decision(demand_id=demand_id, item=1)).items()
            if k != "kind"
        },
    )
    assert again.status_code == 409 and error_of(again)["code"] == "demand_closed"


def test_idle_grant_suspended_objected_reinstated(api):
    """Art. 26: unused for 3 months → anyone suspends; the demand unit objects within 30 days;
    the Data Center reinstates; the check follows every step."""
    document = api.application(scenario_class=1)
    grant_id = api.apply(document)
    grant = api.get(f"/v1/grants/{grant_id}")
    early = api.client.post(f"/v1/grants/{grant_id}/suspend-idle")
    assert early.status_code == 409 and error_of(early)["code"] == "not_idle"
    api.desk.travel_to(grant["idle_from"])
    api.synced()
    assert api.check()["reason"] == "idle"
    assert api.client.post(f"/v1/grants/{grant_id}/suspend-idle").status_code == 200
    api.synced()
    assert api.check()["reason"] == "suspended"
    body = api.signed(api.desk.street, StepKind.OBJECT, examples.objection(grant_id=grant_id))
    api.done(api.post(f"/v1/grants/{grant_id}/objections", body))
    api.step(api.desk.data_center, StepKind.REINSTATE, examples.reinstatement(grant_id=grant_id))
    assert api.check()["allowed"] is True
    kinds = [s["kind"] for s in api.get(f"/v1/grants/{grant_id}/history")["steps"]]
    assert kinds == ["apply", "confirm_conformity", "suspend_idle", "object", "reinstate"]


@pytest.mark.every_node
def test_termination_and_reapplication(api):
    """Art. 26: a terminated grant answers no; using the data again needs a new application."""
    grant_id = api.apply(api.application(scenario_class=1))
    body = api.signed(api.desk.street, StepKind.TERMINATE, examples.termination(grant_id=grant_id))
    api.done(api.post(f"/v1/grants/{grant_id}/terminations", body))
    assert api.check()["reason"] == "terminated"
    assert api.get(f"/v1/grants/{grant_id}")["termination"] == "voluntary"
    new_id = api.apply(api.application(scenario_class=1, application_no="普数需〔2026〕18号"))
    assert new_id != grant_id and api.check()["grant_id"] == new_id


def test_the_sharing_collections_are_paged(api):
    first = api.apply(api.application(scenario_class=1))
    second = api.apply(api.application(scenario_class=1, application_no="普数需〔2026〕19号"))
    grants = f"/v1/units/{api.desk.street.unit_hex}/grants"
    page = api.get(grants, limit=1)
    assert ([g["grant_id"] for g in page["items"]], page["limit"], page["offset"], page["has_more"], page["total"]) == (
        [first],
        1,
        0,
        True,
        2,
    )
    page = api.get(grants, limit=1, offset=1)
    assert ([g["grant_id"] for g in page["items"]], page["has_more"], page["total"]) == ([second], False, 2)
    assert api.get(grants, offset=2)["items"] == []
    incoming = api.get(f"/v1/units/{api.desk.civil.unit_hex}/incoming-demands", limit=1)
    assert [i["demand_id"] for i in incoming["items"]] == [first]
    assert (incoming["limit"], incoming["offset"], incoming["has_more"], incoming["total"]) == (1, 0, True, 2)
    scenarios = api.get("/v1/scenarios")
    codes = [s["code"] for s in scenarios["items"]]  # the one the scenario-route demands above rest on
    assert (codes, scenarios["limit"], scenarios["total"]) == ([SCENARIO], 20, 1)
    response = api.client.get(grants, params={"offset": 10_001})
    assert (response.status_code, error_of(response)["code"]) == (422, "offset_too_large")


def test_a_202_names_its_subject_and_where_its_status_is(api):
    """A demand is named a demand and a grant a grant (not `entry_id`); `Location` is the status URL."""
    document = api.application(scenario_class=1)
    api.register(SCENARIO, 1)
    demand_id = api.client.post("/v1/demands/id", json={"document": document}).json()["demand_id"]
    steps = [
        ("/v1/demands", api.signed(api.desk.street, StepKind.APPLY, document, api.commitment(document)), "demand"),
        (
            f"/v1/grants/{demand_id}/terminations",  # a grant keeps its demand's id
            api.signed(api.desk.street, StepKind.TERMINATE, examples.termination(grant_id=demand_id)),
            "grant",
        ),
    ]
    for path, body, subject_type in steps:
        response = api.client.post(path, json={k: v for k, v in body.items() if k != "kind"})
        assert response.status_code == 202, response.json()
        accepted = response.json()
        assert accepted == {
            "action_id": accepted["action_id"],
            "subject_type": subject_type,
            "subject_id": demand_id,
            "entry_id": demand_id,
            "signer": api.desk.street.address,
            "status": "accepted",
        }
        assert response.headers["location"] == f"/v1/catalog/actions/{accepted['action_id']}"
        status = api.done(accepted)
        assert api.client.get(response.headers["location"]).json() == status
        assert (status["subject_type"], status["subject_id"]) == (subject_type, demand_id)
        if subject_type == "demand":
            api.confirm(demand_id)  # the scenario route's grant: after the Data Center's confirmation


def test_application_refusals_change_nothing(api):
    """Art. 17, 18: no commitment, a commitment for another demand or by another unit's key, a
    version that is not approved: each a 4xx naming the field, the outbox untouched."""
    document = api.application()
    before = outbox_count(api.runtime)
    body = api.signed(api.desk.street, StepKind.APPLY, document, api.commitment(document))

    missing = api.client.post("/v1/demands", json={k: v for k, v in body.items() if k not in ("kind", "commitment")})
    assert missing.status_code == 422 and error_of(missing)["field"] == "commitment"

    other_demand = {**body, "commitment": api.commitment(document, demand_id="0x" + "ab" * 32)}
    response = api.client.post("/v1/demands", json={k: v for k, v in other_demand.items() if k != "kind"})
    assert response.status_code == 422 and error_of(response)["field"] == "commitment.document.demand_id"

    other_unit = {**body, "commitment": api.commitment(document, officer=api.desk.market)}
    response = api.client.post("/v1/demands", json={k: v for k, v in other_unit.items() if k != "kind"})
    assert response.status_code == 422 and error_of(response)["field"].startswith("commitment")

    unapproved = api.application(application_no="普数需〔2026〕19号")
    unapproved["resources"][0]["version"] = 2
    response = api.client.post(
        "/v1/demands",
        json={
            k: v
            for k, v in api.signed(api.desk.street, StepKind.APPLY, unapproved, api.commitment(unapproved)).items()
            if k != "kind"
        },
    )
    assert response.status_code == 409 and error_of(response)["code"] == "version_not_approved"
    assert outbox_count(api.runtime) == before


@pytest.mark.every_node
def test_views_identical_after_rebuilding_the_mirror(api):
    """The chain is the truth: dropping the mirror and reindexing gives the same answers."""
    demand_id = api.apply(api.application(api.civil_entry, api.market_entry))
    api.done(api.decide(api.desk.civil, demand_id, 0))
    api.done(api.decide(api.desk.market, demand_id, 1))
    views = [
        f"/v1/demands/{demand_id}",
        f"/v1/grants/{demand_id}",
        f"/v1/grants/{demand_id}/history",
        f"/v1/units/{api.desk.street.unit_hex}/grants",
        f"/v1/units/{api.desk.civil.unit_hex}/incoming-demands",
        "/v1/scenarios",
    ]
    before = {path: api.get(path) for path in views}
    api.runtime.stop()
    Indexer(api.runtime.rpc, api.runtime.deployment, api.runtime.store).rebuild()
    after = {path: api.get(path) for path in views}
    for body in (*before.values(), *after.values()):
        if isinstance(body, dict):
            body.pop("now", None)
    assert after == before


def test_the_timekeeper_takes_each_step_when_it_falls_due(api):
    """Art. 20, 26: the platform itself finalises silence, suspends idle grants and ends lapsed
    ones, each exactly when due; before that, a sweep takes nothing."""
    from api.services.sharing_timekeeper import sweep

    demand_id = api.apply(api.application())
    grant_id = api.apply(api.application(api.market_entry, application_no="普数需〔2026〕20号", scenario_class=1))
    assert sweep(api.runtime).total == 0
    due = api.get(f"/v1/demands/{demand_id}")["items"][0]["due_at"]
    api.desk.travel_to(due + DECISION_GRACE_S)  # overdue, but a decision signed in time may still land
    api.synced()
    assert sweep(api.runtime).total == 0
    api.desk.travel_to(due + DECISION_GRACE_S + 1)
    api.synced()
    assert sweep(api.runtime).taken == {
        "finalise_item": 1,
        "suspend_idle": 0,
        "finalise_lapse": 0,
        "follow_adjustment": 0,
    }
    api.synced()
    assert api.get(f"/v1/demands/{demand_id}")["items"][0]["status"] == "deemed_approved"

    api.desk.travel_to(api.get(f"/v1/grants/{grant_id}")["idle_from"])
    api.synced()
    # The scenario grant, issued at once, falls idle first; the deemed one a week later.
    assert sweep(api.runtime).taken["suspend_idle"] == 1
    api.synced()
    grant = api.get(f"/v1/grants/{grant_id}")
    assert grant["status"] == "suspended" and grant["suspension"] == "idle"
    api.desk.travel_to(grant["objection_due_at"])
    api.synced()
    assert sweep(api.runtime).taken["finalise_lapse"] == 0  # the last second of the objection window
    api.desk.travel_to(grant["objection_due_at"] + 1)
    api.synced()
    assert sweep(api.runtime).taken["finalise_lapse"] == 1
    api.synced()
    assert api.get(f"/v1/grants/{grant_id}")["termination"] == "lapsed"


def test_an_items_data_is_ready_uncatalogued_or_not_collected(api):
    """Art. 22: data not ready is named for what it lacks — never `uncatalogued` when it is
    catalogued but not yet collected to the platform."""
    desk = api.desk
    waiting = desk.approved_entry(desk.market, "SCJ-0002", "食品许可信息", collected=False)
    resources = [
        examples.resource(entry_id="0x" + api.civil_entry[0].hex(), version=1, owner_unit_id=desk.civil.unit_hex),
        examples.resource(entry_id="0x" + waiting[0].hex(), version=1, owner_unit_id=desk.market.unit_hex),
        examples.uncatalogued_resource(owner_unit_id=desk.market.unit_hex),
    ]
    document = examples.application(
        application_no="普数需〔2026〕31号",
        demand_unit_id=desk.street.unit_hex,
        resources=resources,
        scenario=examples.scenario(code=SCENARIO),
    )
    demand_id = api.apply(document)
    items = api.get(f"/v1/demands/{demand_id}")["items"]
    assert [i["data"] for i in items] == ["ready", "not_collected", "uncatalogued"]


# ---- sharing integrity (issue #10): the contract's refusals reach the officer; the check follows the catalog


def _apply_body(api: Api, document: dict) -> dict:
    body = api.signed(api.desk.street, StepKind.APPLY, document, api.commitment(document))
    return {k: v for k, v in body.items() if k != "kind"}


def test_a_not_shared_entry_is_refused_with_nothing_stored(api: Api):
    """Art. 7: a class (1) claim on a 不予共享 entry is a 409 naming the resources; the signed
    attribute shows in the entry's versions, where an auditor reads it."""
    secret = api.desk.approved_entry(api.desk.civil, "MZJ-SECRET", "涉密名单", sharing="not_shared")
    api.synced()
    versions = api.get(f"/v1/catalog/entries/0x{secret[0].hex()}/versions")
    assert [v["sharing"] for v in versions] == ["not_shared"]
    api.civil_entry = secret  # the application names it
    api.register(SCENARIO, 1)
    before = outbox_count(api.runtime)
    response = api.client.post("/v1/demands", json=_apply_body(api, api.application(scenario_class=1)))
    assert response.status_code == 409, response.json()
    error = error_of(response)
    assert (error["code"], error["field"], error["contract_error"]) == (
        "entry_not_shared",
        "document.resources",
        "SharingEntryNotShared",
    )
    assert outbox_count(api.runtime) == before


def test_nothing_is_applied_for_while_a_deletion_awaits_evaluation(api: Api):
    """Art. 14: a 409 that says why and what to do (wait for the Data Center's review)."""
    desk = api.desk
    desk.catalog_action(
        desk.civil, ActionKind.REQUEST_DELETE, api.civil_entry[0], doc("putuo.catalog-deletion/1", reason="停用")
    )
    api.synced()
    response = api.client.post("/v1/demands", json=_apply_body(api, api.application()))
    assert response.status_code == 409, response.json()
    assert (error_of(response)["code"], error_of(response)["field"]) == ("entry_change_pending", "document.resources")


def test_the_check_refuses_a_grant_whose_entry_was_deleted(api: Api):
    """Art. 14, 25: a grant does not outlive its entry's deletion at the gateway."""
    desk = api.desk
    demand_id = api.apply(api.application(scenario_class=1))
    desk.system.relayer.resync()  # the platform's relayer shares this account: take up its nonce
    assert api.get(f"/v1/demands/{demand_id}")["status"] == "granted"
    assert api.check()["allowed"] is True
    entry_id = api.civil_entry[0]
    desk.adjustment_plan(desk.civil, entry_id)  # live grants: a plan first, agreed by all (Art. 14)
    desk.catalog_action(desk.civil, ActionKind.REQUEST_DELETE, entry_id, doc("putuo.catalog-deletion/1", reason="停用"))
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, entry_id, APPROVE_REVIEW, version=2)
    api.synced()
    answer = api.check()
    assert (answer["allowed"], answer["reason"], answer["grant_id"]) == (False, "entry_deleted", demand_id)
    assert "deleted" in answer["message"]


def test_a_decision_is_signed_when_it_is_sent(api: Api):
    """Art. 20: the contract takes a decision signed by the due time within a grace after it; the
    API keeps that grace for relay lag by taking a decision only as it is signed (its signed_at
    within minutes of the chain's clock), so a backdated one is a 422 naming the field."""
    demand_id = api.apply(api.application())
    before = outbox_count(api.runtime)
    stale = datetime.fromtimestamp(api.desk.now() - 3600, SHANGHAI).isoformat()
    body = api.signed(api.desk.civil, StepKind.DECIDE, api.decision(demand_id=demand_id, signed_at=stale))
    response = api.client.post(
        f"/v1/demands/{demand_id}/items/0/decision", json={k: v for k, v in body.items() if k != "kind"}
    )
    assert response.status_code == 422, response.json()
    assert (error_of(response)["code"], error_of(response)["field"]) == ("signed_at_not_current", "document.signed_at")
    assert outbox_count(api.runtime) == before
    api.done(api.decide(api.desk.civil, demand_id, 0))
    [step] = [s for s in api.get(f"/v1/grants/{demand_id}/history")["steps"] if s["kind"] == "decide"]
    assert step["at"] > 0  # the signing time, on-chain


def test_an_application_naming_a_version_nobody_can_judge_is_refused(api):
    """#10 rule 8: an entry whose document is not RFC 8785 canonical JSON, submitted and approved
    by direct calls to the contract (the API would refuse both), is no resource: an application
    naming it is refused naming the resource, and nothing is stored."""
    desk = api.desk
    eid = entry_id_for(desk.market.unit_id, "SCJ-0888")
    spaced = json.dumps(json.loads(entry_doc("SCJ-0888", "企业年报信息")), ensure_ascii=False).encode()
    desk.catalog_action(desk.market, ActionKind.SUBMIT, eid, spaced)
    desk.catalog_action(desk.data_center, ActionKind.REVIEW, eid, APPROVE_REVIEW, version=1)
    desk.collect(eid)
    api.synced()
    document = api.application()
    document["resources"].append(
        examples.resource(entry_id="0x" + eid.hex(), version=1, owner_unit_id=desk.market.unit_hex)
    )
    body = api.signed(desk.street, StepKind.APPLY, document, api.commitment(document))
    before = outbox_count(api.runtime)
    response = api.client.post("/v1/demands", json={k: v for k, v in body.items() if k != "kind"})
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "resource_document_invalid",
            "message": "document.resources.1: the document of version 1 of the entry cannot be judged (not_canonical)",
            "field": "document.resources.1",
        }
    }
    assert outbox_count(api.runtime) == before


def test_a_direct_call_whose_terms_and_document_disagree_is_flagged_and_serves_nothing(api: Api):
    """#10 rule 6: the API derives an application's terms from its document, so through it they
    agree; a direct call to the contract can sign terms naming another scenario than its document.
    The contract cannot read the document: the mirror marks the demand (document_problem), its
    grant shows it, and the check serves nothing under it, whatever scenario the gateway names."""
    desk = api.desk
    desk.system.relayer.resync()  # the platform's relayer shares this account: take up its nonce
    entry = api.civil_entry
    demand_id, action = desk.application(desk.street, [desk.resource(desk.civil, entry)], scenario_class=1)
    terms = ApplyTerms.decode(action.terms)
    other = replace(terms, scenario_id=scenario_id_for("另一场景"))
    desk.ensure_scenario("另一场景", 1)
    signed = desk.action(desk.street, StepKind.APPLY, demand_id, action.document, terms=other.encode())
    desk.send(signed)
    desk.confirm(demand_id)
    api.synced()
    demand = api.get(f"/v1/demands/0x{demand_id.hex()}")
    assert demand["document_problem"] == "the document's scenario_id is not the signed terms'"
    grant = api.get(f"/v1/grants/0x{demand_id.hex()}")
    assert (grant["status"], grant["document_problem"]) == ("active", demand["document_problem"])
    for scenario in ("低保审核", "另一场景"):
        answer = api.check(scenario=scenario)
        assert (answer["allowed"], answer["reason"]) == (False, "document_mismatch"), scenario


def test_a_key_work_scenario_is_not_borrowed_through_the_api(api: Api):
    """#10 rule 2: the Data Center evaluated a key-work scenario for the market bureau and the civil
    affairs entry; the street office claiming it is a 409 naming the scenario, nothing stored."""
    code = "重点工作-借用"
    entry = "0x" + api.civil_entry[0].hex()
    api.register(code, 2, units=[api.desk.market.unit_hex], entries=[entry], key_work="区委区政府重点工作")
    [registered] = [s for s in api.get("/v1/scenarios")["items"] if s["code"] == code]
    assert (registered["scenario_class"], registered["units"], registered["entries"]) == (
        2,
        [api.desk.market.unit_hex],
        [entry],
    )
    document = api.application(scenario_class=2)
    document["scenario"]["code"] = code
    before = outbox_count(api.runtime)
    response = api.client.post("/v1/demands", json=_apply_body(api, document))
    assert response.status_code == 409, response.json()
    error = error_of(response)
    assert (error["code"], error["field"], error["contract_error"]) == (
        "scenario_not_for_unit",
        "document.scenario.code",
        "SharingScenarioNotForUnit",
    )
    assert outbox_count(api.runtime) == before


def test_a_reason_for_idleness_is_the_data_centers_to_accept(api: Api):
    """#10 rule 7 (Art. 26): the demand unit files a reason through the API; until the Data Center
    reviews it the grant shows it pending (no idle suspension meanwhile), then excused until its day."""
    grant_id = api.apply(api.application(scenario_class=1))
    api.step(api.desk.street, StepKind.FILE_IDLE_REASON, examples.idle_reason(grant_id=grant_id))
    api.synced()
    grant = api.get(f"/v1/grants/{grant_id}")
    until = grant["reason_until"]
    assert until > 0 and grant["reason_due_at"] > 0 and (grant["excused_until"], grant["idle_from"]) == (0, 0)
    api.step(api.desk.data_center, StepKind.REVIEW_IDLE_REASON, examples.idle_reason_review(grant_id=grant_id))
    api.synced()
    grant = api.get(f"/v1/grants/{grant_id}")
    assert (grant["excused_until"], grant["reason_until"], grant["reason_due_at"]) == (until, 0, 0)
    assert grant["idle_from"] > until
