"""`ledger verify --on-chain` end to end against a real node: who signed, for which unit, when."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from signer.cli import app
from signer.commitment import sign_commitment
from signer.detached import sign_detached
from signer.keys import SigningKey
from signer.registry import local_time
from tests.signer.registry_helpers import District, commitment_for
from tests.signer.test_cli import assert_one_line_error

runner = CliRunner()


@pytest.fixture
def district(system, tmp_path) -> District:
    district = District(system)
    district.save_deployment(tmp_path / "data")
    return district


@pytest.fixture
def civil(district):
    return district.officer(district.unit("PT-MZJ", "ordinary", "普陀区民政局"))


@pytest.fixture
def verify(system, tmp_path):
    """`ledger verify ARGS --on-chain` with the node and the deployment record in the environment."""

    def invoke(*args: str | Path, on_chain: bool = True, **env: str):
        environment = {"LEDGER_RPC_URL": system.node.url, "LEDGER_DATA_DIR": str(tmp_path / "data"), **env}
        flags = ["--on-chain"] if on_chain else []
        return runner.invoke(app, ["verify", *map(str, args), *flags], env=environment)

    return invoke


def write(tmp_path: Path, name: str, document: bytes, signature) -> tuple[Path, Path]:
    doc, sig = tmp_path / name, tmp_path / f"{name}.sig.json"
    doc.write_bytes(document)
    sig.write_bytes(signature.to_bytes())
    return doc, sig


def signed_commitment(tmp_path, officer, *, scheme="sm2", at, unit_id=None, key=None):
    commitment = commitment_for(officer, scheme=scheme, at=at, unit_id=unit_id)
    text = json.dumps(commitment.to_document(), ensure_ascii=False, indent=2).encode()
    key = key or (officer.sm2 if scheme == "sm2" else officer.ecdsa)
    return write(tmp_path, "commitment.json", text, sign_commitment(commitment, key))


def test_sm2_commitment_of_a_registered_key(system, civil, verify, tmp_path):
    signed_at = civil.registered_at + 60
    doc, sig = signed_commitment(tmp_path, civil, at=signed_at)
    result = verify(doc, sig)
    assert result.exit_code == 0, result.output
    digest = json.loads(sig.read_text())["document_hash"]
    assert result.stdout.splitlines() == [
        f"OK: sm2 signature by {civil.sm2.key_id}, user id 1234567812345678 over document hash {digest}",
        f"key registered on-chain to 普陀区民政局 (ordinary unit {civil.unit_hex}) at {local_time(civil.registered_at)}",
        f"active when it signed at {local_time(signed_at)} (the commitment's signed_at)",
    ]


def test_ecdsa_document_with_at_and_an_explicit_registry(system, civil, verify, tmp_path):
    doc, sig = write(tmp_path, "report.pdf", b"%PDF-1.7 not json", sign_detached(b"%PDF-1.7 not json", civil.ecdsa))
    at = civil.registered_at + 5
    lines = [
        f"OK: ecdsa signature by {civil.ecdsa.key_id} over document hash 0x"
        f"{json.loads(sig.read_text())['document_hash'][2:]}",
        f"key registered on-chain to 普陀区民政局 (ordinary unit {civil.unit_hex}) at {local_time(civil.registered_at)}",
        f"active when it signed at {local_time(at)} (from --at)",
    ]
    iso = local_time(at)
    utc = datetime.fromtimestamp(at, timezone.utc).isoformat()
    for when in (str(at), iso, iso.removesuffix("+08:00"), utc, utc.replace("+00:00", "Z")):
        result = verify(doc, sig, "--at", when)
        assert (result.exit_code, result.stdout.splitlines()) == (0, lines), (when, result.output)
    # An auditor with only the registry address and an RPC URL: no deployment record.
    result = verify(
        doc, sig, "--at", str(at), "--registry", system.deployment.registry, LEDGER_DATA_DIR=str(tmp_path / "nowhere")
    )
    assert (result.exit_code, result.stdout.splitlines()) == (0, lines), result.output


def test_without_a_signing_time_a_live_key_passes_with_a_note(civil, verify, tmp_path):
    doc, sig = write(tmp_path, "note.txt", b"hello", sign_detached(b"hello", civil.sm2))
    result = verify(doc, sig)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "note: signing time unknown; the key is not revoked. Pass --at TIME to check that it was active when it signed"
    )


def test_a_key_not_registered_is_refused(system, civil, verify, tmp_path):
    stranger = SigningKey.generate("sm2")
    doc, sig = write(tmp_path, "note.txt", b"hello", sign_detached(b"hello", stranger))
    assert_one_line_error(
        verify(doc, sig, "--at", str(civil.registered_at)),
        f"error: key {stranger.key_id} is not registered in the UnitRegistry at "
        f"{system.deployment.registry}; check the key id and the registry",
    )


def test_revoked_before_the_signing_time_is_refused_after_it_accepted(district, civil, verify, tmp_path):
    doc, sig = write(tmp_path, "note.txt", b"hello", sign_detached(b"hello", civil.sm2))
    district.increase_time(1000)
    revoked_at = district.revoke(civil.sm2.key_id)
    accepted = verify(doc, sig, "--at", str(revoked_at - 400))
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout.splitlines()[1:] == [
        f"key registered on-chain to 普陀区民政局 (ordinary unit {civil.unit_hex}) at "
        f"{local_time(civil.registered_at)}, revoked at {local_time(revoked_at)}",
        f"active when it signed at {local_time(revoked_at - 400)} (from --at)",
    ]
    assert_one_line_error(
        verify(doc, sig, "--at", str(revoked_at)),
        f"error: key {civil.sm2.key_id} of 普陀区民政局 was revoked at {local_time(revoked_at)}, "
        f"before the signing time {local_time(revoked_at)}; a signature counts only if",
    )
    assert_one_line_error(
        verify(doc, sig, "--at", str(civil.registered_at - 1)),
        f"was registered at {local_time(civil.registered_at)}, after the signing time",
    )
    assert_one_line_error(verify(doc, sig), "and the signing time is unknown; give the signing time (--at)")


def test_commitment_revoked_between_signing_and_checking(district, civil, verify, tmp_path):
    doc, sig = signed_commitment(tmp_path, civil, scheme="ecdsa", at=civil.registered_at + 10)
    district.increase_time(1000)
    district.revoke(civil.ecdsa.key_id)
    result = verify(doc, sig)
    assert result.exit_code == 0 and "(the commitment's signed_at)" in result.stdout, result.output
    # --at overrides signed_at: a time after the revocation is refused.
    assert_one_line_error(verify(doc, sig, "--at", str(district.block_time() + 10)), "before the signing time")


def test_commitment_for_another_unit_is_refused(district, civil, verify, tmp_path):
    market = district.officer(district.unit("PT-SCJGJ", "ordinary", "普陀区市场监督管理局"))
    doc, sig = signed_commitment(tmp_path, market, at=market.registered_at + 5, unit_id=civil.unit_hex)
    assert_one_line_error(
        verify(doc, sig),
        f"error: signing_unit_id {civil.unit_hex} is not the key's unit {market.unit_hex} "
        "(普陀区市场监督管理局); an officer signs only for the unit",
    )


def test_document_changed_after_signing(civil, verify, tmp_path):
    doc, sig = signed_commitment(tmp_path, civil, at=civil.registered_at + 5)
    doc.write_text(doc.read_text().replace("核实低保", "核查低保"))
    assert_one_line_error(
        verify(doc, sig),
        "error: signature invalid: document differs from the one signed; the document was changed after signing",
    )


def test_option_and_connection_errors(system, civil, verify, tmp_path):
    doc, sig = write(tmp_path, "note.txt", b"hello", sign_detached(b"hello", civil.sm2))
    pub = tmp_path / "pub.hex"
    pub.write_text("0x" + civil.sm2.public_key.hex())
    assert_one_line_error(verify(doc, sig, "--public-key", pub), "--public-key and --on-chain exclude each other")
    assert_one_line_error(verify(doc, sig, "--at", "1", on_chain=False), "--at needs --on-chain")
    assert_one_line_error(verify(doc, sig, "--at", "last tuesday"), "--at 'last tuesday': not ISO 8601")
    assert_one_line_error(
        verify(doc, sig, LEDGER_DATA_DIR=str(tmp_path / "nowhere")),
        "run `ledger deploy` first; or pass --registry ADDRESS",
    )
    assert_one_line_error(
        verify(doc, sig, "--registry", system.deployment.catalog), "does not answer UnitRegistry.keyRecord"
    )
    assert_one_line_error(verify(doc, sig, "--registry", "0x" + "00" * 19 + "01"), "no contract at that address")
    assert_one_line_error(
        verify(doc, sig, LEDGER_RPC_URL="http://127.0.0.1:9"), "no JSON-RPC node answers at http://127.0.0.1:9"
    )


def test_the_ledger_console_script_carries_it(system, civil, tmp_path):
    from ledger_cli.main import app as ledger

    doc, sig = signed_commitment(tmp_path, civil, at=civil.registered_at + 1)
    result = runner.invoke(
        ledger,
        ["verify", str(doc), str(sig), "--on-chain", "--registry", system.deployment.registry],
        env={"LEDGER_RPC_URL": system.node.url},
    )
    assert result.exit_code == 0 and result.stdout.startswith(f"OK: sm2 signature by {civil.sm2.key_id}"), result.output
