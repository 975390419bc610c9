"""`ledger catalog export`: the Data Center exports the supplementary catalog for the city
platform (Art. 12) and records the export on-chain (its hash and block range)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from eth_utils import keccak

from catalog.responsibility_documents import CatalogExportManifest
from chain import responsibilities as resp
from chain.actions import fresh_nonce
from ledger_cli import officer_actions as oa
from ledger_cli._api import Api
from ledger_cli._context import fail
from signer.canonical import canonical_bytes

EXPORT_PATH = "/v1/catalog/supplementary/export"


def _file(client: Api, fmt: str, params: dict) -> tuple[bytes, dict]:
    """The export file in `fmt` and its headers; its hash checked here, not taken on trust."""
    answer = client.get_raw(EXPORT_PATH, format=fmt, **params)
    data = answer.content
    claimed = answer.headers.get("x-export-keccak256" if fmt == "json" else "x-csv-keccak256", "")
    if claimed.lower() != "0x" + keccak(data).hex():
        fail(f"the API's {fmt.upper()} export does not hash to the hash it announces; nothing recorded")
    return data, dict(answer.headers)


def export(
    key: oa.KeyOption,
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Where to write the JSON and CSV files")] = Path(
        "."
    ),
    to_block: Annotated[
        int | None, typer.Option("--to-block", min=1, help="The export's last block", show_default="the mirror's last")
    ] = None,
    api: oa.ApiOption = oa.DEFAULT_API,
    keystore_dir: oa.KeystoreDirOption = None,
    password_fd: oa.PasswordFdOption = None,
    wait: oa.WaitOption = oa.DEFAULT_WAIT_S,
) -> None:
    """Export the supplementary catalog since the last export (Art. 12) as JSON and CSV, and record
    the export on-chain, signed by a Data Center officer: the city checks its files against it."""
    signing_key = oa.load_officer_key(key, keystore_dir, password_fd)
    params = {"to_block": to_block} if to_block is not None else {}
    with Api(api) as client:
        json_data, headers = _file(client, "json", params)
        from_block, last = int(headers["x-from-block"]), int(headers["x-to-block"])
        csv_data, _ = _file(client, "csv", {"from_block": from_block, "to_block": last})
        items = csv_data.decode("utf-8-sig").count("\n") - 1
        manifest = {
            "schema": "putuo.catalog-export/1",
            "format": "putuo.supplementary-catalog/1",
            "json_keccak256": "0x" + keccak(json_data).hex(),
            "csv_keccak256": "0x" + keccak(csv_data).hex(),
            "from_block": from_block,
            "to_block": last,
            "entries": items,
        }
        oa.validated(CatalogExportManifest, manifest)
        data = canonical_bytes(manifest)
        subject = keccak(json_data)
        action = resp.ResponsibilityAction(
            resp.ActionKind.RECORD_CATALOG_EXPORT, subject, data, fresh_nonce(), value=last
        )
        body = {
            "kind": "record_catalog_export",
            "subject": "0x" + subject.hex(),
            "document": manifest,
            "nonce": str(action.nonce),
        }
        domain = client.post("/v1/responsibilities/typed-data", body)["domain"]
        if domain.get("name") != resp.DOMAIN_NAME:
            fail(f"the API's EIP-712 domain is {domain.get('name')!r}, expected {resp.DOMAIN_NAME!r}; nothing signed")
        signed = resp.sign(action, signing_key, chain_id=int(domain["chainId"]), address=domain["verifyingContract"])
        out.mkdir(parents=True, exist_ok=True)
        stem = out / f"putuo-supplementary-{from_block}-{last}"
        stem.with_suffix(".json").write_bytes(json_data)
        stem.with_suffix(".csv").write_bytes(csv_data)
        done = oa.send(
            client,
            "/v1/responsibilities/actions",
            {**body, "signature": "0x" + signed.signature.hex()},
            key=signing_key,
            data=data,
            wait=wait,
        )
    oa.echo_proof(
        f"supplementary catalog export of blocks {from_block}–{last} ({items} steps)",
        done,
        None,
        scheme=signing_key.scheme,
        extra={"JSON file": f"{stem}.json", "CSV file": f"{stem}.csv", "export id": "0x" + subject.hex()},
    )
