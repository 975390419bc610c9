"""The sharing views and the check answer alike from a PostgreSQL mirror and a SQLite one."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from chain.sharing import StepKind
from tests.api.auth_helpers import PLATFORM
from tests.api.conftest import make_runtime
from tests.sharing_desk import SharingDesk


def test_postgresql_and_sqlite_answer_sharing_alike(system, tmp_path, postgres_url):
    desk = SharingDesk(system)
    civil = desk.approved_entry(desk.civil, "MZJ-0001")
    market = desk.approved_entry(desk.market, "SCJ-0001", "企业登记信息")
    granted, _ = desk.apply(desk.street, [desk.resource(desk.civil, civil)], scenario_class=1)
    waiting, _ = desk.apply(
        desk.street,
        [desk.resource(desk.civil, civil), desk.resource(desk.market, market)],
        application_no="CF-2026-002",
        scenario_code="企业核查",
    )
    desk.decide(desk.civil, waiting, 0)
    desk.act(desk.data_center, StepKind.SECURITY_SUSPEND, granted)
    street, hexes = desk.street.unit_hex, {"granted": "0x" + granted.hex(), "waiting": "0x" + waiting.hex()}
    paths = (
        [f"/v1/demands/{d}" for d in hexes.values()]
        + [
            f"/v1/grants/{hexes['granted']}",
            f"/v1/grants/{hexes['granted']}/history",
            f"/v1/units/{street}/grants",
            f"/v1/units/{desk.civil.unit_hex}/incoming-demands",
            f"/v1/units/{desk.market.unit_hex}/incoming-demands",
            "/v1/scenarios",
            f"/v1/grants/{hexes['waiting']}",
        ]
        + [
            f"/v1/sharing/check?unit_id={street}&entry_id=0x{e[0].hex()}&version=1&items=姓名&scenario={s}&method=interface"
            for e in (civil, market)
            for s in ("低保审核", "企业核查")
        ]
    )

    answers = {}
    for backend, overrides in (("sqlite", {}), ("postgresql", {"database_url": postgres_url()})):
        runtime = make_runtime(system, tmp_path / backend, **overrides)
        try:
            assert runtime.engine.dialect.name == backend
            runtime.indexer.sync()
            with TestClient(create_app(runtime=runtime), headers=PLATFORM) as client:
                answers[backend] = [(p, (r := client.get(p)).status_code, r.json()) for p in paths]
        finally:
            runtime.stop()
    for _, _, body in answers["sqlite"] + answers["postgresql"]:
        if isinstance(body, dict):
            body.pop("now", None)  # the chain's clock moves between the two reads
    assert answers["postgresql"] == answers["sqlite"]
    by_path = {p: (status, body) for p, status, body in answers["postgresql"]}
    checks = [body["reason"] for p, (_, body) in by_path.items() if p.startswith("/v1/sharing/check")]
    assert checks == ["suspended", "suspended", "no_grant", "no_grant"]  # a suspended grant serves no scenario
    assert by_path[f"/v1/grants/{hexes['waiting']}"][0] == 404  # the market bureau has not answered
