"""Accepting officers' signed sharing steps (Art. 17–26, 31), and the permissionless ones.

A signed step's on-chain fields (subject, item, code, time, terms) are derived from its
document by `sharing.fields.step_fields`, never taken from the request, so what the officer
signed and what the document says cannot disagree. An application's commitment (Art. 18) is
verified here against the registry, SM2 included, before anything is stored: an application
without a valid commitment never reaches the chain. The contract checks everything again.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, replace
from typing import Any

from eth_utils import to_checksum_address
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import ApiError, from_revert
from api.runtime import Runtime
from api.services import intake
from api.services.commitments import reason_code
from api.services.intake import Accepted, Prepared
from api.services.officer_signatures import action_signer, parse_action_signature
from chain.errors import ActionRevertedError, ChainError
from chain.sharing import (
    CommitmentProof,
    KeyScheme,
    SharingAction,
    StepKind,
    demand_id_for,
    digest,
)
from mirror.documents import as_object
from mirror.models import CatalogVersion, OfficerKey
from mirror.sharing_models import SharingGrant, SharingGrantResource
from sharing.document import AdjustmentPlan, Application, DemandDecision
from sharing.fields import SCHEMAS, unsigned_action
from signer.commitment import validate_commitment
from signer.detached import DetachedSignature
from signer.errors import SignerError
from signer.registry import signed_at_seconds, verify_commitment_on_chain

log = logging.getLogger(__name__)

# Steps whose subject may have several actions in flight at once: usage records arrive in bursts
# and only ever move a grant's last use forward.
CONCURRENT_KINDS = frozenset({StepKind.RECORD_USE})
# A commitment may be signed at most this long before the chain's clock shows it (clock skew).
SIGNED_AT_SKEW_S = 300


def kind_named(name: str) -> StepKind:
    """The signed step called `name` (lower case, as in the API), or a 422."""
    try:
        kind = StepKind[name.upper()]
    except KeyError:
        kind = None
    if kind is None or kind not in SCHEMAS:
        raise ApiError(
            422,
            "unknown_kind",
            f"kind: {name!r} is not a signed sharing step; one of " + ", ".join(k.name.lower() for k in SCHEMAS),
            "kind",
        )
    return kind


@dataclass(frozen=True)
class Unsigned:
    """A step's on-chain fields, derived from its document: what the officer signs."""

    action: SharingAction
    parsed: Any


def unsigned(
    runtime: Runtime, *, kind: StepKind, document: dict, nonce: int, commitment: dict | None = None
) -> Unsigned:
    """Validate the document (and an application's commitment) and derive the action's fields."""
    parsed = intake.validate_model(SCHEMAS[kind], document)
    data = intake.document_bytes(document)
    proof = None
    if kind == StepKind.APPLY:
        proof = _commitment_proof(runtime, parsed, data, commitment)
    elif commitment is not None:
        raise ApiError(422, "unexpected_commitment", "commitment: only an application carries one", "commitment")
    return Unsigned(unsigned_action(kind, parsed, data, nonce, commitment=proof), parsed)


def prepare(
    runtime: Runtime, *, kind: StepKind, document: dict, nonce: int, signature: str, commitment: dict | None = None
) -> Prepared:
    base = unsigned(runtime, kind=kind, document=document, nonce=nonce, commitment=commitment)
    action = replace(base.action, signature=parse_action_signature(signature))
    signed = digest(action, chain_id=runtime.chain_id, sharing_address=runtime.deployment.sharing)
    signer = action_signer(runtime, signed, action.signature)
    _check_context(runtime, kind, base.parsed, signer)
    if isinstance(base.parsed, DemandDecision):
        _check_signed_now(runtime, base.action.at)
    action_id = "0x" + signed.hex()
    return Prepared(action, signer, action_id, "0x" + action.subject.hex(), "sharing")


def accept(runtime: Runtime, **fields) -> Accepted:
    """Validate, simulate and store one signed sharing step; ApiError with nothing changed."""
    prepared = prepare(runtime, **fields)
    return intake.accept(runtime, prepared, busy_check=prepared.action.kind not in CONCURRENT_KINDS)


def accept_many(runtime: Runtime, items: list[dict]) -> list[Accepted]:
    """Signed sharing steps all together or not at all, simulated in order (a day's usage records)."""
    prepared = intake.prepare_each(items, functools.partial(prepare, runtime))
    busy = any(p.action.kind not in CONCURRENT_KINDS for p in prepared)
    return intake.accept_many(runtime, prepared, busy_check=busy)


# ---- the commitment (Art. 18)


def _commitment_proof(runtime: Runtime, app: Application, data: bytes, commitment: dict | None) -> CommitmentProof:
    """The commitment checked against this application and the registry, as the contract records it."""
    if commitment is None:
        raise ApiError(
            422,
            "commitment_required",
            "commitment: an application carries the demand unit's signed "
            "commitment (Art. 18); sign it with `ledger sign` or POST /v1/commitments/sign",
            "commitment",
        )
    try:
        parsed = validate_commitment(commitment.get("document"))
        signature = DetachedSignature.load(commitment.get("signature"))
    except SignerError as exc:
        raise ApiError(422, "invalid_commitment", f"commitment: {exc.one_line()}", "commitment") from None
    demand_id = "0x" + demand_id_for(bytes.fromhex(app.demand_unit_id[2:]), data).hex()
    for field, got, expected in (
        ("demand_id", parsed.demand_id, demand_id),
        ("signing_unit_id", parsed.signing_unit_id.lower(), app.demand_unit_id),
        ("scenario", parsed.scenario, app.scenario.code),
    ):
        if got != expected:
            raise ApiError(
                422,
                "commitment_mismatch",
                f"commitment.document.{field}: is {got!r}, the application's is {expected!r}",
                f"commitment.document.{field}",
            )
    if signed_at_seconds(parsed) > runtime.clock.now() + SIGNED_AT_SKEW_S:
        raise ApiError(
            422,
            "commitment_from_future",
            f"commitment.document.signed_at: {parsed.signed_at} is after the chain's clock",
            "commitment.document.signed_at",
        )
    checked = verify_commitment_on_chain(runtime.w3, runtime.deployment.registry, commitment["document"], signature)
    if not checked.ok:
        assert checked.error is not None
        raise ApiError(
            422,
            "commitment_" + reason_code(checked.error),
            f"commitment: does not verify against the registry: {checked.error.one_line()}",
            "commitment.signature",
        )
    scheme = KeyScheme.SM2 if signature.scheme == "sm2" else KeyScheme.ECDSA
    return CommitmentProof(scheme, to_checksum_address(signature.key_id), parsed.canonical_bytes(), signature.signature)


# ---- early checks the contract cannot make (it never reads JSON)


def _check_signed_now(runtime: Runtime, signed_at: int) -> None:
    """A decision's signing time is when the platform receives it, give or take clock skew: the
    contract takes a decision signed by the due time within a grace after it (Art. 20), and this is
    what keeps that grace for relay lag, not for backdating."""
    now = runtime.clock.now()
    if abs(signed_at - now) > SIGNED_AT_SKEW_S:
        raise ApiError(
            422,
            "signed_at_not_current",
            f"document.signed_at: {signed_at - now:+d} s from the chain's clock; a decision is signed just before "
            f"it is sent (within {SIGNED_AT_SKEW_S} s): sign it again",
            "document.signed_at",
        )


def _check_context(runtime: Runtime, kind: StepKind, parsed: Any, signer: str) -> None:
    with runtime.store.sessions() as session:
        if isinstance(parsed, Application):
            _check_application(session, parsed, signer)
        elif isinstance(parsed, AdjustmentPlan):
            _check_adjustment_plan(session, parsed)


def _check_application(session: Session, app: Application, signer: str) -> None:
    key = session.get(OfficerKey, signer)
    if key is not None and key.unit_id != app.demand_unit_id:
        raise ApiError(
            422,
            "demand_unit_mismatch",
            f"document.demand_unit_id: the signer's unit is {key.unit_id}",
            "document.demand_unit_id",
        )
    for index, resource in enumerate(app.resources):
        if resource.entry_id is None:
            continue
        version = session.get(CatalogVersion, (resource.entry_id, resource.version))
        if version is None:
            continue  # the contract answers for unknown entries and versions, with its own error
        if version.document_problem is not None:  # #10 rule 8: no resource anyone could rely on
            field = f"document.resources.{index}"
            raise ApiError(
                409,
                "resource_document_invalid",
                f"{field}: the document of version {resource.version} of the entry cannot be judged "
                f"({version.document_problem})",
                field,
            )
        offered = _data_items(version.document)
        missing = [name for name in resource.items if name not in offered]
        if offered and missing:
            field = f"document.resources.{index}.items"
            raise ApiError(
                422,
                "unknown_data_item",
                f"{field}: version {resource.version} of the entry has no data item {missing[0]!r}",
                field,
            )


def _data_items(document: str) -> set[str]:
    """The names of a catalog version's data items (empty if the document is not readable)."""
    doc = as_object(document)
    items = doc.get("data_items") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        return set()
    return {i["name"] for i in items if isinstance(i, dict) and isinstance(i.get("name"), str)}


def _check_adjustment_plan(session: Session, plan: AdjustmentPlan) -> None:
    """Art. 14: the plan names every live grant on the entry and notifies each of their units."""
    live = session.execute(
        select(SharingGrant.grant_id, SharingGrant.unit_id)
        .join(SharingGrantResource, SharingGrantResource.grant_id == SharingGrant.grant_id)
        .where(SharingGrantResource.entry_id == plan.entry_id, SharingGrant.status != "terminated")
    ).all()
    grants, units = {g for g, _ in live}, {u for _, u in live}
    if set(plan.affected_grants) != grants:
        raise ApiError(
            422,
            "adjustment_plan_grants",
            f"document.affected_grants: must list exactly the live grants on the entry: {sorted(grants)}",
            "document.affected_grants",
        )
    if not units <= set(plan.notified_units):
        raise ApiError(
            422,
            "adjustment_plan_units",
            f"document.notified_units: must include every affected demand unit: {sorted(units)}",
            "document.notified_units",
        )


# ---- permissionless steps: the passage of time (Art. 20, 26)

PERMISSIONLESS = {
    StepKind.FINALISE_ITEM: "finaliseItem",
    StepKind.SUSPEND_IDLE: "suspendIdle",
    StepKind.FINALISE_LAPSE: "finaliseLapse",
    StepKind.FOLLOW_ADJUSTMENT: "followAdjustment",
}


def run_permissionless(runtime: Runtime, kind: StepKind, *args) -> dict:
    """Take a step that only applies the passage of time, from the platform's account.

    Simulated first, so an early call is a 409 with the contract's error (SharingItemNotOverdue,
    SharingNotIdle, SharingNotLapsed...) and nothing is sent; then sent and waited for.
    """
    call = getattr(runtime.sharing.functions, PERMISSIONLESS[kind])(*args)
    try:
        receipt = runtime.sender.send(call)
    except ActionRevertedError as exc:
        raise from_revert(exc) from None
    except ChainError:  # another transaction took the step between simulation and mining
        raise ApiError(
            409, "step_not_taken", "the step was taken or became impossible meanwhile; read the subject again", None
        ) from None
    return {
        "kind": kind.name.lower(),
        "tx_hash": receipt["transactionHash"].to_0x_hex(),
        "block_number": receipt["blockNumber"],
    }
