"""Supervision routes (Art. 29, 31): security incidents reported, acknowledged by the Office and
the regulators, handled and closed; the Data Center's evaluations of units and grants; its reports
(报送) of suspensions and terminations. Every write an officer's signed action checked by the
`Supervision` contract; reads need an officer's token or the platform credential."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from api import schemas
from api.auth import PrincipalDep
from api.auth.access import oversees_all, require_unit
from api.auth.service import Platform
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
from api.services import supervision as service
from api.services.intake import document_bytes, validate_model
from chain.supervision import ActionKind, SupervisionAction, typed_data
from protocol.schemas import openapi_document
from sharing.supervision_documents import MODELS, SCHEMA_BY_KIND, fields

router = APIRouter(
    tags=["supervision"],
    responses={**INVALID_FIELD, **NODE_DOWN},
)
KindName = Literal[tuple(k.name.lower() for k in ActionKind)]  # type: ignore[valid-type]
IdFilter = Annotated[str | None, Query(pattern=r"^0x[0-9a-fA-F]{64}$")]


class SupervisionActionBody(BaseModel):
    """One signed Supervision action (docs/PROTOCOL.md, `SupervisionAction`): the document, from
    which the API derives `subject`, `target`, `code` and `value`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "report_incident",
                    "document": {
                        "schema": "putuo.incident/1",
                        "occurred_at": 1767225600,
                        "severity": "general",
                        "summary": "共享接口账号口令泄露，发现异常批量调用",
                        "grants": ["0x" + "ab" * 32],
                        "measures": "已停用该账号并更换口令",
                        "reported_to": ["district_office", "cyberspace"],
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


@router.post("/v1/supervision/typed-data")
def supervision_typed_data(runtime: RuntimeDep, body: SupervisionActionBody) -> dict:
    """The EIP-712 message an officer signs for a Supervision action."""
    kind = ActionKind[body.kind.upper()]
    parsed = validate_model(SCHEMA_BY_KIND[kind], body.document)
    raw = document_bytes(body.document)
    subject, target, code, value = fields(kind, parsed, document=raw)
    action = SupervisionAction(kind, subject, raw, int(body.nonce), target, code, value)
    message = typed_data(action, chain_id=runtime.chain_id, address=runtime.deployment.supervision)
    message["message"] = {
        **message["message"],
        "subject": "0x" + subject.hex(),
        "target": "0x" + target.hex(),
        "document": "0x" + raw.hex(),
        "nonce": body.nonce,
    }
    return message


@router.post("/v1/supervision/actions", status_code=202, responses={**ACCEPTED, **SIGNED_ACTION_ERRORS})
def submit_supervision_action(runtime: RuntimeDep, body: SupervisionActionBody) -> Response:
    """Relay one signed action: report a security incident (a unit or the Data Center, Art. 29),
    acknowledge an incident or a measure report (the Office, a regulator), record its handling or
    close it (the reporting unit), record an evaluation or report a suspension or termination
    (the Data Center, Art. 31)."""
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


@router.get("/v1/supervision/incidents", responses=UNIT_READ_ERRORS)
def list_incidents(
    session: SessionDep,
    caller: PrincipalDep,
    unit_id: IdFilter = None,
    unacknowledged: Annotated[bool, Query(description="Only those the caller's unit has not acknowledged")] = False,
) -> list[dict]:
    """Security incidents (Art. 29) with their acknowledgements, handling and closure: a unit's
    own; the Office and the regulators see every unit's, `unacknowledged=true` their inbox."""
    mine = None if isinstance(caller, Platform) else caller.unit_id
    return service.incidents(
        session, unit_id=_scope(caller, unit_id), unacknowledged_by=mine if unacknowledged else None
    )


@router.get("/v1/supervision/evaluations", responses=UNIT_READ_ERRORS)
def list_evaluations(session: SessionDep, caller: PrincipalDep, target: IdFilter = None) -> list[dict]:
    """The Data Center's quality, effectiveness and security evaluations (Art. 31): the overseers
    see all; a unit those of itself (`target` its unit) and of its grants."""
    rows = service.evaluations(session, target=target)
    if oversees_all(caller):
        return rows
    from api.auth.access import demand_parties

    return [
        r
        for r in rows
        if r["target"] == caller.unit_id
        or (r["scope"] == "grant" and caller.unit_id in demand_parties(session, r["target"]))
    ]


@router.get("/v1/evaluation/results", responses=UNIT_READ_ERRORS)
def list_published_results(session: SessionDep, caller: PrincipalDep) -> list[dict]:
    """The Office's published Art. 32 results, signed on-chain: each period's ranks and scores."""
    return service.published_results(session)


@router.get("/v1/evaluation/notices", responses=UNIT_READ_ERRORS)
def list_notices(runtime: RuntimeDep, session: SessionDep, caller: PrincipalDep) -> list[dict]:
    """The Office's notices (通报, Art. 32) of units that did not carry out their duties, each line's
    evidence resolved to the duty the chain recorded, with the results they rest on. For officers
    (the notice is published within a scope, not to anyone) and the platform."""
    return service.notices(session, now=duties.chain_now(runtime.rpc)[1])


@router.get(
    "/v1/evaluation/results/{results_id}/notice-draft",
    responses={
        **UNIT_READ_ERRORS,
        404: {"model": schemas.ErrorBody, "description": "Unknown results, or no unit to notify"},
    },
)
def draft_notice(
    runtime: RuntimeDep,
    session: SessionDep,
    caller: PrincipalDep,
    results_id: Annotated[str, PathParam(pattern=r"^0x[0-9a-fA-F]{64}$")],
    scope: Annotated[str, Query(min_length=1, max_length=200)] = "全区各街镇、各部门、各单位",
) -> dict:
    """A draft of the notice (通报) on published results: each unit's unmet cataloguing, collection
    and update, or demand review duties due in the period, with the duties as evidence. The Office
    reviews it and signs it (`publish_notice`)."""
    import json

    from api.errors import ApiError
    from api.services.evaluation_publication import notice_draft

    row = service.results_row(session, results_id)
    if row is None:
        raise ApiError(404, "unknown_results", f"results_id: no published results {results_id}", "results_id")
    draft = notice_draft(
        session, json.loads(row.document), row.subject, now=duties.chain_now(runtime.rpc)[1], scope=scope
    )
    if draft is None:
        raise ApiError(
            404, "nothing_to_notify", "results_id: no unit failed a notifiable duty in the period", "results_id"
        )
    return draft


@router.get("/v1/supervision/measure-reports", responses=UNIT_READ_ERRORS)
def list_measure_reports(session: SessionDep, caller: PrincipalDep, unit_id: IdFilter = None) -> list[dict]:
    """The Data Center's reports (报送) of grants it suspended or terminated for a security risk
    to the regulators and the Office, with their acknowledgements (Art. 31): the grant's holder
    sees its own."""
    return service.measure_reports(session, unit_id=_scope(caller, unit_id))
