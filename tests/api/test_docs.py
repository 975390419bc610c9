"""Swagger UI and ReDoc with no internet: every page and asset is served by the API itself."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.app import create_app

EXTERNAL = re.compile(r"(?:https?:)?//[a-z0-9.-]+", re.IGNORECASE)
ASSET = re.compile(r'(?:href|src)="([^"]+)"')


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(runtime=object())) as c:  # the pages need no chain
        yield c


@pytest.mark.parametrize(
    ("page", "assets"),
    [
        (
            "/docs",
            {
                "/docs/assets/swagger-ui.css": "text/css",
                "/docs/assets/swagger-ui-bundle.js": "text/javascript",
                "/docs/assets/favicon.png": "image/png",
            },
        ),
        ("/redoc", {"/docs/assets/redoc.standalone.js": "text/javascript", "/docs/assets/favicon.png": "image/png"}),
    ],
)
def test_a_docs_page_and_its_assets_come_from_the_api(client, page, assets):
    response = client.get(page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert EXTERNAL.findall(html) == []  # no CDN, no web font, no validator badge
    assert set(ASSET.findall(html)) == set(assets)
    for url, media_type in assets.items():
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].startswith(media_type) and len(asset.content) > 1000, url
    assert "/openapi.json" in html


def test_swagger_ui_asks_no_validator(client):
    assert '"validatorUrl": null' in client.get("/docs").text


def test_the_docs_pages_are_not_operations(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/docs", "/redoc"))]
