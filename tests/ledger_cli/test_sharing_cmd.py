"""`ledger sharing sweep` and `ledger sharing check` on the demo district."""

from __future__ import annotations

from chain.actions import entry_id_for, unit_id_for
from chain.client import connect
from tests.ledger_cli.test_system_cmd import district, run  # noqa: F401 - the fixture

STREET = "0x" + unit_id_for("PT-CSLJD").hex()
LOW_INCOME = "0x" + entry_id_for(unit_id_for("PT-MZJ"), "MZJ-0001").hex()
FIRMS = "0x" + entry_id_for(unit_id_for("PT-SCJGJ"), "SCJG-0001").hex()


def test_check_answers_with_its_exit_code_and_sweep_takes_what_is_due(district, monkeypatch):  # noqa: F811
    assert run("deploy")[0] == 0
    assert run("demo", "seed")[0] == 0
    asked = (STREET, LOW_INCOME, "1", "PT-YWTG-2026-03", "--item", "姓名", "--item", "保障金额")
    code, out = run("sharing", "check", *asked)
    assert (code, out.split(" — ")[0]) == (0, "yes: granted"), out
    code, out = run("sharing", "check", *asked, "--method", "batch_comparison")
    assert (code, out.split(" — ")[0]) == (3, "no: method_not_granted"), out
    code, out = run("sharing", "check", *asked, "--item", "公民身份号码")
    assert (code, out.split(" — ")[0]) == (3, "no: item_not_granted"), out  # a data item it did not ask for
    code, out = run("sharing", "check", STREET, LOW_INCOME, "2", "PT-YWTG-2026-03", "--item", "姓名")
    assert (code, out.split(" — ")[0]) == (3, "no: version_not_pinned"), out
    code, out = run("sharing", "check", STREET, FIRMS, "1", "PT-SQ-2026-07", "--item", "名称")
    assert (code, out.split(" — ")[0]) == (3, "no: no_grant"), out  # the market bureau has not answered

    assert run("sharing", "sweep") == (
        0,
        "took 0 finalise item, 0 suspend idle, 0 finalise lapse, 0 follow adjustment\n",
    )
    w3 = connect(__import__("os").environ["LEDGER_RPC_URL"])
    w3.provider.make_request("evm_increaseTime", [15 * 86400])  # past the 5 working days: silence approves
    w3.provider.make_request("evm_mine", [])
    code, out = run("sharing", "sweep")
    assert (code, out) == (0, "took 1 finalise item, 0 suspend idle, 0 finalise lapse, 0 follow adjustment\n"), out
    code, out = run("sharing", "check", STREET, FIRMS, "1", "PT-SQ-2026-07", "--item", "名称")
    assert code == 0 and out.startswith("yes: granted"), out


def test_check_refuses_a_malformed_id_in_one_line(district):  # noqa: F811
    assert run("deploy")[0] == 0
    code, out = run("sharing", "check", "0x12", LOW_INCOME, "1", "PT-YWTG-2026-03", "--item", "姓名")
    assert code == 1 and out == "error: unit_id: must be 0x and 64 hexadecimal digits, got '0x12'\n", out


def test_verify_rechecks_each_demands_commitment_from_the_chain(district):  # noqa: F811
    """Art. 18: the demo's SM2 and ECDSA commitments verify from the chain alone."""
    from chain.actions import unit_id_for as unit
    from chain.sharing import demand_id_for
    from ledger_cli import demo_sharing
    from signer.canonical import canonical_bytes

    assert run("deploy")[0] == 0
    assert run("demo", "seed")[0] == 0
    for index, (unit_code, document) in enumerate(demo_sharing.DEMANDS):
        demand_id = "0x" + demand_id_for(unit(unit_code), canonical_bytes(document)).hex()
        code, out = run("sharing", "verify", demand_id)
        scheme = demo_sharing.commitment_scheme(index, unit_code)
        assert code == 0 and out.startswith(f"valid: commitment signed by {scheme} key "), out
    assert {demo_sharing.commitment_scheme(i, u) for i, (u, _) in enumerate(demo_sharing.DEMANDS)} == {"sm2", "ecdsa"}
    code, out = run("sharing", "verify", "0x" + "ab" * 32)
    assert code == 1 and out.startswith("error: no application 0xabab"), out
