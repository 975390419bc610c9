"""`ledger demo seed`: register the demo district, its officers' keys and catalog entries."""

from __future__ import annotations

import os

import typer

from catalog.document import declared_at, signed_sharing
from chain.actions import (
    VERSION_KINDS,
    ActionKind,
    CatalogAction,
    SharingAttribute,
    entry_id_for,
    fresh_nonce,
    sign_action,
    unit_id_for,
)
from chain.client import Sender, connect, contract_at
from chain.errors import ChainError
from chain.events import receipt_events
from chain.reverts import decode_revert
from chain.sharing import StepKind
from ledger_cli import demo_data, demo_quality, demo_responsibilities, demo_sharing, demo_supervision
from ledger_cli._context import one_line_errors, settings
from ledger_cli.system_cmd import ensure_deployed
from mirror.outbox import batch_gas_bound
from signer.canonical import canonical_bytes
from signer.keys import SigningKey
from signer.keystore import keystore_dir_for, save_key
from workdays.bitmap import build_year
from workdays.errors import YearNotCoveredError
from workdays.provisional import provisional_year
from workdays.publish import SHANGHAI, calendar_at, publish_bitmap

UNIT_KIND_CODES = {"office": 1, "data_center": 2, "ordinary": 3, "auditor": 4}
# The years around the chain's date that the demo's deadlines may need: its catalog dates lie in
# late 2026, and a step taken in December already needs next year's calendar.
CALENDAR_YEARS_BEFORE, CALENDAR_YEARS_AFTER = 2, 1
DEMO_PASSWORD = "putuo-demo"  # development only; printed so that the demo keys can be used


def publish_demo_calendar(office: Sender, calendar, now: int) -> list[int]:
    """Publish the years around `now` from the package; a year no package carries gets a clearly
    marked provisional demo year (workdays/provisional.py), so the demo comes up on any date.
    Returns the provisional years. Only for the demo chain: `seed` runs in development only."""
    import datetime as dt

    this = dt.datetime.fromtimestamp(now, SHANGHAI).year
    provisional = []
    for year in range(this - CALENDAR_YEARS_BEFORE, this + CALENDAR_YEARS_AFTER + 1):
        try:
            seeded = build_year(year)
        except YearNotCoveredError:
            seeded = provisional_year(year)
            provisional.append(year)
        publish_bitmap(office, calendar, seeded)
    return provisional


def key_password(env: str) -> str:
    password = os.environ.get("LEDGER_KEY_PASSWORD")
    if password:
        return password
    if env != "development":
        raise typer.BadParameter("set LEDGER_KEY_PASSWORD: demo keys get the demo password only in development")
    return DEMO_PASSWORD


@one_line_errors
def seed() -> None:
    """Register the demo units with one officer each (ECDSA + SM2 keys), and a few catalog entries."""
    s = settings()
    if s.env != "development":  # demo keys, demo password, and possibly a provisional calendar
        raise typer.BadParameter("the demo district is for development chains only (LEDGER_ENV=development)")
    record = ensure_deployed()
    w3 = connect(s.rpc_url)
    office = Sender.from_key(w3, s.office_key.get_secret_value())
    relayer = Sender.from_key(w3, s.relayer_key.get_secret_value())
    registry = contract_at(w3, "UnitRegistry", record.registry)
    catalog = contract_at(w3, "Catalog", record.catalog)
    if registry.functions.unitKind(unit_id_for(demo_data.UNITS[0][0])).call() != 0:
        typer.echo("demo district already seeded")
        return
    now = w3.eth.get_block("latest")["timestamp"]
    for year in publish_demo_calendar(office, calendar_at(w3, record.calendar), now):
        typer.secho(
            f"warning: {year} is in no calendar package yet: the demo chain got a PROVISIONAL {year} "
            f"(weekends and statutory holidays, no 调休); the Office replaces it with "
            f"`ledger calendar publish {year} --notice FILE`",
            err=True,
            fg=typer.colors.YELLOW,
        )
    password = key_password(s.env)
    keys_dir = keystore_dir_for(s.data_dir)  # the one rule: $LEDGER_KEYSTORE_DIR, else LEDGER_DATA_DIR/keys
    # unit code -> (the key that signs its actions, its SM2 key): ECDSA, or SM2 for SM2-only units
    officers: dict[str, tuple[SigningKey, SigningKey]] = {}
    with typer.progressbar(demo_data.UNITS, label="units and officer keys") as bar:
        for code, kind, name in bar:
            unit_id = unit_id_for(code)
            office.send(registry.functions.registerUnit(code, UNIT_KIND_CODES[kind], name))
            sm2_key = SigningKey.generate("sm2", name=f"{code}-officer-sm2")
            ecdsa_key = (
                None if code in demo_data.SM2_ONLY_UNITS else SigningKey.generate("ecdsa", name=f"{code}-officer")
            )
            for key in (ecdsa_key, sm2_key):
                if key is not None:
                    save_key(key, password, directory=keys_dir)
            ecdsa_id = w3.to_checksum_address(ecdsa_key.key_id) if ecdsa_key else "0x" + "00" * 20
            office.send(registry.functions.registerOfficer(unit_id, ecdsa_id, sm2_key.public_key))
            officers[code] = (ecdsa_key or sm2_key, sm2_key)
    # The Office account (LEDGER_OFFICE_KEY) as a keystore too: the console's Office page opens it
    # to register, revoke and rotate officer keys, signing the registry's transactions in the browser.
    office_private = bytes.fromhex(s.office_key.get_secret_value().removeprefix("0x"))
    save_key(
        SigningKey.from_private("ecdsa", office_private, name="PT-QFB-office-account"), password, directory=keys_dir
    )

    def relay(contract, batch: list[tuple], rejected: str) -> int:
        """Send one batch; how many actions took effect. Only an unpublished calendar year may refuse one."""
        name = {
            record.sharing: "sharing",
            record.responsibilities: "responsibilities",
            record.data_quality: "data_quality",
            record.supervision: "supervision",
        }.get(contract.address, "catalog")
        # Bounded like the relayer's batches: an estimate can starve the actions caught inside.
        receipt = relayer.send(contract.functions.executeBatch(batch), gas=batch_gas_bound(name, batch))
        refused = [decode_revert(e.args["reason"]) for e in receipt_events(receipt) if e.name == rejected]
        for error in refused:
            if error.error != "WorkCalendarYearNotPublished":
                raise ChainError(f"demo action refused: {error}")
        if refused:  # the system refuses to guess a deadline: say what the Office must do
            year = refused[0].error_args["year"]
            typer.secho(
                f"warning: {len(refused)} demo actions refused: their deadlines fall in {year}, whose "
                f"working-day calendar is not published; `ledger calendar status` explains",
                err=True,
                fg=typer.colors.YELLOW,
            )
        return len(batch) - len(refused)

    def signed(officer: SigningKey, kind, entry_id, document: dict, version=0, reason=0) -> tuple:
        declared = declared_at(document) if kind == ActionKind.SUBMIT else 0
        sharing = signed_sharing(document) if kind in VERSION_KINDS else SharingAttribute.NONE
        named = document.get("responsibility") if kind in VERSION_KINDS else None
        action = CatalogAction(
            kind,
            entry_id,
            version,
            reason,
            canonical_bytes(document),
            fresh_nonce(),
            declared_at=declared,
            sharing=sharing,
            responsibility=bytes.fromhex(named[2:]) if named else bytes(32),
        )
        return sign_action(action, officer[0], chain_id=w3.eth.chain_id, catalog_address=record.catalog).as_tuple()

    # Art. 11: each unit's responsibility approved by the Office, which then requires entries to name one.
    districts = demo_responsibilities.DemoResponsibilities(w3.eth.chain_id, record.responsibilities, officers)
    responsibilities = contract_at(w3, "Responsibilities", record.responsibilities)
    relay(responsibilities, districts.lists(), "ActionRejected")
    submissions, reviews = [], []
    entries = [(u, demo_responsibilities.with_duty(u, d)) for u, d in demo_data.ENTRIES]
    # Art. 12: the Data Center's supplementary entry for data returned from the city.
    dc = demo_responsibilities.DATA_CENTER
    entries.append((dc, demo_responsibilities.with_duty(dc, demo_responsibilities.SUPPLEMENTARY)))
    for unit_code, document in entries:
        entry_id = entry_id_for(unit_id_for(unit_code), document["code"])
        submissions.append(signed(officers[unit_code], ActionKind.SUBMIT, entry_id, document))
        decision = demo_data.REVIEWS.get(document["code"], ("approve", None))
        if decision is None:
            continue
        verdict, reason = decision
        note = {"schema": "putuo.catalog-review/1", "decision": verdict}
        if reason:
            note.update(reason_code=reason[0], reason=reason[1])
        reviews.append(signed(officers["PT-DSJZX"], ActionKind.REVIEW, entry_id, note, 1, reason[0] if reason else 0))
    collections = [
        signed(
            officers["PT-DSJZX"],
            ActionKind.RECORD_COLLECTION,
            entry_id_for(unit_id_for(u), code),
            {"schema": "putuo.catalog-collection/1", "description": "已归集至区大数据资源分平台"},
        )
        for u, code in demo_sharing.COLLECTED
    ]
    sharing = contract_at(w3, "Sharing", record.sharing)

    done = [relay(catalog, batch, "ActionRejected") for batch in (submissions, reviews, collections)]
    now = w3.eth.get_block("latest")["timestamp"]
    demo = demo_sharing.DemoSharing(w3.eth.chain_id, record.sharing, officers, now)
    chain_time = lambda: w3.eth.get_block("latest")["timestamp"]  # noqa: E731
    shared = sum(relay(sharing, batch, "ActionRejected") for _, batch in demo.batches(chain_time))
    # Art. 5 and 11: a designation, a refusal reported; Art. 12: the supplementary catalog's first export.
    relay(responsibilities, districts.decisions(), "ActionRejected")
    export_record, export_file = districts.export(s.rpc_url, record, s.data_dir / "exports")
    relay(responsibilities, export_record, "ActionRejected")
    # Art. 16: update frequencies, an update, a reconciliation, an objection handled and one open.
    quality = demo_quality.DemoQuality(w3.eth.chain_id, record.data_quality, officers)
    relay(contract_at(w3, "DataQuality", record.data_quality), quality.records(chain_time()), "ActionRejected")
    # Art. 29, 31: an incident on a street's grant, the grant suspended and reported, evaluations.
    oversight = demo_supervision.DemoSupervision(w3.eth.chain_id, record.supervision, officers)
    suspension = demo.step(demo_supervision.DATA_CENTER, StepKind.SECURITY_SUSPEND, oversight.suspension())
    relay(sharing, [suspension], "ActionRejected")
    supervision = contract_at(w3, "Supervision", record.supervision)
    relay(supervision, oversight.records(chain_time()), "ActionRejected")
    grant = demo_supervision.street_grant(1)
    [grant_abi] = [f for f in sharing.abi if f.get("name") == "grant"]
    names = [c["name"] for c in grant_abi["outputs"][0]["components"]]
    suspended_at = sharing.functions.grant(grant).call()[names.index("suspendedAt")]
    report_id = supervision.functions.measureReportId(grant, 1, suspended_at).call()
    relay(supervision, [oversight.acknowledge_report(report_id)], "ActionRejected")
    # Art. 32: the Office publishes the year's results so far and its notice of the units that failed.
    latest = w3.eth.get_block("latest")
    results, notice = oversight.publication(s.rpc_url, record, now=latest["timestamp"], now_block=latest["number"])
    relay(supervision, [results], "ActionRejected")
    if notice is not None:
        relay(supervision, [notice], "ActionRejected")
    typer.echo(
        f"seeded {len(demo_data.UNITS)} units, {done[0]} entries, {done[1]} reviews, {done[2]} collections, "
        f"{shared} sharing steps; responsibilities, a designation, a reported refusal and the supplementary "
        f"catalog's export ({export_file}); update frequencies, an update, a reconciliation and objections; "
        f"an incident, a suspension reported and evaluations; the Office's results and notice (Art. 32); "
        f"officer keys in {keys_dir} (password: {'$LEDGER_KEY_PASSWORD' if password != DEMO_PASSWORD else DEMO_PASSWORD})"
    )
