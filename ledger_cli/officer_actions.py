"""What every officer's command does: validate the document, sign on this machine, send, wait, prove.

The order is fixed, and nothing leaves the machine before the document validates (with the API's
own schemas and strictness, `api.services.intake.validate_model`) and the key opens. The API
supplies the EIP-712 message (`POST /v1/catalog/typed-data`, `/v1/sharing/typed-data`); the
message is also derived here from the document, as the API derives it, and the officer signs only
if the two agree: the API names the chain and the contract (the domain), never what is signed.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from eth_utils import keccak
from pydantic import BaseModel

from chain import actions as catalog_typed
from chain import sharing as sharing_typed
from chain.actions import ActionKind, CatalogAction, fresh_nonce
from chain.sharing import SharingAction, StepKind
from ledger_cli._api import DEFAULT_API_URL, ENV_API_URL, Api, ApiRefusedError, OfficerActionError, refusal_line
from ledger_cli._context import one_line_errors
from signer._cli_common import KeystoreDirOption, PasswordFdOption  # noqa: F401 - re-exported for the commands
from signer._password import read_password
from signer.canonical import parse_json_strict
from signer.errors import NotCanonicalizable
from signer.keys import SigningKey
from signer.keystore import find_key, load_key

ApiOption = Annotated[
    str, typer.Option("--api", envvar=ENV_API_URL, show_envvar=True, metavar="URL", help="The platform's API.")
]
KeyOption = Annotated[
    str, typer.Option("--key", metavar="K", help="The officer's key: id, id prefix, name or file (SM2 or ECDSA).")
]
WaitOption = Annotated[
    float, typer.Option("--wait", metavar="SECONDS", min=0, help="How long to wait for the chain's confirmation.")
]
DEFAULT_API = DEFAULT_API_URL
DEFAULT_WAIT_S = 120.0
POLL_S = 0.2
PENDING = ("accepted", "sent")


class DocumentInvalidError(OfficerActionError):
    """Raised when a document fails its schema here, before anything is signed or sent."""


class TypedDataMismatchError(OfficerActionError):
    """Raised when the API's EIP-712 message differs from the one derived here from the document."""


class ActionRejectedError(OfficerActionError):
    """Raised when the chain skipped an accepted action (`GET /v1/catalog/actions/{id}` says rejected)."""


class ConfirmationTimeoutError(OfficerActionError):
    """Raised when an accepted action is still not confirmed after the wait."""


# The project's errors, the signer's and a missing file, as one `error:` line and exit 1.
officer_command = one_line_errors


# ---- documents and keys


def read_document(path: Path) -> dict:
    """The JSON object in `path`, parsed strictly (no duplicate keys: one document behind one hash)."""
    try:
        document = parse_json_strict(Path(path).read_bytes())
    except (ValueError, NotCanonicalizable) as exc:
        raise DocumentInvalidError(f"{path}: not a JSON document: {str(exc).splitlines()[0]}") from None
    if not isinstance(document, dict):
        raise DocumentInvalidError(f"{path}: a document is a JSON object, got {type(document).__name__}")
    return document


def validated(schema: type[BaseModel], document: dict) -> tuple[BaseModel, bytes]:
    """`document` parsed by `schema` exactly as the API parses it, and its canonical bytes.

    Raises DocumentInvalidError naming the first bad field (`document.sharing.conditions: …`).
    """
    from api.errors import ApiError
    from api.services.intake import document_bytes, validate_model

    try:
        return validate_model(schema, document), document_bytes(document)
    except ApiError as exc:
        raise DocumentInvalidError(exc.message) from None


def load_officer_key(ref: str, keystore_dir: Path | None, password_fd: int | None) -> SigningKey:
    """The officer's key from the keystore, opened with $LEDGER_KEY_PASSWORD, --password-fd or a prompt."""
    path = find_key(ref, keystore_dir)
    return load_key(path, read_password(fd=password_fd, prompt=f"Password of key {ref}: "))


# ---- what the API knows and this machine does not


def unit_of(api: Api, key_id: str) -> str:
    """The unit an active officer key is registered to, as the API's mirror of the registry says."""
    for unit in api.get("/v1/units"):
        for key in api.get(f"/v1/units/{unit['unit_id']}/keys"):
            if key["key_id"].lower() == key_id.lower() and key["active"]:
                return unit["unit_id"]
    raise OfficerActionError(
        f"key {key_id} is not an active officer key of any unit registered on-chain; "
        "the Office registers it (`ledger units add-officer`)"
    )


def chain_time(api: Api) -> int:
    """The chain's latest block time, as the API reads it: what a commitment's signed_at is checked against."""
    return int(api.get("/v1/duties", limit=1)["now"])


# ---- signing


def _jsonable(message: dict) -> dict:
    """An EIP-712 message as the API's JSON carries it: bytes as 0x-hex, the nonce as a decimal string."""
    return {k: "0x" + v.hex() if isinstance(v, bytes) else str(v) if k == "nonce" else v for k, v in message.items()}


def _domain(answer: dict, expected: dict, name: str) -> tuple[int, str]:
    """(chainId, verifyingContract) of the API's typed data, once its message is the one derived here."""
    domain = answer.get("domain") or {}
    if domain.get("name") != name or domain.get("version") != catalog_typed.DOMAIN_VERSION:
        raise TypedDataMismatchError(
            f"the API's EIP-712 domain is {domain.get('name')!r} version "
            f"{domain.get('version')!r}, expected {name!r} version "
            f"{catalog_typed.DOMAIN_VERSION!r}; refusing to sign"
        )
    try:
        chain_id, contract = int(domain["chainId"]), str(domain["verifyingContract"])
    except (KeyError, TypeError, ValueError):
        raise TypedDataMismatchError("the API's EIP-712 domain has no chainId or verifyingContract") from None
    got = answer.get("message") or {}
    for field in sorted(set(expected) | set(got)):
        if got.get(field) != expected.get(field):
            raise TypedDataMismatchError(
                f"the API's EIP-712 message differs from the document in `{field}`: "
                "refusing to sign what the document does not say"
            )
    if answer.get("primaryType") not in ("CatalogAction", "SharingAction"):
        raise TypedDataMismatchError(f"the API's EIP-712 primaryType is {answer.get('primaryType')!r}")
    return chain_id, contract


def sign_digest_of(action, key: SigningKey, chain_id: int, contract: str):
    """`action` signed by `key` (either scheme) for `contract` on `chain_id`: the one place that signs."""
    if isinstance(action, CatalogAction):
        return catalog_typed.sign_action(action, key, chain_id=chain_id, catalog_address=contract)
    return sharing_typed.sign_action(action, key, chain_id=chain_id, sharing_address=contract)


def sign_catalog(
    api: Api,
    key: SigningKey,
    *,
    kind: ActionKind,
    entry_id: str,
    version: int,
    document: dict,
    parsed: BaseModel,
    data: bytes,
) -> CatalogAction:
    """The catalog action of `document`, with a fresh nonce, signed by `key` for the API's Catalog."""
    from api.services.actions import contract_reason_code, declared_at, signed_responsibility, signed_sharing

    action = CatalogAction(
        kind,
        bytes.fromhex(entry_id[2:]),
        version,
        contract_reason_code(parsed),
        data,
        fresh_nonce(),
        declared_at=declared_at(kind, parsed),
        sharing=signed_sharing(kind, parsed),
        responsibility=signed_responsibility(kind, parsed),
    )
    answer = api.post(
        "/v1/catalog/typed-data",
        {
            "kind": kind.name.lower(),
            "entry_id": entry_id,
            "version": version,
            "document": document,
            "nonce": str(action.nonce),
        },
    )
    expected = {**_jsonable(action.message()), "entryId": entry_id}
    chain_id, contract = _domain(answer, expected, catalog_typed.DOMAIN_NAME)
    return sign_digest_of(action, key, chain_id, contract)


def sign_sharing(
    api: Api,
    key: SigningKey,
    *,
    kind: StepKind,
    document: dict,
    parsed: BaseModel,
    data: bytes,
    commitment: dict | None = None,
    proof=None,
) -> SharingAction:
    """The sharing step of `document` (an application with its `commitment` body and `proof`), with a
    fresh nonce, signed by `key` for the API's Sharing contract."""
    from sharing.fields import unsigned_action

    action = unsigned_action(kind, parsed, data, fresh_nonce(), commitment=proof)
    body = {"kind": kind.name.lower(), "document": document, "nonce": str(action.nonce)}
    if commitment is not None:
        body["commitment"] = commitment
    answer = api.post("/v1/sharing/typed-data", body)
    chain_id, contract = _domain(answer, _jsonable(action.message()), sharing_typed.DOMAIN_NAME)
    return sign_digest_of(action, key, chain_id, contract)


# ---- sending, waiting, proving


@dataclass(frozen=True)
class Confirmed:
    action_id: str
    subject: str
    signer: str
    tx_hash: str
    document_hash: str


def send(api: Api, path: str, body: dict, *, key: SigningKey, data: bytes, wait: float) -> Confirmed:
    """POST the signed action (or a batch of just it), then wait until the chain confirms it and the
    mirror has it."""
    try:
        answer = api.post(path, body)
    except ApiRefusedError as exc:
        raise (exc.of_only_item() if "actions" in body else exc) from None
    accepted = answer["accepted"][0] if "accepted" in answer else answer
    if accepted["signer"].lower() != key.key_id.lower():
        raise OfficerActionError(
            f"the API recovered signer {accepted['signer']}, not key {key.key_id}: "
            "it verifies against another chain or contract"
        )
    status = wait_confirmed(api, accepted["action_id"], wait)
    return Confirmed(
        accepted["action_id"], accepted["subject_id"], accepted["signer"], status["tx_hash"], "0x" + keccak(data).hex()
    )


def wait_confirmed(api: Api, action_id: str, wait: float) -> dict:
    """`GET /v1/catalog/actions/{id}` until confirmed (returned) or rejected (raised), with a spinner on a terminal."""
    from rich.console import Console

    console = Console(stderr=True)
    spinner = (
        console.status(f"waiting for the chain to confirm action {action_id[:18]}…")
        if console.is_terminal
        else contextlib.nullcontext()
    )
    deadline = time.monotonic() + wait
    with spinner:
        while True:
            status = api.get(f"/v1/catalog/actions/{action_id}")
            if status["status"] == "confirmed":
                return status
            if status["status"] not in PENDING:
                error = status.get("error") or {}
                message = refusal_line(0, str(error.get("code")), str(error.get("message") or status["status"]))
                raise ActionRejectedError(f"rejected on-chain: {message}")
            if time.monotonic() >= deadline:
                raise ConfirmationTimeoutError(
                    f"action {action_id} is still {status['status']} after {wait:g} s; "
                    f"GET /v1/catalog/actions/{action_id} says when it is confirmed"
                )
            time.sleep(POLL_S)


def echo_proof(title: str, done: Confirmed, block: int | None, *, scheme: str, extra: dict[str, Any] | None = None):
    """The on-chain proof of a confirmed action, as the officer keeps it."""
    rows = {
        "transaction": done.tx_hash,
        "block": block if block is not None else "(the API does not list it for this step; the transaction locates it)",
        "document hash": done.document_hash,
        "signed by": f"{done.signer} ({scheme})",
        "action id": done.action_id,
        **(extra or {}),
    }
    typer.echo(f"confirmed: {title}")
    width = max(len(k) for k in rows)
    for label, value in rows.items():
        typer.echo(f"  {label:<{width}}  {value}")
