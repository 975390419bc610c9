"""How the hot routes answer."""

from __future__ import annotations

from fastapi import Response


def json_response(model) -> Response:
    """The model as JSON, serialised once. The hot lookups return this instead of the model,
    which FastAPI would validate against `response_model` again before serialising it; the
    OpenAPI document still describes `response_model`."""
    return Response(model.model_dump_json(), media_type="application/json")
