"""The Office's cases (Art. 23, 24), read from the mirror in one query a kind.

A dispute is open from its `open_dispute` step until a later `resolve_dispute` on the same item;
an escalation from its `escalate` step until a later `record_escalation_outcome` on the demand
(the contract allows one of each open at a time: SharingCases.caseStep). A demand may go to the
city once every item of it was refused (status `rejected`) and it never went. The console's
Office desk read every demand's history for this, one request a demand (and only the first 100
demands of each unit).
"""

from __future__ import annotations

from sqlalchemy import and_, exists, null, or_, select
from sqlalchemy.orm import Session, aliased

from api import paging
from api import sharing_schemas as s
from api.services.sharing_queries import step_proof
from mirror.documents import as_object
from mirror.sharing_models import SharingDemand, SharingItem, SharingStepRecord


def cases(session: Session, kind: str, *, party: str | None, limit: int, offset: int) -> s.CasePage:
    """A page of the open cases of `kind`, oldest first; with `party` (a unit id), only those of
    demands it is a party to (the demand unit, or an owner of the data asked for)."""
    query = {"dispute": _disputes, "sendable": _sendable, "escalation": _escalations}[kind]()
    if party is not None:
        item = aliased(SharingItem)  # not the dispute's own item, which the query joins
        owner = exists().where(item.demand_id == SharingDemand.demand_id, item.owner_unit_id == party)
        query = query.where(or_(SharingDemand.unit_id == party, owner))
    rows, total, more = paging.query_page(session, query, limit=limit, offset=offset)
    return s.CasePage(items=[_case(kind, *row) for row in rows], limit=limit, offset=offset, has_more=more, total=total)


def _open_steps(opened: str, closed: str, *, per_item: bool):
    """Steps of kind `opened` with no later step of kind `closed` on their subject (and item)."""
    step, later = aliased(SharingStepRecord), aliased(SharingStepRecord)
    closing = [later.subject == step.subject, later.kind == closed, later.position > step.position]
    if per_item:
        closing.append(later.item == step.item)
    return step, and_(step.kind == opened, ~exists().where(*closing))


def _disputes():
    step, still_open = _open_steps("open_dispute", "resolve_dispute", per_item=True)
    return (
        select(step, SharingDemand.unit_id, SharingDemand.document, SharingItem.owner_unit_id)
        .join(SharingDemand, SharingDemand.demand_id == step.subject)
        .outerjoin(SharingItem, and_(SharingItem.demand_id == step.subject, SharingItem.item == step.item))
        .where(still_open)
        .order_by(step.position)
    )


def _escalations():
    step, still_open = _open_steps("escalate", "record_escalation_outcome", per_item=False)
    return (
        select(step, SharingDemand.unit_id, SharingDemand.document, null())
        .join(SharingDemand, SharingDemand.demand_id == step.subject)
        .where(still_open)
        .order_by(step.position)
    )


def _sendable():
    went = exists().where(SharingStepRecord.subject == SharingDemand.demand_id, SharingStepRecord.kind == "escalate")
    return (
        select(SharingDemand.demand_id, SharingDemand.unit_id, SharingDemand.document, null())
        .where(SharingDemand.status == "rejected", ~went)
        .order_by(SharingDemand.closed_at, SharingDemand.demand_id)
    )


def _case(kind: str, first, unit_id: str, document: str, owner: str | None) -> s.Case:
    step = None if kind == "sendable" else first
    number = as_object(document).get("application_no")
    return s.Case(
        kind=kind,
        demand_id=first if step is None else step.subject,
        unit_id=unit_id,
        application_no=number if isinstance(number, str) else None,
        item=step.item if kind == "dispute" else None,
        owner_unit_id=owner,
        step=None if step is None else step_proof(step),
    )
