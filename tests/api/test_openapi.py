"""The OpenAPI document: every route, a valid example for every request body, and error
responses described as the body the API really sends."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api import schemas, sharing_schemas
from api.app import create_app
from api.errors import ApiError
from api.services.actions import validate_document
from api.services.intake import validate_model
from chain.actions import ActionKind
from chain.sharing import StepKind
from sharing.fields import SCHEMAS as SHARING_SCHEMAS
from signer.commitment import verify_commitment

ROUTES = {
    ("get", "/healthz"),
    ("get", "/v1/units"),
    ("get", "/v1/units/{unit_id}/keys"),
    ("get", "/v1/catalog/entries"),
    ("post", "/v1/catalog/entries"),
    ("get", "/v1/catalog/entries/{entry_id}"),
    ("get", "/v1/catalog/entries/{entry_id}/versions"),
    ("get", "/v1/catalog/entries/{entry_id}/review-data"),
    ("post", "/v1/catalog/entries/{entry_id}/resubmissions"),
    ("post", "/v1/catalog/entries/{entry_id}/change-requests"),
    ("post", "/v1/catalog/entries/{entry_id}/delete-requests"),
    ("post", "/v1/catalog/entries/{entry_id}/versions/{version}/review"),
    ("get", "/v1/catalog/entry-id"),
    ("post", "/v1/catalog/typed-data"),
    ("post", "/v1/catalog/actions"),
    ("post", "/v1/catalog/entries/{entry_id}/collection"),
    ("get", "/v1/duties"),
    ("get", "/v1/units/{unit_id}/duties"),
    ("get", "/v1/evaluation"),
    ("get", "/v1/evaluation.csv"),
    ("get", "/v1/evaluation/chart.png"),
    ("get", "/v1/catalog/actions/{action_id}"),
    ("post", "/v1/commitments/verify"),
    ("post", "/v1/commitments/sign"),
    ("post", "/v1/demands/id"),
    ("post", "/v1/sharing/typed-data"),
    ("post", "/v1/sharing/actions"),
    ("post", "/v1/demands"),
    ("post", "/v1/demands/{demand_id}/items/{item}/decision"),
    ("post", "/v1/grants/{grant_id}/objections"),
    ("post", "/v1/grants/{grant_id}/terminations"),
    ("post", "/v1/demands/{demand_id}/items/{item}/finalise"),
    ("post", "/v1/grants/{grant_id}/suspend-idle"),
    ("post", "/v1/grants/{grant_id}/finalise-lapse"),
    ("get", "/v1/demands/{demand_id}"),
    ("get", "/v1/units/{unit_id}/incoming-demands"),
    ("get", "/v1/units/{unit_id}/grants"),
    ("get", "/v1/grants/{grant_id}"),
    ("get", "/v1/grants/{grant_id}/history"),
    ("get", "/v1/scenarios"),
    ("get", "/v1/sharing/check"),
}
# Sharing routes whose body carries one kind of step; permissionless steps take no body.
SHARING_KIND_OF_ROUTE = {
    "/v1/demands": StepKind.APPLY,
    "/v1/demands/id": StepKind.APPLY,
    "/v1/demands/{demand_id}/items/{item}/decision": StepKind.DECIDE,
    "/v1/grants/{grant_id}/objections": StepKind.OBJECT,
    "/v1/grants/{grant_id}/terminations": StepKind.TERMINATE,
}
BODILESS = {"/v1/demands/{demand_id}/items/{item}/finalise", "/v1/grants/{grant_id}/suspend-idle",
            "/v1/grants/{grant_id}/finalise-lapse"}
KIND_OF_ROUTE = {
    "/v1/catalog/entries": ActionKind.SUBMIT,
    "/v1/catalog/entries/{entry_id}/resubmissions": ActionKind.RESUBMIT,
    "/v1/catalog/entries/{entry_id}/change-requests": ActionKind.REQUEST_CHANGE,
    "/v1/catalog/entries/{entry_id}/delete-requests": ActionKind.REQUEST_DELETE,
    "/v1/catalog/entries/{entry_id}/versions/{version}/review": ActionKind.REVIEW,
    "/v1/catalog/entries/{entry_id}/collection": ActionKind.RECORD_COLLECTION,
}


@pytest.fixture(scope="module")
def app():
    return create_app(runtime=object())  # the document needs no chain; a given runtime is never started


@pytest.fixture(scope="module")
def spec(app) -> dict:
    with TestClient(app) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def resolve(spec: dict, schema: dict) -> tuple[str, dict]:
    name = schema["$ref"].rsplit("/", 1)[-1]
    return name, spec["components"]["schemas"][name]


def fits(kind: ActionKind, document: dict) -> bool:
    try:
        validate_document(kind, document)
        return True
    except ApiError:
        return False


def test_every_route_is_listed(app, spec):
    listed = {(method, path) for method, path, _ in operations(spec)}
    served, stack = set(), list(app.routes)
    while stack:  # newer FastAPI keeps an included router as one node holding the router's routes
        route = stack.pop()
        if isinstance(route, APIRoute):
            served |= {(m.lower(), route.path) for m in route.methods}
        elif hasattr(route, "original_router"):
            stack.extend(route.original_router.routes)
    assert listed == served == ROUTES


def test_every_operation_is_described(spec):
    undescribed = [(m, p) for m, p, op in operations(spec) if not op.get("description") or not op.get("summary")]
    assert undescribed == []


def test_submit_body_example(spec):
    operation = spec["paths"]["/v1/catalog/entries"]["post"]
    name, schema = resolve(spec, operation["requestBody"]["content"]["application/json"]["schema"])
    assert name == "SubmitBody"
    [example] = schema["examples"]
    assert example["document"] == schemas.EXAMPLE_DOCUMENT
    schemas.SubmitBody.model_validate(example)
    assert fits(ActionKind.SUBMIT, example["document"])


def test_every_post_body_has_valid_examples(spec):
    """Each example is a valid body; each action route has an example of its own kind of document."""
    posts = [(p, op) for m, p, op in operations(spec) if m == "post"]
    assert {p for p, _ in posts} == set(KIND_OF_ROUTE) | set(SHARING_KIND_OF_ROUTE) | BODILESS | {
        "/v1/catalog/typed-data", "/v1/catalog/actions", "/v1/commitments/verify", "/v1/commitments/sign",
        "/v1/sharing/typed-data", "/v1/sharing/actions"}
    for path, operation in posts:
        if path in BODILESS:
            assert "requestBody" not in operation, path
            continue
        if path in SHARING_KIND_OF_ROUTE or path.startswith("/v1/sharing/"):
            check_sharing_examples(spec, path, operation)
            continue
        name, schema = resolve(spec, operation["requestBody"]["content"]["application/json"]["schema"])
        examples = schema.get("examples", [])
        assert examples, f"POST {path}: {name} has no example"
        model = getattr(schemas, name)
        for example in examples:
            model.model_validate(example)
            if name == "TypedDataRequest":
                assert fits(ActionKind[example["kind"].upper()], example["document"]), example
            elif name == "CommitmentVerifyRequest":  # a real commitment and a signature that verifies
                assert verify_commitment(example["document"], example["signature"]).ok, example
            elif name == "CommitmentSignRequest":
                continue
            elif name == "ActionBatch":
                assert all(fits(ActionKind[a["kind"].upper()], a["document"]) for a in example["actions"]), example
            else:
                assert any(fits(kind, example["document"]) for kind in ActionKind), example
        if path in KIND_OF_ROUTE:
            assert any(fits(KIND_OF_ROUTE[path], e["document"]) for e in examples), path


def sharing_fits(kind: StepKind, document: dict) -> bool:
    try:
        validate_model(SHARING_SCHEMAS[kind], document)
        return True
    except ApiError:
        return False


def check_sharing_examples(spec: dict, path: str, operation: dict) -> None:
    """A sharing body's examples are valid bodies whose documents are valid documents of their step."""
    name, schema = resolve(spec, operation["requestBody"]["content"]["application/json"]["schema"])
    examples = schema.get("examples", [])
    assert examples, f"POST {path}: {name} has no example"
    for example in examples:
        getattr(sharing_schemas, name).model_validate(example)
        if "actions" in example:
            steps = [(StepKind[a["kind"].upper()], a["document"]) for a in example["actions"]]
        elif "kind" in example:
            steps = [(StepKind[example["kind"].upper()], example["document"])]
        else:  # a body shared by several routes: the route's own example is checked below
            steps = [(kind, example["document"]) for kind in SHARING_SCHEMAS]
        assert any(sharing_fits(kind, doc) for kind, doc in steps), (path, example)
        if "commitment" in example and example["commitment"]:
            assert verify_commitment(example["commitment"]["document"], example["commitment"]["signature"]).ok
    if path in SHARING_KIND_OF_ROUTE:
        assert any(sharing_fits(SHARING_KIND_OF_ROUTE[path], e["document"]) for e in examples), path


def test_errors_are_described_as_the_error_body(spec):
    """Every 4xx an operation documents has the {"error": {...}} shape, FastAPI's default 422 included."""
    for method, path, operation in operations(spec):
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/ErrorBody", (method, path, status)
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    detail = spec["components"]["schemas"]["ErrorDetail"]["properties"]
    assert {"code", "message", "field", "errors", "contract_error", "contract_args"} <= set(detail)
