"""Mirror handlers of the DataQuality contract's events (Art. 15–16): each event is one
`QualityStep` row."""

from __future__ import annotations

import re
from typing import Callable

from sqlalchemy import insert

from chain.events import EventRecord
from mirror.documents import checked_document, hex0x
from mirror.quality_models import QualityStep

# The id each event is about: what a rollback deletes and replays (mirror.apply.subject_of).
SUBJECT_KEYS = {
    "UpdateFrequencyDeclared": "entryId",
    "UpdateRecorded": "updateId",
    "ReconciliationRecorded": "reconciliationId",
    "ObjectionRaised": "objectionId",
    "ObjectionHandled": "objectionId",
}
# Each event's officer argument (outbox confirmation, mirror.outbox_lifecycle.CONFIRMING_EVENTS).
SIGNERS = dict.fromkeys(SUBJECT_KEYS, "signer")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _step(ctx, ev: EventRecord) -> None:
    a = ev.args
    subject = hex0x(a[SUBJECT_KEYS[ev.name]])
    ctx.conn.execute(
        insert(QualityStep).values(
            seq=ev.position,
            step=_snake(ev.name),
            subject=subject,
            entry_id=hex0x(a["entryId"]) if "entryId" in a else None,
            unit_id=hex0x(a["unitId"]),
            raiser_unit=hex0x(a["raiserUnit"]) if "raiserUnit" in a else None,
            grant_id=hex0x(a["grantId"]) if int.from_bytes(a.get("grantId", bytes(32)), "big") else None,
            code=int(a.get("frequency", a.get("result", a.get("source", a.get("outcome", 0))))),
            value=int(a.get("periodSeconds", a.get("period", 0))),
            starts_at=int(a.get("startsAt", 0)),
            due_at=int(a.get("dueAt", 0)),
            signer=a["signer"],
            at=ctx.block_times[ev.block_number],
            block_number=ev.block_number,
            tx_hash=ev.tx_hash,
            document_hash=hex0x(a["documentHash"]),
            document=checked_document(ev, f"{ev.name} {subject}"),
        )
    )


QUALITY_HANDLERS: dict[str, Callable] = dict.fromkeys(SUBJECT_KEYS, _step)
