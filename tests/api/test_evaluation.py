"""The Art. 32 evaluation: the API's figures against figures recomputed here from the raw chain
events alone (eth_getLogs + the one decoder), with none of the mirror's or the service's code;
then the CSV, the chart, and the period's edges.

The district is test_duties' March 2026 timeline, judged at its last block (2026-03-20 10:00).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import pytest
from PIL import Image

from api.errors import ApiError
from api.schemas import Evaluation
from api.services.evaluation import SHARING_GROUPS, bounds, chart_labels, period
from chain.events import decode_log
from tests.api.helpers import error_of, hex0x
from tests.api.test_duties import mirrored_district
from tests.workdays.helpers import ts

GROUPS = ("compile", "collect", "resubmit", "review")
COUNTS = ("entries", "versions", "returns", "changes", "deletions", "reviews")
SUBMITTED, REVIEWED, COLLECTED = "CatalogVersionSubmitted", "CatalogVersionReviewed", "CatalogDataCollected"
RESUBMISSION, DELETION = 1, 3  # VersionKind


@dataclass
class ChainDuty:
    owner: str  # unit id, or "dc"
    group: str
    due: int
    done: int | None = None
    cancelled: bool = False


def chain_record(system) -> tuple[list[ChainDuty], list[tuple[str, str, int]]]:
    """Every duty, and every counted step as (unit or "dc", count name, time), from the Catalog's logs."""
    reply = system.w3.provider.make_request(
        "eth_getLogs",
        [{"address": system.deployment.catalog, "fromBlock": hex(system.deployment.deploy_block), "toBlock": "latest"}],
    )
    events = [decode_log(log) for log in reply["result"]]
    times = {n: system.w3.eth.get_block(n)["timestamp"] for n in {e.block_number for e in events}}
    duties: dict[tuple, ChainDuty] = {}
    kinds, units, steps = {}, {}, []
    for e in events:
        a, t = e.args, times[e.block_number]
        if e.name == SUBMITTED:
            eid, v, unit = a["entryId"], a["version"], hex0x(a["unitId"])
            units[eid], kinds[(eid, v)] = unit, a["kind"]
            duties[(eid, "review", v)] = ChainDuty("dc", "review", a["dueAt"])
            if v == 1:
                duties[(eid, "compile")] = ChainDuty(unit, "compile", a["compileDueAt"], t)
                steps.append((unit, "entries", t))
            if a["kind"] == RESUBMISSION:
                duties[(eid, "resubmit", v - 1)].done = t
            steps += [(unit, "versions", t)] + [
                (unit, name, t) for k, name in ((2, "changes"), (3, "deletions")) if a["kind"] == k
            ]
        elif e.name == REVIEWED:
            eid, v = a["entryId"], a["version"]
            duties[(eid, "review", v)].done = t
            steps.append(("dc", "reviews", t))
            if a["reasonCode"]:
                steps.append((units[eid], "returns", t))
            if a["nextDueAt"]:
                group = "resubmit" if a["reasonCode"] else "collect"
                duties[(eid, group, v) if a["reasonCode"] else (eid, group)] = ChainDuty(
                    units[eid], group, a["nextDueAt"]
                )
            collect = duties.get((eid, "collect"))
            if not a["reasonCode"] and kinds[(eid, v)] == DELETION and collect and collect.done is None:
                collect.done, collect.cancelled = t, True
        elif e.name == COLLECTED:
            duties[(a["entryId"], "collect")].done = t
    return list(duties.values()), steps


def recompute(system, units, start: str, end: str, now: int) -> dict[str, dict]:
    """Per unit id: counts, each group's figures, score; the regulation's rules as docs/RULES.md states them."""
    low, high = ts(f"{start} 00:00"), ts(f"{end} 23:59:59")
    dc = hex0x(units.data_center.unit_id)
    ids = [hex0x(o.unit_id) for o in (units.data_center, units.civil, units.market)]
    out = {
        u: {
            **dict.fromkeys(COUNTS, 0),
            **{g: dict.fromkeys(("on_time", "late", "overdue", "open", "unknown"), 0) for g in GROUPS},
        }
        for u in ids
    }
    duties, steps = chain_record(system)
    for who, name, t in steps:
        if low <= t <= high:
            out[dc if who == "dc" else who][name] += 1
    for d in duties:
        figures = out[dc if d.owner == "dc" else d.owner][d.group]
        if d.due == 0:
            figures["unknown"] += d.done is not None and low <= d.done <= high
        elif low <= d.due <= high:
            if d.cancelled:
                figures["late"] += d.done > d.due
            elif d.done is None:
                figures["open" if now <= d.due else "overdue"] += 1
            else:
                figures["on_time" if d.done <= d.due else "late"] += 1
    for unit, row in out.items():
        rates = []
        for g in GROUPS:
            f = row[g]
            f["judged"] = f["on_time"] + f["late"] + f["overdue"]
            f["rate"] = f["on_time"] / f["judged"] if f["judged"] else None
            if (g == "review") == (unit == dc) and f["rate"] is not None:
                rates.append(f["rate"])
        row["score"] = round(100 * sum(rates) / len(rates), 2) if rates else None
    return out


@pytest.fixture(scope="class")
def district(_systems, tmp_path_factory):
    """test_duties' district, built and mirrored once for this module's class."""
    yield from mirrored_district(_systems, tmp_path_factory)


def evaluation(client, **params) -> dict:
    response = client.get("/v1/evaluation", params=params)
    assert response.status_code == 200, response.json()
    return response.json()


class TestEvaluation:
    @pytest.mark.parametrize(
        ("start", "end"),
        [
            ("2026-03-01", "2026-03-31"),
            ("2026-02-01", "2026-02-28"),
            ("2026-03-05", "2026-03-10"),
            ("2026-03-20", "2026-03-20"),
            ("2024-01-01", "2026-12-31"),
        ],
    )
    def test_figures_match_the_chain_events(self, district, start, end):
        t = district.timeline
        body = evaluation(district.client, **{"from": start, "to": end})
        assert (body["from"], body["to"], body["now"]) == (start, end, t.times[7])
        expected = recompute(t.system, t.units, start, end, body["now"])
        got = {u["unit_id"]: {k: u[k] for k in (*COUNTS, *GROUPS, "score")} for u in body["units"]}
        assert got == expected
        # Ranked by score (null last), then fewer overdue, more judged, unit id; ranks only for a score.
        keys = [
            (
                u["score"] is None,
                -(u["score"] or 0),
                sum(u[g]["overdue"] for g in GROUPS),
                -sum(u[g]["judged"] for g in GROUPS),
                u["unit_id"],
            )
            for u in body["units"]
        ]
        assert keys == sorted(keys)
        scored = [u for u in body["units"] if u["score"] is not None]
        assert [u["rank"] for u in body["units"]] == [
            *range(1, len(scored) + 1),
            *[None] * (len(body["units"]) - len(scored)),
        ]

    def test_march_by_hand(self, district):
        """The same figures, worked out by hand from the timeline (so the recomputation is not trusted blindly)."""
        units = district.timeline.units
        body = evaluation(district.client, **{"from": "2026-03-01", "to": "2026-03-31"})
        rows = {u["name"]: u for u in body["units"]}
        assert [(u["rank"], u["name"], u["score"]) for u in body["units"]] == [
            (1, "普陀区民政局", 83.33),
            (2, "普陀区市场监督管理局", 50.0),
            (3, "普陀区大数据中心", 40.0),
        ]
        civil, market, dc = rows["普陀区民政局"], rows["普陀区市场监督管理局"], rows["普陀区大数据中心"]
        assert civil["unit_id"] == hex0x(units.civil.unit_id) and civil["kind"] == "ordinary"
        assert {k: civil[k] for k in COUNTS} == {
            "entries": 4,
            "versions": 8,
            "returns": 3,
            "changes": 1,
            "deletions": 1,
            "reviews": 0,
        }
        assert civil["compile"] == {
            "judged": 4,
            "on_time": 4,
            "late": 0,
            "overdue": 0,
            "open": 0,
            "unknown": 0,
            "rate": 1.0,
        }
        # E's collection was cancelled by its deletion before the due time: not judged.
        assert civil["collect"] == {
            "judged": 1,
            "on_time": 1,
            "late": 0,
            "overdue": 0,
            "open": 0,
            "unknown": 0,
            "rate": 1.0,
        }
        assert civil["resubmit"] == {
            "judged": 2,
            "on_time": 1,
            "late": 1,
            "overdue": 0,
            "open": 1,
            "unknown": 0,
            "rate": 0.5,
        }
        # C's compilation was due in February: not March's. D's has no computable due time.
        assert market["compile"] == {
            "judged": 1,
            "on_time": 1,
            "late": 0,
            "overdue": 0,
            "open": 0,
            "unknown": 1,
            "rate": 1.0,
        }
        assert market["collect"]["overdue"] == 1 and market["collect"]["rate"] == 0.0
        assert dc["review"] == {
            "judged": 10,
            "on_time": 4,
            "late": 4,
            "overdue": 2,
            "open": 1,
            "unknown": 0,
            "rate": 0.4,
        }
        assert dc["reviews"] == 8 and "区委网信办" not in rows  # auditors owe nothing

        february = evaluation(district.client, **{"from": "2026-02-01", "to": "2026-02-28"})
        first = february["units"][0]
        assert (first["rank"], first["name"], first["score"]) == (1, "普陀区市场监督管理局", 0.0)
        assert all(u["rank"] is None for u in february["units"][1:])

    def test_default_period_is_the_month_to_date(self, district):
        body = evaluation(district.client)
        assert (body["from"], body["to"]) == ("2026-03-01", "2026-03-20")
        assert body["units"] == evaluation(district.client, **{"from": "2026-03-01", "to": "2026-03-20"})["units"]
        assert evaluation(district.client, to="2026-02-10")["from"] == "2026-02-01"

    def test_csv(self, district):
        params = {"from": "2026-03-01", "to": "2026-03-31"}
        response = district.client.get("/v1/evaluation.csv", params=params)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["content-disposition"] == 'attachment; filename="evaluation-2026-03-01-2026-03-31.csv"'
        assert response.content.startswith("\ufeff".encode())  # a BOM: spreadsheets read the names as UTF-8
        lines = response.text.lstrip("\ufeff").splitlines()
        assert lines[0].startswith(
            "rank,score,unit_id,name,kind,entries,versions,returns,changes,deletions,reviews,"
            "compile_judged,compile_on_time,compile_late,compile_overdue,compile_open,"
        )
        rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
        units = evaluation(district.client, **params)["units"]
        assert len(rows) == len(units) == 3
        for row, unit in zip(rows, units, strict=True):
            assert (row["rank"], row["score"], row["unit_id"], row["name"]) == (
                str(unit["rank"]),
                f"{unit['score']:.2f}",
                unit["unit_id"],
                unit["name"],
            )
            assert {k: int(row[k]) for k in COUNTS} == {k: unit[k] for k in COUNTS}
            for g in GROUPS:
                rate = unit[g]["rate"]
                assert row[f"{g}_rate"] == ("" if rate is None else f"{rate:.4f}")
                assert int(row[f"{g}_overdue"]) == unit[g]["overdue"] and int(row[f"{g}_open"]) == unit[g]["open"]
        assert rows[0]["name"] == "普陀区民政局" and rows[0]["resubmit_rate"] == "0.5000"

    def test_chart_is_a_png(self, district):
        response = district.client.get("/v1/evaluation/chart.png", params={"from": "2026-03-01", "to": "2026-03-31"})
        assert response.status_code == 200 and response.headers["content-type"] == "image/png"
        assert response.content[:8] == b"\x89PNG\r\n\x1a\n" and len(response.content) > 5_000
        image = Image.open(io.BytesIO(response.content))
        image.verify()
        assert image.format == "PNG" and image.size[0] == 800 and image.size[1] > 200

    @pytest.mark.parametrize(
        ("path", "params", "field"),
        [
            ("/v1/evaluation", {"from": "2026-03-31", "to": "2026-03-01"}, "from"),
            ("/v1/evaluation", {"from": "2026-04-01"}, "from"),  # after the default `to`, the chain's today
            ("/v1/evaluation", {"from": "2026-02-30"}, "from"),
            ("/v1/evaluation.csv", {"to": "March"}, "to"),
            ("/v1/evaluation/chart.png", {"from": "2026-03-02", "to": "2026-03-01"}, "from"),
            ("/v1/evaluation", {"to": "0"}, "to"),  # not unix seconds: 1970-01-01 is written as a day
            ("/v1/evaluation", {"from": "0"}, "from"),
            ("/v1/evaluation", {"to": "9999-12-31"}, "to"),
            ("/v1/evaluation.csv", {"from": "1969-12-31"}, "from"),
            ("/v1/evaluation", {"to": "2026-3-1"}, "to"),
        ],
    )
    def test_bad_periods(self, district, path, params, field):
        response = district.client.get(path, params=params)
        assert response.status_code == 422
        assert error_of(response)["field"] == field

    def test_a_period_bound_is_a_day_in_range(self, district):
        for params in ({"to": "0"}, {"to": "9999-12-31"}, {"to": "1969-12-31"}):
            response = district.client.get("/v1/evaluation", params=params)
            error = error_of(response)
            assert (response.status_code, error["code"], error["field"]) == (422, "invalid_request", "to")
            assert error["message"].startswith("to: String should match pattern")
        assert error_of(district.client.get("/v1/evaluation", params={"to": "2026-02-29"})) == {
            "code": "invalid_date",
            "message": "to: '2026-02-29' is not a day (YYYY-MM-DD)",
            "field": "to",
        }
        assert (
            district.client.get("/v1/evaluation", params={"from": "1970-01-01", "to": "2099-12-31"}).status_code == 200
        )


def test_the_service_refuses_days_out_of_range():
    """What `ledger evaluation` gives the service as dates, which no pattern has checked."""
    for start, end, field in ((None, dt.date(9999, 12, 31), "to"), (dt.date(1969, 12, 31), None, "from")):
        with pytest.raises(ApiError) as refused:
            period(start, end, ts("2026-03-20 10:00"))
        assert (refused.value.status, refused.value.code, refused.value.field) == (422, "date_out_of_range", field)
    assert period(None, dt.date(2099, 12, 31), 0) == (dt.date(2099, 12, 1), dt.date(2099, 12, 31))


def test_period_bounds_are_shanghai_days():
    assert bounds(dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == (ts("2026-03-01 00:00"), ts("2026-03-31 23:59:59"))


def test_chart_labels_are_names_only_with_a_cjk_font():
    empty = {"judged": 0, "on_time": 0, "late": 0, "overdue": 0, "open": 0, "unknown": 0, "rate": None}
    unit = {
        "rank": None,
        "score": None,
        "unit_id": "0x6f5f" + "00" * 29 + "55fc",
        "name": "普陀区民政局",
        "kind": "ordinary",
        **dict.fromkeys(COUNTS, 0),
        **{g: empty for g in GROUPS},
        **{g: {**empty, "missed": 0} for g in SHARING_GROUPS},
        "update": empty,
        "objection": empty,
        "quality": {"objections": 0, "corrected": 0, "evaluation": None},
        "security": {"incidents": 0, "most_severe": None, "unacknowledged": 0, "evaluation": None},
        "effectiveness": {"uses_served": 0, "uses_made": 0, "evaluation": None},
    }
    result = Evaluation.model_validate(
        {"from": "2026-03-01", "to": "2026-03-31", "now": 0, "now_block": 0, "units": [unit]}
    )
    assert chart_labels(result, cjk=True) == ["普陀区民政局"]
    assert chart_labels(result, cjk=False) == ["0x6f5f…55fc"]
