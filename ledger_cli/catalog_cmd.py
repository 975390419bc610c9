"""`ledger catalog …`: an officer's catalog actions (Art. 11, 13–15), signed on this machine.

Each command validates its document with the API's schema, signs it with the officer's key (SM2
or ECDSA) and sends it to the API, then waits for the chain and prints the on-chain proof.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from catalog.document import COLLECTION_SCHEMA, REVIEW_SCHEMA, CatalogDocument, ReturnReason
from chain.actions import ActionKind, entry_id_for
from ledger_cli import export_cmd
from ledger_cli import officer_actions as oa
from ledger_cli._api import Api
from ledger_cli._context import fail

app = typer.Typer(
    help="Catalog actions of an officer (Art. 11, 13–15): signed here, sent to the API.", no_args_is_help=True
)

_ID = re.compile(r"^0x[0-9a-fA-F]{64}$")
EntryArgument = Annotated[str, typer.Argument(metavar="ENTRY", help="The catalog entry's id (0x…)")]
FileArgument = Annotated[Path, typer.Argument(metavar="FILE", help="The document, JSON")]
EntryOption = Annotated[
    str | None,
    typer.Option(
        "--entry",
        metavar="ENTRY",
        help="The entry's id (0x…)",
        show_default="from the key's unit and the document's code",
    ),
]
# Each document kind, the route it goes to (under /v1/catalog/entries) and the word for it.
ROUTES = {
    ActionKind.SUBMIT: ("", "submission"),
    ActionKind.RESUBMIT: ("/{entry}/resubmissions", "resubmission"),
    ActionKind.REQUEST_CHANGE: ("/{entry}/change-requests", "change request"),
    ActionKind.REQUEST_DELETE: ("/{entry}/delete-requests", "delete request"),
    ActionKind.REVIEW: ("/{entry}/versions/{version}/review", "review"),
    ActionKind.RECORD_COLLECTION: ("/{entry}/collection", "collection record (Art. 15)"),
}


def _entry(value: str, name: str = "ENTRY") -> str:
    if not _ID.match(value):
        fail(f"{name}: must be 0x and 64 hexadecimal digits, got {value!r}")
    return value.lower()


def _act(
    kind: ActionKind,
    document: dict,
    *,
    key: str,
    api: str,
    keystore_dir,
    password_fd,
    wait: float,
    entry: str | None = None,
    version: int = 0,
) -> None:
    """Validate, sign, send, wait, prove: one catalog action."""
    from api.services.actions import SCHEMA_BY_KIND

    parsed, data = oa.validated(SCHEMA_BY_KIND[kind], document)
    signing_key = oa.load_officer_key(key, keystore_dir, password_fd)
    with Api(api, keystore_dir=keystore_dir) as client:
        if entry is None:  # a version of the key's unit's entry: its id is keccak256(unit id ‖ code)
            assert isinstance(parsed, CatalogDocument)
            unit_id = oa.unit_of(client, signing_key.key_id)
            entry = "0x" + entry_id_for(bytes.fromhex(unit_id[2:]), parsed.code).hex()
        action = oa.sign_catalog(
            client, signing_key, kind=kind, entry_id=entry, version=version, document=document, parsed=parsed, data=data
        )
        body = {"document": document, "nonce": str(action.nonce), "signature": "0x" + action.signature.hex()}
        if kind == ActionKind.SUBMIT:
            body["entry_id"] = entry
        route, word = ROUTES[kind]
        done = oa.send(
            client,
            "/v1/catalog/entries" + route.format(entry=entry, version=version),
            body,
            key=signing_key,
            data=data,
            wait=wait,
        )
        block, version = _located(client, entry, done.tx_hash, kind, version)
    title = f"catalog {word} of entry {entry}" + (f", version {version}" if version else "")
    oa.echo_proof(title, done, block, scheme=signing_key.scheme)


def _located(client: Api, entry: str, tx_hash: str, kind: ActionKind, version: int) -> tuple[int | None, int]:
    """(block, version) of the confirmed action, from the entry's versions and their proofs."""
    if kind == ActionKind.RECORD_COLLECTION:
        return None, 0
    proof = "review" if kind == ActionKind.REVIEW else "submission"
    for v in client.get(f"/v1/catalog/entries/{entry}/versions"):
        if (v.get(proof) or {}).get("tx_hash") == tx_hash:
            return v[proof]["block_number"], v["version"]
    return None, version


def _document_command(kind: ActionKind, name: str, help_text: str, *, entry_required: bool = False) -> None:
    @oa.officer_command
    def command(
        file: FileArgument,
        key: oa.KeyOption,
        entry: EntryOption = None,
        api: oa.ApiOption = oa.DEFAULT_API,
        keystore_dir: oa.KeystoreDirOption = None,
        password_fd: oa.PasswordFdOption = None,
        wait: oa.WaitOption = oa.DEFAULT_WAIT_S,
    ) -> None:
        if entry_required and entry is None:
            fail("--entry: the entry to delete is required (its id, 0x…)")
        document = oa.read_document(file)
        _act(
            kind,
            document,
            key=key,
            api=api,
            keystore_dir=keystore_dir,
            password_fd=password_fd,
            wait=wait,
            entry=_entry(entry, "--entry") if entry else None,
        )

    command.__doc__ = help_text
    app.command(name)(command)


_document_command(
    ActionKind.SUBMIT,
    "submit",
    "Submit a new catalog entry (Art. 11): FILE is a putuo.catalog/1 "
    "document; the entry id comes from the key's unit and the document's code.",
)
_document_command(ActionKind.RESUBMIT, "resubmit", "Resubmit a returned entry (Art. 13) with the corrected FILE.")
_document_command(
    ActionKind.REQUEST_CHANGE,
    "change",
    "Ask to change an approved entry (Art. 14): FILE is the new "
    "version; it takes effect when the Data Center approves it.",
)
_document_command(
    ActionKind.REQUEST_DELETE,
    "delete",
    "Ask to delete an approved entry (Art. 14): FILE is a "
    "putuo.catalog-deletion/1 document with the reason; --entry names the entry.",
    entry_required=True,
)


@app.command("review")
@oa.officer_command
def review(
    entry: EntryArgument,
    version: Annotated[int, typer.Argument(metavar="VERSION", min=1, help="The pending version")],
    key: oa.KeyOption,
    approve: Annotated[bool, typer.Option("--approve", help="Approve the version")] = False,
    return_code: Annotated[
        str | None,
        typer.Option(
            "--return", metavar="CODE", help="Return it: incomplete (1), nonconforming (2), duplicate (3) or other (9)"
        ),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", metavar="TEXT", help="Why it is returned")] = None,
    api: oa.ApiOption = oa.DEFAULT_API,
    keystore_dir: oa.KeystoreDirOption = None,
    password_fd: oa.PasswordFdOption = None,
    wait: oa.WaitOption = oa.DEFAULT_WAIT_S,
) -> None:
    """The Data Center approves a pending version, or returns it with a reason (Art. 13, 14)."""
    entry = _entry(entry)
    if approve == (return_code is not None):
        fail("give one of --approve or --return CODE")
    note: dict = {"schema": REVIEW_SCHEMA, "decision": "approve" if approve else "return"}
    if return_code is not None:
        note.update(reason_code=_return_reason(return_code), reason=reason)
    elif reason is not None:
        fail("--reason: only a return carries a reason")
    _act(
        ActionKind.REVIEW,
        note,
        key=key,
        api=api,
        keystore_dir=keystore_dir,
        password_fd=password_fd,
        wait=wait,
        entry=entry,
        version=version,
    )


def _return_reason(code: str) -> int:
    by_name = {r.name.lower(): int(r) for r in ReturnReason}
    if code.lower() in by_name:
        return by_name[code.lower()]
    if code.isdigit() and int(code) in by_name.values():
        return int(code)
    fail(f"--return: one of {', '.join(f'{n} ({v})' for n, v in by_name.items())}, got {code!r}")


@app.command("collect")
@oa.officer_command
def collect(
    entry: EntryArgument,
    key: oa.KeyOption,
    description: Annotated[
        str | None,
        typer.Option("--description", metavar="TEXT", help="Where the data went, e.g. 已归集至区大数据资源分平台"),
    ] = None,
    api: oa.ApiOption = oa.DEFAULT_API,
    keystore_dir: oa.KeystoreDirOption = None,
    password_fd: oa.PasswordFdOption = None,
    wait: oa.WaitOption = oa.DEFAULT_WAIT_S,
) -> None:
    """The Data Center records that an approved entry's data is collected to the platform (Art. 15)."""
    record: dict = {"schema": COLLECTION_SCHEMA}
    if description is not None:
        record["description"] = description
    _act(
        ActionKind.RECORD_COLLECTION,
        record,
        key=key,
        api=api,
        keystore_dir=keystore_dir,
        password_fd=password_fd,
        wait=wait,
        entry=_entry(entry),
    )


app.command("export")(oa.officer_command(export_cmd.export))
