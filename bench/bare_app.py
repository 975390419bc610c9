"""The baseline for lookups: a bare FastAPI endpoint served the same way as the API."""

from fastapi import FastAPI, Request, Response

app = FastAPI()


@app.get("/bare")
def bare() -> dict:
    return {"ok": True}


@app.post("/bare/usage")
async def bare_usage(request: Request) -> Response:
    """The usage bench's HTTP ceiling: the body read, nothing done with it, a fixed small answer."""
    body = await request.body()
    return Response(b'{"read": %d}' % len(body), media_type="application/json")
