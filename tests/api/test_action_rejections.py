"""GET /v1/catalog/actions/{id} of an action the contract later skipped in a batch: its error is
the {code, message, field} of the 4xx body the API answers when it refuses the same action
itself, enum values by name; for catalog and sharing actions alike."""

from __future__ import annotations

import pytest
from eth_abi import encode as abi_encode
from eth_utils import keccak
from fastapi.testclient import TestClient

from api.app import create_app
from api.errors import rejection
from chain.actions import ActionKind, EntryStatus
from chain.sharing import DemandStatus, ItemStatus, StepKind
from tests.api.conftest import make_runtime, wait_for
from tests.api.helpers import body_of, document, entry_id, error_of, hex0x, sign
from tests.api.test_sharing_api import Api
from tests.sharing_desk import SharingDesk


def _rejected(client, action_id: str) -> dict:
    def done():
        body = client.get(f"/v1/catalog/actions/{action_id}").json()
        return body if body["status"] == "rejected" else None

    return wait_for(done)


@pytest.mark.every_node
def test_a_catalog_action_rejected_in_a_batch_reports_the_error_a_refusal_would(system, units, tmp_path):
    leaving = units.add_officer(units.civil.unit_id)
    runtime = make_runtime(system, tmp_path)  # not started yet: accepted, not sent
    try:
        with TestClient(create_app(runtime=runtime)) as client:
            doc = document("MZJ-0961", "婚姻登记信息")
            accepted = client.post(
                "/v1/catalog/entries", json=body_of(sign(leaving, ActionKind.SUBMIT, entry_id(leaving, doc), doc), doc)
            )
            assert accepted.status_code == 202, accepted.json()
            assert client.get(f"/v1/catalog/actions/{accepted.json()['action_id']}").json()["error"] is None
            # The key is revoked before the relayer sends the action: the contract skips it.
            system.office.send(units.registry.functions.revokeKey(leaving.address))
            runtime.start()
            status = _rejected(client, accepted.json()["action_id"])
            # Refused at once, the same action (another nonce) is answered with the same error.
            refused = client.post(
                "/v1/catalog/entries", json=body_of(sign(leaving, ActionKind.SUBMIT, entry_id(leaving, doc), doc), doc)
            )
            assert refused.status_code == 403
    finally:
        runtime.stop()
    assert status["error"] == error_of(refused)
    assert status["error"] == {
        "code": "signer_not_active",
        "field": "signature",
        "contract_error": "SignedActionSignerNotActive",
        "contract_args": {"signer": leaving.address},
        "message": f"the signing key is not an active officer key: SignedActionSignerNotActive(signer={leaving.address})",
    }


@pytest.mark.every_node
def test_a_sharing_step_rejected_in_a_batch_reports_the_error_a_refusal_would(system, tmp_path):
    desk = SharingDesk(system)
    runtime = make_runtime(system, tmp_path, clock_ttl_s=0)
    try:
        with TestClient(create_app(runtime=runtime)) as client:
            api = Api(desk, client, runtime)
            demand_id, _ = desk.apply(desk.street, [desk.resource(desk.civil, api.civil_entry)])
            demand = hex0x(demand_id)
            accepted = api.decide(desk.civil, demand, 0)  # accepted, not sent
            # Meanwhile the owner decides the item straight on-chain (another signed decision): the demand closes.
            desk.decide(desk.civil, demand_id, 0)
            runtime.start()
            status = _rejected(client, accepted["action_id"])
            document = api.decision(demand_id=demand, item=0)
            refused = client.post(
                f"/v1/demands/{demand}/items/0/decision",
                json={k: v for k, v in api.signed(desk.civil, StepKind.DECIDE, document).items() if k != "kind"},
            )
    finally:
        runtime.stop()
    assert status["error"] == error_of(refused)
    error = status["error"]
    assert (error["code"], error["contract_error"]) == ("demand_closed", "SharingDemandClosed")
    assert error["contract_args"] == {"demandId": demand, "status": DemandStatus.GRANTED}
    assert error["message"].endswith(f"SharingDemandClosed(demandId={demand}, status=granted)")


def _revert(signature: str, types: list[str], values: list) -> bytes:
    return keccak(text=signature)[:4] + abi_encode(types, values)


def test_a_rejection_names_enum_values_and_keeps_their_numbers_as_arguments():
    entry = "0x" + "42" * 32
    reason = _revert(
        "CatalogInvalidStatus(bytes32,uint8,uint8)",
        ["bytes32", "uint8", "uint8"],
        [bytes.fromhex(entry[2:]), EntryStatus.ACTIVE, EntryStatus.UNDER_REVIEW],
    )
    assert rejection(reason, "CatalogInvalidStatus(entryId=..., expected=3, actual=1)") == {
        "code": "invalid_status",
        "field": "entry_id",
        "contract_error": "CatalogInvalidStatus",
        "contract_args": {"entryId": entry, "expected": 3, "actual": 1},
        "message": f"the entry's status does not allow this action: CatalogInvalidStatus(entryId={entry}, "
        "expected=active, actual=under_review)",
    }
    item = _revert(
        "SharingItemNotPending(bytes32,uint32,uint8)",
        ["bytes32", "uint32", "uint8"],
        [bytes.fromhex(entry[2:]), 2, ItemStatus.DEEMED_APPROVED],
    )
    assert rejection(item, None)["message"].endswith("item=2, status=deemed_approved)")


def test_a_rejection_without_revert_data_or_with_malformed_data_still_has_the_shape():
    # A row rejected before the outbox kept revert data: its error text only.
    assert rejection(None, "SignedActionSignerNotActive(signer=0xAb)") == {
        "code": "signer_not_active",
        "field": "signature",
        "contract_error": "SignedActionSignerNotActive",
        "message": "the signing key is not an active officer key: SignedActionSignerNotActive(signer=0xAb)",
    }
    assert rejection(None, None) is None
    # A known selector with arguments that do not decode: the rejection stands, unnamed.
    malformed = keccak(text="CatalogInvalidStatus(bytes32,uint8,uint8)")[:4] + b"\x01"
    error = rejection(malformed, "UnknownRevert(data=0x...)")
    assert (error["code"], error["field"], error["contract_error"]) == ("refused_by_contract", None, "UnknownRevert")
    assert error["contract_args"] == {"data": "0x" + malformed.hex()}
