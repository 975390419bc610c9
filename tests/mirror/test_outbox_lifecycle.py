"""mirror.outbox_lifecycle: the one owner of the outbox row's status.

Every event kind that confirms or rejects an action is walked through a reorg on a real chain
(the row goes back to accepted, and the replay on the new branch confirms or rejects it
again); the event table is held against the contracts' ABIs; and the source tree is held to
writing and comparing the status only through the lifecycle module.
"""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest
from eth_utils import to_checksum_address
from sqlalchemy import select

from chain import quality
from chain import responsibilities as resp
from chain import supervision as sv
from chain.actions import ActionKind, CatalogAction, entry_id_for, fresh_nonce
from chain.actions import digest as catalog_digest
from chain.actions import sign_action as sign_catalog_action
from chain.artifacts import load_artifact
from chain.client import contract_at
from chain.events import receipt_events
from chain.quality import ActionKind as QA
from chain.sharing import SIGNED_KINDS, ScenarioTerms, StepKind, scenario_id_for
from chain.sharing import digest as sharing_digest
from chain.supervision import ActionKind as SA
from mirror import outbox_lifecycle
from mirror.apply import HANDLERS
from mirror.models import OutboxAction
from mirror.outbox import Relayer, encode_action
from mirror.outbox_lifecycle import CONFIRMING_EVENTS, REJECTING_EVENTS, OutboxStatus, confirmed_action
from mirror.rejections import action_rejected
from signer.canonical import canonical_bytes
from tests.chain.helpers import new_indexer
from tests.conftest import DECLARED_AT
from tests.contracts.test_sharing_grants import Grants
from tests.sharing_desk import APPROVE_REVIEW, SharingDesk, doc
from tests.signed_fields import version_sharing

ROOT = Path(__file__).resolve().parents[2]
OWNER = ROOT / "mirror" / "outbox_lifecycle.py"
NOT_SOURCE = {"tests", ".venv", "node_modules", "build", "putuo_ledger.egg-info", ".git"}

RA = resp.ActionKind
DUTY = {"schema": "putuo.responsibility/1", "code": "MZJ-ZZ-L"}
OK = {"schema": "putuo.responsibility-review/1", "decision": "approve"}
REFUSAL = {"schema": "putuo.refusal/1", "ground": "no_legal_basis"}
REPORT = {"schema": "putuo.refusal-report/1"}
EXPORT = {"schema": "putuo.catalog-export/1"}
CLASS_1 = ScenarioTerms(1).encode()  # a scenario registered for any unit and entry (Art. 19 (1))


# ---- the event table, held against the contracts


def _events() -> dict[str, dict[str, str]]:
    """Every event of the contracts: its inputs' names and ABI types."""
    found = {}
    for contract in (
        "UnitRegistry",
        "Catalog",
        "WorkCalendar",
        "Sharing",
        "Responsibilities",
        "DataQuality",
        "Supervision",
    ):
        for item in load_artifact(contract).abi:
            if item["type"] == "event":
                found[item["name"]] = {p["name"]: p["type"] for p in item["inputs"]}
    return found


def test_every_event_with_a_nonce_confirms_an_action_by_the_officer_it_names():
    events = _events()
    with_nonce = {name for name, inputs in events.items() if "nonce" in inputs}
    assert with_nonce == set(CONFIRMING_EVENTS)
    for name, officer in CONFIRMING_EVENTS.items():
        assert events[name][officer] == "address", name


def test_every_event_of_a_skipped_action_rejects_it():
    skipped = {name for name, inputs in _events().items() if {"digest", "reason"} <= set(inputs)}
    assert skipped == REJECTING_EVENTS
    assert all(HANDLERS[name] is action_rejected for name in REJECTING_EVENTS)


def test_confirmed_action_names_the_officer_and_nonce():
    officer = "0x" + "ab" * 20
    assert confirmed_action("CatalogDataCollected", {"recorder": officer, "nonce": 7, "entryId": b""}) == (officer, 7)
    assert confirmed_action("CatalogVersionReviewed", {"reviewer": officer, "nonce": 8}) == (officer, 8)
    for kind in StepKind:
        expected = (officer, 9) if kind in SIGNED_KINDS else None  # a permissionless step confirms nothing
        assert confirmed_action("SharingStep", {"kind": kind, "actor": officer, "nonce": 9}) == expected
    assert confirmed_action("KeyRevoked", {"keyId": officer}) is None


# ---- every confirming (and rejecting) event through a reorg


def _catalog_action(
    desk: SharingDesk, officer, kind: ActionKind, entry_id: bytes, document: bytes, version: int = 0
) -> CatalogAction:
    action = CatalogAction(
        kind,
        entry_id,
        version,
        0,
        document,
        fresh_nonce(),
        declared_at=DECLARED_AT if kind == ActionKind.SUBMIT else 0,
        sharing=version_sharing(kind, document),
    )
    return sign_catalog_action(
        action, officer.ecdsa.private_key, chain_id=desk.chain_id, catalog_address=desk.system.deployment.catalog
    )


def _responsibility_action(desk: SharingDesk, officer, kind, subject: bytes, document: dict, **fields):
    action = resp.ResponsibilityAction(kind, subject, canonical_bytes(document), fresh_nonce(), **fields)
    return resp.sign(
        action, officer.action_key, chain_id=desk.chain_id, address=desk.system.deployment.responsibilities
    )


def _quality_action(desk: SharingDesk, officer, kind, subject: bytes, document: dict, **fields):
    action = quality.QualityAction(kind, subject, canonical_bytes(document), fresh_nonce(), **fields)
    return quality.sign(action, officer.action_key, chain_id=desk.chain_id, address=desk.system.deployment.data_quality)


def _supervision_action(desk: SharingDesk, officer, kind, subject: bytes, document: dict, **fields):
    action = sv.SupervisionAction(kind, subject, canonical_bytes(document), fresh_nonce(), **fields)
    return sv.sign(action, officer.action_key, chain_id=desk.chain_id, address=desk.system.deployment.supervision)


def _row(desk: SharingDesk, officer, action) -> OutboxAction:
    deployment = desk.system.deployment
    if isinstance(action, sv.SupervisionAction):
        contract, subject = "supervision", action.subject
        digest = sv.digest(action, chain_id=desk.chain_id, address=deployment.supervision)
    elif isinstance(action, quality.QualityAction):
        contract, subject = "data_quality", action.subject
        digest = quality.digest(action, chain_id=desk.chain_id, address=deployment.data_quality)
    elif isinstance(action, CatalogAction):
        contract, subject = "catalog", action.entry_id
        digest = catalog_digest(action, chain_id=desk.chain_id, catalog_address=deployment.catalog)
    elif isinstance(action, resp.ResponsibilityAction):
        contract, subject = "responsibilities", action.subject
        digest = resp.digest(action, chain_id=desk.chain_id, address=deployment.responsibilities)
    else:
        contract, subject = "sharing", action.subject
        digest = sharing_digest(action, chain_id=desk.chain_id, sharing_address=deployment.sharing)
    return OutboxAction(
        digest="0x" + digest.hex(),
        signer=to_checksum_address(officer.address),
        nonce=str(action.nonce),
        entry_id="0x" + subject.hex(),
        kind=int(action.kind),
        contract=contract,
        payload=encode_action(action),
    )


def _relay_all(desk: SharingDesk, relayer: Relayer, store) -> set[str]:
    """Send every accepted row, wait until mined; the names of the events the transactions emitted."""
    while relayer.step():
        pass
    with store.sessions() as session:
        sent = {r.tx_hash for r in session.scalars(select(OutboxAction)) if r.tx_hash}
    names = set()
    for tx_hash in sent:
        receipt = desk.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10, poll_latency=0.01)
        assert receipt["status"] == 1
        names |= {e.name for e in receipt_events(receipt)}
    return names


def _statuses(store, labels: dict[str, str]) -> dict[str, tuple[str, bool]]:
    """label -> (status, whether a transaction is recorded)."""
    with store.sessions() as session:
        rows = {r.digest: r for r in session.scalars(select(OutboxAction))}
    return {label: (rows[d].status, rows[d].tx_hash is not None) for label, d in labels.items()}


def test_every_confirmed_or_rejected_action_is_sent_again_after_a_reorg_and_settled_by_the_replay(system, stores):
    desk = SharingDesk(system)
    civil, dc = desk.civil, desk.data_center
    store = stores("lifecycle")
    indexer = new_indexer(system, store)
    relayer = Relayer(
        store.sessions,
        system.relayer,
        {
            "catalog": desk.catalog,
            "sharing": desk.sharing,
            "responsibilities": contract_at(system.w3, "Responsibilities", system.deployment.responsibilities),
            "data_quality": contract_at(system.w3, "DataQuality", system.deployment.data_quality),
            "supervision": contract_at(system.w3, "Supervision", system.deployment.supervision),
        },
        batch_max=50,
        resend_after_s=3600,
    )
    # A grant suspended for a security risk before the fork: its report (Art. 31) is one of the actions.
    grants = Grants(desk)
    suspended = grants.issue(at=None)
    desk.send(grants.step(dc, StepKind.SECURITY_SUSPEND, suspended))
    indexer.sync()
    fork = system.snapshot()

    eid = entry_id_for(civil.unit_id, "MZJ-L001")
    office, duty, refusal = desk.office, resp.responsibility_id_for(civil.unit_id, "MZJ-ZZ-L"), b"\x0f" * 32
    incident = b"\x09" * 32
    scenario = scenario_id_for("生命周期场景")
    scenario_doc = canonical_bytes({"scenario_code": "生命周期场景", "name": "生命周期"})
    # Each event kind that settles an outbox row, by the action that emits it (in relay order),
    # labelled "event" or "event/contract" where both contracts emit it.
    actions = {
        "CatalogVersionSubmitted": (
            civil,
            _catalog_action(
                desk, civil, ActionKind.SUBMIT, eid, doc("putuo.catalog/1", code="MZJ-L001", name="婚姻登记")
            ),
        ),
        "CatalogVersionReviewed": (dc, _catalog_action(desk, dc, ActionKind.REVIEW, eid, APPROVE_REVIEW, version=1)),
        "CatalogDataCollected": (
            dc,
            _catalog_action(
                desk, dc, ActionKind.RECORD_COLLECTION, eid, doc("putuo.catalog-collection/1", description="已归集")
            ),
        ),
        "ActionRejected/Catalog": (
            dc,
            _catalog_action(desk, dc, ActionKind.REVIEW, eid, APPROVE_REVIEW, version=9),
        ),
        "SharingStep": (dc, desk.action(dc, StepKind.APPROVE_SCENARIO, scenario, scenario_doc, terms=CLASS_1)),
        "ActionRejected/Sharing": (
            dc,
            desk.action(dc, StepKind.APPROVE_SCENARIO, scenario, scenario_doc + b" ", terms=CLASS_1),
        ),
        "ResponsibilityRecorded": (civil, _responsibility_action(desk, civil, RA.RECORD_RESPONSIBILITY, duty, DUTY)),
        "ResponsibilityReviewed": (office, _responsibility_action(desk, office, RA.REVIEW_RESPONSIBILITY, duty, OK)),
        "EntryDesignated": (
            office,
            _responsibility_action(
                desk, office, RA.DESIGNATE, eid, {"schema": "putuo.designation/1"}, target=desk.market.unit_id, code=1
            ),
        ),
        "RefusalRecorded": (
            dc,
            _responsibility_action(desk, dc, RA.RECORD_REFUSAL, refusal, REFUSAL, target=civil.unit_id, code=1),
        ),
        "RefusalReported": (office, _responsibility_action(desk, office, RA.REPORT_REFUSAL, refusal, REPORT)),
        "SettingPublished": (
            office,
            _responsibility_action(
                desk, office, RA.PUBLISH_SETTING, resp.setting_key("refusalReportDays"), OK, value=4
            ),
        ),
        "CatalogExportRecorded": (
            dc,
            _responsibility_action(desk, dc, RA.RECORD_CATALOG_EXPORT, b"\x0e" * 32, EXPORT, value=1),
        ),
        # Art. 16, on the entry the Office designated to the market bureau above (relayed in this order).
        "UpdateFrequencyDeclared": (
            desk.market,
            _quality_action(
                desk, desk.market, QA.DECLARE_FREQUENCY, eid, {"schema": "putuo.update-frequency/1"}, code=4
            ),
        ),
        "UpdateRecorded": (
            dc,
            _quality_action(desk, dc, QA.RECORD_UPDATE, b"\x0d" * 32, {"schema": "putuo.update-receipt/1"}, target=eid),
        ),
        "ReconciliationRecorded": (
            dc,
            _quality_action(
                desk,
                dc,
                QA.RECORD_RECONCILIATION,
                b"\x0c" * 32,
                {"schema": "putuo.reconciliation/1"},
                target=civil.unit_id,
                code=1,
            ),
        ),
        "ObjectionRaised": (  # the Data Center's monitoring: a using unit's needs a grant on the entry
            dc,
            _quality_action(
                desk, dc, QA.RAISE_OBJECTION, b"\x0b" * 32, {"schema": "putuo.objection/1"}, target=eid, code=1
            ),
        ),
        "ObjectionHandled": (
            desk.market,
            _quality_action(
                desk, desk.market, QA.HANDLE_OBJECTION, b"\x0b" * 32, {"schema": "putuo.objection-handling/1"}, code=2
            ),
        ),
        # Art. 29, 31.
        "IncidentReported": (
            civil,
            _supervision_action(
                desk, civil, SA.REPORT_INCIDENT, incident, {"schema": "putuo.incident/1"}, code=1, value=1
            ),
        ),
        "Acknowledged": (
            office,
            _supervision_action(desk, office, SA.ACKNOWLEDGE, incident, {"schema": "putuo.acknowledgement/1"}),
        ),
        "IncidentHandlingRecorded": (
            civil,
            _supervision_action(desk, civil, SA.RECORD_HANDLING, incident, {"schema": "putuo.incident-handling/1"}),
        ),
        "IncidentClosed": (
            civil,
            _supervision_action(desk, civil, SA.CLOSE_INCIDENT, incident, {"schema": "putuo.incident-closure/1"}),
        ),
        "EvaluationRecorded": (
            dc,
            _supervision_action(
                desk,
                dc,
                SA.RECORD_EVALUATION,
                b"\x0a" * 32,
                {"schema": "putuo.supervision-evaluation/1"},
                target=civil.unit_id,
                code=1,
                value=90,
            ),
        ),
        "ResultsPublished": (
            office,
            _supervision_action(
                desk, office, SA.PUBLISH_RESULTS, b"\x08" * 32, {"schema": "putuo.evaluation-results/1"}, value=1
            ),
        ),
        "NoticePublished": (
            office,
            _supervision_action(
                desk,
                office,
                SA.PUBLISH_NOTICE,
                b"\x07" * 32,
                {"schema": "putuo.evaluation-notice/1"},
                target=b"\x08" * 32,
            ),
        ),
        "MeasureReported": (
            dc,
            _supervision_action(desk, dc, SA.REPORT_MEASURE, suspended, {"schema": "putuo.measure-report/1"}, code=1),
        ),
    }
    events = {label.split("/")[0] for label in actions}
    assert events == set(CONFIRMING_EVENTS) | REJECTING_EVENTS  # every kind, and only those
    rows = [_row(desk, officer, action) for officer, action in actions.values()]
    labels = dict(zip(actions, (r.digest for r in rows)))
    with store.sessions.begin() as session:  # several actions on one entry: stored as one batch would be
        assert outbox_lifecycle.accept(session, rows, exclusive=False, now=time.time()) == {}

    settled = {
        label: (OutboxStatus.REJECTED if label.split("/")[0] in REJECTING_EVENTS else OutboxStatus.CONFIRMED, True)
        for label in actions
    }
    assert _relay_all(desk, relayer, store) >= events
    indexer.sync()
    assert _statuses(store, labels) == settled
    old_head = desk.w3.eth.block_number

    # The node switches to a branch from the fork point without any of them, and longer.
    system.revert(fork)
    while desk.w3.eth.block_number <= old_head:
        desk.w3.provider.make_request("evm_mine", [])
    assert indexer.sync().rolled_back > 0
    assert _statuses(store, labels) == {label: (OutboxStatus.ACCEPTED, False) for label in actions}
    with store.sessions() as session:
        assert all(r.error is None and r.reason is None for r in session.scalars(select(OutboxAction)))

    # The relayer sends them again on the new branch; the mirror settles each as before.
    assert _relay_all(desk, relayer, store) >= events
    indexer.sync()
    assert _statuses(store, labels) == settled
    with store.sessions() as session:
        errors = {r.digest: r.error.split("(")[0] for r in session.scalars(select(OutboxAction)) if r.error}
    assert errors == {
        labels["ActionRejected/Catalog"]: "CatalogNotPendingVersion",
        labels["ActionRejected/Sharing"]: "SharingScenarioState",
    }


# ---- nobody else moves the status


STATUSES = {s.value for s in OutboxStatus}


def _is_status(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "status"


def _names_outbox(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "OutboxAction"


def _has_status_literal(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and n.value in STATUSES for n in ast.walk(node))


def offences(source: str) -> list[str]:
    """Where `source` writes an outbox row's status, or compares a status with a literal, other
    than through mirror.outbox_lifecycle."""
    tree = ast.parse(source)
    reads_outbox = "OutboxAction" in source
    found = []
    for node in ast.walk(tree):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Name)
                and func.id in ("update", "insert")
                and node.args
                and _names_outbox(node.args[0])
            ):
                found.append(f"{where}: {func.id}(OutboxAction)")
            if _names_outbox(func) and any(k.arg == "status" for k in node.keywords):
                found.append(f"{where}: OutboxAction(status=...)")
            if (
                reads_outbox
                and isinstance(func, ast.Attribute)
                and func.attr in ("in_", "not_in")
                and _is_status(func.value)
                and any(_has_status_literal(a) for a in node.args)
            ):
                found.append(f"{where}: status.{func.attr}(literals)")
        if reads_outbox and isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            flat = [t for target in targets for t in ast.walk(target)]
            if any(_is_status(t) for t in flat):
                found.append(f"{where}: assigns .status")
        if reads_outbox and isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_status(o) for o in operands) and any(_has_status_literal(o) for o in operands):
                found.append(f"{where}: compares .status with a literal")
    return found


@pytest.mark.parametrize(
    "snippet",
    [
        'update(OutboxAction).where(OutboxAction.digest == d).values(status="rejected")',
        'OutboxAction(digest=d, status="accepted")',
        'row.status, row.tx_hash = "accepted", None  # OutboxAction',
        'select(OutboxAction).where(OutboxAction.status.in_(("accepted", "sent")))',
        'select(OutboxAction).where(OutboxAction.status != "confirmed")',
    ],
)
def test_the_check_finds_what_the_first_wave_did(snippet):
    """The statements the outbox's transitions were spread over before it had one owner."""
    assert offences(snippet)


def test_only_the_lifecycle_module_moves_or_compares_the_outbox_status():
    sources = [p for p in ROOT.rglob("*.py") if not NOT_SOURCE & set(p.relative_to(ROOT).parts) and p != OWNER]
    assert ROOT / "mirror" / "outbox.py" in sources and ROOT / "api" / "services" / "intake.py" in sources
    found = {str(p.relative_to(ROOT)): o for p in sources if (o := offences(p.read_text(encoding="utf-8")))}
    assert found == {}
