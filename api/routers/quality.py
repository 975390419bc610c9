"""DataQuality routes (Art. 15–16): update frequencies and the updates received per period,
reconciliations, data objections and their handling; every write an officer's signed action
checked by the `DataQuality` contract. Reads need an officer's token or the platform credential:
a unit reads what concerns its own unit, the overseers every unit's."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import PrincipalDep
from api.auth.access import oversees_all, require_unit
from api.deps import RuntimeDep, SessionDep
from api.responses import (
    ACCEPTED,
    INVALID_FIELD,
    NODE_DOWN,
    SIGNED_ACTION_ERRORS,
    UNIT_READ_ERRORS,
    accepted_response,
)
from api.services import duties
from api.services import quality as service
from api.services.intake import document_bytes, validate_model
from catalog.quality_documents import MODELS, SCHEMA_BY_KIND, fields, grant_of
from chain.quality import ActionKind, QualityAction, typed_data
from protocol.schemas import openapi_document

router = APIRouter(
    tags=["quality"],
    responses={**INVALID_FIELD, **NODE_DOWN},
)
KindName = Literal[tuple(k.name.lower() for k in ActionKind)]  # type: ignore[valid-type]
UnitFilter = Annotated[str | None, Query(pattern=r"^0x[0-9a-fA-F]{64}$")]


class QualityActionBody(BaseModel):
    """One signed DataQuality action (docs/PROTOCOL.md, `QualityAction`): the document, from which
    the API derives `subject`, `target`, `grant`, `code` and `value`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "raise_objection",
                    "document": {
                        "schema": "putuo.objection/1",
                        "entry_id": "0x" + "ab" * 32,
                        "source": "using_unit",
                        "description": "3 条记录的住址与门牌核查结果不符",
                        "grant_id": "0x" + "cd" * 32,
                    },
                    "nonce": "1",
                    "signature": "0x" + "11" * 65,
                }
            ]
        },
    )
    kind: KindName
    document: openapi_document(*MODELS, description="The document of the action `kind` names (docs/schemas/)")
    nonce: Annotated[str, Field(pattern=r"^[0-9]{1,78}$")]
    signature: Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]+$")] = "0x"


@router.post("/v1/quality/typed-data")
def quality_typed_data(runtime: RuntimeDep, body: QualityActionBody) -> dict:
    """The EIP-712 message an officer signs for a DataQuality action."""
    kind = ActionKind[body.kind.upper()]
    parsed = validate_model(SCHEMA_BY_KIND[kind], body.document)
    raw = document_bytes(body.document)
    subject, target, code, value = fields(kind, parsed, document=raw)
    action = QualityAction(kind, subject, raw, int(body.nonce), target, code, value, grant=grant_of(parsed))
    message = typed_data(action, chain_id=runtime.chain_id, address=runtime.deployment.data_quality)
    message["message"] = {
        **message["message"],
        "subject": "0x" + subject.hex(),
        "target": "0x" + target.hex(),
        "grant": "0x" + action.grant.hex(),
        "document": "0x" + raw.hex(),
        "nonce": body.nonce,
    }
    return message


@router.post("/v1/quality/actions", status_code=202, responses={**ACCEPTED, **SIGNED_ACTION_ERRORS})
def submit_quality_action(runtime: RuntimeDep, body: QualityActionBody) -> Response:
    """Relay one signed action: declare an entry's update frequency (its unit), record an update
    received or a reconciliation (the Data Center), raise a data objection (the Data Center or a
    using unit), handle one (the entry's unit), Art. 15–16."""
    accepted = service.accept(
        runtime,
        kind=ActionKind[body.kind.upper()],
        document=body.document,
        nonce=int(body.nonce),
        signature=body.signature,
    )
    return accepted_response(accepted)


def _scope(caller, unit_id: str | None) -> str | None:
    if oversees_all(caller):
        return unit_id
    if unit_id is not None:
        require_unit(caller, unit_id)
    return caller.unit_id


@router.get("/v1/quality/updates", responses=UNIT_READ_ERRORS)
def list_update_schedules(
    runtime: RuntimeDep, session: SessionDep, caller: PrincipalDep, unit_id: UnitFilter = None
) -> list[dict]:
    """Each entry's declared update frequency and its periods up to now (the chain's latest block
    time): the updates the Data Center recorded in each, and the periods missed (Art. 16)."""
    _, now = duties.chain_now(runtime.rpc)
    return service.schedules(session, now=now, unit_id=_scope(caller, unit_id))


@router.get("/v1/quality/reconciliations", responses=UNIT_READ_ERRORS)
def list_reconciliations(session: SessionDep, caller: PrincipalDep, unit_id: UnitFilter = None) -> list[dict]:
    """The Data Center's reconciliations (对账) with units (Art. 16 ¶3)."""
    return service.reconciliations(session, unit_id=_scope(caller, unit_id))


@router.get("/v1/quality/objections", responses=UNIT_READ_ERRORS)
def list_objections(
    runtime: RuntimeDep, session: SessionDep, caller: PrincipalDep, unit_id: UnitFilter = None
) -> list[dict]:
    """Data objections (异议) to a unit's data, each with its handling due time, state and handling."""
    _, now = duties.chain_now(runtime.rpc)
    return service.objections(session, now=now, unit_id=_scope(caller, unit_id))
