"""The baseline for lookups: a bare FastAPI endpoint served the same way as the API."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/bare")
def bare() -> dict:
    return {"ok": True}
