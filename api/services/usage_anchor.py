"""The usage log's anchoring (#11 part 3): the tree follows the stored records, and every N
records or T seconds the Data Center's key signs a checkpoint and anchors it in `UsageLog`.

X-Road's message log is the model: a batch's top hash is timestamped, and when timestamping has
failed for longer than a set time, logging stops rather than pile up unanchored records
(`stalled`, which the intake answers with 503). Checkpoints are read back from the contract's
events only (`sync`), so what the API shows of them is what the chain holds.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from chain import usage_log
from chain.actions import fresh_nonce
from chain.client import contract_at
from chain.events import decode_log, event_topic
from usage.hasher import SM3
from usage.merkle import MerkleTree
from usage.sql_log import UsageRecordStore, usage_chain_cursor, usage_checkpoints
from usage.sql_nodes import SqlNodeStore

log = logging.getLogger(__name__)

APPEND_CHUNK = 20_000  # records hashed into the tree per database transaction
LOG_RANGE = 5_000  # blocks per eth_getLogs call when reading UsageLog's events


def usage_key(settings):
    """The checkpoint-signing key the settings name (`usage_key`), or None."""
    if settings.usage_key is None:
        return None
    from pathlib import Path

    from signer.keys import SigningKey
    from signer.keystore import load_key

    value = settings.usage_key.get_secret_value()
    scheme, _, hexkey = value.partition(":")
    if scheme in ("ecdsa", "sm2") and hexkey:
        return SigningKey.from_private(scheme, bytes.fromhex(hexkey.removeprefix("0x")))
    if settings.key_password is None:
        raise ValueError("LEDGER_USAGE_KEY names a keystore file: LEDGER_KEY_PASSWORD opens it")
    return load_key(Path(value), settings.key_password.get_secret_value())


@dataclass(frozen=True)
class Anchored:
    size: int
    root: str
    tx_hash: str


class Anchorer:
    """Keeps the tree up with the records and anchors checkpoints; one per API process."""

    def __init__(self, runtime, key, *, every: int, interval_s: float, stall_s: float) -> None:
        self.runtime = runtime
        self.key = key  # a Data Center officer's SigningKey, or None: anchoring off
        self.every, self.interval_s, self.stall_s = every, interval_s, stall_s
        self.records: UsageRecordStore = runtime.usage_records
        self.tree = MerkleTree(SM3, SqlNodeStore(runtime.engine))
        self.contract = contract_at(runtime.w3, "UsageLog", runtime.deployment.usage_log)
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._last_anchor = time.monotonic()
        self.failing_since: float | None = None  # monotonic time of the first failure since a success
        with runtime.engine.begin() as conn:
            if conn.execute(select(usage_chain_cursor.c.block_number)).scalar() is None:
                conn.execute(insert(usage_chain_cursor).values(id=1, block_number=runtime.deployment.deploy_block))

    # ---- the tree

    def grow(self) -> int:
        """Append the stored records the tree lacks; the new tree size. The intake appends each
        batch's leaves itself (`UsageRecordStore.append`); this catches a tree up that lags: opened
        over records stored before, or by another process."""
        while True:
            start, stored = self.tree.size, self.records.size()
            if start >= stored:
                return start
            leaves = self.records.leaves(start, min(stored, start + APPEND_CHUNK))
            with self.records.write_lock:  # waits for an intake's commit on a lock, not in SQLite's busy loop
                # An intake appends to the tree itself once it has caught up, maybe since `start` was read.
                if self.tree.size == start:
                    self.tree.append(leaves)

    # ---- checkpoints from the chain

    def sync(self) -> int:
        """Read UsageLog's events since the cursor into `usage_checkpoints`; the events applied.

        The node is asked before any write, and nothing is written when no block came: this runs
        every poll (`usage_anchor_poll_s`), and a write each time took SQLite's one write lock
        from the intake 20 times a second (#11)."""
        rpc, address = self.runtime.rpc, self.contract.address
        topics = [[event_topic("UsageLog", "CheckpointAnchored"), event_topic("UsageLog", "CheckpointCosigned")]]
        with self._sync_lock:  # the anchor loop and a relayed co-signature (usage.relay_cosignature)
            head = int(rpc.call("eth_blockNumber", []), 16)
            with self.runtime.engine.connect() as conn:
                cursor = conn.execute(select(usage_chain_cursor.c.block_number)).scalar()
            if head == cursor:
                return 0
            logs, low = [], cursor + 1 if cursor else 0
            while low <= head:
                high = min(head, low + LOG_RANGE - 1)
                logs += rpc.call(
                    "eth_getLogs", [{"fromBlock": hex(low), "toBlock": hex(high), "address": address, "topics": topics}]
                )
                low = high + 1
            with self.runtime.engine.begin() as conn:
                for raw in logs:
                    ev = decode_log(raw)
                    a = ev.args
                    if ev.name == "CheckpointAnchored":
                        conn.execute(
                            insert(usage_checkpoints).values(
                                size=a["size"],
                                root="0x" + a["root"].hex(),
                                signer=a["signer"],
                                tx_hash=ev.tx_hash,
                                block_number=ev.block_number,
                                block_hash=ev.block_hash,
                                log_index=ev.log_index,
                                cosignatures=0,
                            )
                        )
                    else:
                        conn.execute(
                            update(usage_checkpoints)
                            .where(usage_checkpoints.c.size == a["size"])
                            .values(cosignatures=a["cosignatures"])
                        )
                conn.execute(update(usage_chain_cursor).values(block_number=head))
        return len(logs)

    def anchored_size(self) -> int:
        with self.runtime.engine.connect() as conn:
            return (
                conn.execute(select(usage_checkpoints.c.size).order_by(usage_checkpoints.c.size.desc())).scalar() or 0
            )

    # ---- anchoring

    def stalled(self) -> bool:
        """Whether anchoring has failed for longer than `stall_s`: the intake then stops."""
        since = self.failing_since
        return since is not None and time.monotonic() - since > self.stall_s

    def step(self) -> bool:
        """Grow the tree, read the chain's checkpoints and anchor one when due; whether it did anything."""
        with self._lock:
            size = self.grow()
            self.sync()
            anchored = self.anchored_size()
            due = size - anchored >= self.every or (
                size > anchored and time.monotonic() - self._last_anchor >= self.interval_s
            )
            if not due or self.key is None:
                return False
            try:
                self.anchor(anchored, min(size, anchored + self.every))
            except Exception:
                if self.failing_since is None:
                    self.failing_since = time.monotonic()
                raise
            self.failing_since = None
            self._last_anchor = time.monotonic()
            self.sync()
            return True

    def anchor(self, anchored: int, stop: int) -> Anchored:
        """Sign and send the checkpoint of the first `size` records, `size` ≤ `stop`: the largest
        whose new records use at most MAX_GRANTS_PER_ANCHOR grants; waits for the receipt."""
        size, uses = self._batch(anchored, stop)
        root = self.tree.root(size)
        document = usage_log.anchor_document(size, root, uses)
        rt = self.runtime
        action = usage_log.sign(
            usage_log.UsageAction(usage_log.UsageActionKind.ANCHOR, document, fresh_nonce()),
            self.key,
            chain_id=rt.chain_id,
            address=self.contract.address,
        )
        receipt = rt.sender.send(self.contract.functions.execute(action.as_tuple()))
        log.info("usage log: anchored size %d root %s (%d grants)", size, root.hex(), len(uses))
        return Anchored(size, "0x" + root.hex(), receipt["transactionHash"].to_0x_hex())

    def _batch(self, anchored: int, stop: int) -> tuple[int, dict[str, int]]:
        """(size, each grant's latest accepted use among records anchored .. size - 1): size is
        `stop` unless those records use more than MAX_GRANTS_PER_ANCHOR grants, then the record
        that would bring in one too many starts the next checkpoint.

        The database groups first (in C, without the interpreter's lock): reading 10,000 rows one
        by one through SQLAlchemy cost 9 µs a record of the intake's budget (#11). Only a batch
        over the limit is read row by row, to find where to cut it."""
        mark = "?" if self.runtime.engine.dialect.paramstyle == "qmark" else "%s"
        accepted = f"FROM usage_records WHERE seq >= {mark} AND seq < {mark} AND outcome = 'accepted'"
        connection = self.runtime.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(
                f"SELECT grant_id, max(used_at) {accepted} GROUP BY grant_id LIMIT {mark}",
                (anchored, stop, usage_log.MAX_GRANTS_PER_ANCHOR + 1),
            )
            grouped = cursor.fetchall()
            if len(grouped) <= usage_log.MAX_GRANTS_PER_ANCHOR:
                return stop, dict(grouped)
            cursor.execute(f"SELECT seq, grant_id, used_at {accepted} ORDER BY seq", (anchored, stop))
            rows = cursor.fetchall()
        finally:
            connection.close()
        uses: dict[str, int] = {}
        for seq, grant_id, used_at in rows:
            if grant_id not in uses and len(uses) == usage_log.MAX_GRANTS_PER_ANCHOR:
                return seq, uses  # this record starts the next checkpoint
            uses[grant_id] = max(used_at, uses.get(grant_id, 0))
        return stop, uses
