"""The usage log's intake (Art. 30, #11 part 1): each use the share service reports is checked
against its grant by the gateway's own rule (Art. 25, `sharing_queries.check_many`) at the time
it happened, and stored as a leaf of the log, accepted or refused, before it is acknowledged.

"At the time it happened" covers the times the check judges (issuance, idleness); the grant's
status (active, suspended, terminated) and terms are the mirror's as the record arrives, which is
right for the share service's near-real-time reports. A record reported long after a suspension
that has since been lifted is judged by the grant's state now; the chain does not rely on it:
`Sharing` counts an anchored use only if it fell while the grant was active, whatever the log says."""

from __future__ import annotations

from api.errors import ApiError
from api.micro_batch import Combiner
from api.services import sharing_queries
from usage.hasher import SM3
from usage.merkle import MerkleTree
from usage.records import UsageRecordIn, leaf_bytes, leaf_document
from usage.sql_log import NewRecord, Stored, UsageRecordStore

# How far past the chain's clock a use may be dated: the share service's clock against the
# chain's latest block (a local node's clock stands still between blocks).
FUTURE_SKEW_S = 300


def owners(engine, entry_ids: set[str]) -> dict[str, str]:
    """The unit of each entry the mirror knows, by entry id."""
    if not entry_ids:
        return {}
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    ids = sorted(entry_ids)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            f"SELECT entry_id, unit_id FROM catalog_entries WHERE entry_id IN ({', '.join(mark for _ in ids)})",
            tuple(ids),
        ).all()
    return dict(rows)


def intake(
    *,
    engine,
    store: UsageRecordStore,
    records: list[UsageRecordIn],
    now: int,
    combiner: Combiner | None = None,
    tree: MerkleTree | None = None,
) -> list[Stored]:
    """Check and store `records`; what it returns is durable. A record dated after `now` (the
    chain's clock) by more than FUTURE_SKEW_S is refused with nothing stored. With `combiner`,
    batches that arrive together are stored in one transaction (group commit: one commit, the
    database's cost per batch, for all of them), each answered with its own records. With `tree`
    (the anchorer's), the leaves go into it in the same transaction (`UsageRecordStore.append`)."""
    for i, r in enumerate(records):
        if r.used_at > now + FUTURE_SKEW_S:
            raise ApiError(
                422,
                "used_at_in_future",
                f"records.{i}.used_at: {r.used_at} is after the chain's time {now}: report a use once it happened",
                f"records.{i}.used_at",
            )
    answers = sharing_queries.check_many(
        engine,
        [
            {
                "unit_id": r.unit_id,
                "entry_id": r.entry_id,
                "grant_id": r.grant_id,
                "version": r.version,
                "items": r.items,
                "scenario": r.scenario,
                "method": r.method,
                "form": r.form,
                "now": r.used_at,
            }
            for r in records
        ],
    )
    owner_of = owners(engine, {r.entry_id for r in records})
    rows = []
    for i, (r, (reason, _)) in enumerate(zip(records, answers)):
        outcome = "accepted" if reason == "granted" else "refused"
        try:
            leaf = leaf_bytes(leaf_document(r, outcome=outcome, reason=reason))
        except ValueError as exc:
            raise ApiError(422, "invalid_text", f"records.{i}: not Unicode text ({exc})", f"records.{i}") from None
        rows.append(
            NewRecord(
                request_id=r.request_id,
                grant_id=r.grant_id,
                entry_id=r.entry_id,
                owner_unit_id=owner_of.get(r.entry_id),
                unit_id=r.unit_id,
                scenario=r.scenario,
                method=r.method,
                used_at=r.used_at,
                outcome=outcome,
                reason=reason,
                leaf=leaf,
            )
        )
    if combiner is None:
        return store.append(rows, tree)
    return combiner.submit(rows, lambda batches, _turn: _append_together(store, batches, tree))


def _append_together(store: UsageRecordStore, batches: list[list[NewRecord]], tree: MerkleTree | None) -> list[object]:
    """Every batch in one transaction, in order; each batch's own answers, or the failure for all."""
    try:
        stored = store.append([r for batch in batches for r in batch], tree)
    except Exception as exc:  # noqa: BLE001 - nothing was stored: every batch is refused alike
        return [exc] * len(batches)
    answers, start = [], 0
    for batch in batches:
        answers.append(stored[start : start + len(batch)])
        start += len(batch)
    return answers


# ---- reads: records with their proofs, checkpoints (#11 part 4)

_CHECKPOINT_COLUMNS = "size, root, signer, tx_hash, block_number, block_hash, log_index, cosignatures"


def _checkpoint(row) -> dict:
    size, root, signer, tx_hash, block_number, block_hash, log_index, cosignatures = row
    return {
        "size": size,
        "root": root,
        "signer": signer,
        "tx_hash": tx_hash,
        "block_number": block_number,
        "block_hash": block_hash,
        "log_index": log_index,
        "cosignatures": cosignatures,
    }


def checkpoints(engine, *, limit: int, offset: int) -> tuple[list[dict], int]:
    """Anchored checkpoints, newest first, and how many there are."""
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    with engine.connect() as conn:
        total = conn.exec_driver_sql("SELECT count(*) FROM usage_checkpoints").scalar()
        rows = conn.exec_driver_sql(
            f"SELECT {_CHECKPOINT_COLUMNS} FROM usage_checkpoints ORDER BY size DESC LIMIT {mark} OFFSET {mark}",
            (limit, offset),
        ).all()
    return [_checkpoint(r) for r in rows], total


def checkpoint_at(engine, size: int | None = None) -> dict | None:
    """The anchored checkpoint of `size`, or with None the latest; None when there is none."""
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    with engine.connect() as conn:
        if size is None:
            row = conn.exec_driver_sql(
                f"SELECT {_CHECKPOINT_COLUMNS} FROM usage_checkpoints ORDER BY size DESC LIMIT 1"
            ).first()
        else:
            row = conn.exec_driver_sql(
                f"SELECT {_CHECKPOINT_COLUMNS} FROM usage_checkpoints WHERE size = {mark}", (size,)
            ).first()
    return _checkpoint(row) if row is not None else None


def record_leaf(engine, seq: int, who=None) -> bytes:
    """The leaf of record `seq` if `who` may read it (the platform, oversight, the demand unit
    that used the data or the entry's owner; None: no check); 404 when there is none, 403 when
    it is another unit's."""
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    with engine.connect() as conn:
        row = conn.exec_driver_sql(
            f"SELECT leaf, unit_id, owner_unit_id FROM usage_records WHERE seq = {mark}", (seq,)
        ).first()
    if row is None:
        raise ApiError(404, "usage_record_unknown", f"id: no usage record {seq}", "id")
    leaf, unit_id, owner = row
    if who is not None and not may_read(who, unit_id, owner):
        raise ApiError(
            403,
            "usage_not_yours",
            f"id: usage record {seq} is of another unit's use and data: a unit reads the uses it made"
            " and the uses of its own data (Art. 30)",
            "id",
        )
    return bytes(leaf)


def may_read(who, unit_id: str, owner_unit_id: str | None) -> bool:
    """Whether `who` (a Caller or the Platform) may read a record of `unit_id`'s use of `owner_unit_id`'s data."""
    from api.auth import Platform

    if isinstance(who, Platform):
        return True
    return who.oversees_all or who.unit_id in (unit_id, owner_unit_id)


def _anchored(engine, size: int | None, field: str) -> dict:
    found = checkpoint_at(engine, size)
    if found is None:
        what = "no checkpoint is anchored yet" if size is None else f"no checkpoint of size {size} is anchored"
        raise ApiError(404, "checkpoint_unknown", f"{field}: {what}", field)
    return found


def evidence(runtime, seq: int, size: int | None = None, *, who=None) -> dict:
    """Record `seq` with its inclusion proof to the anchored checkpoint of `size` (by default the
    latest), the checkpoint and its anchor: what `ledger audit usage` verifies with the chain alone.
    A record not yet anchored comes with `checkpoint` and `proof` null."""
    engine = runtime.engine
    leaf = record_leaf(engine, seq, who)
    found = checkpoint_at(engine, size)
    if size is not None and found is None:
        _anchored(engine, size, "size")
    bundle = {
        "schema": "putuo.usage-evidence/1",
        "record": leaf.decode("utf-8"),
        "index": seq,
        "log_id": "0x" + usage_log_id(runtime).hex(),
        "chain_id": runtime.chain_id,
        "usage_log": runtime.deployment.usage_log,
        "checkpoint": None,
        "proof": None,
    }
    if found is None or found["size"] <= seq:
        if size is not None:
            raise ApiError(
                409, "record_not_in_checkpoint", f"size: record {seq} is not in the checkpoint of size {size}", "size"
            )
        return bundle
    tree = MerkleTree(SM3, runtime.usage_anchor.tree.store)
    proof = tree.inclusion_proof(seq, found["size"])
    bundle.update(checkpoint=found, proof=["0x" + h.hex() for h in proof])
    return bundle


def consistency(runtime, first: int, second: int) -> dict:
    """The RFC 9162 consistency proof between two anchored checkpoints."""
    engine = runtime.engine
    if not 0 < first <= second:
        raise ApiError(
            422, "sizes_out_of_order", f"first: must be 0 < first <= second, got {first} and {second}", "first"
        )
    old, new = _anchored(engine, first, "first"), _anchored(engine, second, "second")
    tree = MerkleTree(SM3, runtime.usage_anchor.tree.store)
    proof = tree.consistency_proof(first, second)
    return {"first": old, "second": new, "proof": ["0x" + h.hex() for h in proof]}


def usage_log_id(runtime) -> bytes:
    from chain.usage_log import log_id

    return log_id(runtime.chain_id, runtime.deployment.usage_log)


def relay_cosignature(runtime, body) -> dict:
    """Send a witness's signed co-signature to UsageLog; the contract is the judge."""
    from eth_abi import decode as abi_decode

    from api.errors import from_revert
    from chain.errors import ActionRevertedError
    from chain.usage_log import COSIGN_TYPES, UsageAction, UsageActionKind

    document = bytes.fromhex(body.checkpoint[2:])
    try:
        size, root = abi_decode(COSIGN_TYPES, document)
    except Exception:  # noqa: BLE001 - any decoding failure is the same bad input
        raise ApiError(
            422, "invalid_document", "document: not abi.encode(uint64 size, bytes32 root)", "document"
        ) from None
    action = UsageAction(UsageActionKind.COSIGN, document, int(body.nonce), bytes.fromhex(body.signature[2:]))
    contract = runtime.usage_anchor.contract
    try:
        receipt = runtime.sender.send(contract.functions.execute(action.as_tuple()))
    except ActionRevertedError as exc:
        raise from_revert(exc) from None
    runtime.usage_anchor.sync()
    found = checkpoint_at(runtime.engine, size)
    return {
        "size": size,
        "root": "0x" + root.hex(),
        "cosignatures": found["cosignatures"] if found else 0,
        "tx_hash": receipt["transactionHash"].to_0x_hex(),
    }
