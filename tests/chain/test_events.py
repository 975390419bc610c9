"""chain.events: the one decoder, on real receipts, and its policy for a log it cannot decode."""

from __future__ import annotations

import pytest
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak, to_checksum_address

from chain.actions import ActionKind, entry_id_for, unit_id_for
from chain.errors import UndecodableLogError
from chain.events import decode_log, receipt_events
from chain.indexer import RpcClient
from tests.chain.helpers import (
    action_digest,
    approve_note,
    catalog_document,
    return_note,
    send_batch,
)
from tests.conftest import DECLARED_AT
from tests.signed_fields import version_sharing
from tests.workdays.helpers import reference_due

SM2_PUBLIC_KEY = bytes.fromhex(
    "04" + "09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020"
    "ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13"
)


def _raw_logs(system, receipt) -> list[dict]:
    """The receipt's logs as `eth_getLogs` returns them (what the indexer decodes)."""
    block = hex(receipt["blockNumber"])
    logs = RpcClient(system.node.url).call("eth_getLogs", [{"fromBlock": block, "toBlock": block}])
    return [entry for entry in logs if entry["transactionHash"] == receipt["transactionHash"].to_0x_hex()]


def _position(ev, receipt, log_index: int, address: str) -> None:
    assert ev.address == address
    assert ev.block_number == receipt["blockNumber"]
    assert ev.block_hash == receipt["blockHash"].to_0x_hex()
    assert ev.tx_hash == receipt["transactionHash"].to_0x_hex()
    assert ev.log_index == log_index
    assert ev.position == (receipt["blockNumber"] << 20) | log_index


def test_registry_events_decode_with_exact_args(system, units):
    registry = units.registry
    unit_id = unit_id_for("PT-GAJ")
    receipt = system.office.send(registry.functions.registerUnit("PT-GAJ", 3, "普陀区公安分局"))
    [ev] = receipt_events(receipt)
    assert ev.name == "UnitRegistered"
    assert ev.args == {"unitId": unit_id, "kind": 3, "name": "普陀区公安分局", "code": "PT-GAJ"}
    _position(ev, receipt, receipt["logs"][0]["logIndex"], system.deployment.registry)

    officer = Account.create()
    receipt = system.office.send(registry.functions.registerOfficer(unit_id, officer.address, SM2_PUBLIC_KEY))
    ecdsa, sm2 = receipt_events(receipt)
    assert (ecdsa.name, sm2.name) == ("KeyRegistered", "KeyRegistered")
    assert ecdsa.args == {
        "unitId": unit_id,
        "keyId": officer.address,
        "scheme": 1,
        "publicKey": bytes.fromhex(officer.address[2:]),
    }
    sm2_key_id = to_checksum_address(keccak(SM2_PUBLIC_KEY)[:20])
    assert sm2.args == {"unitId": unit_id, "keyId": sm2_key_id, "scheme": 2, "publicKey": SM2_PUBLIC_KEY}
    assert sm2.log_index == ecdsa.log_index + 1

    receipt = system.office.send(registry.functions.revokeKey(sm2_key_id))
    [ev] = receipt_events(receipt)
    assert ev.name == "KeyRevoked"
    assert ev.args == {"unitId": unit_id, "keyId": sm2_key_id}
    _position(ev, receipt, receipt["logs"][0]["logIndex"], system.deployment.registry)


def test_catalog_events_decode_with_exact_args(system, units):
    civil, dc = units.civil, units.data_center
    entry_id = entry_id_for(civil.unit_id, "MZJ-0101")
    document = catalog_document("MZJ-0101", "残疾人基本信息")
    submit = civil.action(ActionKind.SUBMIT, entry_id, document, nonce=2**128 - 1)
    receipt, [ev] = send_batch(system, units.catalog, [submit])
    assert ev.name == "CatalogVersionSubmitted"
    submitted_at = system.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    assert ev.args == {
        "entryId": entry_id,
        "version": 1,
        "unitId": civil.unit_id,
        "kind": 0,
        "signer": civil.address,
        "nonce": 2**128 - 1,
        "documentHash": keccak(document),
        "dueAt": reference_due(submitted_at, 1)[1],
        "declaredAt": DECLARED_AT,
        "compileDueAt": reference_due(DECLARED_AT, 10)[1],
        "sharing": version_sharing(ActionKind.SUBMIT, document),
        "responsibility": bytes(32),
        "document": document,
    }
    _position(ev, receipt, receipt["logs"][0]["logIndex"], system.deployment.catalog)

    note = return_note(2, "共享属性与依据不符")
    review = dc.action(ActionKind.REVIEW, entry_id, note, version=1, reason_code=2, nonce=7)
    receipt, [ev] = send_batch(system, units.catalog, [review])
    assert ev.name == "CatalogVersionReviewed"
    returned_at = system.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    assert ev.args == {
        "entryId": entry_id,
        "version": 1,
        "reviewer": dc.address,
        "nonce": 7,
        "reasonCode": 2,
        "entryStatus": 2,
        "nextDueAt": reference_due(returned_at, 3)[1],
        "documentHash": keccak(note),
        "document": note,
    }

    # The same review again in a batch, after one valid action: skipped with the exact revert data.
    resubmit = civil.action(ActionKind.RESUBMIT, entry_id, catalog_document("MZJ-0101", "残疾人基本信息（修订）"))
    receipt, (first, rejected) = send_batch(system, units.catalog, [resubmit, review])
    assert first.name == "CatalogVersionSubmitted" and first.args["version"] == 2 and first.args["kind"] == 1
    assert rejected.name == "ActionRejected"
    reason = keccak(text="SignedActionNonceUsed(address,uint256)")[:4] + abi_encode(
        ["address", "uint256"], [dc.address, 7]
    )
    assert rejected.args == {
        "relayer": system.relayer.account.address,
        "index": 1,
        "digest": bytes.fromhex(action_digest(system, review)[2:]),
        "reason": reason,
    }
    assert rejected.log_index == first.log_index + 1


def test_receipt_events_and_raw_logs_decode_alike(system, units):
    """The indexer decodes eth_getLogs dicts; the tests decode web3 receipts: one record either way."""
    entry_id = entry_id_for(units.civil.unit_id, "MZJ-0102")
    receipt, from_receipt = send_batch(
        system,
        units.catalog,
        [
            units.civil.action(ActionKind.SUBMIT, entry_id, catalog_document("MZJ-0102", "婚姻登记信息")),
            units.data_center.action(ActionKind.REVIEW, entry_id, approve_note(), version=1),
        ],
    )
    from_logs = [decode_log(raw) for raw in _raw_logs(system, receipt)]
    assert [e.name for e in from_logs] == ["CatalogVersionSubmitted", "CatalogVersionReviewed"]
    assert from_logs == from_receipt


@pytest.fixture
def raw_submitted(system, units) -> dict:
    entry_id = entry_id_for(units.civil.unit_id, "MZJ-0103")
    document = catalog_document("MZJ-0103", "社会组织登记信息")
    receipt, _ = send_batch(system, units.catalog, [units.civil.action(ActionKind.SUBMIT, entry_id, document)])
    [raw] = _raw_logs(system, receipt)
    return raw


def _broken(raw: dict, how: str) -> dict:
    topics, data = list(raw["topics"]), raw["data"]
    if how == "unknown topic":
        topics[0] = "0x" + keccak(text="CatalogVersionSubmitted(bytes32)").hex()
    elif how == "no topics":
        topics = []
    elif how == "missing indexed topic":
        topics = topics[:-1]
    elif how == "extra topic":
        topics = topics + ["0x" + "00" * 32]
    elif how == "truncated data":
        data = data[: len(data) - 64]
    elif how == "bad hex":
        data = data[:-1] + "z"
    elif how == "uint8 out of range":  # word 0 is `kind` (uint8): only its last byte may be set
        data = "0x" + "01" + data[4:]
    elif how == "address out of range":  # word 1 is `signer`: its first 12 bytes must be zero
        data = data[: 2 + 64] + "ff" + data[2 + 64 + 2 :]
    elif how == "document runs past the data":  # word 7 is the offset of `document`
        data = data[: 2 + 7 * 64] + "%064x" % 2**20 + data[2 + 8 * 64 :]
    return {**raw, "topics": topics, "data": data}


BROKEN = [
    "unknown topic",
    "no topics",
    "missing indexed topic",
    "extra topic",
    "truncated data",
    "bad hex",
    "uint8 out of range",
    "address out of range",
    "document runs past the data",
]


@pytest.mark.parametrize("how", BROKEN)
def test_undecodable_log_raises_by_default(raw_submitted, how):
    assert decode_log(raw_submitted).name == "CatalogVersionSubmitted"  # intact, it decodes
    with pytest.raises(UndecodableLogError) as info:
        decode_log(_broken(raw_submitted, how))
    with pytest.raises(UndecodableLogError):
        decode_log(_broken(raw_submitted, how), on_error="raise")
    if how in ("unknown topic", "no topics"):
        assert "unknown event topic" in str(info.value)
    else:
        assert str(info.value).startswith(f"log {raw_submitted['transactionHash']}#{raw_submitted['logIndex']}: ")


@pytest.mark.parametrize("how", BROKEN)
def test_undecodable_log_is_none_when_skipped(raw_submitted, how):
    assert decode_log(_broken(raw_submitted, how), on_error="skip") is None
    assert decode_log(raw_submitted, on_error="skip").name == "CatalogVersionSubmitted"
