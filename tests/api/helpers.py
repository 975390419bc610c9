"""Building blocks of the API tests: Art. 11 documents, signed request bodies, confirmation.

Every request body here is signed by a real officer key over the RFC 8785 canonical bytes of
its document, exactly as a client would sign it; a test that wants a broken body breaks one
field of a good one.
"""

from __future__ import annotations

import copy

from eth_utils import keccak
from sqlalchemy import func, select

from api.schemas import EXAMPLE_DOCUMENT
from catalog.document import DELETION_SCHEMA, REVIEW_SCHEMA, ReviewNote, declared_at
from chain.actions import ActionKind, CatalogAction, EntryStatus, SharingAttribute, entry_id_for
from mirror.models import OutboxAction
from signer.canonical import canonical_bytes
from tests.api.conftest import wait_for


def hex0x(value: bytes) -> str:
    return "0x" + value.hex()


def document(code: str, name: str | None = None, description: str | None = None, **changes) -> dict:
    """A valid Art. 11 document (the schema's example) with `code`, `name`, `description` and `changes`."""
    doc = copy.deepcopy(EXAMPLE_DOCUMENT)
    doc["code"] = code
    if name is not None:
        doc["name"] = name
    if description is not None:
        doc["description"] = description
    doc.update(copy.deepcopy(changes))
    return doc


def approval() -> dict:
    return {"schema": REVIEW_SCHEMA, "decision": "approve"}


def return_note(reason_code: int, reason: str) -> dict:
    return {"schema": REVIEW_SCHEMA, "decision": "return", "reason_code": reason_code, "reason": reason}


def deletion(reason: str = "该信息系统已下线，数据资源不再产生") -> dict:
    return {"schema": DELETION_SCHEMA, "reason": reason}


def entry_id(officer, doc: dict) -> bytes:
    """The id a new entry of `officer`'s unit with `doc`'s code must use."""
    return entry_id_for(officer.unit_id, doc["code"])


def doc_hash(doc: dict) -> str:
    """keccak256 of the canonical document: what the chain stores."""
    return hex0x(keccak(canonical_bytes(doc)))


def sign(
    officer, kind: ActionKind, eid: bytes, doc: dict, *, version: int = 0, nonce: int | None = None
) -> CatalogAction:
    """`officer`'s signed action over `doc`; a review's reason code is taken from its note."""
    reason = ReviewNote.model_validate(doc).contract_reason_code if kind == ActionKind.REVIEW else 0
    declared = _declared_at(doc) if kind == ActionKind.SUBMIT else 0
    return officer.action(
        kind, eid, canonical_bytes(doc), version=version, reason_code=reason, nonce=nonce, declared_at=declared
    )


def _declared_at(doc: dict) -> int:
    """What the API derives as `declaredAt` from a submission; 0 for a document it will refuse anyway."""
    try:
        return declared_at(doc)
    except (KeyError, TypeError, ValueError):
        return 0


def body_of(action: CatalogAction, doc: dict) -> dict:
    """The request body carrying `action` (entry_id only for a submission, where it is in the body)."""
    body = {"document": doc, "nonce": str(action.nonce), "signature": hex0x(action.signature)}
    if action.kind == ActionKind.SUBMIT:
        body["entry_id"] = hex0x(action.entry_id)
    return body


def path_of(kind: ActionKind, eid: bytes, version: int = 0) -> str:
    base = f"/v1/catalog/entries/{hex0x(eid)}"
    return {
        ActionKind.SUBMIT: "/v1/catalog/entries",
        ActionKind.RESUBMIT: f"{base}/resubmissions",
        ActionKind.REQUEST_CHANGE: f"{base}/change-requests",
        ActionKind.REQUEST_DELETE: f"{base}/delete-requests",
        ActionKind.REVIEW: f"{base}/versions/{version}/review",
    }[kind]


def post(client, action: CatalogAction, doc: dict):
    """POST `action` to its route."""
    return client.post(path_of(action.kind, action.entry_id, action.version), json=body_of(action, doc))


def act(client, officer, kind: ActionKind, eid: bytes, doc: dict, *, version: int = 0) -> dict:
    """Sign, post and wait until the action is mirrored; its final status body."""
    action = sign(officer, kind, eid, doc, version=version)
    response = post(client, action, doc)
    assert response.status_code == 202, response.json()
    accepted = response.json()
    assert accepted == {
        "action_id": accepted["action_id"],
        "subject_type": "entry",
        "subject_id": hex0x(eid),
        "entry_id": hex0x(eid),
        "signer": officer.address,
        "status": "accepted",
    }
    assert response.headers["location"] == f"/v1/catalog/actions/{accepted['action_id']}"
    return confirmed(client, accepted["action_id"])


def confirmed(client, action_id: str) -> dict:
    def done():
        body = client.get(f"/v1/catalog/actions/{action_id}").json()
        assert body["status"] in ("accepted", "sent", "confirmed"), body
        return body if body["status"] == "confirmed" else None

    return wait_for(done)


def chain_entry(units, eid: bytes) -> dict:
    """The entry as the contract holds it."""
    (
        unit_id,
        latest,
        approved,
        pending,
        status,
        created_at,
        resubmit_due_at,
        collection_due_at,
        collected_at,
        sharing,
        _responsibility,
        _supplementary,
    ) = units.catalog.functions.entry(eid).call()
    return {
        "unit_id": hex0x(unit_id),
        "latest": latest,
        "approved": approved,
        "pending": pending,
        "status": EntryStatus(status).name.lower(),
        "created_at": created_at,
        "resubmit_due_at": resubmit_due_at,
        "collection_due_at": collection_due_at,
        "collected_at": collected_at,
        "sharing": SharingAttribute(sharing).name.lower(),
    }


def outbox_count(runtime) -> int:
    with runtime.store.sessions() as session:
        return session.scalar(select(func.count()).select_from(OutboxAction))


def error_of(response) -> dict:
    """The `error` object of an error body, after checking the body has nothing else."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "field"} <= set(body["error"]), body
    return body["error"]
