"""An API over the test system: a real node, a real SQLite file, the relayer and follower running."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.runtime import Runtime
from api.settings import Settings
from chain.deploy import deployment_path
from chain.devkeys import RELAYER_DEV_KEY


def make_runtime(system, data_dir, **overrides) -> Runtime:
    system.deployment.save(deployment_path(data_dir, system.w3.eth.chain_id))
    settings = Settings(
        env="test",
        data_dir=data_dir,
        rpc_url=system.node.url,
        relayer_key=RELAYER_DEV_KEY,
        poll_interval_s=0.02,
        **overrides,
    )
    return Runtime(settings)


@pytest.fixture
def runtime(system, units, tmp_path):
    rt = make_runtime(system, tmp_path)
    rt.start()
    yield rt
    rt.stop()


@pytest.fixture
def client(runtime):
    with TestClient(create_app(runtime=runtime)) as c:
        yield c


def wait_for(predicate, timeout: float = 15.0):
    """Poll until `predicate()` is truthy (the relayer and follower run in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not reached in time")
