"""A command run where there is no ledger data (outside the project directory) says where it
looked and what to do, in one line, and creates nothing: no data directory, no empty mirror,
no new deployment on the node that answers."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from chain.deploy import deployment_path
from ledger_cli.main import app

UNIT = "0x" + "11" * 32
ENTRY = "0x" + "22" * 32
# Commands that read the mirror or the platform's deployment.
COMMANDS = [
    ("sharing", "check", UNIT, ENTRY, "1", "S-1", "--item", "姓名"),
    ("sharing", "sweep"),
    ("reindex",),
    ("units", "list"),
    ("calendar", "status"),
]
ADVICE = "run this where `scripts/up` or `ledger up` ran, or set LEDGER_DATA_DIR to that .ledger directory"


@pytest.fixture
def elsewhere(system, tmp_path, monkeypatch):
    """An empty working directory, a node answering (the platform's), LEDGER_DATA_DIR unset."""
    here = tmp_path / "elsewhere"
    here.mkdir()
    monkeypatch.chdir(here)
    for name in ("LEDGER_DATA_DIR", "LEDGER_DATABASE_URL", "LEDGER_KEYSTORE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEDGER_RPC_URL", system.node.url)
    return here


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def files_under(path) -> list:
    return sorted(p.relative_to(path) for p in path.rglob("*"))


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_command_outside_the_project_names_where_it_looked_and_creates_nothing(system, elsewhere, args):
    block = system.w3.eth.block_number
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert result.output == (
        f"error: no ledger data: looked for {elsewhere / '.ledger' / 'deployment-*.json'} "
        f"(data directory {elsewhere / '.ledger'}, the default: .ledger in the current directory, as "
        f"LEDGER_DATA_DIR is not set); {ADVICE}\n"
    )
    assert files_under(elsewhere) == []
    assert system.w3.eth.block_number == block  # nothing deployed or sent


def test_the_evaluation_names_the_mirror_it_looked_for(elsewhere):
    result = run("evaluation", "--now", "2026-03-10 12:00")
    assert result.exit_code == 1, result.output
    mirror = elsewhere / ".ledger" / "mirror.db"
    assert result.output == (
        f"error: no ledger data: looked for {mirror} (data directory {elsewhere / '.ledger'}, the default: "
        f".ledger in the current directory, as LEDGER_DATA_DIR is not set); {ADVICE}\n"
    )
    assert files_under(elsewhere) == []


def test_a_data_directory_set_but_empty_is_named_as_set(system, elsewhere, tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("LEDGER_DATA_DIR", str(empty))
    result = run("sharing", "sweep")
    assert result.exit_code == 1, result.output
    assert result.output == (
        f"error: no ledger data: looked for {empty / 'deployment-*.json'} (data directory {empty}, from "
        f"LEDGER_DATA_DIR); {ADVICE}\n"
    )
    assert files_under(empty) == [] and files_under(elsewhere) == []


def test_a_deployment_of_another_chain_only_is_named_with_this_chains_file(system, elsewhere, tmp_path, monkeypatch):
    data = tmp_path / "data"
    other = deployment_path(data, 1)
    system.deployment.save(other)  # a record of another chain (id 1): not this node's
    monkeypatch.setenv("LEDGER_DATA_DIR", str(data))
    result = run("sharing", "sweep")
    assert result.exit_code == 1, result.output
    this = deployment_path(data, system.w3.eth.chain_id)
    assert result.output.startswith(f"error: no ledger data: looked for {this} (data directory {data}, ")
    assert files_under(data) == [other.relative_to(data)]


def test_an_empty_keystore_is_named_where_it_was_looked_for(elsewhere):
    result = CliRunner().invoke(app, ["keys", "list"])
    assert result.exit_code == 0  # an officer's new machine has no keys yet: no error
    assert result.stdout == ""
    assert result.stderr == (
        f"no keys in {elsewhere / '.ledger' / 'keys'} (--keystore-dir, else $LEDGER_KEYSTORE_DIR, else "
        "$LEDGER_DATA_DIR/keys, else .ledger/keys in the current directory)\n"
    )
    assert files_under(elsewhere) == []
