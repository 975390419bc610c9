"""The district supplementary catalog's export for the city platform (Art. 12: 将补充目录同步至市大数据资源平台).

Format `putuo.supplementary-catalog/1`, documented in docs/MEASURES.md ("The supplementary
catalog's export"). An export covers a block range and lists, in chain order, every step of a
supplementary entry whose block lies in it: each version the Data Center submitted (the full
document) and each review of one, with the transaction, block, document hash and signer that prove
it on the chain. A version is supplementary when its signer's key is a Data Center key: the
contract lets the Data Center submit only an Art. 12 entry, and a key's unit never changes, so the
same range gives the same bytes whenever it is built again. The JSON file is RFC 8785 canonical
JSON, so its keccak256 is reproducible: that hash and the range are what the Data Center records
on-chain (`RecordCatalogExport`), and a city that rebuilds the file, or receives it, compares.
The CSV carries the same rows (UTF-8 with a BOM, for spreadsheet software).
"""

from __future__ import annotations

import csv
import io
import json

from eth_utils import keccak
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mirror.models import CatalogVersion, OfficerKey, Unit
from mirror.responsibility_models import ResponsibilityStep
from signer.canonical import canonical_bytes

FORMAT = "putuo.supplementary-catalog/1"
CSV_COLUMNS = (
    "step",
    "entry_id",
    "version",
    "kind",
    "code",
    "name",
    "source_method",
    "update_frequency",
    "sharing",
    "block_number",
    "tx_hash",
    "document_hash",
    "signer",
    "reason_code",
)


def _data_center_keys(session: Session) -> set[str]:
    query = select(OfficerKey.key_id).join(Unit, Unit.unit_id == OfficerKey.unit_id).where(Unit.kind == "data_center")
    return set(session.scalars(query))


def rows(session: Session, *, from_block: int, to_block: int) -> list[dict]:
    """Every step of a supplementary version in blocks `from_block`..`to_block`, in chain order."""
    keys = _data_center_keys(session)
    if not keys:
        return []
    in_range = or_(
        CatalogVersion.submitted_block.between(from_block, to_block),
        CatalogVersion.reviewed_block.between(from_block, to_block),
    )
    versions = session.scalars(select(CatalogVersion).where(CatalogVersion.signer.in_(keys), in_range))
    out = []
    for v in versions:
        document = json.loads(v.document)
        shown = {
            "entry_id": v.entry_id,
            "version": v.version,
            "kind": v.kind,
            "code": document.get("code"),
            "name": document.get("name"),
            "source_method": (document.get("source") or {}).get("method"),
            "update_frequency": document.get("update_frequency"),
            "sharing": v.sharing,
        }
        if from_block <= v.submitted_block <= to_block:
            out.append(
                {
                    **shown,
                    "step": "submitted",
                    "block_number": v.submitted_block,
                    "tx_hash": v.submitted_tx,
                    "document_hash": v.document_hash,
                    "signer": v.signer,
                    "reason_code": None,
                    "document": document,
                }
            )
        if v.reviewed_block is not None and from_block <= v.reviewed_block <= to_block:
            out.append(
                {
                    **shown,
                    "step": "reviewed",
                    "block_number": v.reviewed_block,
                    "tx_hash": v.reviewed_tx,
                    "document_hash": v.review_document_hash,
                    "signer": v.reviewer,
                    "reason_code": v.review_reason_code,
                    "document": json.loads(v.review_document) if v.review_document else None,
                }
            )
    out.sort(key=lambda r: (r["block_number"], r["tx_hash"], r["entry_id"], r["version"], r["step"] == "reviewed"))
    return out


def export_json(items: list[dict], *, chain_id: int, catalog: str, from_block: int, to_block: int) -> bytes:
    """The export as canonical JSON bytes (its keccak256 is the export id)."""
    return canonical_bytes(
        {
            "format": FORMAT,
            "chain_id": chain_id,
            "catalog": catalog.lower(),
            "from_block": from_block,
            "to_block": to_block,
            "items": items,
        }
    )


def export_csv(items: list[dict]) -> bytes:
    """The same rows as CSV: UTF-8 with a BOM, a header, one step a row (no documents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow(["" if item[c] is None else item[c] for c in CSV_COLUMNS])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def keccak_hex(data: bytes) -> str:
    return "0x" + keccak(data).hex()


def recorded(session: Session) -> list[ResponsibilityStep]:
    """The exports recorded on-chain, in order."""
    query = (
        select(ResponsibilityStep)
        .where(ResponsibilityStep.step == "catalog_export_recorded")
        .order_by(ResponsibilityStep.seq)
    )
    return list(session.scalars(query))


def next_from_block(session: Session) -> int:
    """Where the next export starts: after the last recorded one (block 1 for the first)."""
    done = recorded(session)
    return done[-1].value + 1 if done else 1
