"""A district on a real node, driving the Sharing contract: units with officers whose keys are the
signer's SigningKeys (ECDSA for actions and commitments, SM2 for commitments), approved catalog
entries to ask for, signed sharing actions, and time travel.

Used by the contract, mirror and API tests of sharing; the documents here are only as rich as
the contract needs (the contract keeps hashes, never parses JSON), except the commitment,
which is the real `putuo.commitment/1` since the contract checks its demand id, and the catalog
entry, which is a valid `putuo.catalog/1`: the API takes no application naming a version whose
document the platform cannot judge (#10 rule 8).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from eth_account import Account
from eth_utils import to_checksum_address

from api.schemas import EXAMPLE_DOCUMENT
from chain.actions import (
    ActionKind,
    CatalogAction,
    entry_id_for,
    fresh_nonce,
    sign_action,
    unit_id_for,
)
from chain.client import contract_at
from chain.events import EventRecord, receipt_events
from chain.sharing import (
    REJECT_NONCONFORMING,
    AdjustmentTerms,
    ApplyTerms,
    CommitmentProof,
    DataForm,
    DecideTerms,
    Disposition,
    Frequency,
    KeyScheme,
    Method,
    Resource,
    ScenarioTerms,
    SharingAction,
    StepKind,
    demand_id_for,
    items_hash,
    scenario_id_for,
)
from chain.sharing import sign_action as sign_sharing_action
from signer.canonical import canonical_bytes
from signer.commitment import SHANGHAI, build_commitment, sign_commitment
from signer.keys import SigningKey
from tests.conftest import DECLARED_AT, UNIT_KINDS
from tests.contracts.helpers import assert_reverts
from tests.signed_fields import version_sharing

ZERO32 = b"\x00" * 32
ITEMS = ("姓名", "保障金额")  # the data items a test resource asks for
APPROVE_REVIEW = b'{"decision":"approve","schema":"putuo.catalog-review/1"}'


@dataclass
class Officer:
    """An officer of a unit: an ECDSA key (actions, ECDSA commitments) and an SM2 key; or, for an
    SM2-only officer (`ecdsa` None), the SM2 key alone signs everything."""

    unit_id: bytes
    ecdsa: SigningKey | None
    sm2: SigningKey

    @property
    def action_key(self) -> SigningKey:
        return self.ecdsa or self.sm2

    @property
    def address(self) -> str:
        return to_checksum_address(self.action_key.key_id)

    @property
    def unit_hex(self) -> str:
        return "0x" + self.unit_id.hex()


def doc(schema: str, **fields) -> bytes:
    """A small canonical JSON document (sorted keys, no spaces)."""
    return json.dumps({"schema": schema, **fields}, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


# What each sharing attribute must explain (catalog.document.Sharing).
_SHARING_REASONS = {
    "conditional": {"conditions": "仅限社会救助、帮困相关业务使用"},
    "not_shared": {"basis": "《中华人民共和国统计法》第二十五条"},
}


def entry_doc(code: str, name: str = "低保对象信息", sharing: str = "", **more) -> bytes:
    """A valid catalog entry document offering the data items applications name (姓名, 身份证号,
    居住地址); with `sharing`, the attribute it states (and so signs), else unconditional."""
    fields = copy.deepcopy(EXAMPLE_DOCUMENT)
    del fields["schema"]
    attribute = sharing or "unconditional"
    fields.update(
        code=code,
        name=name,
        sharing={"attribute": attribute, **_SHARING_REASONS.get(attribute, {})},
        data_items=[{"name": n, "type": "string"} for n in ("姓名", "身份证号", "居住地址")],
        **more,
    )
    return doc("putuo.catalog/1", **fields)


_CLASS4_BASIS = {
    DataForm.SUBJECT_AUTHORISED: "subject_authorised",
    DataForm.COMPARISON_RESULT: "batch_comparison",
    DataForm.DESENSITISED: "desensitised",
}


def application_document(applicant: Officer, resources: list[Resource], **terms) -> bytes:
    """A valid `putuo.demand/1` document saying what the terms say (the mirror compares them, #10
    rule 6), each resource asking for ITEMS. The contract does not read it."""
    klass, form, method = terms["scenario_class"], terms["form"], terms["method"]
    scenario = {"code": terms["scenario_code"], "name": terms["scenario_code"], "class": klass}
    if form in _CLASS4_BASIS:
        scenario["class4_basis"] = _CLASS4_BASIS[form]
    asked = []
    for r in resources:
        resource = {
            "entry_id": None,
            "version": None,
            "owner_unit_id": "0x" + r.owner_unit_id.hex(),
            "items": list(ITEMS),
        }
        if r.entry_id != ZERO32:
            resource.update(entry_id="0x" + r.entry_id.hex(), version=r.version)
        else:
            resource["description"] = "尚未编目的数据"
        asked.append(resource)
    document = {
        "schema": "putuo.demand/1",
        "application_no": terms["application_no"],
        "demand_unit_id": applicant.unit_hex,
        "demand_type": "fusion" if terms["fusion"] else "routine",
        "scenario": scenario,
        "legal_basis": "《普陀区公共数据共享管理办法》第十七条",
        "business_goal": "测试",
        "resources": asked,
        "method": method.name.lower(),
        "frequency": terms["frequency"].name.lower(),
        "security_level": f"L{terms['security_level']}",
        "safeguards": ["专人专岗"],
    }
    if method == Method.OTHER:
        document["method_reason"] = "技术评估"
    if terms["frequency_reason"]:
        document["frequency_reason"] = "年度工作"
    if terms["fusion"]:
        owners = sorted({"0x" + r.owner_unit_id.hex() for r in resources} | {applicant.unit_hex})
        document["fusion_plan"] = {"summary": "融合", "departments": owners, "governance": "专班"}
    return canonical_bytes(document)


class SharingDesk:
    """The Office, the Data Center and three ordinary units of a test district."""

    def __init__(self, system) -> None:
        self.system = system
        self.w3 = system.w3
        self.chain_id = self.w3.eth.chain_id
        self.registry = contract_at(self.w3, "UnitRegistry", system.deployment.registry)
        self.catalog = contract_at(self.w3, "Catalog", system.deployment.catalog)
        self.sharing = contract_at(self.w3, "Sharing", system.deployment.sharing)
        self.office = self.unit("PT-QFB", "office", "普陀区人民政府办公室")
        self.data_center = self.unit("PT-DSJZX", "data_center", "普陀区大数据中心")
        self.civil = self.unit("PT-MZJ", "ordinary", "普陀区民政局")  # responsible unit (owner)
        self.market = self.unit("PT-SCJGJ", "ordinary", "普陀区市场监督管理局")  # owner
        self.street = self.unit("PT-CFJD", "ordinary", "长风新村街道办事处")  # demand unit

    # ---- units and keys

    def unit(self, code: str, kind: str, name: str) -> Officer:
        unit_id = unit_id_for(code)
        self.system.office.send(self.registry.functions.registerUnit(code, UNIT_KINDS[kind], name))
        return self.officer(unit_id)

    def officer(self, unit_id: bytes, *, sm2_only: bool = False) -> Officer:
        ecdsa, sm2 = None if sm2_only else SigningKey.generate("ecdsa"), SigningKey.generate("sm2")
        ecdsa_id = ecdsa.key_id if ecdsa else "0x" + "00" * 20
        self.system.office.send(self.registry.functions.registerOfficer(unit_id, ecdsa_id, sm2.public_key))
        return Officer(unit_id, ecdsa, sm2)

    def revoke(self, key_id: str) -> None:
        self.system.office.send(self.registry.functions.revokeKey(self.w3.to_checksum_address(key_id)))

    # ---- catalog

    def catalog_action(self, officer: Officer, kind: ActionKind, entry_id: bytes, document: bytes, **kw) -> dict:
        return self.system.relayer.send(self.catalog_call(officer, kind, entry_id, document, **kw))

    def approved_entry(
        self, owner: Officer, code: str, name: str = "低保对象信息", *, collected: bool = True, sharing: str = ""
    ) -> tuple[bytes, int]:
        """A catalog entry of `owner`, submitted and approved, its data collected to the platform
        unless `collected` is False (then it is not ready for sharing, Art. 22): (entry id, version).
        `sharing` is the attribute its document states and its version signs (Art. 7)."""
        entry_id = entry_id_for(owner.unit_id, code)
        self.catalog_action(owner, ActionKind.SUBMIT, entry_id, entry_doc(code, name, sharing))
        self.catalog_action(self.data_center, ActionKind.REVIEW, entry_id, APPROVE_REVIEW, version=1)
        if collected:
            self.collect(entry_id)
        return entry_id, 1

    def collect(self, entry_id: bytes) -> None:
        """The Data Center records the entry's data collected to the platform (Art. 15)."""
        self.catalog_action(
            self.data_center,
            ActionKind.RECORD_COLLECTION,
            entry_id,
            doc("putuo.catalog-collection/1", description="已归集"),
        )

    def entry(self, entry_id: bytes):
        return self.catalog.functions.entry(entry_id).call()

    # ---- sharing actions

    def action(
        self,
        officer: Officer,
        kind: StepKind,
        subject: bytes,
        document: bytes,
        *,
        item: int = 0,
        code: int = 0,
        at: int = 0,
        terms: bytes = b"",
        nonce: int | None = None,
    ) -> SharingAction:
        unsigned = SharingAction(
            kind, subject, document, fresh_nonce() if nonce is None else nonce, item, code, at, terms
        )
        return sign_sharing_action(
            unsigned, officer.action_key, chain_id=self.chain_id, sharing_address=self.system.deployment.sharing
        )

    def send(self, action: SharingAction) -> dict:
        return self.system.relayer.send(self.sharing.functions.execute(action.as_tuple()))

    def act(self, officer: Officer, kind: StepKind, subject: bytes, document: bytes | None = None, **kw) -> dict:
        """Sign and send one step; the document defaults to a small note naming the step."""
        document = document if document is not None else doc(f"putuo.test-{kind.name.lower()}/1", note="测试")
        return self.send(self.action(officer, kind, subject, document, **kw))

    def commitment(
        self,
        officer: Officer,
        demand_id: bytes,
        *,
        scheme: str = "ecdsa",
        key: SigningKey | None = None,
        scenario: str = "低保审核",
    ) -> CommitmentProof:
        """The officer's signed commitment for `demand_id` (Art. 18)."""
        key = key or (officer.sm2 if scheme == "sm2" or officer.ecdsa is None else officer.ecdsa)
        commitment = build_commitment(
            demand_id=demand_id,
            signing_unit_id=officer.unit_hex,
            officer_key_id=key.key_id,
            scheme=key.scheme,
            scenario=scenario,
            signed_at=datetime.fromtimestamp(self.now(), SHANGHAI),
        )
        signature = sign_commitment(commitment, key)
        return CommitmentProof(
            KeyScheme.SM2 if key.scheme == "sm2" else KeyScheme.ECDSA,
            self.w3.to_checksum_address(key.key_id),
            commitment.canonical_bytes(),
            signature.signature,
        )

    def application(
        self,
        applicant: Officer,
        resources: list[Resource],
        *,
        application_no: str = "CF-2026-001",
        scenario_class: int = 0,
        scenario_code: str = "低保审核",
        method: Method = Method.INTERFACE,
        form: DataForm | None = None,
        register: bool = True,
        frequency: Frequency = Frequency.MONTHLY,
        frequency_reason: bool = False,
        fusion: bool = False,
        security_level: int = 2,
        commitment_scheme: str = "ecdsa",
        commitment_key: SigningKey | None = None,
        commitment_demand: bytes | None = None,
    ) -> tuple[bytes, SharingAction]:
        """A signed Apply: (demand id, action). `commitment_demand` signs the commitment for
        another demand id (an attack). A class 1–3 scenario is registered first (for any unit and
        entry) unless `register` is False; a class-4 one rests on desensitised data unless `form`
        says otherwise."""
        if register and 1 <= scenario_class <= 3:
            self.ensure_scenario(scenario_code, scenario_class)
        if form is None:
            form = DataForm.DESENSITISED if scenario_class == 4 else DataForm.FULL
        document = application_document(
            applicant,
            resources,
            application_no=application_no,
            scenario_class=scenario_class,
            scenario_code=scenario_code,
            method=method,
            form=form,
            frequency=frequency,
            frequency_reason=frequency_reason,
            fusion=fusion,
            security_level=security_level,
        )
        demand_id = demand_id_for(applicant.unit_id, document)
        commitment = self.commitment(
            applicant,
            commitment_demand or demand_id,
            scheme=commitment_scheme,
            key=commitment_key,
            scenario=scenario_code,
        )
        terms = ApplyTerms(
            scenario_class,
            scenario_id_for(scenario_code),
            method,
            form,
            frequency,
            frequency_reason,
            fusion,
            security_level,
            tuple(resources),
            commitment,
        )
        return demand_id, self.action(applicant, StepKind.APPLY, demand_id, document, terms=terms.encode())

    def apply(self, applicant: Officer, resources: list[Resource], *, confirm: bool = True, **kw) -> tuple[bytes, dict]:
        """Send a signed Apply: (demand id, receipt). On the scenario route the Data Center then
        confirms the application conforms (Art. 19) unless `confirm` is False; the receipt is then
        the confirmation's, which issues the grant."""
        demand_id, action = self.application(applicant, resources, **kw)
        receipt = self.send(action)
        if confirm and self.record("demand", demand_id).conformity == 1:  # PlanStatus.Pending
            receipt = self.confirm(demand_id)
        return demand_id, receipt

    # ---- the scenario route (Art. 19)

    def scenario_action(
        self, code: str, scenario_class: int, *, units=(), entries=(), document: bytes | None = None
    ) -> SharingAction:
        """The Data Center's signed registration of scenario `code` (Art. 19 (1)–(3))."""
        terms = ScenarioTerms(scenario_class, tuple(u.unit_id for u in units), tuple(entries))
        document = document or doc("putuo.scenario-evaluation/1", scenario_code=code, **{"class": scenario_class})
        return self.action(
            self.data_center, StepKind.APPROVE_SCENARIO, scenario_id_for(code), document, terms=terms.encode()
        )

    def register_scenario(self, code: str, scenario_class: int, *, units=(), entries=()) -> dict:
        return self.send(self.scenario_action(code, scenario_class, units=units, entries=entries))

    def ensure_scenario(self, code: str, scenario_class: int) -> None:
        """Register a class 1 or 3 `code` for any unit and entry, unless registered or withdrawn. A
        class-2 scenario names its units and data: a test registers it itself (register_scenario)."""
        sc = self.record("scenario", scenario_id_for(code))
        if not sc.approved and not sc.withdrawnAt and scenario_class != 2:
            self.register_scenario(code, scenario_class)

    # ---- catalog adjustments (Art. 14)

    def plan_action(
        self,
        owner: Officer,
        entry_id: bytes,
        disposition: Disposition = Disposition.MOVE,
        document: bytes | None = None,
    ) -> SharingAction:
        """The responsible unit's signed adjustment plan for `entry_id`: its grants move or end."""
        document = document or doc("putuo.adjustment-plan/1", entry=entry_id.hex(), disposition=disposition.name)
        terms = AdjustmentTerms(disposition).encode()
        return self.action(owner, StepKind.RECORD_ADJUSTMENT_PLAN, entry_id, document, terms=terms)

    def adjustment_plan(
        self, owner: Officer, entry_id: bytes, disposition: Disposition = Disposition.MOVE, *, holders=None
    ) -> dict:
        """Record the plan, and have the Data Center and each of `holders` (the units holding live
        grants on the entry; default the street office) acknowledge it: the plan formed together."""
        receipt = self.send(self.plan_action(owner, entry_id, disposition))
        for officer in (self.data_center, *(holders if holders is not None else (self.street,))):
            self.act(officer, StepKind.ACKNOWLEDGE_ADJUSTMENT, entry_id)
        return receipt

    def confirm(self, demand_id: bytes, code: int = 0) -> dict:
        """The Data Center confirms (0) or returns a scenario-route application (Art. 19)."""
        return self.act(self.data_center, StepKind.CONFIRM_CONFORMITY, demand_id, code=code)

    def decide(
        self,
        owner: Officer,
        demand_id: bytes,
        item: int,
        *,
        code: int = 0,
        legal_basis: str = "",
        entry_id: bytes = ZERO32,
        version: int = 0,
        at: int | None = None,
        nonconforming: int | None = None,
    ) -> dict:
        return self.send(
            self.decide_action(
                owner,
                demand_id,
                item,
                code=code,
                legal_basis=legal_basis,
                entry_id=entry_id,
                version=version,
                at=at,
                nonconforming=nonconforming,
            )
        )

    @staticmethod
    def resource(owner: Officer, entry: tuple[bytes, int] | None = None, items=ITEMS) -> Resource:
        entry_id, version = entry if entry is not None else (ZERO32, 0)
        return Resource(entry_id, version, owner.unit_id, items_hash(items))

    # ---- reading the contract

    def demand(self, demand_id: bytes):
        return self.sharing.functions.demand(demand_id).call()

    def item(self, demand_id: bytes, index: int):
        return self.sharing.functions.item(demand_id, index).call()

    def grant(self, grant_id: bytes):
        return self.sharing.functions.grant(grant_id).call()

    def events(self, receipt) -> list[EventRecord]:
        return receipt_events(receipt)

    # ---- time

    def now(self) -> int:
        return self.w3.eth.get_block("latest")["timestamp"]

    # A block the API's own background work mines (its heartbeat, a timekeeper step) carries the
    # node's clock on by the real time elapsed: on a loaded machine it may pass a travel's target
    # by a second or two before the test travels on. The chain is then already there.
    TRAVEL_SLACK_S = 10

    def travel_to(self, timestamp: int) -> None:
        """Mine a block at `timestamp` (so the next transaction runs just after it), or just after
        it when a background block has already passed it (by at most TRAVEL_SLACK_S)."""
        latest = self.w3.eth.get_block("latest")["timestamp"]
        if latest > timestamp:
            assert latest - timestamp <= self.TRAVEL_SLACK_S, f"travel back in time: {latest} -> {timestamp}"
            calls = [("evm_mine", [])]
        else:
            calls = [("evm_setNextBlockTimestamp", [timestamp]), ("evm_mine", [])]
        for method, params in calls:
            answer = self.w3.provider.make_request(method, params)
            assert "error" not in answer, answer

    def next_block_at(self, timestamp: int) -> None:
        """The next transaction's block will have exactly `timestamp`."""
        answer = self.w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])
        assert "error" not in answer, answer

    # ---- added for the Sharing contract tests (tests/contracts/test_sharing_*.py); additive only

    EXACT_GAS = 3_000_000  # a fixed gas limit: the transaction is sent without a simulation

    @property
    def calendar(self):
        return contract_at(self.w3, "WorkCalendar", self.system.deployment.calendar)

    def due(self, timestamp: int, n: int) -> int:
        """The end (23:59:59 Asia/Shanghai) of the n-th working day after `timestamp`, per the calendar contract."""
        return self.calendar.functions.addWorkingDays(timestamp, n).call()

    def send_at(self, timestamp: int, call, sender=None) -> dict:
        """Send `call` (a bound contract function) in a block of exactly `timestamp`, without the
        simulation (which runs at the latest block's time): the receipt, status 1 or ChainError."""
        self.next_block_at(timestamp)
        receipt = (sender or self.system.relayer).send(call, gas=self.EXACT_GAS)
        assert self.block_time(receipt) == timestamp
        return receipt

    def send_action_at(self, timestamp: int, action: SharingAction) -> dict:
        return self.send_at(timestamp, self.sharing.functions.execute(action.as_tuple()))

    def decide_action(
        self,
        owner: Officer,
        demand_id: bytes,
        item: int,
        *,
        code: int = 0,
        legal_basis: str = "",
        entry_id: bytes = ZERO32,
        version: int = 0,
        at: int | None = None,
        nonconforming: int | None = None,
    ) -> SharingAction:
        """The signed Decide that `decide` sends, signed at `at` (the chain's latest time by default);
        a rejection for non-conformity names the resources (bit 16) unless `nonconforming` says otherwise."""
        if nonconforming is None:
            nonconforming = 16 if code == REJECT_NONCONFORMING else 0
        terms = DecideTerms(entry_id, version, legal_basis, nonconforming)
        encoded = terms.encode() if terms != DecideTerms() else b""
        document = doc(f"putuo.test-{StepKind.DECIDE.name.lower()}/1", note="测试")
        signed_at = self.now() if at is None else at
        return self.action(
            owner, StepKind.DECIDE, demand_id, document, item=item, code=code, at=signed_at, terms=encoded
        )

    def funded_sender(self, wei: int = 10**18):
        """A fresh account with some ether and no role anywhere: for the permissionless steps."""
        from chain.client import Sender

        account = Account.create()
        self.system.office.send_value(account.address, wei)
        return Sender.from_key(self.w3, account.key)

    def block_time(self, receipt) -> int:
        return self.w3.eth.get_block(receipt["blockNumber"])["timestamp"]

    def grant_resources(self, grant_id: bytes) -> list[tuple[bytes, int]]:
        count = self.record("grant", grant_id).resourceCount
        return [tuple(self.sharing.functions.grantResource(grant_id, i).call()) for i in range(count)]

    def live_grants(self, entry_id: bytes) -> int:
        return self.sharing.functions.liveGrants(entry_id).call()

    def idle_from(self, grant_id: bytes) -> int:
        return self.sharing.functions.idleFrom(grant_id).call()

    def scenario(self, scenario_id: bytes):
        return self.sharing.functions.scenario(scenario_id).call()

    def named(self, receipt, name: str) -> list[EventRecord]:
        """The receipt's decoded events called `name`."""
        return [e for e in receipt_events(receipt) if e.name == name]

    def record(self, view: str, *args):
        """A struct view of the Sharing contract (`demand`, `item`, `grant`, `scenario`) with its
        fields by name: `desk.record("grant", gid).lastUsedAt`."""
        function = getattr(self.sharing.functions, view)
        components = function.abi["outputs"][0]["components"]
        return SimpleNamespace(**{c["name"]: v for c, v in zip(components, function(*args).call())})

    def catalog_call(self, officer: Officer, kind: ActionKind, entry_id: bytes, document: bytes, **kw):
        """The signed catalog action `catalog_action` sends, as a bound `Catalog.execute` call
        (to send or to expect a revert from)."""
        declared = DECLARED_AT if kind == ActionKind.SUBMIT else 0
        action = CatalogAction(
            kind,
            entry_id,
            kw.pop("version", 0),
            kw.pop("reason_code", 0),
            document,
            fresh_nonce(),
            declared_at=declared,
            sharing=kw.pop("sharing", version_sharing(kind, document)),
        )
        signed = sign_action(
            action, officer.action_key, chain_id=self.chain_id, catalog_address=self.system.deployment.catalog
        )
        return self.catalog.functions.execute(signed.as_tuple())

    def execute_call(self, action: SharingAction):
        """`Sharing.execute(action)` as a bound call."""
        return self.sharing.functions.execute(action.as_tuple())


def refused(desk: SharingDesk, call, error: str, **args):
    """Sending `call` reverts with custom error `error` and exactly these arguments."""
    return assert_reverts(desk.system.relayer, call, error, **args)


def only(desk: SharingDesk, receipt, name: str):
    """The one event called `name` in `receipt`."""
    events = desk.named(receipt, name)
    assert len(events) == 1, [e.name for e in desk.events(receipt)]
    return events[0]
