"""Accepting an officer's signed catalog action: the catalog's own checks, then `intake`."""

from __future__ import annotations

import functools

from eth_utils import to_checksum_address
from pydantic import BaseModel
from sqlalchemy import bindparam, select

from api.errors import ApiError
from api.runtime import Runtime
from api.services import intake
from api.services.intake import (
    Accepted,
    Prepared,
    document_bytes,
    validate_model,
)
from api.services.officer_signatures import action_signer, parse_action_signature
from catalog.document import (
    CatalogDocument,
    CollectionRecord,
    DeletionRequest,
    ReviewNote,
)
from chain.actions import (
    VERSION_KINDS,
    ActionKind,
    CatalogAction,
    SharingAttribute,
    digest,
    entry_id_for,
)
from mirror.documents import as_object
from mirror.models import CatalogEntry, CatalogVersion, OfficerKey

__all__ = ["Accepted", "accept", "accept_many", "document_bytes", "prepare", "validate_document"]

SCHEMA_BY_KIND: dict[ActionKind, type[BaseModel]] = {
    ActionKind.SUBMIT: CatalogDocument,
    ActionKind.RESUBMIT: CatalogDocument,
    ActionKind.REQUEST_CHANGE: CatalogDocument,
    ActionKind.REQUEST_DELETE: DeletionRequest,
    ActionKind.REVIEW: ReviewNote,
    ActionKind.RECORD_COLLECTION: CollectionRecord,
}


def validate_document(kind: ActionKind, document: dict) -> BaseModel:
    """The document parsed by the schema of `kind`, or a 422 naming the first bad field."""
    return validate_model(SCHEMA_BY_KIND[kind], document)


def contract_reason_code(parsed: BaseModel) -> int:
    """What the contract takes as `reasonCode`: 0 approves, the return reason otherwise."""
    return parsed.contract_reason_code if isinstance(parsed, ReviewNote) else 0


def declared_at(kind: ActionKind, parsed: BaseModel) -> int:
    """What the contract takes as `declaredAt`: a submission's Art. 11 date (00:00 Shanghai), else 0."""
    return parsed.basis_event.declared_at if kind == ActionKind.SUBMIT else 0


def signed_sharing(kind: ActionKind, parsed: BaseModel) -> SharingAttribute:
    """What the contract takes as `sharing`: an entry version's sharing attribute (Art. 7), else NONE."""
    if kind not in VERSION_KINDS:
        return SharingAttribute.NONE
    return parsed.sharing.attribute.signed


def signed_responsibility(kind: ActionKind, parsed: BaseModel) -> bytes:
    """What the contract takes as `responsibility`: the responsibility an entry version names (Art. 11)."""
    return parsed.signed_responsibility if kind in VERSION_KINDS else bytes(32)


def prepare(
    runtime: Runtime, *, kind: ActionKind, entry_id: bytes, version: int, document: dict, nonce: int, signature: str
) -> Prepared:
    """Validate the document, decode and recover the signature, check the entry's identity."""
    parsed = validate_document(kind, document)
    if kind != ActionKind.REVIEW and version != 0:
        raise ApiError(422, "unexpected_version", "version: only a review names a version", "version")
    action = CatalogAction(
        kind,
        entry_id,
        version,
        contract_reason_code(parsed),
        document_bytes(document),
        nonce,
        parse_action_signature(signature),
        declared_at(kind, parsed),
        signed_sharing(kind, parsed),
        signed_responsibility(kind, parsed),
    )
    signed = digest(action, chain_id=runtime.chain_id, catalog_address=runtime.deployment.catalog)
    signer = action_signer(runtime, signed, action.signature)
    _check_entry_identity(runtime, kind, entry_id, parsed, signer)
    _check_approvable(runtime, entry_id, version, parsed)
    action_id = "0x" + signed.hex()
    return Prepared(action, signer, action_id, "0x" + entry_id.hex(), "catalog")


def accept(runtime: Runtime, **fields) -> Accepted:
    """Validate, simulate and store one signed catalog action; raises ApiError with nothing changed."""
    return intake.accept(runtime, prepare(runtime, **fields))


def accept_many(runtime: Runtime, items: list[dict]) -> list[Accepted]:
    """Accept a list of signed catalog actions all together or not at all (a unit's bulk cataloguing)."""
    return intake.accept_many(runtime, intake.prepare_each(items, functools.partial(prepare, runtime)))


# Read for every submission: plain statements built once, not an ORM session and identity map.
_KEY_UNIT = select(OfficerKey.unit_id, OfficerKey.revoked_block).where(OfficerKey.key_id == bindparam("key"))
_ENTRY_CODE = select(CatalogEntry.code).where(CatalogEntry.entry_id == bindparam("entry"))


def _signer_unit(runtime: Runtime, signer: str) -> bytes | None:
    """The unit of an active officer key: from the mirror, or the chain if the mirror lags.
    Read at every request, not cached: a key the mirror shows revoked is refused at once."""
    with runtime.engine.connect() as conn:
        key = conn.execute(_KEY_UNIT, {"key": signer}).first()
    if key is not None and key.revoked_block is None:
        return bytes.fromhex(key.unit_id[2:])
    active, unit_id, _ = runtime.registry.functions.activeKey(to_checksum_address(signer)).call()
    return unit_id if active else None


def _check_approvable(runtime: Runtime, entry_id: bytes, version: int, parsed: BaseModel) -> None:
    """The Data Center approves only a version the platform can judge and whose signed sharing
    attribute is its document's. Through this API both hold; a version sent to the contract directly
    may break either, and the contract takes it (it keeps a hash and the signed fields). The mirror
    holds what it needs, so the approval is refused here, changing nothing; a return stays possible."""
    if not isinstance(parsed, ReviewNote) or contract_reason_code(parsed) != 0:
        return
    with runtime.store.sessions() as session:
        row = session.get(CatalogVersion, ("0x" + entry_id.hex(), version))
    if row is None:
        return  # the contract answers for an unknown version
    _check_document_judged(row)
    _check_approved_attribute(row)


def _check_document_judged(row: CatalogVersion) -> None:
    """#10 rule 8: a document that is not canonical JSON, or not valid against its schema, is one
    nobody can judge (catalog.validity); it is never approved into the catalog."""
    if row.document_problem is not None:
        raise ApiError(
            409,
            "document_invalid",
            f"version: the document of version {row.version} cannot be judged ({row.document_problem}); "
            "return it (#10 rule 8)",
            "version",
        )


def _check_approved_attribute(row: CatalogVersion) -> None:
    """Art. 7: the signed sharing attribute must be the one the document states. A version sent to
    the contract directly could sign "unconditional" over a document that says 不予共享, and the
    contract enforces what was signed."""
    if row.kind == "deletion":
        return  # a deletion request states no attribute
    sharing = as_object(row.document).get("sharing")
    stated = sharing.get("attribute") if isinstance(sharing, dict) else None
    if stated != row.sharing:
        raise ApiError(
            409,
            "sharing_attribute_mismatch",
            f"version: version {row.version} signed sharing {row.sharing!r} but its document states {stated!r}; "
            "return it (Art. 7)",
            "version",
        )


def _check_entry_identity(runtime: Runtime, kind: ActionKind, entry_id: bytes, parsed: BaseModel, signer: str) -> None:
    """Entry ids are derived from (unit, code); a version may not change the entry's code."""
    if not isinstance(parsed, CatalogDocument):
        return
    if kind == ActionKind.SUBMIT:
        unit_id = _signer_unit(runtime, signer)
        if unit_id is not None and entry_id != entry_id_for(unit_id, parsed.code):
            raise ApiError(
                422,
                "entry_id_mismatch",
                "entry_id: must be keccak256(unit id ‖ code) of the signer's unit and document.code",
                "entry_id",
            )
        return
    with runtime.engine.connect() as conn:
        code = conn.scalar(_ENTRY_CODE, {"entry": "0x" + entry_id.hex()})
    if code is not None and code != parsed.code:
        raise ApiError(
            422, "code_changed", f"document.code: the entry's code is {code!r}; it cannot change", "document.code"
        )
