"""Supervision (Art. 29, 31): a security incident reported by the unit that has it, acknowledged by
the Office and the regulators, handled and closed by its reporter; the Data Center's evaluations of
units and grants; its report (报送) of a security suspension or termination, checked against the grant."""

from __future__ import annotations

import pytest

from chain import supervision as sv
from chain.actions import fresh_nonce
from chain.client import contract_at
from chain.sharing import TERMINATE_SECURITY, StepKind
from tests.contracts.test_sharing_grants import Grants, hx
from tests.sharing_desk import SharingDesk, only, refused

INCIDENT = b'{"schema":"putuo.incident/1","summary":"account leaked"}'
ACK = b'{"schema":"putuo.acknowledgement/1"}'
STEP = b'{"schema":"putuo.incident-handling/1"}'
CLOSED = b'{"schema":"putuo.incident-closure/1"}'
EVALUATION = b'{"schema":"putuo.supervision-evaluation/1"}'
REPORT = b'{"schema":"putuo.measure-report/1"}'


class Oversight:
    def __init__(self, desk: SharingDesk) -> None:
        self.desk = desk
        self.auditor = desk.unit("PT-WXB", "auditor", "区委网信办")
        self.contract = contract_at(desk.w3, "Supervision", desk.system.deployment.supervision)

    def action(self, officer, kind, subject: bytes, document: bytes, **fields):
        return sv.sign(
            sv.SupervisionAction(kind, subject, document, fresh_nonce(), **fields),
            officer.action_key,
            chain_id=self.desk.chain_id,
            address=self.desk.system.deployment.supervision,
        )

    def send(self, officer, kind, subject: bytes, document: bytes, **fields):
        return self.desk.system.relayer.send(
            self.contract.functions.execute(self.action(officer, kind, subject, document, **fields).as_tuple())
        )

    def refuses(self, officer, kind, subject: bytes, document: bytes, error: str, expect=None, **fields):
        call = self.contract.functions.execute(self.action(officer, kind, subject, document, **fields).as_tuple())
        return refused(self.desk, call, error, **(expect or {}))


@pytest.fixture
def oversight(system) -> Oversight:
    return Oversight(SharingDesk(system))


def test_the_digest_is_the_contracts(oversight):
    action = oversight.action(
        oversight.desk.civil, sv.ActionKind.REPORT_INCIDENT, b"\x01" * 32, INCIDENT, code=1, value=5
    )
    assert oversight.contract.functions.actionDigest(action.as_tuple()).call() == sv.digest(
        action, chain_id=oversight.desk.chain_id, address=oversight.desk.system.deployment.supervision
    )


def test_art29_an_incident_is_reported_acknowledged_handled_and_closed(oversight):
    desk, K = oversight.desk, sv.ActionKind
    incident = b"\x41" * 32
    now = desk.now()
    # Only a unit or the Data Center reports; a severity 1–4; a time given and past.
    oversight.refuses(desk.office, K.REPORT_INCIDENT, incident, INCIDENT, "SupervisionWrongUnitKind", code=1, value=now)
    oversight.refuses(desk.civil, K.REPORT_INCIDENT, incident, INCIDENT, "SupervisionInvalidCode", code=5, value=now)
    oversight.refuses(desk.civil, K.REPORT_INCIDENT, incident, INCIDENT, "SupervisionInvalidTime", code=1, value=0)
    oversight.refuses(
        desk.civil, K.REPORT_INCIDENT, incident, INCIDENT, "SupervisionInvalidTime", code=1, value=now + 3600
    )
    receipt = oversight.send(desk.civil, K.REPORT_INCIDENT, incident, INCIDENT, code=2, value=now - 600)
    reported = only(desk, receipt, "IncidentReported").args
    assert (reported["unitId"], reported["severity"], reported["occurredAt"]) == (desk.civil.unit_id, 2, now - 600)
    oversight.refuses(
        desk.civil,
        K.REPORT_INCIDENT,
        incident,
        INCIDENT,
        "SupervisionExists",
        code=1,
        value=now,
        expect={"id": hx(incident)},
    )
    # The Office and the regulators acknowledge it, each once; nobody else.
    oversight.refuses(desk.data_center, K.ACKNOWLEDGE, incident, ACK, "SupervisionWrongUnitKind")
    for count, overseer in enumerate((desk.office, oversight.auditor), start=1):
        args = only(desk, oversight.send(overseer, K.ACKNOWLEDGE, incident, ACK), "Acknowledged").args
        assert (args["unitId"], args["acknowledgements"]) == (overseer.unit_id, count)
    oversight.refuses(
        desk.office,
        K.ACKNOWLEDGE,
        incident,
        ACK,
        "SupervisionAlreadyAcknowledged",
        expect={"id": hx(incident), "unitId": hx(desk.office.unit_id)},
    )
    oversight.refuses(desk.office, K.ACKNOWLEDGE, b"\x42" * 32, ACK, "SupervisionNothingToAcknowledge")
    # Only the reporter handles and closes it; nothing after the closure.
    oversight.refuses(
        desk.market,
        K.RECORD_HANDLING,
        incident,
        STEP,
        "SupervisionNotReporter",
        expect={
            "incidentId": hx(incident),
            "reporterUnit": hx(desk.civil.unit_id),
            "signerUnit": hx(desk.market.unit_id),
        },
    )
    assert (
        only(desk, oversight.send(desk.civil, K.RECORD_HANDLING, incident, STEP), "IncidentHandlingRecorded").args[
            "handlings"
        ]
        == 1
    )
    oversight.send(desk.civil, K.CLOSE_INCIDENT, incident, CLOSED)
    stored = oversight.contract.functions.incident(incident).call()
    assert stored[0] == desk.civil.unit_id and stored[4] > 0 and (stored[5], stored[6]) == (1, 2)
    oversight.refuses(desk.civil, K.RECORD_HANDLING, incident, STEP, "SupervisionIncidentClosed")


def test_art31_evaluations_of_a_unit_or_a_grant_by_the_data_center(oversight):
    desk, K = oversight.desk, sv.ActionKind
    grant_id = Grants(desk).issue(at=None)
    oversight.refuses(
        desk.office,
        K.RECORD_EVALUATION,
        b"\x51" * 32,
        EVALUATION,
        "SupervisionWrongUnitKind",
        target=desk.civil.unit_id,
        code=1,
        value=90,
    )
    oversight.refuses(
        desk.data_center,
        K.RECORD_EVALUATION,
        b"\x51" * 32,
        EVALUATION,
        "SupervisionInvalidScore",
        target=desk.civil.unit_id,
        code=1,
        value=101,
    )
    oversight.refuses(
        desk.data_center,
        K.RECORD_EVALUATION,
        b"\x51" * 32,
        EVALUATION,
        "SupervisionInvalidCode",
        target=desk.civil.unit_id,
        code=4,
        value=90,
    )
    oversight.refuses(
        desk.data_center,
        K.RECORD_EVALUATION,
        b"\x51" * 32,
        EVALUATION,
        "SupervisionInvalidTarget",
        target=b"\x99" * 32,
        code=1,
        value=90,
        expect={"target": hx(b"\x99" * 32)},
    )
    unit = only(
        desk,
        oversight.send(
            desk.data_center, K.RECORD_EVALUATION, b"\x51" * 32, EVALUATION, target=desk.civil.unit_id, code=1, value=88
        ),
        "EvaluationRecorded",
    ).args
    assert (unit["evaluation"], unit["score"], unit["grant"]) == (sv.EvaluationKind.QUALITY, 88, False)
    grant = only(
        desk,
        oversight.send(
            desk.data_center, K.RECORD_EVALUATION, b"\x52" * 32, EVALUATION, target=grant_id, code=2, value=70
        ),
        "EvaluationRecorded",
    ).args
    assert (grant["target"], grant["grant"]) == (grant_id, True)
    oversight.refuses(
        desk.data_center,
        K.RECORD_EVALUATION,
        b"\x52" * 32,
        EVALUATION,
        "SupervisionExists",
        target=grant_id,
        code=2,
        value=70,
    )


def test_art31_a_suspension_is_reported_to_the_regulators_and_the_office(oversight):
    desk, K = oversight.desk, sv.ActionKind
    grants = Grants(desk)
    grant_id = grants.issue(at=None)
    # Nothing to report while the grant is active.
    oversight.refuses(
        desk.data_center,
        K.REPORT_MEASURE,
        grant_id,
        REPORT,
        "SupervisionNoMeasure",
        code=1,
        expect={"grantId": hx(grant_id), "status": 1, "suspension": 0},
    )
    receipt = desk.send(grants.step(desk.data_center, StepKind.SECURITY_SUSPEND, grant_id))
    suspended_at = desk.block_time(receipt)
    oversight.refuses(desk.civil, K.REPORT_MEASURE, grant_id, REPORT, "SupervisionWrongUnitKind", code=1)
    oversight.refuses(
        desk.data_center,
        K.REPORT_MEASURE,
        grant_id,
        REPORT,
        "SupervisionNoMeasure",
        code=2,
        expect={"grantId": hx(grant_id), "status": 2, "suspension": 2},
    )
    reported = only(
        desk, oversight.send(desk.data_center, K.REPORT_MEASURE, grant_id, REPORT, code=1), "MeasureReported"
    ).args
    report_id = sv.measure_report_id(grant_id, sv.MeasureKind.SUSPENSION, suspended_at)
    assert (reported["reportId"], reported["unitId"], reported["takenAt"]) == (
        report_id,
        desk.street.unit_id,
        suspended_at,
    )
    assert oversight.contract.functions.measureReportId(grant_id, 1, suspended_at).call() == report_id
    oversight.refuses(
        desk.data_center, K.REPORT_MEASURE, grant_id, REPORT, "SupervisionExists", code=1, expect={"id": hx(report_id)}
    )
    acked = only(desk, oversight.send(oversight.auditor, K.ACKNOWLEDGE, report_id, ACK), "Acknowledged").args
    assert (
        acked["acknowledgements"] == 1
        and oversight.contract.functions.acknowledged(report_id, oversight.auditor.unit_id).call()
    )
    # A termination for the risk is reported too, as its own measure.
    ended = desk.send(grants.step(desk.data_center, StepKind.TERMINATE, grant_id, code=TERMINATE_SECURITY))
    terminated = only(
        desk, oversight.send(desk.data_center, K.REPORT_MEASURE, grant_id, REPORT, code=2), "MeasureReported"
    ).args
    assert (terminated["measure"], terminated["takenAt"]) == (sv.MeasureKind.TERMINATION, desk.block_time(ended))


def test_art32_the_office_publishes_ended_results_and_a_notice_on_them(oversight):
    desk, K = oversight.desk, sv.ActionKind
    results, notice = b"\x61" * 32, b"\x62" * 32
    now = desk.now()
    RESULTS, NOTICE = b'{"schema":"putuo.evaluation-results/1"}', b'{"schema":"putuo.evaluation-notice/1"}'
    oversight.refuses(desk.data_center, K.PUBLISH_RESULTS, results, RESULTS, "SupervisionWrongUnitKind", value=now - 1)
    # A period still running (or no period) is not published.
    for end in (0, now + 86_400):
        oversight.refuses(desk.office, K.PUBLISH_RESULTS, results, RESULTS, "SupervisionPeriodNotEnded", value=end)
    # A notice rests on published results.
    oversight.refuses(
        desk.office,
        K.PUBLISH_NOTICE,
        notice,
        NOTICE,
        "SupervisionUnknownResults",
        target=results,
        expect={"resultsId": hx(results)},
    )
    receipt = oversight.send(desk.office, K.PUBLISH_RESULTS, results, RESULTS, value=now - 1)
    assert only(desk, receipt, "ResultsPublished").args["periodEnd"] == now - 1
    assert oversight.contract.functions.resultsPublishedAt(results).call() == desk.block_time(receipt)
    oversight.refuses(desk.office, K.PUBLISH_RESULTS, results, RESULTS, "SupervisionExists", value=now - 1)
    args = only(
        desk, oversight.send(desk.office, K.PUBLISH_NOTICE, notice, NOTICE, target=results), "NoticePublished"
    ).args
    assert (args["noticeId"], args["resultsId"]) == (notice, results)
    oversight.refuses(desk.office, K.PUBLISH_NOTICE, notice, NOTICE, "SupervisionExists", target=results)
    oversight.refuses(
        desk.office, K.PUBLISH_NOTICE, b"\x63" * 32, NOTICE, "SupervisionUnexpectedField", target=results, code=1
    )
