"""A returned version (Art. 13) in the browser: the Data Center returns it with its reason code and
text, the owner corrects the entry from its current document and resubmits it."""

from __future__ import annotations

import json

import httpx

from chain.actions import ActionKind, entry_id_for
from signer.keystore import save_key
from tests.api.conftest import wait_for
from tests.console.conftest import run_script
from tests.console.test_journey import carried, named
from tests.sharing_desk import entry_doc
from tests.signer.helpers import PASSWORD, TEST_SCRYPT_N

NAME = "优抚对象信息"


def test_the_data_center_returns_a_version_and_the_owner_resubmits_it(platform):
    desk = platform.desk
    entry_id = entry_id_for(desk.civil.unit_id, "MZJ-0401")
    call = desk.catalog_call(desk.civil, ActionKind.SUBMIT, entry_id, entry_doc("MZJ-0401", NAME))
    desk.funded_sender().send(call)  # not the platform's relayer account, which the API is using
    url = f"{platform.url}/v1/catalog/entries/0x{entry_id.hex()}"
    wait_for(lambda: httpx.get(url).status_code == 200)
    keys = platform.tmp / "keys"
    owner = save_key(named(desk.civil.ecdsa, "mzj"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)
    reviewer = save_key(named(desk.data_center.sm2, "dsjzx-sm2"), PASSWORD, directory=keys, scrypt_n=TEST_SCRYPT_N)

    out = run_script(
        "returned.mjs",
        CONSOLE_URL=platform.url,
        OWNER_KEY=str(owner),
        REVIEWER_KEY=str(reviewer),
        PASSWORD=PASSWORD,
        ENTRY_NAME=NAME,
    )

    assert out["problems"] == []
    returned = carried(platform.system, out["returnTx"])
    assert (returned.kind, returned.version, returned.reason_code) == (ActionKind.REVIEW, 1, 1)
    assert json.loads(returned.document) == {
        "schema": "putuo.catalog-review/1",
        "decision": "return",
        "reason_code": 1,
        "reason": "缺少数据项说明，请补充后重新提交",
    }
    resubmitted = carried(platform.system, out["resubmitTx"])
    assert resubmitted.kind == ActionKind.RESUBMIT
    assert json.loads(resubmitted.document)["data_items"][0] == {
        "name": "姓名",
        "type": "string",
        "description": "优抚对象姓名",
    }
    entry = httpx.get(url).json()
    assert (entry["status"], entry["pending_version"]) == ("under_review", 2)
