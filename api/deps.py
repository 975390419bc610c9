"""Dependency aliases for routes.

Both dependencies are `async def` although the routes are plain `def`: neither does I/O
(a Session connects lazily, inside the route's worker thread), and FastAPI runs a sync
dependency in the thread pool, which costs two thread hops per request on every lookup.
"""

from __future__ import annotations

from typing import Annotated, AsyncIterator

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def get_session(runtime: Annotated[Runtime, Depends(get_runtime)]) -> AsyncIterator[Session]:
    session = runtime.store.sessions()
    try:
        yield session
    finally:
        session.close()  # returns the connection to the pool; the route's reads are done


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SessionDep = Annotated[Session, Depends(get_session)]
