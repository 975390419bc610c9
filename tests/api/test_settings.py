"""Insecure defaults refuse to start outside development; secrets never show."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from api.settings import Settings
from chain.devkeys import OFFICE_DEV_KEY, RELAYER_DEV_KEY
from ledger_cli.main import app

SAFE = {
    "relayer_key": "0x" + "11" * 32,
    "office_key": "0x" + "22" * 32,
    "database_url": "sqlite://",
    "auth_secret": "33" * 32,
    "platform_credential": "44" * 32,
}


def test_production_refuses_every_development_default_and_names_each():
    with pytest.raises(ValidationError) as info:
        Settings(env="production")
    message = str(info.value)
    assert "refusing to start in production" in message
    for problem in (
        "LEDGER_RELAYER_KEY is a public development key",
        "LEDGER_OFFICE_KEY is a public development key",
        "LEDGER_DATABASE_URL must be set explicitly",
        "LEDGER_AUTH_SECRET is the public development value",
        "LEDGER_PLATFORM_CREDENTIAL is the public development value",
    ):
        assert problem in message
    with pytest.raises(ValidationError, match="LEDGER_OFFICE_KEY is a public development key"):
        Settings(env="production", **{**SAFE, "office_key": OFFICE_DEV_KEY})
    with pytest.raises(ValidationError, match="LEDGER_AUTH_SECRET must be at least 32 characters"):
        Settings(env="production", **{**SAFE, "auth_secret": "short"})
    with pytest.raises(ValidationError, match="LEDGER_PLATFORM_CREDENTIAL must be non-empty and not start with 'pt1.'"):
        Settings(env="development", platform_credential="pt1.looks-like-a-token")
    assert Settings(env="production", **SAFE).env == "production"
    assert Settings(env="development").relayer_key.get_secret_value() == RELAYER_DEV_KEY


def test_secrets_do_not_show_in_reprs_or_dumps():
    settings = Settings(env="production", **SAFE)
    for shown in (repr(settings), str(settings), settings.model_dump_json()):
        assert all(secret * 32 not in shown for secret in ("11", "22", "33", "44"))


def test_the_cli_refuses_to_serve_with_insecure_defaults_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("LEDGER_ENV", "production")
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path))
    for name in ("LEDGER_RELAYER_KEY", "LEDGER_OFFICE_KEY", "LEDGER_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("error: settings:")
    assert "public development key" in result.output


def test_a_wildcard_listen_address_needs_the_audience_officers_reach():
    with pytest.raises(ValidationError, match="LEDGER_AUTH_AUDIENCE must be set: LEDGER_HOST 0.0.0.0"):
        Settings(env="production", host="0.0.0.0", **SAFE)
    given = Settings(env="production", host="0.0.0.0", auth_audience="https://ledger.putuo.gov.cn/", **SAFE)
    assert given.resolved_auth_audience == "https://ledger.putuo.gov.cn"
    # In development it starts; `ledger serve` warns (the demo listens on 127.0.0.1).
    assert Settings(env="development", host="0.0.0.0").audience_unreachable
    assert not Settings(env="development").audience_unreachable
