"""`ledger login` against a real API (uvicorn on a free port) over a real node: the challenge signed
on the officer's machine with an SM2 or ECDSA key from the keystore, the token kept 0600 and sent
by the officer's commands; a challenge for another API, or a revoked key, is refused in one line."""

from __future__ import annotations

import json
import stat
import threading
from types import SimpleNamespace

import pytest
import uvicorn
from typer.testing import CliRunner

from api.app import create_app
from chain.node import free_port
from ledger_cli._api import Api, ApiRefusedError
from ledger_cli._tokens import token_path
from ledger_cli.main import app
from tests.api.conftest import make_runtime, wait_for
from tests.signer.helpers import PASSWORD
from tests.signer.registry_helpers import District


def serve(system, data_dir, **settings):
    runtime = make_runtime(system, data_dir, **settings)
    port = settings.pop("port", None) or free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime=runtime), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started)

    def stop():
        server.should_exit = True
        thread.join(10)
        runtime.stop()

    return port, stop


@pytest.fixture
def platform(system, tmp_path):
    district = District(system)
    unit = district.unit("PT-MZJ", "ordinary", "普陀区民政局")
    keystore = tmp_path / "officer" / "keys"
    officer = district.officer(unit, keystore=keystore, name="mzj")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    _, stop = serve(system, tmp_path / "platform", auth_audience=url, port=port)
    env = {"LEDGER_API_URL": url, "LEDGER_KEYSTORE_DIR": str(keystore), "LEDGER_KEY_PASSWORD": PASSWORD}
    try:
        yield SimpleNamespace(district=district, officer=officer, url=url, keystore=keystore, env=env, tmp=tmp_path)
    finally:
        stop()


def ledger(platform, *args: str):
    result = CliRunner().invoke(app, list(args), env=platform.env)
    return SimpleNamespace(code=result.exit_code, out=result.stdout, err=result.stderr)


@pytest.mark.parametrize("scheme", ["ecdsa", "sm2"])
def test_login_keeps_a_private_token_that_the_commands_send(platform, scheme):
    key = platform.officer.sm2 if scheme == "sm2" else platform.officer.ecdsa
    done = ledger(platform, "login", "--key", "mzj-sm2" if scheme == "sm2" else "mzj-ecdsa")
    assert done.code == 0, done.err
    path = token_path(platform.url, platform.keystore)
    first, second = done.out.splitlines()
    assert first == f"logged in to {platform.url} as {json.loads(path.read_text())['key_id']} of unit " + (
        f"{platform.officer.unit_hex} (ordinary)"
    )
    assert second.startswith("token until ") and second.endswith(f"kept in {path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with Api(platform.url, keystore_dir=platform.keystore) as client:
        me = client.get("/v1/auth/me")
    assert (me["key_id"].lower(), me["unit_id"], me["scheme"]) == (
        key.key_id.lower(),
        platform.officer.unit_hex,
        scheme,
    )
    with Api(platform.url, keystore_dir=platform.keystore, token=False) as client:  # without it: refused
        with pytest.raises(ApiRefusedError, match="log in: `ledger login --api URL --key K`"):
            client.get("/v1/auth/me")


def test_a_revoked_key_cannot_log_in_and_its_token_ends(platform):
    assert ledger(platform, "login", "--key", "mzj-ecdsa").code == 0
    platform.district.revoke(platform.officer.ecdsa.key_id)
    with Api(platform.url, keystore_dir=platform.keystore) as client:
        with pytest.raises(ApiRefusedError) as refused:
            client.get("/v1/auth/me")
    assert (refused.value.status, refused.value.code) == (401, "key_revoked")
    done = ledger(platform, "login", "--key", "mzj-ecdsa")
    assert done.code == 1
    assert done.err.strip().splitlines() == [
        f"error: key_id: {platform.officer.ecdsa.key_id} is revoked in the UnitRegistry"
    ]


def test_a_challenge_for_another_api_is_not_signed(system, platform):
    """An API whose challenges name another address (a relay of the real one, or a misconfigured
    proxy): the officer's machine refuses to sign, and no token is written."""
    port, stop = serve(system, platform.tmp / "relay", auth_audience="https://ledger.putuo.example")
    try:
        done = ledger(platform, "login", "--key", "mzj-sm2", "--api", f"http://127.0.0.1:{port}")
    finally:
        stop()
    assert done.code == 1
    assert done.err.strip().splitlines() == [
        f"error: the challenge is for the API at 'https://ledger.putuo.example', not 'http://127.0.0.1:{port}': "
        "refusing to sign a login for another address (behind a proxy, the platform's LEDGER_AUTH_AUDIENCE "
        "must be the URL used here)"
    ]
    assert not token_path(f"http://127.0.0.1:{port}", platform.keystore).exists()
