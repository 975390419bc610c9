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
from ledger_cli._api import Api
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
