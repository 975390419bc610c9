"""Catalog routes: lookups from the mirror, and the officers' signed actions."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Path, Query, Response

from api import schemas
from api.deps import RuntimeDep, SessionDep
from api.errors import ApiError, rejection
from api.paging import Limit, Offset
from api.responses import ACCEPTED, accepted_model, accepted_response, json_response
from api.services import actions, intake, queries
from catalog.document import ShareAttribute, UpdateFrequency
from chain.actions import ActionKind, CatalogAction, entry_id_for, typed_data
from mirror.documents import as_object

# Bad parameters are answered with ErrorBody (api/errors.py), not FastAPI's default 422 body.
router = APIRouter(
    prefix="/v1/catalog",
    tags=["catalog"],
    responses={422: {"model": schemas.ErrorBody, "description": "A parameter is invalid; `field` names it"}},
)

EntryId = Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$", examples=["0x" + "ab" * 32])]
ERRORS = {
    400: {"model": schemas.ErrorBody, "description": "Malformed signature or body"},
    403: {"model": schemas.ErrorBody, "description": "Signer may not take this action"},
    404: {"model": schemas.ErrorBody, "description": "Unknown entry"},
    409: {"model": schemas.ErrorBody, "description": "Refused in the entry's current state, or a replay"},
    413: {"model": schemas.ErrorBody, "description": "Document too large"},
    422: {"model": schemas.ErrorBody, "description": "A field is missing or invalid; `field` names it"},
}
ACTION = {**ACCEPTED, **ERRORS}


if tuple(c.key for c in queries.SUMMARY_COLUMNS) != tuple(schemas.EntrySummary.model_fields):
    raise RuntimeError("api.services.queries.SUMMARY_COLUMNS must list EntrySummary's fields, in order")


def _summary(e) -> schemas.EntrySummary:
    return schemas.EntrySummary.model_validate(e, from_attributes=True)


def _proof(tx, block, document_hash, signer) -> schemas.Proof | None:
    return (
        None
        if tx is None
        else schemas.Proof(tx_hash=tx, block_number=block, document_hash=document_hash, signer=signer)
    )


def _version(v) -> schemas.VersionPublic:
    return schemas.VersionPublic(
        version=v.version,
        kind=v.kind,
        status=v.status,
        document=as_object(v.document),
        submitted_at=v.submitted_at,
        due_at=v.due_at,
        declared_at=v.declared_at,
        compile_due_at=v.compile_due_at,
        sharing=v.sharing,
        document_problem=v.document_problem,
        submission=_proof(v.submitted_tx, v.submitted_block, v.document_hash, v.signer),
        reviewed_at=v.reviewed_at,
        review_reason_code=v.review_reason_code,
        review_document=as_object(v.review_document) if v.review_document else None,
        review=_proof(v.reviewed_tx, v.reviewed_block, v.review_document_hash, v.reviewer),
    )


def _public(session, entry) -> schemas.EntryPublic:
    return schemas.EntryPublic(**_summary(entry).model_dump(), document=queries.current_document(session, entry))


@router.get("/entries", response_model=schemas.EntryPage, responses={422: ERRORS[422]})
def list_entries(
    session: SessionDep,
    q: Annotated[
        str | None, Query(max_length=100, description="Text in name or description (Chinese works)", examples=["低保"])
    ] = None,
    unit_id: Annotated[str | None, Query(pattern=r"^0x[0-9a-fA-F]{64}$", description="Responsible unit")] = None,
    sharing: ShareAttribute | None = None,
    category: Annotated[str | None, Query(max_length=200)] = None,
    grade: Annotated[str | None, Query(pattern="^L[1-4]$")] = None,
    update_frequency: UpdateFrequency | None = None,
    status: Annotated[
        str | None, Query(pattern="^(under_review|returned|active|change_pending|delete_pending|deleted)$")
    ] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """Search and filter catalog entries, newest first."""
    filters = dict(
        unit_id=unit_id,
        sharing=sharing.value if sharing else None,
        category=category,
        grade=grade,
        update_frequency=update_frequency.value if update_frequency else None,
        status=status,
    )
    rows, more = queries.search_entries(session, q=q, **filters, limit=limit, offset=offset)
    if q is not None and q.strip():
        total = None  # a search stops after its page: counting every match of a common word costs more
    elif not more and (rows or offset == 0):
        total = offset + len(rows)
    else:
        total = queries.count_entries(session, **filters)
    # The rows are EntrySummary already (same columns, checked at import): serialised as they are.
    page = {"items": [dict(r) for r in rows], "limit": limit, "offset": offset, "has_more": more, "total": total}
    return Response(orjson.dumps(page), media_type="application/json")


@router.get("/entries/{entry_id}", response_model=schemas.EntryPublic, responses={404: ERRORS[404]})
def get_entry(session: SessionDep, entry_id: EntryId) -> Response:
    """One entry with its current document."""
    return json_response(_public(session, queries.entry_or_404(session, entry_id)))


@router.get("/entries/{entry_id}/versions", response_model=list[schemas.VersionPublic], responses={404: ERRORS[404]})
def get_versions(session: SessionDep, entry_id: EntryId) -> list[schemas.VersionPublic]:
    """Every version of an entry with its on-chain proof: transaction, block, document hash, signer, reviewer."""
    return [_version(v) for v in queries.versions(session, entry_id)]


@router.get("/entries/{entry_id}/review-data", response_model=schemas.ReviewData, responses={404: ERRORS[404]})
def get_review_data(session: SessionDep, entry_id: EntryId) -> schemas.ReviewData:
    """For the Data Center's review (Art. 13): the pending version and the unit's entries with the same name."""
    entry = queries.entry_or_404(session, entry_id)
    pending = next((v for v in queries.versions(session, entry_id) if v.version == entry.pending_version), None)
    return schemas.ReviewData(
        entry=_public(session, entry),
        pending_version=_version(pending) if pending else None,
        duplicates=[_summary(d) for d in queries.possible_duplicates(session, entry)],
    )


@router.get("/entry-id", response_model=schemas.Hex32)
def compute_entry_id(
    unit_id: Annotated[str, Query(pattern=r"^0x[0-9a-fA-F]{64}$")],
    code: Annotated[str, Query(min_length=1, max_length=64)],
) -> str:
    """The entry id a new entry of `unit_id` with catalog code `code` must use."""
    return "0x" + entry_id_for(bytes.fromhex(unit_id[2:]), code).hex()


@router.post("/typed-data", responses={422: ERRORS[422]})
def get_typed_data(runtime: RuntimeDep, body: schemas.TypedDataRequest) -> dict:
    """The EIP-712 message to sign for an action (the document in canonical JSON, as hex)."""
    kind = ActionKind[body.kind.upper()]
    parsed = actions.validate_document(kind, body.document)
    if kind != ActionKind.REVIEW and body.version != 0:
        raise ApiError(422, "unexpected_version", "version: only a review names a version", "version")
    action = CatalogAction(
        kind,
        bytes.fromhex(body.entry_id[2:]),
        body.version,
        actions.contract_reason_code(parsed),
        actions.document_bytes(body.document),
        int(body.nonce),
        declared_at=actions.declared_at(kind, parsed),
        sharing=actions.signed_sharing(kind, parsed),
        responsibility=actions.signed_responsibility(kind, parsed),
    )
    message = typed_data(action, chain_id=runtime.chain_id, catalog_address=runtime.deployment.catalog)
    # JSON-safe: a 128-bit nonce is a decimal string (JavaScript numbers stop at 2^53).
    message["message"] = {
        **message["message"],
        "entryId": body.entry_id,
        "document": "0x" + action.document.hex(),
        "nonce": body.nonce,
        "responsibility": "0x" + action.responsibility.hex(),
    }
    return message


def _accept(runtime, kind: ActionKind, entry_id: str, body: schemas.SignedBody, version: int = 0) -> Response:
    result = actions.accept(
        runtime,
        kind=kind,
        entry_id=bytes.fromhex(entry_id[2:]),
        version=version,
        document=body.document,
        nonce=int(body.nonce),
        signature=body.signature,
    )
    return accepted_response(result)


@router.post("/entries", status_code=202, response_model=schemas.Accepted, responses=ACTION)
def submit_entry(runtime: RuntimeDep, body: schemas.SubmitBody) -> Response:
    """Submit a new catalog entry (Art. 11), signed by an officer of the responsible unit."""
    return _accept(runtime, ActionKind.SUBMIT, body.entry_id, body)


@router.post("/entries/{entry_id}/resubmissions", status_code=202, response_model=schemas.Accepted, responses=ACTION)
def resubmit_entry(runtime: RuntimeDep, entry_id: EntryId, body: schemas.VersionBody) -> Response:
    """Resubmit a returned entry (Art. 13)."""
    return _accept(runtime, ActionKind.RESUBMIT, entry_id, body)


@router.post("/entries/{entry_id}/change-requests", status_code=202, response_model=schemas.Accepted, responses=ACTION)
def request_change(runtime: RuntimeDep, entry_id: EntryId, body: schemas.VersionBody) -> Response:
    """Ask to change an approved entry; it changes only when the Data Center approves (Art. 14)."""
    return _accept(runtime, ActionKind.REQUEST_CHANGE, entry_id, body)


@router.post("/entries/{entry_id}/delete-requests", status_code=202, response_model=schemas.Accepted, responses=ACTION)
def request_delete(runtime: RuntimeDep, entry_id: EntryId, body: schemas.DeletionBody) -> Response:
    """Ask to delete an approved entry (Art. 14); document schema `putuo.catalog-deletion/1`."""
    return _accept(runtime, ActionKind.REQUEST_DELETE, entry_id, body)


@router.post(
    "/entries/{entry_id}/versions/{version}/review", status_code=202, response_model=schemas.Accepted, responses=ACTION
)
def review_version(
    runtime: RuntimeDep, entry_id: EntryId, version: Annotated[int, Path(ge=1, le=2**32 - 1)], body: schemas.ReviewBody
) -> Response:
    """The Data Center approves or returns a pending version (Art. 13, 14); schema `putuo.catalog-review/1`."""
    return _accept(runtime, ActionKind.REVIEW, entry_id, body, version)


@router.post(
    "/actions",
    status_code=202,
    response_model=schemas.AcceptedBatch,
    responses={**ERRORS, 202: {"description": "All accepted; poll each action by its id"}},
)
def submit_actions(runtime: RuntimeDep, body: schemas.ActionBatch) -> schemas.AcceptedBatch:
    """Accept up to 500 signed actions together or not at all (for example a unit's whole catalog).

    They are checked and simulated in order, so a batch may hold an entry's submission and, later,
    actions that depend on it; an error names the failing item as `actions[i]`.
    """
    items = [
        {
            "kind": ActionKind[a.kind.upper()],
            "entry_id": bytes.fromhex(a.entry_id[2:]),
            "version": a.version,
            "document": a.document,
            "nonce": int(a.nonce),
            "signature": a.signature,
        }
        for a in body.actions
    ]
    return schemas.AcceptedBatch(accepted=[accepted_model(r) for r in actions.accept_many(runtime, items)])


@router.post("/entries/{entry_id}/collection", status_code=202, response_model=schemas.Accepted, responses=ACTION)
def record_collection(runtime: RuntimeDep, entry_id: EntryId, body: schemas.CollectionBody) -> Response:
    """The Data Center records that an approved entry's data is collected to the platform (Art. 15);
    document schema `putuo.catalog-collection/1`. Due 10 working days after the first approval."""
    return _accept(runtime, ActionKind.RECORD_COLLECTION, entry_id, body)


@router.get("/actions/{action_id}", response_model=schemas.ActionStatus, responses={404: ERRORS[404]})
def get_action(
    session: SessionDep, action_id: Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$")]
) -> schemas.ActionStatus:
    """Where an accepted action is: accepted, sent, confirmed (mirrored) or rejected, with the contract's error
    as the {code, message, field} a 4xx answer to the same action carries. Sharing actions too."""
    row = queries.action_status(session, action_id)
    return schemas.ActionStatus(
        action_id=row.digest,
        subject_type=intake.subject_type(row.contract, row.kind),
        subject_id=row.entry_id,
        entry_id=row.entry_id,
        signer=row.signer,
        status=row.status,
        tx_hash=row.tx_hash,
        error=rejection(row.reason, row.error),
    )
