"""`ledger evaluation`, run in-process on a mirror synced from test_duties' March 2026 timeline."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from chain.node import free_port
from ledger_cli.main import app
from tests.api.conftest import make_runtime
from tests.api.helpers import hex0x
from tests.api.test_duties import Timeline, build

MARCH = ("--from", "2026-03-01", "--to", "2026-03-31")


@dataclass
class Mirrored:
    timeline: Timeline
    client: TestClient
    data_dir: object
    rpc_url: str

    def run(self, *args: str, data_dir=None, rpc_url: str | None = None):
        env = {
            "LEDGER_DATA_DIR": str(data_dir or self.data_dir),
            "LEDGER_RPC_URL": rpc_url or self.rpc_url,
            "LEDGER_DATABASE_URL": None,
        }
        return CliRunner().invoke(app, ["evaluation", *args], env=env)


@pytest.fixture
def mirrored(system, units, tmp_path):
    """The timeline synced into tmp_path/mirror.db, and an API over the same mirror to compare with."""
    timeline = build(system, units)
    runtime = make_runtime(system, tmp_path)
    try:
        runtime.indexer.sync()
        with TestClient(create_app(runtime=runtime)) as client:
            yield Mirrored(timeline, client, tmp_path, system.node.url)
    finally:
        runtime.stop()


def assert_one_line_error(result, expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr == f"error: {expected}\n", result.stderr
    assert result.stdout == ""


def test_table_csv_and_chart(mirrored, tmp_path):
    t, units = mirrored.timeline, mirrored.timeline.units
    csv_file, png_file = tmp_path / "march.csv", tmp_path / "march.png"
    result = mirrored.run(*MARCH, "--csv", str(csv_file), "--png", str(png_file))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    block = t.system.w3.eth.block_number
    assert result.stdout.splitlines() == [
        f"Art. 32 evaluation 2026-03-01 to 2026-03-31, judged at 2026-03-20 10:00:00 Asia/Shanghai (block {block})",
        "rank   score  compile  collect  resubmit   review  overdue  unit",
        f"   1   83.33   100.0%   100.0%     50.0%        -        0  普陀区民政局 ({hex0x(units.civil.unit_id)})",
        f"   2   50.00   100.0%     0.0%         -        -        1  普陀区市场监督管理局 ({hex0x(units.market.unit_id)})",
        f"   3   40.00        -        -         -    40.0%        2  普陀区大数据中心 ({hex0x(units.data_center.unit_id)})",
        f"wrote the CSV to {csv_file}",
        f"wrote the chart to {png_file}",
    ]
    api_csv = mirrored.client.get("/v1/evaluation.csv", params={"from": "2026-03-01", "to": "2026-03-31"}).text
    assert csv_file.read_text(encoding="utf-8") == api_csv
    png = png_file.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000


def test_default_period_and_a_given_time_without_the_node(mirrored):
    result = mirrored.run()
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Art. 32 evaluation 2026-03-01 to 2026-03-20, judged at 2026-03-20 10:00:00")

    down = f"http://127.0.0.1:{free_port()}"
    result = mirrored.run(*MARCH, "--now", "2026-03-25 12:00", rpc_url=down)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert (
        lines[0] == "Art. 32 evaluation 2026-03-01 to 2026-03-31, judged at 2026-03-25 12:00:00 Asia/Shanghai (--now)"
    )
    # By then F's review (due 23 March) is overdue too; G's resubmission (due 25 March, 23:59:59) is not yet.
    assert [line.split()[:8] for line in lines[2:5]] == [
        ["1", "83.33", "100.0%", "100.0%", "50.0%", "-", "0", "普陀区民政局"],
        ["2", "50.00", "100.0%", "0.0%", "-", "-", "1", "普陀区市场监督管理局"],
        ["3", "36.36", "-", "-", "-", "36.4%", "3", "普陀区大数据中心"],
    ]


def test_a_lagging_mirror_is_said(mirrored):
    mirrored.timeline.system.w3.provider.make_request("evm_mine", [])
    result = mirrored.run(*MARCH)
    assert result.exit_code == 0, result.output
    head = mirrored.timeline.system.w3.eth.block_number
    assert result.stderr.startswith(f"warning: the mirror is at block {head - 1}, the chain at {head}:")


def test_refusals_are_one_line(mirrored, tmp_path):
    assert_one_line_error(
        mirrored.run("--from", "2026-03-31", "--to", "2026-03-01"), "--from 2026-03-31 is after --to 2026-03-01"
    )
    assert_one_line_error(
        mirrored.run("--from", "2026-04-01"), "--from 2026-04-01 is after today (2026-03-20), the default --to"
    )
    assert_one_line_error(mirrored.run("--from", "2026-02-30"), "--from '2026-02-30': not a date (YYYY-MM-DD)")
    assert_one_line_error(
        mirrored.run("--to", "9999-12-31"),
        "--to 9999-12-31: outside the days an evaluation may name (1970-01-01 to 2099-12-31)",
    )
    assert_one_line_error(
        mirrored.run("--now", "tomorrow"), "--now 'tomorrow': not a time (YYYY-MM-DD HH:MM[:SS], Asia/Shanghai)"
    )
    assert_one_line_error(
        mirrored.run("--now", "2026-03-10 12:00"),
        "--now 2026-03-10 12:00 is before the mirror's last step (2026-03-20 10:00:00): the mirror "
        "would show steps taken after it; give a later time",
    )
    down = f"http://127.0.0.1:{free_port()}"
    assert_one_line_error(
        mirrored.run(rpc_url=down),
        f"cannot read the chain's time from {down} (ConnectionError); "
        "pass --now 'YYYY-MM-DD HH:MM' to judge at a given time",
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(
        mirrored.run(data_dir=empty),
        f"no ledger data: looked for {(empty / 'mirror.db').resolve()} (data directory {empty.resolve()}, from "
        "LEDGER_DATA_DIR); run this where `scripts/up` or `ledger up` ran, or set LEDGER_DATA_DIR to that .ledger "
        "directory",
    )
    assert list(empty.iterdir()) == []  # no empty mirror left behind
    result = mirrored.run("--csv", str(tmp_path / "missing" / "out.csv"))
    assert result.exit_code == 1 and result.stderr.startswith(f"error: cannot write {tmp_path / 'missing' / 'out.csv'}")
