"""An officer's sharing steps (Art. 17–26, 31), signed on this machine: `ledger sharing apply | decide
| object | terminate | step` (registered by ledger_cli/sharing_cmd.py).

An application carries its commitment (Art. 18): the demand id comes from the API and is checked
against the one derived here, the commitment is built (`signer.commitment.build_commitment`),
signed with the commitment key (SM2 or ECDSA), then the application itself is signed.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from eth_utils import to_checksum_address

from chain.sharing import CommitmentProof, KeyScheme, StepKind, demand_id_for
from ledger_cli import officer_actions as oa
from ledger_cli._api import Api, ApiRefusedError, OfficerActionError
from ledger_cli._context import fail
from sharing.document import Application, RejectReason
from sharing.fields import SCHEMAS
from signer._password import read_password
from signer.commitment import SHANGHAI, build_commitment, sign_commitment
from signer.keystore import find_key, load_key

_ID = re.compile(r"^0x[0-9a-fA-F]{64}$")
# `step` takes every signed step but the application, which needs its commitment: `apply`.
STEP_KINDS = {k.name.lower(): k for k in SCHEMAS if k != StepKind.APPLY}
FileArgument = Annotated[Path, typer.Argument(metavar="FILE", help="The document, JSON")]
ReasonOption = Annotated[str, typer.Option("--reason", metavar="TEXT", help="Why (it is signed and goes on-chain)")]


def _id(value: str, name: str) -> str:
    if not _ID.match(value):
        fail(f"{name}: must be 0x and 64 hexadecimal digits, got {value!r}")
    return value.lower()


def _step(
    kind: StepKind, document: dict, route: str, *, key: str, api: str, keystore_dir, password_fd, wait: float
) -> None:
    """Validate, sign, send, wait, prove: one sharing step other than an application."""
    signing_key = oa.load_officer_key(key, keystore_dir, password_fd)
    with Api(api, keystore_dir=keystore_dir) as client:
        if kind == StepKind.DECIDE and "signed_at" not in document:
            # Art. 20: a decision carries when it was signed, by the chain's clock, which the API and
            # the contract judge it by (a decision signed by the due time survives relay lag).
            signed_at = datetime.fromtimestamp(oa.chain_time(client), SHANGHAI).isoformat()
            document = {**document, "signed_at": signed_at}
        parsed, data = oa.validated(SCHEMAS[kind], document)
        action = oa.sign_sharing(client, signing_key, kind=kind, document=document, parsed=parsed, data=data)
        signed = {"document": document, "nonce": str(action.nonce), "signature": "0x" + action.signature.hex()}
        body = signed if route else {"actions": [{"kind": kind.name.lower(), **signed}]}
        done = oa.send(client, route or "/v1/sharing/actions", body, key=signing_key, data=data, wait=wait)
        block, grant = _located(client, done)
    extra = {"grant issued": grant} if grant else None
    oa.echo_proof(f"{kind.name.lower()} on {done.subject}", done, block, scheme=signing_key.scheme, extra=extra)


def _located(client: Api, done: oa.Confirmed) -> tuple[int | None, str | None]:
    """(block, grant id if this transaction issued one) of a confirmed step, from its subject's history."""
    try:
        history = client.get(f"/v1/grants/{done.subject}/history")
    except ApiRefusedError as exc:
        if exc.status == 404:
            return None, None
        raise
    block = next(
        (
            s["block_number"]
            for s in history["steps"]
            if s["tx_hash"] == done.tx_hash and s["document_hash"] == done.document_hash
        ),
        None,
    )
    issued = history.get("issued")
    return block, history["grant_id"] if issued and issued["tx_hash"] == done.tx_hash else None


@oa.officer_command
def apply(
    file: FileArgument,
    key: oa.KeyOption,
    commitment_key: Annotated[
        str | None,
        typer.Option(
            "--commitment-key",
            metavar="K",
            help="The key that signs the commitment (Art. 18), SM2 or ECDSA; it opens with the same password",
            show_default="--key",
        ),
    ] = None,
    api: oa.ApiOption = oa.DEFAULT_API,
    keystore_dir: oa.KeystoreDirOption = None,
    password_fd: oa.PasswordFdOption = None,
    wait: oa.WaitOption = oa.DEFAULT_WAIT_S,
) -> None:
    """Apply for another unit's data (Art. 17): FILE is a putuo.demand/1 application; the demand unit's
    commitment (Art. 18) is built, signed and sent with it."""
    document = oa.read_document(file)
    parsed, data = oa.validated(Application, document)
    password = read_password(fd=password_fd, prompt=f"Password of key {key}: ")
    signing_key = load_key(find_key(key, keystore_dir), password)
    promising_key = load_key(find_key(commitment_key, keystore_dir), password) if commitment_key else signing_key
    demand_id = "0x" + demand_id_for(bytes.fromhex(parsed.demand_unit_id[2:]), data).hex()
    with Api(api, keystore_dir=keystore_dir) as client:
        answered = client.post("/v1/demands/id", {"document": document})["demand_id"]
        if answered != demand_id:
            raise OfficerActionError(
                f"the API gives demand id {answered}, the application's is {demand_id}: "
                "refusing to sign a commitment for another demand"
            )
        # signed_at by the chain's clock, which the API and the registry check it against (Art. 18).
        signed_at = datetime.fromtimestamp(oa.chain_time(client), SHANGHAI)
        commitment = build_commitment(
            demand_id=demand_id,
            signing_unit_id=parsed.demand_unit_id,
            officer_key_id=promising_key.key_id,
            scheme=promising_key.scheme,
            scenario=parsed.scenario.code,
            signed_at=signed_at,
        )
        signature = sign_commitment(commitment, promising_key)
        proof = CommitmentProof(
            KeyScheme.SM2 if promising_key.scheme == "sm2" else KeyScheme.ECDSA,
            to_checksum_address(promising_key.key_id),
            commitment.canonical_bytes(),
            signature.signature,
        )
        signed_commitment = {"document": commitment.to_document(), "signature": signature.to_json()}
        action = oa.sign_sharing(
            client,
            signing_key,
            kind=StepKind.APPLY,
            document=document,
            parsed=parsed,
            data=data,
            commitment=signed_commitment,
            proof=proof,
        )
        body = {
            "document": document,
            "commitment": signed_commitment,
            "nonce": str(action.nonce),
            "signature": "0x" + action.signature.hex(),
        }
        done = oa.send(client, "/v1/demands", body, key=signing_key, data=data, wait=wait)
        block, grant = _located(client, done)
    extra = {"commitment": f"{promising_key.scheme} key {promising_key.key_id}, signed at {commitment.signed_at}"}
    extra["grant issued"] = grant or "not yet: the responsible units decide (Art. 20)"
    oa.echo_proof(f"application {demand_id}", done, block, scheme=signing_key.scheme, extra=extra)


@oa.officer_command
def decide(
    demand: Annotated[str, typer.Argument(metavar="DEMAND", help="The demand's id (0x…)")],
    item: Annotated[int, typer.Argument(metavar="ITEM", min=0, help="The item's index (0 for the first resource)")],
    key: oa.KeyOption,
    approve: Annotated[bool, typer.Option("--approve", help="Approve the item")] = False,
    reject: Annotated[
        str | None,
        typer.Option(
            "--reject", metavar="CODE", help="Reject it: nonconforming, or legal_basis (then --basis cites the law)"
        ),
    ] = None,
    basis: Annotated[
        str | None,
        typer.Option(
            "--basis", metavar="TEXT", help="The legal or regulatory basis of a legal_basis rejection (Art. 20)"
        ),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", metavar="TEXT", help="Why it is rejected")] = None,
    entry: Annotated[
        str | None,
        typer.Option(
            "--entry", metavar="ENTRY", help="Approving data not yet catalogued (Art. 22): the entry catalogued for it"
        ),
    ] = None,
    version: Annotated[int | None, typer.Option("--version", min=1, help="With --entry: its approved version")] = None,
    api: oa.ApiOption = oa.DEFAULT_API,
    keystore_dir: oa.KeystoreDirOption = None,
    password_fd: oa.PasswordFdOption = None,
    wait: oa.WaitOption = oa.DEFAULT_WAIT_S,
) -> None:
    """The responsible unit approves or rejects one item of a demand within its due time (Art. 20, 22)."""
    demand = _id(demand, "DEMAND")
    if approve == (reject is not None):
        fail("give one of --approve or --reject CODE")
    if reject is not None and reject not in {r.value for r in RejectReason}:
        fail(f"--reject: one of {', '.join(r.value for r in RejectReason)}, got {reject!r}")
    document: dict = {
        "schema": "putuo.demand-decision/1",
        "demand_id": demand,
        "item": item,
        "decision": "approve" if approve else "reject",
    }
    optional = {
        "reason_code": reject,
        "legal_basis": basis,
        "reason": reason,
        "entry_id": _id(entry, "--entry") if entry else None,
        "version": version,
    }
    document.update({k: v for k, v in optional.items() if v is not None})
    _step(
        StepKind.DECIDE,
        document,
        f"/v1/demands/{demand}/items/{item}/decision",
        key=key,
        api=api,
        keystore_dir=keystore_dir,
        password_fd=password_fd,
        wait=wait,
    )


@oa.officer_command
def object_(
    grant: Annotated[str, typer.Argument(metavar="GRANT", help="The suspended grant's id (0x…)")],
    key: oa.KeyOption,
    reason: ReasonOption,
    api: oa.ApiOption = oa.DEFAULT_API,
    keystore_dir: oa.KeystoreDirOption = None,
    password_fd: oa.PasswordFdOption = None,
    wait: oa.WaitOption = oa.DEFAULT_WAIT_S,
) -> None:
    """The demand unit objects to a suspension within 30 days of the notice (Art. 26)."""
    grant = _id(grant, "GRANT")
    _step(
        StepKind.OBJECT,
        {"schema": "putuo.grant-objection/1", "grant_id": grant, "reason": reason},
        f"/v1/grants/{grant}/objections",
        key=key,
        api=api,
        keystore_dir=keystore_dir,
        password_fd=password_fd,
        wait=wait,
    )


@oa.officer_command
def terminate(
    grant: Annotated[str, typer.Argument(metavar="GRANT", help="The grant's id (0x…)")],
    key: oa.KeyOption,
    reason: ReasonOption,
    api: oa.ApiOption = oa.DEFAULT_API,
    keystore_dir: oa.KeystoreDirOption = None,
    password_fd: oa.PasswordFdOption = None,
    wait: oa.WaitOption = oa.DEFAULT_WAIT_S,
) -> None:
    """The demand unit ends a grant it no longer needs (Art. 26), or the Data Center ends it (Art. 31)."""
    grant = _id(grant, "GRANT")
    _step(
        StepKind.TERMINATE,
        {"schema": "putuo.grant-termination/1", "grant_id": grant, "reason": reason},
        f"/v1/grants/{grant}/terminations",
        key=key,
        api=api,
        keystore_dir=keystore_dir,
        password_fd=password_fd,
        wait=wait,
    )


@oa.officer_command
def step(
    kind: Annotated[str, typer.Argument(metavar="KIND", help="The step: " + ", ".join(STEP_KINDS))],
    file: FileArgument,
    key: oa.KeyOption,
    api: oa.ApiOption = oa.DEFAULT_API,
    keystore_dir: oa.KeystoreDirOption = None,
    password_fd: oa.PasswordFdOption = None,
    wait: oa.WaitOption = oa.DEFAULT_WAIT_S,
) -> None:
    """Any other signed step (plan reviews, usage records, idle reasons, suspensions, reinstatements,
    scenario evaluations, adjustment plans, disputes, escalations…): FILE is its document
    (docs/schemas/); it goes to POST /v1/sharing/actions."""
    if kind == "apply":
        fail("KIND: an application carries its commitment: use `ledger sharing apply FILE`")
    if kind not in STEP_KINDS:
        fail(f"KIND: one of {', '.join(STEP_KINDS)}, got {kind!r}")
    _step(
        STEP_KINDS[kind],
        oa.read_document(file),
        "",
        key=key,
        api=api,
        keystore_dir=keystore_dir,
        password_fd=password_fd,
        wait=wait,
    )


# The command names in `ledger sharing`.
COMMANDS = {"apply": apply, "decide": decide, "object": object_, "terminate": terminate, "step": step}
