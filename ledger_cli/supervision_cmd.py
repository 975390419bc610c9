"""`ledger supervision`: Art. 29 and 31 actions of an officer — report a security incident,
acknowledge it or a measure report (the Office, a regulator), record its handling, close it; the
Data Center's evaluations and reports of suspensions and terminations — signed here and sent to
the API; and the incidents the mirror holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chain import supervision as sv
from ledger_cli import officer_actions as oa
from ledger_cli._api import Api, OfficerActionError
from ledger_cli._context import fail
from ledger_cli.quality_cmd import signed_action
from sharing.supervision_documents import SCHEMA_BY_KIND, fields

app = typer.Typer(
    help="Supervision (Art. 29, 31): security incidents, evaluations, reports of suspensions.", no_args_is_help=True
)
FileArgument = Annotated[Path, typer.Argument(metavar="FILE", help="The document, JSON")]
COMMANDS = {
    "report": (sv.ActionKind.REPORT_INCIDENT, "Report a data security incident at once (putuo.incident/1)."),
    "acknowledge": (
        sv.ActionKind.ACKNOWLEDGE,
        "The Office or a regulator acknowledges an incident or a measure report (putuo.acknowledgement/1).",
    ),
    "handle": (sv.ActionKind.RECORD_HANDLING, "Record a step of your incident's handling (putuo.incident-handling/1)."),
    "close": (sv.ActionKind.CLOSE_INCIDENT, "Close your incident: cause and outcome (putuo.incident-closure/1)."),
    "evaluate": (
        sv.ActionKind.RECORD_EVALUATION,
        "The Data Center records an evaluation of a unit or a grant (putuo.supervision-evaluation/1).",
    ),
    "report-measure": (
        sv.ActionKind.REPORT_MEASURE,
        "The Data Center reports a security suspension or termination (putuo.measure-report/1).",
    ),
}


def _command(kind: sv.ActionKind, doc: str):
    def command(
        file: FileArgument,
        key: oa.KeyOption,
        api: oa.ApiOption = oa.DEFAULT_API,
        keystore_dir: oa.KeystoreDirOption = None,
        password_fd: oa.PasswordFdOption = None,
        wait: oa.WaitOption = oa.DEFAULT_WAIT_S,
    ) -> None:
        done, signing_key = signed_action(
            sv, SCHEMA_BY_KIND, fields, "/v1/supervision", kind, file, key, api, keystore_dir, password_fd, wait
        )
        title = kind.name.lower().replace("_", " ")
        oa.echo_proof(title, done, None, scheme=signing_key.scheme, extra={sv.SUPERVISION_SUBJECTS[kind]: done.subject})

    command.__doc__ = doc
    return oa.officer_command(command)


for name, (kind, doc) in COMMANDS.items():
    app.command(name)(_command(kind, doc))


@app.command("incidents")
@oa.officer_command
def incidents(
    api: oa.ApiOption = oa.DEFAULT_API,
    keystore_dir: oa.KeystoreDirOption = None,
    unacknowledged: Annotated[
        bool, typer.Option("--unacknowledged", help="Only those your unit has not acknowledged")
    ] = False,
) -> None:
    """Security incidents: your unit's, or (the Office, the regulators) every unit's. Needs `ledger login`."""
    with Api(api, keystore_dir=keystore_dir) as client:
        rows = client.get("/v1/supervision/incidents", unacknowledged=str(unacknowledged).lower())
    if not rows:
        typer.echo("no incidents")
    for row in rows:
        typer.echo(
            f"{row['incident_id']}  {row['severity']}  unit {row['unit_id']}  {row['state']}  "
            f"acknowledged by {len(row['acknowledgements'])}"
        )


@app.command("publish-results")
@oa.officer_command
def publish_results(
    key: oa.KeyOption,
    date_from: Annotated[str, typer.Option("--from", metavar="YYYY-MM-DD", help="The period's first day")],
    date_to: Annotated[str, typer.Option("--to", metavar="YYYY-MM-DD", help="Its last day, already ended")],
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Where to write the CSV")] = Path("."),
    api: oa.ApiOption = oa.DEFAULT_API,
    keystore_dir: oa.KeystoreDirOption = None,
    password_fd: oa.PasswordFdOption = None,
    wait: oa.WaitOption = oa.DEFAULT_WAIT_S,
) -> None:
    """The Office publishes a period's Art. 32 results, as the API evaluates them now, with the
    CSV's hash; the CSV is written beside (evaluation-FROM-TO.csv)."""
    from api import schemas
    from api.services.evaluation_publication import results_document

    period = {"from": date_from, "to": date_to}
    with Api(api) as client:
        evaluation = schemas.Evaluation.model_validate(client.get("/v1/evaluation", **period))
        csv = client.get_raw("/v1/evaluation.csv", **period).content
    document = results_document(evaluation, csv)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"evaluation-{date_from}-{date_to}.csv"
    path.write_bytes(csv)
    done, signing_key = signed_action(
        sv, SCHEMA_BY_KIND, fields, "/v1/supervision", sv.ActionKind.PUBLISH_RESULTS, document, key, api,
        keystore_dir, password_fd, wait,
    )  # fmt: skip
    oa.echo_proof(
        f"Art. 32 results {date_from} to {date_to}", done, None, scheme=signing_key.scheme,
        extra={"results": done.subject, "CSV": str(path)},
    )  # fmt: skip


@app.command("publish-notice")
@oa.officer_command
def publish_notice(
    results_id: Annotated[str, typer.Argument(metavar="RESULTS", help="The published results' id (0x…)")],
    key: oa.KeyOption,
    scope: Annotated[str, typer.Option("--scope", help="通报范围")] = "全区各街镇、各部门、各单位",
    api: oa.ApiOption = oa.DEFAULT_API,
    keystore_dir: oa.KeystoreDirOption = None,
    password_fd: oa.PasswordFdOption = None,
    wait: oa.WaitOption = oa.DEFAULT_WAIT_S,
) -> None:
    """The Office publishes its notice (通报) on published results: the draft the API builds from the
    chain's duties (each unit's unmet cataloguing, collection and update, demand review duties).
    Needs `ledger login`."""
    with Api(api, keystore_dir=keystore_dir) as client:
        draft = client.get(f"/v1/evaluation/results/{results_id}/notice-draft", scope=scope)
    done, signing_key = signed_action(
        sv, SCHEMA_BY_KIND, fields, "/v1/supervision", sv.ActionKind.PUBLISH_NOTICE, draft, key, api,
        keystore_dir, password_fd, wait,
    )  # fmt: skip
    units = sorted({line["unit_id"] for line in draft["lines"]})
    oa.echo_proof(
        f"Art. 32 notice on {results_id}", done, None, scheme=signing_key.scheme,
        extra={"notice": done.subject, "units named": len(units), "lines": len(draft["lines"])},
    )  # fmt: skip


def _suspend_one(client: Api, signing_key, grant_id: str, risk: str, reported_to: list, wait: float):
    """The Data Center's SecuritySuspend of one grant (Art. 31): its own signed step, which Sharing checks."""
    from chain.sharing import StepKind
    from sharing.fields import SCHEMAS

    document = {"schema": "putuo.grant-suspension/1", "grant_id": grant_id, "risk": risk, "reported_to": reported_to}
    parsed, data = oa.validated(SCHEMAS[StepKind.SECURITY_SUSPEND], document)
    action = oa.sign_sharing(
        client, signing_key, kind=StepKind.SECURITY_SUSPEND, document=document, parsed=parsed, data=data
    )
    signed = {"document": document, "nonce": str(action.nonce), "signature": "0x" + action.signature.hex()}
    body = {"actions": [{"kind": StepKind.SECURITY_SUSPEND.name.lower(), **signed}]}
    return oa.send(client, "/v1/sharing/actions", body, key=signing_key, data=data, wait=wait)


@app.command("suspend-grants")
@oa.officer_command
def suspend_grants(
    incident_id: Annotated[str, typer.Argument(metavar="INCIDENT", help="The incident's id (0x…)")],
    key: oa.KeyOption,
    risk: Annotated[
        str | None, typer.Option("--risk", metavar="TEXT", help="The risk stated (default: the incident's summary)")
    ] = None,
    api: oa.ApiOption = oa.DEFAULT_API,
    keystore_dir: oa.KeystoreDirOption = None,
    password_fd: oa.PasswordFdOption = None,
    wait: oa.WaitOption = oa.DEFAULT_WAIT_S,
) -> None:
    """The Data Center suspends at once each grant an incident names (Art. 29, 31): one signed
    SecuritySuspend per grant, reported to whom the incident was reported; a grant already
    suspended for security or ended is left as it is. Needs `ledger login` (to read the incident)."""
    import re

    if not re.fullmatch(r"0x[0-9a-fA-F]{64}", incident_id):
        fail(f"INCIDENT: must be 0x and 64 hexadecimal digits, got {incident_id!r}")
    incident_id = incident_id.lower()
    signing_key = oa.load_officer_key(key, keystore_dir, password_fd)
    with Api(api, keystore_dir=keystore_dir) as client:
        [row] = [r for r in client.get("/v1/supervision/incidents") if r["incident_id"] == incident_id] or [None]
        if row is None:
            fail(f"INCIDENT: no incident {incident_id} your unit may read")
        if not row["grants"]:
            fail(f"INCIDENT: incident {incident_id} names no grants")
        document = row["reported"]["document"]
        risk = risk or f"数据安全事件 {incident_id}：{document['summary']}"
        failed = 0
        for n, grant in enumerate(row["grants"], 1):
            head = f"[{n}/{len(row['grants'])}] grant {grant['grant_id']}"
            if grant["status"] == "terminated" or grant["suspension"] == "security":
                typer.echo(f"{head}: already {grant['status']} ({grant['suspension']}), left as it is")
                continue
            try:
                done = _suspend_one(client, signing_key, grant["grant_id"], risk, document["reported_to"], wait)
            except OfficerActionError as exc:
                failed += 1
                typer.echo(f"{head}: not suspended: {exc}", err=True)
                continue
            typer.echo(f"{head}: suspended for security, transaction {done.tx_hash}")
        after = [r for r in client.get("/v1/supervision/incidents") if r["incident_id"] == incident_id][0]
    for grant in after["grants"]:
        typer.echo(f"  {grant['grant_id']}  {grant['status']}  {grant['suspension']}")
    if failed:
        fail(f"{failed} of {len(row['grants'])} grants not suspended (see above)")
