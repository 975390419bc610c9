"""Verifying the Office's published Art. 32 results from the chain alone (`ledger audit evaluation`).

The results document is on the chain: `Supervision` emits it whole in `ResultsPublished`, signed
by an Office officer. It names the block it was judged at (`judged_block`, `judged_at`). An
auditor replays the chain's events up to that block into a scratch mirror of their own, runs
the same evaluation (api/services/evaluation.py) at that time, and compares the outcome with the
published document, unit by unit. The platform's database and API are not consulted. A unit's
rank or score that the chain does not give, or a CSV hash that differs, is named.

This works because the platform judges at the last block its mirror holds
(`duties.mirror_now`), not at the chain's head, which the mirror may not have reached yet.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from api.runtime import make_engine
from api.services import evaluation
from api.services.evaluation_publication import results_document
from chain.deploy import Deployment
from chain.events import decode_log, event_topic
from chain.indexer import Indexer
from chain.rpc import RpcClient
from mirror.models import OfficerKey, Unit
from mirror.store import SqlMirrorStore
from signer.canonical import canonical_bytes, parse_json_strict


class EvaluationAuditError(Exception):
    """The results cannot be checked at all (not published, not a results document)."""


@dataclass(frozen=True)
class Published:
    """One `ResultsPublished` event, as the chain holds it."""

    results_id: str
    signer: str
    block_number: int
    tx_hash: str
    document: dict


@dataclass(frozen=True)
class EvaluationAudit:
    published: Published
    signer_unit: str | None  # the unit the signing key belonged to, in the replayed registry
    signer_unit_name: str | None
    recomputed: dict
    differences: list[str]  # empty: the published results are what the chain gives

    @property
    def valid(self) -> bool:
        return not self.differences


def find_published(rpc: RpcClient, deployment: Deployment, results_id: bytes) -> Published:
    """The `ResultsPublished` event of `results_id`, or EvaluationAuditError."""
    logs = rpc.call(
        "eth_getLogs",
        [
            {
                "fromBlock": hex(deployment.deploy_block),
                "toBlock": "latest",
                "address": deployment.supervision,
                "topics": [event_topic("Supervision", "ResultsPublished"), "0x" + results_id.hex()],
            }
        ],
    )
    if not logs:
        raise EvaluationAuditError(f"no results 0x{results_id.hex()} were published on this chain's Supervision")
    event = decode_log(logs[0])
    try:
        document = parse_json_strict(bytes(event.args["document"]))
    except ValueError as exc:
        raise EvaluationAuditError(f"the published document is not JSON ({exc})") from None
    if not isinstance(document, dict) or document.get("schema") != "putuo.evaluation-results/1":
        raise EvaluationAuditError("the published document is not putuo.evaluation-results/1")
    for name in ("date_from", "date_to", "judged_at", "judged_block"):
        if name not in document:
            raise EvaluationAuditError(f"the published results do not name {name}: they cannot be computed again")
    return Published(
        results_id="0x" + results_id.hex(),
        signer=event.args["signer"],
        block_number=event.block_number,
        tx_hash=event.tx_hash,
        document=document,
    )


def audit_results(rpc: RpcClient, deployment: Deployment, results_id: bytes, *, progress=None) -> EvaluationAudit:
    """Replay the chain up to the results' judged block into a scratch mirror and compare."""
    published = find_published(rpc, deployment, results_id)
    document = published.document
    with tempfile.TemporaryDirectory(prefix="ledger-audit-") as scratch:
        store = SqlMirrorStore(make_engine(f"sqlite:///{Path(scratch) / 'mirror.db'}"))
        try:
            Indexer(rpc, deployment, store).sync(to_block=int(document["judged_block"]), progress=progress)
            with store.sessions() as session:
                result = evaluation.evaluate(
                    session,
                    date_from=dt.date.fromisoformat(document["date_from"]),
                    date_to=dt.date.fromisoformat(document["date_to"]),
                    now=int(document["judged_at"]),
                    now_block=int(document["judged_block"]),
                )
                recomputed = results_document(result, evaluation.to_csv(result).encode("utf-8"))
                key = session.get(OfficerKey, published.signer)  # key ids are kept checksummed
                unit = session.get(Unit, key.unit_id) if key is not None else None
        finally:
            store.engine.dispose()
    return EvaluationAudit(
        published=published,
        signer_unit=unit.unit_id if unit is not None else None,
        signer_unit_name=unit.name if unit is not None else None,
        recomputed=recomputed,
        differences=differences(document, recomputed),
    )


def differences(published: dict, recomputed: dict) -> list[str]:
    """What the published results say that the chain does not give, one line each."""
    if canonical_bytes(published) == canonical_bytes(recomputed):
        return []
    found = [
        f"{name}: published {published.get(name)!r}, the chain gives {recomputed.get(name)!r}"
        for name in sorted((set(published) | set(recomputed)) - {"units"})
        if published.get(name) != recomputed.get(name)
    ]
    theirs = {u.get("unit_id"): u for u in published.get("units") or [] if isinstance(u, dict)}
    ours = {u["unit_id"]: u for u in recomputed["units"]}
    for unit_id in sorted(set(theirs) | set(ours), key=str):
        if unit_id not in ours:
            found.append(f"unit {unit_id}: published, but not a unit the chain evaluates")
        elif unit_id not in theirs:
            found.append(f"unit {unit_id} ({ours[unit_id]['name']}): evaluated on the chain, left out of the results")
        else:
            for name in sorted(set(theirs[unit_id]) | set(ours[unit_id])):
                if theirs[unit_id].get(name) != ours[unit_id].get(name):
                    found.append(
                        f"unit {unit_id} ({ours[unit_id]['name']}) {name}: published "
                        f"{theirs[unit_id].get(name)!r}, the chain gives {ours[unit_id].get(name)!r}"
                    )
    if [u.get("unit_id") for u in published.get("units") or []] != [u["unit_id"] for u in recomputed["units"]]:
        found.append("the units' order differs from the chain's ranking")
    return found or ["the document differs from the chain's in its form (same values, other encoding)"]
