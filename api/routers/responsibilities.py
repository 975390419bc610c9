"""Responsibilities routes (Art. 5, 11, 12): units' responsibilities and the Office's approvals,
designations of the responsible unit, refusals to collect and their reports, the Office's
settings; every write an officer's signed action checked by the `Responsibilities` contract.

Who reads what, by the measures: the responsibilities lists (职责清单, Art. 11: the basis a
catalog entry names), the Office's designations of an entry's responsible unit (Art. 5: who owns
an entry, as the open catalog shows) and its settings (the deadlines it publishes) are published
within the district, readable without a token. A refusal to collect (拒绝归集, Art. 11) names a
unit's failing for the Office to report upward: it is read by that unit and the overseers only."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from api.auth import PrincipalDep
from api.auth.access import oversees_all, require_unit
from api.deps import RuntimeDep, SessionDep
from api.errors import ApiError, from_revert
from api.responses import (
    ACCEPTED,
    INVALID_FIELD,
    NODE_DOWN,
    SIGNED_ACTION_ERRORS,
    UNIT_READ_ERRORS,
    accepted_response,
    error,
)
from api.services import responsibilities as service
from api.services import supplementary_export as export
from api.services.intake import document_bytes, validate_model
from catalog.responsibility_documents import MODELS, SCHEMA_BY_KIND, fields
from chain.errors import ActionRevertedError
from chain.responsibilities import ActionKind, ResponsibilityAction, typed_data
from protocol.schemas import openapi_document

router = APIRouter(
    tags=["responsibilities"],
    responses={**INVALID_FIELD, **NODE_DOWN},
)
KindName = Literal[tuple(k.name.lower() for k in ActionKind)]  # type: ignore[valid-type]
HexId = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{64}$", examples=["0x" + "ab" * 32])]
UnitFilter = Annotated[str | None, Query(pattern=r"^0x[0-9a-fA-F]{64}$")]


class ResponsibilityActionBody(BaseModel):
    """One signed Responsibilities action (docs/PROTOCOL.md, `ResponsibilityAction`): `subject`,
    and the document from which the API derives `target`, `code` and `value`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "record_responsibility",
                    "subject": "0x" + "ab" * 32,
                    "document": {
                        "schema": "putuo.responsibility/1",
                        "code": "MZJ-ZZ-01",
                        "name": "最低生活保障审核",
                        "basis": "《社会救助暂行办法》",
                    },
                    "nonce": "1",
                    "signature": "0x" + "11" * 65,
                }
            ]
        },
    )
    kind: KindName
    subject: HexId
    document: openapi_document(*MODELS, description="The document of the action `kind` names (docs/schemas/)")
    nonce: Annotated[str, Field(pattern=r"^[0-9]{1,78}$")]
    signature: Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]+$")] = "0x"


@router.post("/v1/responsibilities/typed-data")
def responsibility_typed_data(runtime: RuntimeDep, body: ResponsibilityActionBody) -> dict:
    """The EIP-712 message an officer signs for a Responsibilities action."""
    kind = ActionKind[body.kind.upper()]
    parsed = validate_model(SCHEMA_BY_KIND[kind], body.document)
    subject, target, code, value = fields(kind, parsed, subject=bytes.fromhex(body.subject[2:]))
    action = ResponsibilityAction(kind, subject, document_bytes(body.document), int(body.nonce), target, code, value)
    message = typed_data(action, chain_id=runtime.chain_id, address=runtime.deployment.responsibilities)
    message["message"] = {
        **message["message"],
        "subject": "0x" + subject.hex(),
        "target": "0x" + target.hex(),
        "document": "0x" + action.document.hex(),
        "nonce": body.nonce,
    }
    return message


@router.post("/v1/responsibilities/actions", status_code=202, responses={**ACCEPTED, **SIGNED_ACTION_ERRORS})
def submit_responsibility_action(runtime: RuntimeDep, body: ResponsibilityActionBody) -> Response:
    """Relay one signed action: record or review a responsibility (Art. 11), designate an entry's
    responsible unit (Art. 5), record a refusal to collect or report it (Art. 11), publish a
    setting, record a supplementary catalog export (Art. 12)."""
    accepted = service.accept(
        runtime,
        kind=ActionKind[body.kind.upper()],
        subject=body.subject,
        document=body.document,
        nonce=int(body.nonce),
        signature=body.signature,
    )
    return accepted_response(accepted)


@router.get("/v1/responsibilities")
def list_responsibilities(session: SessionDep, unit_id: UnitFilter = None) -> list[dict]:
    """Each unit's responsibilities (职责清单) with their status and every step's proof."""
    return service.responsibilities(session, unit_id=unit_id)


@router.get("/v1/refusals", responses=UNIT_READ_ERRORS)
def list_refusals(session: SessionDep, caller: PrincipalDep, unit_id: UnitFilter = None) -> list[dict]:
    """Refusals to collect data (Art. 11), with the Office's report due time and its report: a
    unit reads its own; the Office, the Data Center and the regulators every unit's."""
    if not oversees_all(caller):
        if unit_id is not None:
            require_unit(caller, unit_id)
        unit_id = caller.unit_id
    return service.refusals(session, unit_id=unit_id)


@router.get("/v1/designations")
def list_designations(session: SessionDep, entry_id: UnitFilter = None) -> list[dict]:
    """The Office's designations of an entry's responsible unit (Art. 5)."""
    return service.designations(session, entry_id=entry_id)


@router.get("/v1/settings")
def list_settings(session: SessionDep) -> list[dict]:
    """The Office's settings in force (deadlines the measures leave to it), each with its notice."""
    return service.settings(session)


@router.post(
    "/v1/demands/{demand_id}/items/{item}/follow-designation",
    responses={
        **SIGNED_ACTION_ERRORS,
        404: error("`unknown_demand`, `unknown_item`: the chain has no such demand, or no such item in it"),
    },
)
def follow_designation(
    runtime: RuntimeDep,
    demand_id: Annotated[str, PathParam(pattern=r"^0x[0-9a-fA-F]{64}$")],
    item: Annotated[int, PathParam(ge=0, le=31)],
) -> dict:
    """Art. 5: move a pending item to the unit the Office designated for its entry, when the
    designation moves the old owner's open duties (409 `no_designation_to_follow` otherwise).
    Anyone may ask; the platform's account sends it."""
    call = runtime.sharing.functions.followDesignation(bytes.fromhex(demand_id[2:]), item)
    try:
        receipt = runtime.sender.send(call)
    except ActionRevertedError as exc:
        raise from_revert(exc) from None
    return {"tx_hash": receipt["transactionHash"].to_0x_hex(), "block_number": receipt["blockNumber"]}


# ---- the supplementary catalog's export for the city platform (Art. 12)


@router.get(
    "/v1/catalog/supplementary/export",
    responses={
        200: {"content": {"application/json": {}, "text/csv": {}}, "description": "The export file"},
        409: error("`block_not_mirrored`: `to_block` is past the last block the mirror holds"),
        422: error("`empty_range`: `from_block` is after `to_block`; or a parameter out of its range"),
    },
)
def supplementary_export(
    runtime: RuntimeDep,
    session: SessionDep,
    from_block: Annotated[int | None, Query(ge=1, description="Default: after the last recorded export")] = None,
    to_block: Annotated[int | None, Query(ge=1, description="Default: the last block the mirror holds")] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Response:
    """The supplementary catalog's steps in a block range, as JSON (`putuo.supplementary-catalog/1`,
    canonical, its keccak256 in `X-Export-Keccak256`) or CSV (UTF-8 with a BOM). By default the
    range starts after the last export recorded on-chain: an incremental export."""
    cursor = runtime.store.cursor()
    head = cursor[0] if cursor else 0
    start = export.next_from_block(session) if from_block is None else from_block
    end = head if to_block is None else to_block
    if end > head:
        raise ApiError(409, "block_not_mirrored", f"to_block: the mirror holds blocks up to {head}", "to_block")
    if start > end:
        raise ApiError(422, "empty_range", f"from_block: {start} is after to_block {end}", "from_block")
    items = export.rows(session, from_block=start, to_block=end)
    body = export.export_json(
        items, chain_id=runtime.chain_id, catalog=runtime.deployment.catalog, from_block=start, to_block=end
    )
    headers = {"X-Export-Keccak256": export.keccak_hex(body), "X-From-Block": str(start), "X-To-Block": str(end)}
    if format == "csv":
        data = export.export_csv(items)
        headers["X-Csv-Keccak256"] = export.keccak_hex(data)
        return Response(data, media_type="text/csv; charset=utf-8", headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get("/v1/catalog/supplementary/exports")
def supplementary_exports(runtime: RuntimeDep, session: SessionDep) -> list[dict]:
    """Every export recorded on-chain, each rebuilt from the mirror and compared with the recorded
    hash (`verified`), as the city would check the file it received."""
    out, start = [], 1
    for step in export.recorded(session):
        items = export.rows(session, from_block=start, to_block=step.value)
        rebuilt = export.export_json(
            items, chain_id=runtime.chain_id, catalog=runtime.deployment.catalog, from_block=start, to_block=step.value
        )
        out.append(
            {
                "export_id": step.subject,
                "sequence": step.code,
                "from_block": start,
                "to_block": step.value,
                "items": len(items),
                "verified": export.keccak_hex(rebuilt) == step.subject,
                "manifest": json.loads(step.document),
                "proof": {
                    "tx_hash": step.tx_hash,
                    "block_number": step.block_number,
                    "document_hash": step.document_hash,
                    "signer": step.signer,
                },
            }
        )
        start = step.value + 1
    return out
