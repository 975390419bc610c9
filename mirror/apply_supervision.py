"""Mirror handlers of the Supervision contract's events (Art. 29, 31): each event is one
`SupervisionStep` row."""

from __future__ import annotations

import re
from typing import Callable

from sqlalchemy import insert

from chain.events import EventRecord
from mirror.documents import checked_document, hex0x
from mirror.supervision_models import SupervisionStep

# The id each event is about: what a rollback deletes and replays (mirror.apply.subject_of).
SUBJECT_KEYS = {
    "IncidentReported": "incidentId",
    "Acknowledged": "id",
    "IncidentHandlingRecorded": "incidentId",
    "IncidentClosed": "incidentId",
    "EvaluationRecorded": "evaluationId",
    "MeasureReported": "reportId",
    "ResultsPublished": "resultsId",
    "NoticePublished": "noticeId",
}
# Each event's officer argument (outbox confirmation, mirror.outbox_lifecycle.CONFIRMING_EVENTS).
SIGNERS = dict.fromkeys(SUBJECT_KEYS, "signer")
_CODES = ("severity", "evaluation", "measure")
_VALUES = ("occurredAt", "score", "acknowledgements", "handlings", "takenAt", "periodEnd")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _step(ctx, ev: EventRecord) -> None:
    a = ev.args
    subject = hex0x(a[SUBJECT_KEYS[ev.name]])
    target = a.get("target", a.get("grantId", a.get("resultsId") if ev.name == "NoticePublished" else None))
    ctx.conn.execute(
        insert(SupervisionStep).values(
            seq=ev.position,
            step=_snake(ev.name),
            subject=subject,
            unit_id=hex0x(a["unitId"]) if "unitId" in a else None,
            target=hex0x(target) if target is not None else None,
            code=int(next((a[k] for k in _CODES if k in a), 0)),
            value=int(next((a[k] for k in _VALUES if k in a), 0)),
            grant=int(bool(a.get("grant", False))),
            signer=a["signer"],
            at=ctx.block_times[ev.block_number],
            block_number=ev.block_number,
            tx_hash=ev.tx_hash,
            document_hash=hex0x(a["documentHash"]),
            document=checked_document(ev, f"{ev.name} {subject}"),
        )
    )


SUPERVISION_HANDLERS: dict[str, Callable] = dict.fromkeys(SUBJECT_KEYS, _step)
