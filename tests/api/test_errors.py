"""Answers every route shares, checked without a chain: a 405 names what the path serves, a body
that is not UTF-8 is the 422 of any malformed JSON, and each is declared in the OpenAPI document."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.helpers import error_of

ID = "0x" + "ab" * 32


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(runtime=object())) as c:
        yield c


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("TRACE", "/v1/catalog/entries", "GET, POST"),  # two routes: Starlette's own 405 names only the first
        ("DELETE", f"/v1/catalog/entries/{ID}", "GET"),
        ("PUT", "/healthz", "GET"),
        ("GET", "/v1/catalog/actions", "POST"),
        ("OPTIONS", f"/v1/grants/{ID}/history", "GET"),
        ("GET", "/v1/demands/id", "POST"),  # the concrete path, not GET /v1/demands/{demand_id}
        ("PATCH", f"/v1/demands/{ID}", "GET"),
    ],
)
def test_a_method_the_path_does_not_serve_is_405_with_allow(client, method, path, allow):
    response = client.request(method, path)
    assert (response.status_code, response.headers.get("allow")) == (405, allow)
    assert error_of(response) == {"code": "method_not_allowed", "message": "Method Not Allowed", "field": None}


@pytest.mark.parametrize("body", [b"\xff\x12", b'{"document": "\xc3"}', b"\x80", '{"名称": 1}'.encode("gb18030")])
@pytest.mark.parametrize(
    "path",
    [
        "/v1/commitments/verify",
        "/v1/catalog/typed-data",
        "/v1/sharing/typed-data",
        "/v1/demands/id",
        "/v1/catalog/entries",
    ],
)
def test_a_body_that_is_not_utf8_is_malformed_json(client, path, body):
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    error = error_of(response)
    assert (error["code"], error["field"], error["message"]) == ("invalid_request", "body", "body: JSON decode error")
    assert error["errors"][0]["field"] == "body"


def test_every_body_route_declares_the_answers_to_a_bad_body(client):
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= set(operation["responses"]), (method, path)
