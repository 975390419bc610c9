"""The usage log's intake (#11 part 1, Art. 25, 30): a real node, a real SQLite file, a real grant.
Each record is checked by the gateway's rule at its time; refused uses are logged as refused; a
request id is stored once; bad input stores nothing."""

from __future__ import annotations

import hashlib

import pytest

from api.usage_schemas import UsageBatchLogged
from chain.sharing import StepKind
from tests.api import test_sharing_api
from tests.api.auth_helpers import PLATFORM, anonymous, login
from tests.api.test_sharing_api import SCENARIO, Api
from tests.sharing import examples
from usage.records import UsageRecordIn, leaf_bytes, leaf_document

api = test_sharing_api.api  # the fixture: a desk, a real node, the API over a SQLite file


def record(api: Api, grant_id: str, n: int, **overrides) -> dict:
    entry_id, version = api.civil_entry
    return {
        "request_id": f"req-{n}",
        "grant_id": grant_id,
        "entry_id": "0x" + entry_id.hex(),
        "version": version,
        "items": examples.resource()["items"],
        "scenario": SCENARIO,
        "method": "interface",
        "unit_id": api.desk.street.unit_hex,
        "system": "长寿路街道-民生服务系统",
        "used_at": api.desk.now(),
        "result": {"count": 3, "hash": hashlib.sha256(str(n).encode()).hexdigest()},
        **overrides,
    }


# The share service reports uses as the platform (#11 part 6).


def logged(api: Api, *records: dict, status: int = 200) -> dict:
    answer = api.client.post("/v1/usage", json={"records": list(records)}, headers=PLATFORM)
    assert answer.status_code == status, answer.json()
    return answer.json()


def stored(api: Api) -> list[tuple]:
    with api.runtime.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT seq, request_id, outcome, reason, owner_unit_id, leaf FROM usage_records ORDER BY seq"
        ).all()


@pytest.fixture
def grant_id(api: Api) -> str:
    return api.apply(api.application(scenario_class=1))


def test_in_scope_accepted_out_of_scope_refused_each_stored_as_its_leaf(api: Api, grant_id: str):
    """Art. 25: a use in scope is accepted; another scenario, an item not granted, another unit's
    use of the grant are refused by the gateway's own reasons; each is a canonical JSON leaf."""
    records = [
        record(api, grant_id, 1),
        record(api, grant_id, 2, scenario="PT-SC-OTHER"),
        record(api, grant_id, 3, items=["婚姻状况"]),
        record(api, grant_id, 4, unit_id=api.desk.market.unit_hex),
    ]
    answer = logged(api, *records)
    assert [(r["id"], r["outcome"], r["reason"], r["duplicate"]) for r in answer["records"]] == [
        (0, "accepted", "granted", False),
        (1, "refused", "scenario_not_granted", False),
        (2, "refused", "item_not_granted", False),
        (3, "refused", "not_grant_holder", False),
    ]
    assert (answer["accepted"], answer["refused"], answer["duplicates"]) == (1, 3, 0)
    assert UsageBatchLogged.model_validate(answer).model_dump() == answer  # written by orjson, as documented
    rows = stored(api)
    assert [r[4] for r in rows] == [api.desk.civil.unit_hex] * 4  # the owner sees them (Art. 30)
    first = leaf_document(UsageRecordIn.model_validate(records[0]), outcome="accepted", reason="granted")
    assert rows[0][5] == leaf_bytes(first) and b'"outcome":"accepted"' in rows[0][5]


def test_a_request_id_is_stored_once(api: Api, grant_id: str):
    """The same request id twice, in one batch and in the next: one record, answered as stored."""
    first = record(api, grant_id, 1)
    answer = logged(api, first, record(api, grant_id, 2), {**first, "system": "another"})
    assert [(r["id"], r["duplicate"]) for r in answer["records"]] == [(0, False), (1, False), (0, True)]
    again = logged(api, first, record(api, grant_id, 3))
    assert [(r["request_id"], r["id"], r["duplicate"]) for r in again["records"]] == [
        ("req-1", 0, True),
        ("req-3", 2, False),
    ]
    assert (again["accepted"], again["duplicates"]) == (1, 1)
    assert [r[1] for r in stored(api)] == ["req-1", "req-2", "req-3"]
    assert api.runtime.usage_records.size() == 3


def test_a_use_on_a_suspended_grant_is_refused(api: Api, grant_id: str):
    """Art. 26, 31: after the Data Center suspends the grant, a use is logged as refused."""
    api.step(api.desk.data_center, StepKind.SECURITY_SUSPEND, examples.suspension(grant_id=grant_id))
    answer = logged(api, record(api, grant_id, 1, used_at=api.desk.now()))
    assert [(r["outcome"], r["reason"]) for r in answer["records"]] == [("refused", "suspended")]


def test_a_use_under_another_grant_is_no_grant(api: Api, grant_id: str):
    answer = logged(api, record(api, "0x" + "ab" * 32, 1))
    assert [(r["outcome"], r["reason"]) for r in answer["records"]] == [("refused", "no_grant")]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"grant_id": "0xAB"}, "invalid_request", "records.1.grant_id"),
        ({"result": {"count": 1, "hash": "zz"}}, "invalid_request", "records.1.result.hash"),
        ({"data": "the rows themselves"}, "invalid_request", "records.1.data"),
        ({"used_at": 2**39}, "used_at_in_future", "records.1.used_at"),
    ],
)
def test_bad_input_stores_nothing(api: Api, grant_id: str, change: dict, code: str, field: str):
    answer = api.client.post(
        "/v1/usage",
        json={"records": [record(api, grant_id, 1), {**record(api, grant_id, 2), **change}]},
        headers=PLATFORM,
    )
    assert answer.status_code == 422, answer.json()
    error = answer.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"].startswith(field)
    assert stored(api) == []


@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        (b'{"records": [', "application/json", "body: JSON decode error"),
        (b'{"records": []} trailing', "application/json", "body: JSON decode error"),
        (b"\xff\xfe{}", "application/json", "body: JSON decode error"),
        (b"", "application/json", "body: Field required"),
        (b'{"records": []}', "text/plain", "body: Input should be a valid dictionary or object to extract fields from"),
        (b'{"records": []}', None, "body: Input should be a valid dictionary or object to extract fields from"),
    ],
)
def test_a_body_that_is_no_json_batch_stores_nothing(
    api: Api, grant_id: str, content: bytes, content_type: str | None, message: str
):
    """The body is validated from its bytes (api/raw_body.py) and refused as FastAPI would: not
    JSON, not said to be JSON, or missing."""
    headers = {**PLATFORM, **({"content-type": content_type} if content_type else {})}
    answer = api.client.post("/v1/usage", content=content, headers=headers)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["field"], error["message"]) == ("invalid_request", "body", message)
    assert stored(api) == []


def test_only_the_platform_reports_uses(api: Api, grant_id: str):
    """The share service authenticates as the platform; an officer, even the Data Center's, may not
    report uses, and nobody unauthenticated."""
    body = {"records": [record(api, grant_id, 1)]}
    unsigned = anonymous(api).post("/v1/usage", json=body)
    assert (unsigned.status_code, unsigned.json()["error"]["code"]) == (401, "not_authenticated")
    officer = api.client.post("/v1/usage", json=body, headers=login(api.client, api.desk.data_center.action_key))
    assert (officer.status_code, officer.json()["error"]["code"]) == (403, "platform_only")
    assert stored(api) == []


def test_a_record_is_read_by_its_units_and_oversight_only(api: Api, grant_id: str):
    """Art. 30: the demand unit that used the data and the entry's owner see the record; the
    Office, the Data Center and the regulators see every one; another unit is refused."""
    logged(api, record(api, grant_id, 1))
    auditor = api.desk.unit("PT-SJJ", "auditor", "普陀区审计局")
    for officer in (api.desk.street, api.desk.civil, api.desk.office, api.desk.data_center, auditor):
        seen = api.client.get("/v1/usage/0", headers=login(api.client, officer.action_key))
        assert seen.status_code == 200 and '"request_id":"req-1"' in seen.json()["record"], officer
    other = api.client.get("/v1/usage/0", headers=login(api.client, api.desk.market.action_key))
    assert (other.status_code, other.json()["error"]["code"], other.json()["error"]["field"]) == (
        403,
        "usage_not_yours",
        "id",
    )
    assert anonymous(api).get("/v1/usage/0").status_code == 401
    assert api.client.get("/v1/usage/0", headers=PLATFORM).status_code == 200


def test_concurrent_batches_are_numbered_without_gaps_and_each_request_id_once(api: Api, grant_id: str):
    """Batches posted at once share transactions (group commit) yet each is answered with its own
    records; a request id posted by two batches at once is stored once; ids run 0..n-1."""
    import threading

    answers: list[dict] = []

    def post(t: int) -> None:
        for b in range(4):
            # Threads overlap: thread t's batch b holds ids t*40+b*10 .. +19, half of them another's too.
            batch = [record(api, grant_id, t * 40 + b * 10 + k) for k in range(20)]
            answers.append(logged(api, *batch))

    threads = [threading.Thread(target=post, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = stored(api)
    assert [r[0] for r in rows] == list(range(len(rows)))
    assert len({r[1] for r in rows}) == len(rows) == len({f"req-{n}" for n in range(170)})
    seq_of = {r[1]: r[0] for r in rows}
    for answer in answers:
        assert all(seq_of[r["request_id"]] == r["id"] for r in answer["records"])
    assert sum(a["accepted"] for a in answers) == len(rows)


def test_the_batch_check_reads_each_grant_once_and_answers_as_one_use_at_a_time(api: Api, grant_id: str):
    """`check_many` reads a batch's grants in one query; each answer is what the gateway's rule
    gives that use read on its own (`_check_rows`), refusals and unknown grants included."""
    from api.services import sharing_queries as q

    uses = []
    for n, change in enumerate(
        [
            {},
            {"scenario": "PT-SC-OTHER"},
            {"items": ["婚姻状况"]},
            {"unit_id": api.desk.market.unit_hex},
            {"grant_id": "0x" + "ab" * 32},
            {"method": "batch_comparison"},
            {"grant_id": grant_id.upper().replace("0X", "0x")},
            {"used_at": 1},
        ]
    ):
        r = {**record(api, grant_id, n), **change}
        uses.append({k: r[k] for k in ("unit_id", "entry_id", "grant_id", "version", "items", "scenario", "method")})
        uses[-1].update(form="full", now=r["used_at"])
    connection = api.runtime.engine.raw_connection()
    try:
        one_by_one = []
        for use in uses:
            unit_id, entry_id, g = use["unit_id"].lower(), use["entry_id"].lower(), use["grant_id"].lower()
            rows = q._check_rows(connection, api.runtime.engine.dialect.name, unit_id, entry_id, g)
            judged = {k: v for k, v in use.items() if k not in ("unit_id", "entry_id", "grant_id")}
            one_by_one.append(q._reason(rows, unit_id=unit_id, dated=True, **judged)[:2])
    finally:
        connection.close()
    assert q.check_many(api.runtime.engine, uses) == one_by_one
    assert [reason for reason, _ in one_by_one] == [
        "granted",
        "scenario_not_granted",
        "item_not_granted",
        "not_grant_holder",
        "no_grant",
        "method_not_granted",
        "granted",
        "before_grant",
    ]
