"""The OpenAPI document: every route, a valid example for every request body, and error
responses described as the body the API really sends."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, FormatChecker

from api import schemas, sharing_schemas, usage_schemas
from api.app import create_app
from api.auth import schemas as auth_schemas
from api.errors import ApiError
from api.services.actions import SCHEMA_BY_KIND, validate_document
from api.services.intake import validate_model
from catalog.quality_documents import SCHEMA_BY_KIND as QUALITY_SCHEMA_BY_KIND
from catalog.responsibility_documents import SCHEMA_BY_KIND as RESPONSIBILITY_SCHEMA_BY_KIND
from chain.actions import ActionKind
from chain.quality import ActionKind as QualityActionKind
from chain.responsibilities import ActionKind as ResponsibilityActionKind
from chain.sharing import StepKind
from chain.supervision import ActionKind as SupervisionActionKind
from protocol.schemas import MODELS, json_schemas, schema_id
from sharing.fields import SCHEMAS as SHARING_SCHEMAS
from sharing.supervision_documents import SCHEMA_BY_KIND as SUPERVISION_SCHEMA_BY_KIND
from signer.commitment import SCHEMA as COMMITMENT_SCHEMA
from signer.commitment import verify_commitment
from workdays.notice import CalendarNotice

ROUTES = {
    ("get", "/healthz"),
    ("get", "/v1/deployment"),
    ("get", "/v1/responsibilities"),
    ("get", "/v1/quality/updates"),
    ("get", "/v1/supervision/incidents"),
    ("get", "/v1/evaluation/results"),
    ("get", "/v1/evaluation/notices"),
    ("get", "/v1/evaluation/results/{results_id}/notice-draft"),
    ("get", "/v1/supervision/evaluations"),
    ("get", "/v1/supervision/measure-reports"),
    ("post", "/v1/supervision/actions"),
    ("post", "/v1/supervision/typed-data"),
    ("get", "/v1/quality/reconciliations"),
    ("get", "/v1/quality/objections"),
    ("post", "/v1/quality/actions"),
    ("post", "/v1/quality/typed-data"),
    ("post", "/v1/responsibilities/actions"),
    ("post", "/v1/responsibilities/typed-data"),
    ("get", "/v1/refusals"),
    ("get", "/v1/designations"),
    ("get", "/v1/settings"),
    ("post", "/v1/demands/{demand_id}/items/{item}/follow-designation"),
    ("get", "/v1/catalog/supplementary/export"),
    ("get", "/v1/catalog/supplementary/exports"),
    ("get", "/v1/units"),
    ("get", "/v1/units/{unit_id}/keys"),
    ("get", "/v1/catalog/entries"),
    ("post", "/v1/catalog/entries"),
    ("get", "/v1/catalog/entries/{entry_id}"),
    ("get", "/v1/catalog/entries/{entry_id}/versions"),
    ("get", "/v1/catalog/entries/{entry_id}/review-data"),
    ("get", "/v1/catalog/entries/{entry_id}/adjustment"),
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
    ("post", "/v1/grants/{grant_id}/follow-adjustment"),
    ("get", "/v1/demands/{demand_id}"),
    ("get", "/v1/units/{unit_id}/incoming-demands"),
    ("get", "/v1/units/{unit_id}/demands"),
    ("get", "/v1/units/{unit_id}/grants"),
    ("get", "/v1/grants/{grant_id}"),
    ("get", "/v1/grants/{grant_id}/history"),
    ("get", "/v1/sharing/cases"),
    ("get", "/v1/scenarios"),
    ("get", "/v1/sharing/check"),
    ("post", "/v1/usage"),
    ("post", "/v1/usage/cosignatures"),
    ("get", "/v1/usage/checkpoints"),
    ("get", "/v1/usage/consistency"),
    ("get", "/v1/usage/{record_id}"),
    ("get", "/v1/usage"),
    ("get", "/v1/usage/daily"),
    ("get", "/v1/usage.csv"),
    ("get", "/v1/usage/chart.png"),
    ("get", "/v1/usage/inspection"),
    ("post", "/v1/auth/challenge"),
    ("post", "/v1/auth/token"),
    ("get", "/v1/auth/me"),
}
# Sharing routes whose body carries one kind of step; permissionless steps take no body.
SHARING_KIND_OF_ROUTE = {
    "/v1/demands": StepKind.APPLY,
    "/v1/demands/id": StepKind.APPLY,
    "/v1/demands/{demand_id}/items/{item}/decision": StepKind.DECIDE,
    "/v1/grants/{grant_id}/objections": StepKind.OBJECT,
    "/v1/grants/{grant_id}/terminations": StepKind.TERMINATE,
}
BODILESS = {
    "/v1/demands/{demand_id}/items/{item}/finalise",
    "/v1/grants/{grant_id}/suspend-idle",
    "/v1/grants/{grant_id}/finalise-lapse",
    "/v1/grants/{grant_id}/follow-adjustment",
    "/v1/demands/{demand_id}/items/{item}/follow-designation",
}
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
            # A path convertor (`{record_id:int}`: the route matches digits only) is not in the document.
            served |= {(m.lower(), re.sub(r":\w+\}", "}", route.path)) for m in route.methods}
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
        "/v1/catalog/typed-data",
        "/v1/catalog/actions",
        "/v1/commitments/verify",
        "/v1/commitments/sign",
        "/v1/sharing/typed-data",
        "/v1/sharing/actions",
        "/v1/responsibilities/typed-data",
        "/v1/responsibilities/actions",
        "/v1/quality/typed-data",
        "/v1/quality/actions",
        "/v1/supervision/typed-data",
        "/v1/supervision/actions",
        "/v1/usage",
        "/v1/usage/cosignatures",
        "/v1/auth/challenge",
        "/v1/auth/token",
    }
    for path, operation in posts:
        if path in BODILESS:
            assert "requestBody" not in operation, path
            continue
        if path.startswith("/v1/supervision/"):
            name, schema = resolve(spec, operation["requestBody"]["content"]["application/json"]["schema"])
            assert schema.get("examples"), path
            for example in schema["examples"]:
                kind = SupervisionActionKind[example["kind"].upper()]
                validate_model(SUPERVISION_SCHEMA_BY_KIND[kind], example["document"])
            continue
        if path.startswith("/v1/quality/"):
            name, schema = resolve(spec, operation["requestBody"]["content"]["application/json"]["schema"])
            assert schema.get("examples"), path
            for example in schema["examples"]:
                validate_model(QUALITY_SCHEMA_BY_KIND[QualityActionKind[example["kind"].upper()]], example["document"])
            continue
        if path.startswith("/v1/responsibilities/"):
            name, schema = resolve(spec, operation["requestBody"]["content"]["application/json"]["schema"])
            assert schema.get("examples"), path
            for example in schema["examples"]:
                kind = ResponsibilityActionKind[example["kind"].upper()]
                validate_model(RESPONSIBILITY_SCHEMA_BY_KIND[kind], example["document"])
            continue
        if path.startswith("/v1/usage"):
            name, schema = resolve(spec, operation["requestBody"]["content"]["application/json"]["schema"])
            assert schema["examples"], path
            for example in schema["examples"]:
                getattr(usage_schemas, name).model_validate(example)
            continue
        if path in SHARING_KIND_OF_ROUTE or path.startswith("/v1/sharing/"):
            check_sharing_examples(spec, path, operation)
            continue
        name, schema = resolve(spec, operation["requestBody"]["content"]["application/json"]["schema"])
        examples = schema.get("examples", [])
        assert examples, f"POST {path}: {name} has no example"
        model = getattr(auth_schemas if path.startswith("/v1/auth/") else schemas, name)
        for example in examples:
            model.model_validate(example)
            if name == "TypedDataRequest":
                assert fits(ActionKind[example["kind"].upper()], example["document"]), example
            elif name == "CommitmentVerifyRequest":  # a real commitment and a signature that verifies
                assert verify_commitment(example["document"], example["signature"]).ok, example
            elif name in ("CommitmentSignRequest", "ChallengeRequest", "TokenRequest"):
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


# ---- documents are their published schemas (docs/schemas/, protocol/schemas.py)


def _body_schemas(spec: dict):
    for method, path, operation in operations(spec):
        if method == "post" and "requestBody" in operation:
            yield path, *resolve(spec, operation["requestBody"]["content"]["application/json"]["schema"])


def _refs(schema: dict) -> set[str]:
    return {s["$ref"].rsplit("/", 1)[-1] for s in schema.get("oneOf", [schema]) if "$ref" in s}


def _nested_refs(schema: dict) -> list[dict]:
    """The request-body models a body holds (an item of a batch, a commitment)."""
    found = []
    for prop in schema.get("properties", {}).values():
        for candidate in [prop, prop.get("items", {}), *prop.get("anyOf", [])]:
            if "$ref" in candidate:
                found.append(candidate)
    return found


def test_every_document_of_a_request_body_is_its_published_schema(spec):
    """No `document` is a free-form object: each names the documents its route takes."""
    catalog_models = {kind: SCHEMA_BY_KIND[kind].__name__ for kind in ActionKind}
    for path, name, schema in _body_schemas(spec):
        for holder in [schema] + [resolve(spec, s)[1] for s in _nested_refs(schema)]:
            if "document" in holder.get("properties", {}):
                document = holder["properties"]["document"]
                assert _refs(document) or document.get("properties", {}).get("schema"), (path, name)
        if path in KIND_OF_ROUTE:
            assert catalog_models[KIND_OF_ROUTE[path]] in _refs(schema["properties"]["document"]), path
        if path in SHARING_KIND_OF_ROUTE:
            model = SHARING_SCHEMAS[SHARING_KIND_OF_ROUTE[path]]
            assert model.__name__ in _refs(schema["properties"]["document"]), path


def _without_nulls(node):
    """What FastAPI does to every schema it serves: drops each key whose value is null."""
    if isinstance(node, dict):
        return {k: _without_nulls(v) for k, v in node.items() if v is not None}
    return [_without_nulls(v) for v in node] if isinstance(node, list) else node


def _null_keys(node) -> set[str]:
    """The keys anywhere in `node` whose value is null."""
    if isinstance(node, dict):
        return {k for k, v in node.items() if v is None}.union(*map(_null_keys, node.values()))
    return set().union(*map(_null_keys, node)) if isinstance(node, list) else set()


def test_the_openapi_document_schemas_are_the_published_ones(spec):
    """The same schemas as docs/schemas/, with their $defs as components; served without nulls,
    so no published schema may hold a null that means anything (only `default`s)."""
    published, components = json_schemas(), spec["components"]["schemas"]
    for model in MODELS:
        expected = published[schema_id(model)]
        assert _null_keys(expected) <= {"default"}, model.__name__
        if model is CalendarNotice:  # a file the Office publishes with the CLI: no API body carries it
            continue
        as_openapi = _without_nulls(json.loads(json.dumps(expected).replace('"#/$defs/', '"#/components/schemas/')))
        for name, definition in as_openapi.pop("$defs", {}).items():
            assert components[name] == definition, name
        assert components[model.__name__] == {k: v for k, v in as_openapi.items() if k != "$schema"}, model.__name__
    commitment = {k: v for k, v in published[COMMITMENT_SCHEMA].items() if k != "$schema"}
    assert components["Commitment"]["properties"]["document"] == commitment


def test_every_example_body_is_valid_against_the_openapi_schema(spec):
    """The examples (documents included) satisfy the schemas the OpenAPI document publishes."""
    for path, name, schema in _body_schemas(spec):
        validator = Draft202012Validator(
            {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}, format_checker=FormatChecker()
        )
        for example in schema.get("examples", []):
            errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(example)]
            assert errors == [], (path, example)
