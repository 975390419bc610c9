"""`ledger quality`: Art. 15–16 actions of an officer — declare an entry's update frequency, record
an update received or a reconciliation, raise a data objection, handle one — signed here and sent
to the API; and the objections and update periods the mirror holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from catalog.quality_documents import SCHEMA_BY_KIND, fields, grant_of
from chain import quality as q
from chain.actions import fresh_nonce
from ledger_cli import officer_actions as oa
from ledger_cli._api import Api
from ledger_cli._context import fail

app = typer.Typer(
    help="Data quality (Art. 15–16): update frequencies, updates, reconciliations, objections.", no_args_is_help=True
)
FileArgument = Annotated[Path, typer.Argument(metavar="FILE", help="The document, JSON")]
TITLES = {
    q.ActionKind.DECLARE_FREQUENCY: "update frequency declared",
    q.ActionKind.RECORD_UPDATE: "update recorded",
    q.ActionKind.RECORD_RECONCILIATION: "reconciliation recorded",
    q.ActionKind.RAISE_OBJECTION: "objection raised",
    q.ActionKind.HANDLE_OBJECTION: "objection handled",
}


def signed_action(
    module,
    schemas: dict,
    derive,
    route: str,
    kind,
    file: Path | dict,
    key: str,
    api: str,
    keystore_dir,
    password_fd,
    wait,
):
    """Sign one action of a measures contract (`module`: chain.quality or chain.supervision) for the
    document in `file`, after checking the API's typed data is what the document says; send it and
    wait until the chain confirms it. `route` is the API's prefix (/v1/quality). `file` may be the
    document itself, built by the command."""
    document = file if isinstance(file, dict) else oa.read_document(file)
    parsed, data = oa.validated(schemas[kind], document)
    subject, target, code, value = derive(kind, parsed, document=data)
    signing_key = oa.load_officer_key(key, keystore_dir, password_fd)
    if module is q:
        action = q.QualityAction(kind, subject, data, fresh_nonce(), target, code, value, grant=grant_of(parsed))
    else:
        action = module.SupervisionAction(kind, subject, data, fresh_nonce(), target, code, value)
    body = {"kind": kind.name.lower(), "document": document, "nonce": str(action.nonce)}
    with Api(api) as client:
        answer = client.post(f"{route}/typed-data", body)
        domain, message = answer.get("domain") or {}, answer.get("message") or {}
        if domain.get("name") != module.DOMAIN_NAME or answer.get("primaryType") != module.PRIMARY_TYPE:
            fail(f"the API's EIP-712 domain is {domain.get('name')!r}, expected {module.DOMAIN_NAME!r}; nothing signed")
        expected = {"subject": "0x" + subject.hex(), "target": "0x" + target.hex(), "code": code, "value": value}
        if module is q:
            expected["grant"] = "0x" + action.grant.hex()
        for field, wanted in expected.items():
            if message.get(field) != wanted:
                fail(f"the API's EIP-712 message differs from the document in `{field}`: nothing signed")
        signed = module.sign(action, signing_key, chain_id=int(domain["chainId"]), address=domain["verifyingContract"])
        done = oa.send(
            client,
            f"{route}/actions",
            {**body, "signature": "0x" + signed.signature.hex()},
            key=signing_key,
            data=data,
            wait=wait,
        )
    return done, signing_key


def _act(kind: q.ActionKind, file: Path, key: str, api: str, keystore_dir, password_fd, wait: float) -> None:
    done, signing_key = signed_action(
        q, SCHEMA_BY_KIND, fields, "/v1/quality", kind, file, key, api, keystore_dir, password_fd, wait
    )
    oa.echo_proof(TITLES[kind], done, None, scheme=signing_key.scheme, extra={q.QUALITY_SUBJECTS[kind]: done.subject})


def _command(kind: q.ActionKind, doc: str):
    def command(
        file: FileArgument,
        key: oa.KeyOption,
        api: oa.ApiOption = oa.DEFAULT_API,
        keystore_dir: oa.KeystoreDirOption = None,
        password_fd: oa.PasswordFdOption = None,
        wait: oa.WaitOption = oa.DEFAULT_WAIT_S,
    ) -> None:
        _act(kind, file, key, api, keystore_dir, password_fd, wait)

    command.__doc__ = doc
    return oa.officer_command(command)


app.command("declare")(
    _command(
        q.ActionKind.DECLARE_FREQUENCY,
        "The entry's unit declares its update frequency (putuo.update-frequency/1), the approved catalog version's.",
    )
)
app.command("update")(
    _command(q.ActionKind.RECORD_UPDATE, "The Data Center records an update it received (putuo.update-receipt/1).")
)
app.command("reconcile")(
    _command(
        q.ActionKind.RECORD_RECONCILIATION,
        "The Data Center records a reconciliation (对账) with a unit (putuo.reconciliation/1).",
    )
)
app.command("object")(
    _command(
        q.ActionKind.RAISE_OBJECTION,
        "Raise a data objection (异议) to the entry's unit (putuo.objection/1): the Data Center or a using unit.",
    )
)
app.command("handle")(
    _command(
        q.ActionKind.HANDLE_OBJECTION,
        "The entry's unit verifies and handles an objection (putuo.objection-handling/1) by its due time.",
    )
)


@app.command("objections")
@oa.officer_command
def objections(
    api: oa.ApiOption = oa.DEFAULT_API,
    keystore_dir: oa.KeystoreDirOption = None,
) -> None:
    """The objections to your unit's data (the overseers: every unit's), with their due time and state.
    Needs `ledger login`."""
    with Api(api, keystore_dir=keystore_dir) as client:
        rows = client.get("/v1/quality/objections")
    if not rows:
        typer.echo("no objections")
    for row in rows:
        typer.echo(
            f"{row['objection_id']}  entry {row['entry_id']}  {row['source']}  due {row['due_at']}  "
            f"{row['state']}{'  ' + row['outcome'] if row['outcome'] else ''}"
        )
