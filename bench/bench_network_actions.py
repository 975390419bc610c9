"""Signed actions end to end on four geth Clique validators, against bare signed transfers to the
same network in the same run (#14's scale figure).

Ours: catalog submissions, each signed by its officer, posted to the API (`ledger serve`, on every
node's URL with failover) in batches of BENCH_NETWORK_BATCH through `POST /v1/catalog/actions`;
the relayer packs them into executeBatch transactions; the API's mirror confirms an action once its
event is in a block ⌊N/2⌋+1 = 3 blocks deep (LEDGER_SETTLE_BLOCKS, the Clique settlement depth).
Measured from the first request until the mirror shows every action settled; and, per action, the
time from its acceptance (the request's 202) to its settlement, p50/p99.

Baseline: bare signed transfers from one account, sent in JSON-RPC batches of 100, until every one
is in a block every node holds (bench/bench_network.py's measure), then as many blocks again on
top, so that they are settled as the actions are.

`python -m bench.bench_network_actions`; BENCH_NETWORK_ACTIONS (3000) actions and as many
transfers, BENCH_NETWORK_PERIOD (1) s, BENCH_NETWORK_BATCH (100) actions per request, BENCH_THREADS (8)
client threads, BENCH_NETWORK_RELAY_BATCH (50) actions per relayed transaction,
BENCH_NETWORK_GAS_LIMIT (the genesis default, network/genesis.py) gas per block. It prints what the
blocks held (gas used, and the gas limits their transactions asked, against the block's) and where
an action's time went (p50 from acceptance to sent, to its block, to settled in the mirror).
Needs the geth scripts/setup builds.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from eth_account import Account
from sqlalchemy import func, select

from api.runtime import make_engine
from bench.bench_catalog import signed_submissions
from bench.common import percentile, report
from bench.servers import Server
from chain.actions import unit_id_for
from chain.client import Sender, connect, contract_at
from chain.deploy import deploy_all, deployment_path
from chain.devkeys import DEV_KEYS, OFFICE_DEV_KEY, RELAYER_DEV_KEY
from chain.node import free_port
from chain.rpc import RpcClient
from ledger_cli.demo import publish_demo_calendar
from mirror.models import OutboxAction
from mirror.outbox_lifecycle import OutboxStatus
from network.genesis import GAS_LIMIT as GENESIS_GAS_LIMIT
from network.local import LocalNetwork
from network.status import node_status
from workdays.publish import calendar_at

ACTIONS = int(os.environ.get("BENCH_NETWORK_ACTIONS", "3000"))
PERIOD = int(os.environ.get("BENCH_NETWORK_PERIOD", "1"))
BATCH = int(os.environ.get("BENCH_NETWORK_BATCH", "100"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
# Actions per relayed transaction (LEDGER_BATCH_MAX). geth fills a block only with transactions
# whose gas *limit* fits what is left, and the relayer's limit is a bound about twice the gas used
# (mirror/outbox.py), while the gas already used is what it is deducted: one batch bounded at 50M
# gas (~130 submissions) is alone in a block, while batches of 50 (bound ~20M, ~11M used) fit four
# to a 60M block and nine to the network's 120M (network/genesis.py).
RELAY_BATCH = int(os.environ.get("BENCH_NETWORK_RELAY_BATCH", "50"))
GAS_LIMIT = int(os.environ.get("BENCH_NETWORK_GAS_LIMIT", str(GENESIS_GAS_LIMIT)))
VALIDATORS = 4
SETTLE = VALIDATORS // 2 + 1  # Clique: a block is settled under ⌊N/2⌋+1 others
RPC_BATCH = 100
SINK = "0x000000000000000000000000000000000000dEaD"
TRANSFER_KEY = DEV_KEYS[3]  # neither the Office's nor the relayer's: their nonces stay undisturbed


def _heads(network: LocalNetwork) -> list[int]:
    return [node_status(spec).head or 0 for spec in network.manifest.nodes]


def bare_transfers(network: LocalNetwork, count: int) -> tuple[float, float]:
    """`count` transfers sent at once; (tx/s until every node holds them settled, tx/s accepted)."""
    w3 = connect(network.url)
    sender = Account.from_key(TRANSFER_KEY)
    chain_id, gas_price, first = w3.eth.chain_id, w3.eth.gas_price * 2, w3.eth.get_transaction_count(sender.address)
    signed = [
        sender.sign_transaction(
            {"nonce": first + n, "to": SINK, "value": 1, "gas": 21_000, "gasPrice": gas_price, "chainId": chain_id}
        ).raw_transaction
        for n in range(count)
    ]
    rpc = RpcClient(network.url)
    began = time.perf_counter()
    for i in range(0, count, RPC_BATCH):
        rpc.batch([("eth_sendRawTransaction", ["0x" + raw.hex()]) for raw in signed[i : i + RPC_BATCH]])
    accepted_s = time.perf_counter() - began
    while w3.eth.get_transaction_count(sender.address) < first + count:
        time.sleep(0.02)
    settled_at = w3.eth.block_number + SETTLE
    while min(_heads(network)) < settled_at:
        time.sleep(0.02)
    return count / (time.perf_counter() - began), count / accepted_s


def api_on(network: LocalNetwork, data_dir: Path) -> Server:
    port = free_port()
    env = {
        "LEDGER_ENV": "development",
        "LEDGER_DATA_DIR": str(data_dir),
        "LEDGER_NODE": "external",
        "LEDGER_RPC_URLS": ",".join(network.urls),
        "LEDGER_SETTLE_BLOCKS": str(SETTLE),
        "LEDGER_BATCH_MAX": str(RELAY_BATCH),
        "LEDGER_PORT": str(port),
    }
    return Server([str(Path(sys.executable).parent / "ledger"), "serve"], env, port).wait("/healthz")


class _SettledWatch:
    """When each action is first seen confirmed (its event mirrored, settled), polling the outbox."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.seen: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        with self.engine.connect() as conn:
            rows = conn.execute(select(OutboxAction.digest).where(OutboxAction.status == OutboxStatus.CONFIRMED))
            now = time.perf_counter()
            for digest in rows.scalars():
                self.seen.setdefault(digest, now)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._poll()
            time.sleep(0.01)

    def latencies(self, since: dict[str, float]) -> list[float]:
        """Seconds from each action's `since` to its settlement (called once all are confirmed)."""
        self._stop.set()
        self._thread.join()
        self._poll()  # what settled after the thread's last look
        return [self.seen[digest] - began for digest, began in since.items()]


def _blocks(network: LocalNetwork, first: int) -> None:
    """What the blocks of the run held: relayed transactions and gas, per block."""
    w3 = connect(network.url)
    blocks = [w3.eth.get_block(n) for n in range(first + 1, w3.eth.block_number + 1)]
    full = [b for b in blocks if b["transactions"]]
    # geth packs a transaction while its gas limit fits what is left of the block: the limits a
    # block's transactions asked for, against the block's limit, say whether it was full.
    asked = [sum(w3.eth.get_transaction(t)["gas"] for t in b["transactions"]) for b in full]
    print(
        f"  {len(blocks)} blocks, {len(full)} with transactions: at most {max(len(b['transactions']) for b in full)}"
        f" in one, {sum(b['gasUsed'] for b in full) / len(full) / 1e6:.1f}M gas on average"
        f" (at most {max(b['gasUsed'] for b in full) / 1e6:.1f}M), limits asked {sum(asked) / len(full) / 1e6:.1f}M"
        f" on average (at most {max(asked) / 1e6:.1f}M) of the block's {full[0]['gasLimit'] / 1e6:.0f}M,"
        f" {blocks[-1]['timestamp'] - blocks[0]['timestamp']} s between the first block and the last"
    )


def _stages(network: LocalNetwork, engine, settled: dict[str, float]) -> None:
    """Where an action's time went, p50 of each stage: the outbox's times and the block's
    timestamp (wall clock, whole seconds), and `settled` (wall clock, from _SettledWatch)."""
    w3 = connect(network.url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(OutboxAction.digest, OutboxAction.accepted_at, OutboxAction.sent_at, OutboxAction.tx_hash)
        ).all()
    mined = {
        h: w3.eth.get_block(w3.eth.get_transaction_receipt(h)["blockNumber"])["timestamp"]
        for h in {r.tx_hash for r in rows}
    }
    queued = [r.sent_at - r.accepted_at for r in rows]
    in_block = [mined[r.tx_hash] - r.sent_at for r in rows]
    to_mirror = [settled[r.digest] - mined[r.tx_hash] for r in rows]
    print(
        f"  p50 accepted → sent {percentile(queued, 0.5):.1f} s, sent → its block's time {percentile(in_block, 0.5):.1f} s,"
        f" block → settled in the mirror {percentile(to_mirror, 0.5):.1f} s ({len(mined)} transactions)"
    )


def _confirmed(engine) -> int:
    with engine.connect() as conn:
        confirmed = OutboxAction.status == OutboxStatus.CONFIRMED
        return conn.scalar(select(func.count()).select_from(OutboxAction).where(confirmed))


def signed_actions(network: LocalNetwork, data_dir: Path):
    """Deploy, publish the calendar, register THREADS units with an officer each: the signed work."""
    w3 = connect(network.url)
    office = Sender.from_key(w3, OFFICE_DEV_KEY)
    deployment = deploy_all(office, settle_blocks=SETTLE)
    publish_demo_calendar(office, calendar_at(w3, deployment.calendar), w3.eth.get_block("latest")["timestamp"])
    deployment.save(deployment_path(data_dir, w3.eth.chain_id))
    registry = contract_at(w3, "UnitRegistry", deployment.registry)
    officers, sent = [], []
    for i in range(THREADS):  # sent together (no simulation: an officer's unit is not yet mined)
        unit_id, officer = unit_id_for(f"PT-N{i}"), Account.create()
        sent.append(
            office.send(registry.functions.registerUnit(f"PT-N{i}", 3, f"基准单位{i}"), gas=500_000, wait=False)
        )
        sent.append(
            office.send(registry.functions.registerOfficer(unit_id, officer.address, b""), gas=500_000, wait=False)
        )
        officers.append((unit_id, officer))
    for tx_hash in sent:
        assert w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)["status"] == 1
    bench = type("Bench", (), {"w3": w3, "deployment": deployment})()
    return signed_submissions(bench, officers, ACTIONS)


def actions_end_to_end(network: LocalNetwork, data_dir: Path, work) -> tuple[float, float, list[float]]:
    """(actions/s until the mirror shows them all settled, actions/s accepted, acceptance→settled s)."""
    server = api_on(network, data_dir)
    engine = make_engine(f"sqlite:///{data_dir / 'mirror.db'}")
    sessions = [requests.Session() for _ in range(THREADS)]
    accepted_at: dict[str, float] = {}
    lock = threading.Lock()

    def client(t: int) -> None:
        mine = work[t::THREADS]
        for start in range(0, len(mine), BATCH):
            items = [
                {
                    "kind": "submit",
                    "entry_id": "0x" + action.entry_id.hex(),
                    "document": doc,
                    "nonce": str(action.nonce),
                    "signature": "0x" + action.signature.hex(),
                }
                for doc, action in mine[start : start + BATCH]
            ]
            r = sessions[t].post(server.url + "/v1/catalog/actions", json={"actions": items}, timeout=120)
            now = time.perf_counter()
            if r.status_code != 202:
                raise RuntimeError(f"batch refused: {r.status_code} {r.text[:300]}")
            with lock:
                for accepted in r.json()["accepted"]:
                    accepted_at[accepted["action_id"]] = now

    try:
        watch = _SettledWatch(engine)
        first_block = connect(network.url).eth.block_number
        threads = [threading.Thread(target=client, args=(t,)) for t in range(THREADS)]
        began = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        accepted_s = time.perf_counter() - began
        if len(accepted_at) != len(work):
            raise RuntimeError(f"{len(accepted_at)} of {len(work)} actions accepted: {server.tail()}")
        while _confirmed(engine) < len(work):
            time.sleep(0.02)
        rate = len(work) / (time.perf_counter() - began)
        _blocks(network, first_block)
        latencies = watch.latencies(accepted_at)
        wall = time.time() - time.perf_counter()
        _stages(network, engine, {d: at + wall for d, at in watch.seen.items()})
        return rate, len(work) / accepted_s, latencies
    finally:
        server.stop()
        engine.dispose()


def main() -> None:
    directory = Path(tempfile.mkdtemp(prefix="ledger-bench-netact-"))
    funded = {Account.from_key(k).address: 10**24 for k in (OFFICE_DEV_KEY, RELAYER_DEV_KEY, TRANSFER_KEY)}
    network = LocalNetwork(directory / "network", funded, validators=VALIDATORS, period=PERIOD, gas_limit=GAS_LIMIT)
    try:
        network.start()
        work = signed_actions(network, directory)
        base_rate, base_accepted = bare_transfers(network, ACTIONS)
        rate, accepted, latencies = actions_end_to_end(network, directory, work)
        ms = f"{percentile(latencies, 0.5) * 1000:.0f}/{percentile(latencies, 0.99) * 1000:.0f}"
        report(
            f"signed actions end to end on {VALIDATORS} geth Clique validators, {PERIOD} s period, "
            f"{ACTIONS} actions in requests of {BATCH}, {THREADS} client threads, {RELAY_BATCH} per relayed "
            f"transaction, settled {SETTLE} blocks deep",
            [
                ("accepted/s (202)", f"{accepted:.0f}", f"{base_accepted:.0f} tx/s", ""),
                ("settled in the mirror /s", f"{rate:.0f}", f"{base_rate:.0f} tx/s", f"{rate / base_rate:.2f}x"),
                ("acceptance to settled p50/p99 ms", ms, "", ""),
            ],
        )
    finally:
        network.stop()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
