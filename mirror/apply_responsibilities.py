"""Mirror handlers of the Responsibilities contract's events (Art. 5, 11, 12), and of the Catalog's
owner designation: each event is one `ResponsibilityStep` row; a designation also moves the
mirrored entry to its new unit."""

from __future__ import annotations

import re
from typing import Callable

from sqlalchemy import insert

from chain.events import EventRecord
from mirror.documents import checked_document, hex0x
from mirror.responsibility_models import ResponsibilityStep

# The id each event is about: what a rollback deletes and replays (mirror.apply.subject_of).
SUBJECT_KEYS = {
    "ResponsibilityRecorded": "responsibilityId",
    "ResponsibilityReviewed": "responsibilityId",
    "EntryDesignated": "entryId",
    "RefusalRecorded": "refusalId",
    "RefusalReported": "refusalId",
    "SettingPublished": "key",
    "CatalogExportRecorded": "exportId",
}
# Each event's officer argument (outbox confirmation, mirror.outbox_lifecycle.CONFIRMING_EVENTS).
SIGNERS = {name: "reviewer" if name == "ResponsibilityReviewed" else "signer" for name in SUBJECT_KEYS}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _step(ctx, ev: EventRecord) -> None:
    a = ev.args
    unit = a.get("unitId", a.get("toUnit"))
    document = checked_document(ev, f"{ev.name} {hex0x(a[SUBJECT_KEYS[ev.name]])}") if a["document"] else ""
    ctx.conn.execute(
        insert(ResponsibilityStep).values(
            seq=ev.position,
            step=_snake(ev.name),
            subject=hex0x(a[SUBJECT_KEYS[ev.name]]),
            unit_id=hex0x(unit) if unit is not None else None,
            from_unit=hex0x(a["fromUnit"]) if "fromUnit" in a else None,
            code=int(a.get("reasonCode", a.get("disposition", a.get("ground", a.get("sequence", 0))))),
            value=int(a.get("version", a.get("value", a.get("toBlock", 0)))),
            due_at=int(a.get("reportDueAt", 0)),
            signer=a[SIGNERS[ev.name]],
            at=ctx.block_times[ev.block_number],
            block_number=ev.block_number,
            tx_hash=ev.tx_hash,
            document_hash=hex0x(a["documentHash"]),
            document=document,
        )
    )


def _owner_designated(ctx, ev: EventRecord) -> None:
    """Art. 5: the entry is the designated unit's from now on (its duties and views follow)."""
    ctx.entries.touch(hex0x(ev.args["entryId"]))["unit_id"] = hex0x(ev.args["toUnit"])


RESPONSIBILITY_HANDLERS: dict[str, Callable] = {
    **dict.fromkeys(SUBJECT_KEYS, _step),
    "CatalogOwnerDesignated": _owner_designated,
}
