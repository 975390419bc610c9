"""UsageLog (#11 part 3, Art. 26, 30): the Data Center anchors checkpoints of the usage log,
sizes only grow, witnesses (the Office, auditor units) co-sign anchored checkpoints once each,
and the uses an anchor carries move the grants' idle clocks in Sharing, by RecordUse's rule."""

from __future__ import annotations

import pytest

from chain.client import contract_at
from chain.sharing import StepKind
from chain.usage_log import UsageAction, UsageActionKind, anchor_document, cosign_document, log_id, sign
from tests.contracts.test_sharing_grants import ISSUED, Grants, hx, idle_reference
from tests.sharing_desk import SharingDesk, only, refused
from tests.workdays.helpers import ts

ROOT_A, ROOT_B = b"\xaa" * 32, b"\xbb" * 32


class Log:
    def __init__(self, desk: SharingDesk) -> None:
        self.desk = desk
        self.contract = contract_at(desk.w3, "UsageLog", desk.system.deployment.usage_log)
        self.nonce = 0
        self.auditor = desk.unit("PT-SJJ", "auditor", "普陀区审计局")

    def action(self, officer, kind: UsageActionKind, document: bytes, *, sm2: bool = False):
        self.nonce += 1
        action = UsageAction(kind, document, self.nonce)
        key = officer.sm2 if sm2 else officer.action_key
        signed = sign(action, key, chain_id=self.desk.chain_id, address=self.contract.address)
        return self.contract.functions.execute(signed.as_tuple())

    def anchor(self, size: int, root: bytes, uses: dict | None = None, officer=None, **kw):
        call = self.action(
            officer or self.desk.data_center, UsageActionKind.ANCHOR, anchor_document(size, root, uses or {}), **kw
        )
        return call

    def cosign(self, officer, size: int, root: bytes):
        return self.action(officer, UsageActionKind.COSIGN, cosign_document(size, root))

    def send(self, call):
        return self.desk.system.relayer.send(call)


@pytest.fixture
def log(system) -> Log:
    return Log(SharingDesk(system))


def test_anchors_grow_and_are_the_data_centers(log: Log):
    desk = log.desk
    receipt = log.send(log.anchor(10, ROOT_A, sm2=True))  # SM2 through the registry, as ECDSA
    event = only(desk, receipt, "CheckpointAnchored").args
    assert (event["size"], event["root"], event["signer"]) == (
        10,
        ROOT_A,
        desk.w3.to_checksum_address(desk.data_center.sm2.key_id),
    )
    assert log.contract.functions.latestSize().call() == 10
    assert log.contract.functions.checkpoint(10).call() == (ROOT_A, desk.block_time(receipt), 0)
    # A checkpoint whose size does not grow (the same, or smaller) is refused on-chain.
    refused(desk, log.anchor(10, ROOT_B), "UsageLogSizeNotGrowing", size=10, latest=10)
    refused(desk, log.anchor(9, ROOT_B), "UsageLogSizeNotGrowing", size=9, latest=10)
    refused(
        desk, log.anchor(11, b"\0" * 32), "UsageLogBadCheckpoint", size=11, root="0x" + "00" * 32, grants=0, times=0
    )
    street = desk.street
    refused(
        desk,
        log.anchor(11, ROOT_B, officer=street),
        "UsageLogNotDataCenter",
        signer=street.address,
        unitId=hx(street.unit_id),
    )
    assert (
        log.contract.functions.checkpoint(10).call()[0] == ROOT_A and log.contract.functions.latestSize().call() == 10
    )
    assert log.contract.functions.logId().call() == log_id(desk.chain_id, log.contract.address)


def test_witnesses_cosign_an_anchored_checkpoint_once(log: Log):
    desk = log.desk
    log.send(log.anchor(10, ROOT_A))
    first = only(desk, log.send(log.cosign(desk.office, 10, ROOT_A)), "CheckpointCosigned").args
    assert (first["unitId"], first["cosignatures"]) == (desk.office.unit_id, 1)
    second = only(desk, log.send(log.cosign(log.auditor, 10, ROOT_A)), "CheckpointCosigned").args
    assert second["cosignatures"] == 2 and log.contract.functions.checkpoint(10).call()[2] == 2
    refused(
        desk, log.cosign(desk.office, 10, ROOT_A), "UsageLogAlreadyCosigned", size=10, unitId=hx(desk.office.unit_id)
    )
    refused(
        desk,
        log.cosign(log.auditor, 10, ROOT_B),
        "UsageLogUnknownCheckpoint",
        size=10,
        root=hx(ROOT_B),
        anchoredRoot=hx(ROOT_A),
    )
    refused(
        desk,
        log.cosign(log.auditor, 11, ROOT_A),
        "UsageLogUnknownCheckpoint",
        size=11,
        root=hx(ROOT_A),
        anchoredRoot="0x" + "00" * 32,
    )
    refused(
        desk,
        log.cosign(desk.civil, 10, ROOT_A),
        "UsageLogNotWitness",
        signer=desk.civil.address,
        unitId=hx(desk.civil.unit_id),
    )


def test_anchored_uses_move_the_idle_clock_and_only_by_the_use_rule(log: Log):
    """Art. 26 from the anchored log: a use carried by an anchor counts as a RecordUse step; one
    inside a suspension does not (AnchoredUseNotCounted), and the anchor stands."""
    desk = log.desk
    grants = Grants(desk)
    grant_id = grants.issue()
    used = ts("2026-04-20 11:00")
    desk.travel_to(used + 60)
    receipt = log.send(log.anchor(5, ROOT_A, {hx(grant_id): used}))
    step = only(desk, receipt, "SharingStep").args
    assert (step["subject"], step["kind"], step["at"], step["actor"]) == (
        grant_id,
        StepKind.RECORD_USE,
        used,
        log.contract.address,
    )
    assert desk.record("grant", grant_id).lastUsedAt == used
    assert desk.idle_from(grant_id) == idle_reference(used)

    unknown = b"\x42" * 32
    before_issue = ISSUED - 3600
    receipt = log.send(log.anchor(6, ROOT_B, {hx(unknown): used, hx(grant_id): before_issue}))
    skipped = {e.args["grantId"]: e.args["at"] for e in desk.named(receipt, "AnchoredUseNotCounted")}
    assert skipped == {unknown: used, grant_id: before_issue}
    assert log.contract.functions.latestSize().call() == 6 and desk.record("grant", grant_id).lastUsedAt == used

    # Nobody but the bound log records anchored uses; the log is bound once.
    refused(
        desk,
        desk.sharing.functions.recordAnchoredUses([grant_id], [used + 1]),
        "SharingNotUsageLog",
        caller=desk.system.relayer.account.address,
    )
    refused(
        desk,
        desk.sharing.functions.bindUsageLog(desk.system.relayer.account.address),
        "SharingNotDeployer",
        caller=desk.system.relayer.account.address,
    )


def test_the_idle_suspension_is_taken_from_anchored_uses(log: Log):
    """Art. 26: a grant last used (per the anchored log) on 20 April is not idle before the day
    after 20 July; then anyone suspends it."""
    desk = log.desk
    grants = Grants(desk)
    grant_id = grants.issue()
    used = ts("2026-04-20 11:00")
    desk.travel_to(used + 60)
    log.send(log.anchor(1, ROOT_A, {hx(grant_id): used}))
    idle = idle_reference(used)
    assert idle == ts("2026-07-21 00:00")
    desk.travel_to(idle - 1)
    refused(desk, desk.sharing.functions.suspendIdle(grant_id), "SharingNotIdle", grantId=hx(grant_id), idleFrom=idle)
    desk.travel_to(idle)
    receipt = log.send(desk.sharing.functions.suspendIdle(grant_id))
    assert desk.named(receipt, "GrantStatusChanged")
