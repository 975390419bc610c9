"""The duties of Art. 16 on the DataQuality contract's records: each ended update period of a
declared entry without an update the Data Center recorded (the unit's missed update), and each
data objection the responsible unit must handle by the due time fixed when it was raised."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.services.duties._model import Duty


def quality_duties(session: Session, only: str | None, now: int | None) -> list[Duty]:
    from api.services import quality  # the service imports the runtime; duties stay importable without it

    out: list[Duty] = []
    if now is not None:
        for p in quality.update_periods(session, now=now, unit_id=only):
            first = p["updates"][0] if p["updates"] else None
            out.append(
                Duty(
                    subject_type="entry",
                    subject_id=p["entry_id"],
                    unit_id=p["unit_id"],
                    rule="art16_update",
                    started_at=p["begins_at"],
                    start_tx=p["declared"].tx_hash,
                    due_at=p["ends_at"],
                    done_at=first.at if first else None,
                    done_tx=first.tx_hash if first else None,
                    entry_id=p["entry_id"],
                    item=p["period"],
                )
            )
    handled = {h.subject: h for h in quality.steps(session, "objection_handled", unit_id=only)}
    for r in quality.steps(session, "objection_raised", unit_id=only):
        h = handled.get(r.subject)
        out.append(
            Duty(
                subject_type="objection",
                subject_id=r.subject,
                unit_id=r.unit_id,
                rule="art16_objection",
                started_at=r.at,
                start_tx=r.tx_hash,
                due_at=r.due_at,
                done_at=h.at if h else None,
                done_tx=h.tx_hash if h else None,
                entry_id=r.entry_id,
            )
        )
    return out
