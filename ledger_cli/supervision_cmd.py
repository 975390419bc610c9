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
