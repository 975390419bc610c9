"""How routes answer beyond a plain model: the hot lookups, and a signed action's 202."""

from __future__ import annotations

from fastapi import Response

from api import schemas
from api.services.intake import Accepted


def json_response(model) -> Response:
    """The model as JSON, serialised once. The hot lookups return this instead of the model,
    which FastAPI would validate against `response_model` again before serialising it; the
    OpenAPI document still describes `response_model`."""
    return Response(model.model_dump_json(), media_type="application/json")


def error(description: str) -> dict:
    """An error answer as the OpenAPI document declares it: an ErrorBody (api/errors.py)."""
    return {"model": schemas.ErrorBody, "description": description}


# The answers many routes share, declared once (each router adds its own beside them).
INVALID_FIELD = {422: error("A field is invalid; `field` names it")}
INVALID_PARAMETER = {422: error("A parameter is invalid; `field` names it")}
NODE_DOWN = {503: error("The chain node is not answering")}
SIGNED_ACTION_ERRORS = {
    400: error("Malformed signature"),
    409: error("Refused by the contract in the current state, or a replay"),
}
UNIT_READ_ERRORS = {
    401: error("No officer's token or platform credential"),
    403: error("`unit_not_allowed`: another unit's records"),
}

# The 202 of one signed action, as the OpenAPI document declares it.
ACCEPTED = {
    202: {
        "model": schemas.Accepted,
        "description": "Accepted for the chain; `Location` is the action's status",
        "headers": {
            "Location": {
                "description": "The action's status: /v1/catalog/actions/{action_id}",
                "schema": {"type": "string"},
            }
        },
    }
}


def status_url(action_id: str) -> str:
    """Where an accepted action's status is read: GET /v1/catalog/actions/{id} (sharing ones too)."""
    return f"/v1/catalog/actions/{action_id}"


def accepted_model(accepted: Accepted) -> schemas.Accepted:
    return schemas.Accepted(
        action_id=accepted.action_id,
        subject_type=accepted.subject_type,
        subject_id=accepted.subject_id,
        entry_id=accepted.subject_id,
        signer=accepted.signer,
        status=accepted.status,
    )


def accepted_response(accepted: Accepted) -> Response:
    """The 202 of one accepted action, with its status URL in `Location`."""
    return Response(
        accepted_model(accepted).model_dump_json(),
        status_code=202,
        media_type="application/json",
        headers={"Location": status_url(accepted.action_id)},
    )
