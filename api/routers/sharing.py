"""Sharing routes (Art. 17–26, 31): applications with commitments, owners' decisions, grant
steps, the permissionless steps of the passage of time, the views, and the gateway's check."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import schemas
from api import sharing_schemas as s
from api.auth import PrincipalDep
from api.auth.access import oversees_all, require_party, require_unit
from api.deps import RuntimeDep, SessionDep
from api.errors import OTHER_METHODS, ApiError
from api.paging import Limit, Offset
from api.responses import ACCEPTED, accepted_model, accepted_response, json_response
from api.services import intake, sharing_actions, sharing_cases, sharing_queries
from api.services.intake import document_bytes, validate_model
from chain.sharing import StepKind, demand_id_for, typed_data
from sharing.document import Application
from signer.commitment import PROMISES, SCHEMA

router = APIRouter(
    tags=["sharing"],
    responses={
        422: {"model": schemas.ErrorBody, "description": "A field is invalid; `field` names it"},
        503: {"model": schemas.ErrorBody, "description": "The chain node is not answering"},
    },
)

Id = Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$", examples=["0x" + "de" * 32])]
ItemIndex = Annotated[int, Path(ge=0, le=31)]
ERRORS = {
    400: {"model": schemas.ErrorBody, "description": "Malformed signature or body"},
    403: {"model": schemas.ErrorBody, "description": "The signer's unit may not take this step"},
    404: {"model": schemas.ErrorBody, "description": "Unknown demand, item, grant or entry"},
    409: {
        "model": schemas.ErrorBody,
        "description": "Refused in the current state (too early, too late, closed), or a replay",
    },
    413: {"model": schemas.ErrorBody, "description": "Document too large"},
}
TIME_ERRORS = {404: ERRORS[404], 409: ERRORS[409]}
# The views need an officer's token or the platform credential (api/auth): a unit reads its own
# records; the Office, the Data Center, the regulators and the platform every unit's (api/auth/access.py).
READ_ERRORS = {
    401: {"model": schemas.ErrorBody, "description": "No officer's token or platform credential, or not a valid one"},
    403: {
        "model": schemas.ErrorBody,
        "description": "`unit_not_allowed`, `not_a_party`: another unit's records",
    },
}
ACTION = {**ACCEPTED, **ERRORS}


def _accept(runtime, kind: StepKind, body, **expected) -> Response:
    """Accept a step whose route names its subject: the document must name the same one."""
    for field, value in expected.items():
        got = body.document.get(field)
        if not isinstance(got, type(value)) or (got.lower() if isinstance(got, str) else got) != value:
            raise ApiError(
                422, "path_mismatch", f"document.{field}: must be {value}, as in the path", f"document.{field}"
            )
    commitment = getattr(body, "commitment", None)
    accepted = sharing_actions.accept(
        runtime,
        kind=kind,
        document=body.document,
        nonce=int(body.nonce),
        signature=body.signature,
        commitment=commitment.model_dump() if commitment else None,
    )
    return accepted_response(accepted)


# ---- preparing and signing


@router.post("/v1/demands/id", response_model=s.DemandIdAnswer)
def compute_demand_id(body: s.DemandIdRequest) -> s.DemandIdAnswer:
    """The id an application will have on-chain, and the commitment its demand unit signs (Art. 18).

    Sign the template with `ledger sign` (SM2 or ECDSA) after filling in `officer_key_id`,
    `scheme` and `signed_at`, or ask the platform with POST /v1/commitments/sign.
    """
    app = validate_model(Application, body.document)
    demand_id = "0x" + demand_id_for(bytes.fromhex(app.demand_unit_id[2:]), document_bytes(body.document)).hex()
    template = {
        "schema": SCHEMA,
        "demand_id": demand_id,
        "signing_unit_id": app.demand_unit_id,
        "scenario": app.scenario.code,
        "promises": list(PROMISES),
    }
    return s.DemandIdAnswer(demand_id=demand_id, commitment_template=template)


async def _demand_id_other_methods(request) -> None:
    raise StarletteHTTPException(405)


# OpenAPI matches a concrete path before a templated one; Starlette tries routes in order, so
# without this a GET of /v1/demands/id would be taken as GET /v1/demands/{demand_id} (a 422 for
# the id "id"). Every method but POST is the 405 the OpenAPI document implies.
router.add_route("/v1/demands/id", _demand_id_other_methods, methods=list(OTHER_METHODS), include_in_schema=False)


@router.post("/v1/sharing/typed-data", responses={400: ERRORS[400]})
def sharing_typed_data(runtime: RuntimeDep, body: s.SharingTypedDataRequest) -> dict:
    """The EIP-712 message an officer signs for a sharing step, its fields derived from the document."""
    kind = sharing_actions.kind_named(body.kind)
    base = sharing_actions.unsigned(
        runtime,
        kind=kind,
        document=body.document,
        nonce=int(body.nonce),
        commitment=body.commitment.model_dump() if body.commitment else None,
    )
    message = typed_data(base.action, chain_id=runtime.chain_id, sharing_address=runtime.deployment.sharing)
    # JSON cannot carry bytes: hex them, as wallets expect for `bytes` and `bytes32` fields.
    message["message"] = {
        k: "0x" + v.hex() if isinstance(v, bytes) else str(v) if k == "nonce" else v
        for k, v in message["message"].items()
    }
    return message


# ---- signed steps


@router.post(
    "/v1/sharing/actions",
    status_code=202,
    response_model=schemas.AcceptedBatch,
    responses={**ERRORS, 202: {"description": "All accepted; poll each action by its id"}},
)
def submit_sharing_actions(runtime: RuntimeDep, body: s.SharingActionBatch) -> schemas.AcceptedBatch:
    """Any signed sharing steps, accepted together or not at all (e.g. a day's usage records).

    Poll each with GET /v1/catalog/actions/{action_id}.
    """
    items = []
    for index, a in enumerate(body.actions):
        try:
            kind = sharing_actions.kind_named(a.kind)
        except ApiError as exc:
            raise intake.of_item(exc, index) from None
        items.append(
            {
                "kind": kind,
                "document": a.document,
                "nonce": int(a.nonce),
                "signature": a.signature,
                "commitment": a.commitment.model_dump() if a.commitment else None,
            }
        )
    return schemas.AcceptedBatch(accepted=[accepted_model(a) for a in sharing_actions.accept_many(runtime, items)])


@router.post("/v1/demands", status_code=202, response_model=schemas.Accepted, responses=ACTION)
def apply(runtime: RuntimeDep, body: s.ApplicationBody) -> Response:
    """Apply for another unit's data (Art. 17) with the signed commitment (Art. 18).

    Scenario-authorised applications (Art. 19 (1), (3), (4), and (2) for a scenario the Data
    Center approved) are granted at once; the others go to each resource's responsible unit,
    due in 5 working days (15 for data not yet catalogued, Art. 22).
    """
    return _accept(runtime, StepKind.APPLY, body)


@router.post(
    "/v1/demands/{demand_id}/items/{item}/decision", status_code=202, response_model=schemas.Accepted, responses=ACTION
)
def decide(runtime: RuntimeDep, demand_id: Id, item: ItemIndex, body: s.DecisionBody) -> Response:
    """The responsible unit approves or rejects one item within its due time (Art. 20, 22).

    A rejection cites a legal or regulatory basis unless the application did not conform.
    """
    return _accept(runtime, StepKind.DECIDE, body, demand_id=demand_id.lower(), item=item)


@router.post("/v1/grants/{grant_id}/objections", status_code=202, response_model=schemas.Accepted, responses=ACTION)
def object_to_suspension(runtime: RuntimeDep, grant_id: Id, body: s.ObjectionBody) -> Response:
    """The demand unit objects to a suspension within 30 days of the notice (Art. 26)."""
    return _accept(runtime, StepKind.OBJECT, body, grant_id=grant_id.lower())


@router.post("/v1/grants/{grant_id}/terminations", status_code=202, response_model=schemas.Accepted, responses=ACTION)
def terminate(runtime: RuntimeDep, grant_id: Id, body: s.TerminationBody) -> Response:
    """The demand unit ends a grant it no longer needs (Art. 26), or the Data Center ends it (Art. 31)."""
    return _accept(runtime, StepKind.TERMINATE, body, grant_id=grant_id.lower())


# ---- the passage of time: anyone may take these steps


@router.post(
    "/v1/demands/{demand_id}/items/{item}/finalise", response_model=s.PermissionlessStep, responses=TIME_ERRORS
)
def finalise_item(runtime: RuntimeDep, demand_id: Id, item: ItemIndex) -> s.PermissionlessStep:
    """Deem an item approved: its responsible unit did not answer by the due time (Art. 20).

    409 `item_not_overdue` until the second after the due time.
    """
    return s.PermissionlessStep(
        **sharing_actions.run_permissionless(runtime, StepKind.FINALISE_ITEM, bytes.fromhex(demand_id[2:]), item)
    )


@router.post("/v1/grants/{grant_id}/suspend-idle", response_model=s.PermissionlessStep, responses=TIME_ERRORS)
def suspend_idle(runtime: RuntimeDep, grant_id: Id) -> s.PermissionlessStep:
    """Suspend a grant unused for 3 months with no reason on file (Art. 26); the notice starts 30 days."""
    return s.PermissionlessStep(
        **sharing_actions.run_permissionless(runtime, StepKind.SUSPEND_IDLE, bytes.fromhex(grant_id[2:]))
    )


@router.post("/v1/grants/{grant_id}/follow-adjustment", response_model=s.PermissionlessStep, responses=TIME_ERRORS)
def follow_adjustment(runtime: RuntimeDep, grant_id: Id) -> s.PermissionlessStep:
    """Move a grant whose entry changed to the version now in force, or end it, as the entry's
    adjustment plan said (Art. 14); a deleted entry ends it."""
    return s.PermissionlessStep(
        **sharing_actions.run_permissionless(runtime, StepKind.FOLLOW_ADJUSTMENT, bytes.fromhex(grant_id[2:]))
    )


@router.post("/v1/grants/{grant_id}/finalise-lapse", response_model=s.PermissionlessStep, responses=TIME_ERRORS)
def finalise_lapse(runtime: RuntimeDep, grant_id: Id) -> s.PermissionlessStep:
    """Terminate an idle-suspended grant 30 days after the notice, no objection upheld (Art. 26)."""
    return s.PermissionlessStep(
        **sharing_actions.run_permissionless(runtime, StepKind.FINALISE_LAPSE, bytes.fromhex(grant_id[2:]))
    )


# ---- views


@router.get("/v1/demands/{demand_id}", response_model=s.DemandPublic, responses={404: ERRORS[404], **READ_ERRORS})
def get_demand(runtime: RuntimeDep, session: SessionDep, caller: PrincipalDep, demand_id: Id) -> Response:
    """An application, its commitment, and each item with its due time and whether it is overdue.
    For its parties (the demand unit, the owners of the data asked for) and the overseers."""
    require_party(caller, session, demand_id, "demand_id")
    return json_response(sharing_queries.demand(session, demand_id, runtime.clock.now()))


@router.get("/v1/units/{unit_id}/incoming-demands", response_model=s.IncomingPage, responses=READ_ERRORS)
def incoming_demands(
    runtime: RuntimeDep,
    session: SessionDep,
    caller: PrincipalDep,
    unit_id: Id,
    state: Annotated[str | None, Query(pattern="^(pending|overdue|decided)$")] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """What other units asked of this responsible unit, oldest due first, with overdue flags.
    For the unit's own officers and the overseers."""
    require_unit(caller, unit_id)
    return json_response(
        sharing_queries.incoming(session, unit_id, runtime.clock.now(), state, limit=limit, offset=offset)
    )


@router.get("/v1/units/{unit_id}/demands", response_model=s.DemandPage, responses=READ_ERRORS)
def unit_demands(
    runtime: RuntimeDep, session: SessionDep, caller: PrincipalDep, unit_id: Id, limit: Limit = 20, offset: Offset = 0
) -> Response:
    """The demand unit's own applications, newest first, each with its items and where they stand
    (Art. 17, 19, 20). For the unit's own officers and the overseers."""
    require_unit(caller, unit_id)
    return json_response(
        sharing_queries.unit_demands(session, unit_id, runtime.clock.now(), limit=limit, offset=offset)
    )


@router.get("/v1/units/{unit_id}/grants", response_model=s.GrantPage, responses=READ_ERRORS)
def unit_grants(
    session: SessionDep,
    caller: PrincipalDep,
    unit_id: Id,
    status: Annotated[str | None, Query(pattern="^(active|suspended|terminated)$")] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """The demand unit's grants, oldest issued first, with the catalog versions each is pinned to.
    For the unit's own officers and the overseers."""
    require_unit(caller, unit_id)
    return json_response(sharing_queries.unit_grants(session, unit_id, status, limit=limit, offset=offset))


@router.get("/v1/grants/{grant_id}", response_model=s.GrantPublic, responses={404: ERRORS[404], **READ_ERRORS})
def get_grant(session: SessionDep, caller: PrincipalDep, grant_id: Id) -> s.GrantPublic:
    """A grant: its scenario, method, pinned catalog versions, and where it stands (Art. 21, 26, 31).
    For its parties (the holder, the owners of its data) and the overseers."""
    require_party(caller, session, grant_id, "grant_id")
    return sharing_queries.grant(session, grant_id)


@router.get("/v1/grants/{grant_id}/history", response_model=s.GrantHistory, responses={404: ERRORS[404], **READ_ERRORS})
def grant_history(session: SessionDep, caller: PrincipalDep, grant_id: Id) -> s.GrantHistory:
    """Every step of the demand and its grant, each with its transaction, block and document hash.
    For its parties and the overseers."""
    require_party(caller, session, grant_id, "grant_id")
    return sharing_queries.history(session, grant_id)


@router.get("/v1/sharing/cases", response_model=s.CasePage, responses=READ_ERRORS)
def list_cases(
    session: SessionDep,
    caller: PrincipalDep,
    kind: Annotated[Literal["dispute", "sendable", "escalation"], Query(description="Which cases: see `Case.kind`")],
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """The open cases of one kind, oldest first: disputes the Office has to coordinate (Art. 24),
    demands it may send to the city platform, escalations awaiting the city's answer (Art. 23).
    The Office, the Data Center and the regulators see every demand's; a unit's officer, those of
    the demands its unit is a party to."""
    party = None if oversees_all(caller) else caller.unit_id
    return json_response(sharing_cases.cases(session, kind, party=party, limit=limit, offset=offset))


@router.get("/v1/scenarios", response_model=s.ScenarioPage)
def list_scenarios(session: SessionDep, limit: Limit = 20, offset: Offset = 0) -> Response:
    """The Data Center's register of scenarios (Art. 19 (1)–(3)), in force or withdrawn, by code."""
    return json_response(sharing_queries.scenarios(session, limit=limit, offset=offset))


@router.get("/v1/catalog/entries/{entry_id}/adjustment", response_model=s.EntryAdjustment, responses=READ_ERRORS)
def entry_adjustment(session: SessionDep, caller: PrincipalDep, entry_id: Id) -> s.EntryAdjustment:
    """Art. 14: before a change or deletion of an entry live grants use, the grants its adjustment
    plan must name (every one for the entry's unit and the overseers, the caller's own for a
    holder), and the plans and acknowledgements recorded so far. An entry without either answers
    empty lists."""
    from api.auth.service import Platform

    unit_id = None if isinstance(caller, Platform) else caller.unit_id
    return sharing_queries.adjustment(session, entry_id, unit_id=unit_id, overseer=oversees_all(caller))
