"""Catalog benchmarks, each against a baseline measured in the same run.

(a) signed submissions end to end (API → chain → mirror), entries/s, against bare signed
    trivial transactions to the same node, with the same client concurrency; for one action per
    request, also the time from each request to its confirmation (p50/p99), against each bare
    transaction's time from sending to its receipt;
(b) lookup by id and search over 100,000 mirrored entries, req/s with p50/p99, against a
    bare FastAPI endpoint served the same way;
(c) reindex from block 0, events/s, against merely fetching the same logs.

Run: `.venv/bin/python -m bench.bench_catalog` (sizes from BENCH_* environment variables).
`BENCH_PROFILE=FILE` records the API process with py-spy during (a)'s single actions and prints
where it held the GIL, by part of the path (bench/profile.py).

The node is the platform's (anvil dumping its state every second, old block states written to
disk past 500 blocks), so its cost per block grows with the chain: a bare transfer cost 0.9 ms of
node CPU on a fresh chain and 8-11 ms after 500 catalog submissions. So (a)'s baseline is
measured just before and just after each of the API's runs (the API stopped, as it is for the first),
each printed, and each run's ratio is taken against the mean of the two rates around it: the one
before, on the younger chain, favours the baseline; the one after favours the API. The transfers
age the chain too (one block each).
"""

from __future__ import annotations

import contextlib
import copy
import os
import random
import threading
import time
from pathlib import Path

import requests
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak
from sqlalchemy import func, select

from api.runtime import make_engine
from api.schemas import EXAMPLE_DOCUMENT
from bench.common import closed_loop, percentile, report, start_system
from bench.profile import Profile, report_split
from bench.servers import api_server, bare_server
from catalog.document import declared_at, signed_sharing
from chain.actions import (
    ActionKind,
    CatalogAction,
    entry_id_for,
    fresh_nonce,
    sign_action,
)
from chain.artifacts import load_artifact
from chain.events import decode_log
from chain.indexer import Indexer
from chain.rpc import RpcClient
from mirror.models import OutboxAction
from mirror.outbox_lifecycle import OutboxStatus
from mirror.store import SqlMirrorStore
from signer.canonical import canonical_bytes

THREADS = int(os.environ.get("BENCH_THREADS", "4"))
SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "1000"))
LOOKUP_ENTRIES = int(os.environ.get("BENCH_LOOKUP_ENTRIES", "100000"))
REINDEX_ENTRIES = int(os.environ.get("BENCH_REINDEX_ENTRIES", "10000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
BATCH = int(os.environ.get("BENCH_BATCH", "100"))
# A file to record the API process into with py-spy during the one-action-per-request run (its
# split is printed after the table): `BENCH_PROFILE=/tmp/api.raw`.
PROFILE = os.environ.get("BENCH_PROFILE")
WORDS = ["人口", "低保", "企业登记", "养老", "疫苗接种", "就业", "许可", "街道", "社会救助", "医疗"]


def document(i: int) -> dict:
    doc = copy.deepcopy(EXAMPLE_DOCUMENT)
    word = WORDS[i % len(WORDS)]
    doc["code"] = f"B-{i:07d}"
    doc["name"] = f"{word}数据资源{i}"
    doc["description"] = f"普陀区{word}相关数据，第{i}号资源，供{WORDS[(i * 7) % len(WORDS)]}业务共享使用。"
    return doc


def signed_submissions(sys_, officers, count: int) -> list[tuple[str, dict, CatalogAction]]:
    out = []
    chain_id = sys_.w3.eth.chain_id
    for i in range(count):
        unit_id, officer = officers[i % len(officers)]
        doc = document(i)
        action = CatalogAction(
            ActionKind.SUBMIT,
            entry_id_for(unit_id, doc["code"]),
            0,
            0,
            canonical_bytes(doc),
            fresh_nonce(),
            declared_at=declared_at(doc),
            sharing=signed_sharing(doc),
        )
        out.append((doc, sign_action(action, officer.key, chain_id=chain_id, catalog_address=sys_.deployment.catalog)))
    return out


def bench_submissions(sys_) -> None:
    officers = [sys_.register(f"PT-B{i}", 3, f"基准单位{i}") for i in range(THREADS)]
    work = signed_submissions(sys_, officers, SUBMISSIONS)

    # Baseline: bare signed transfers, one account per client thread, each waited for.
    senders = [Account.create() for _ in range(THREADS)]
    for account in senders:  # funded by the Office, so no other sender's nonce is disturbed
        sys_.office.send_value(account.address, 10**18)
    nonces = [0] * THREADS
    per_thread = SUBMISSIONS // THREADS
    chain_id = sys_.w3.eth.chain_id

    node_pid = sys_.node.pid()

    def transfers(t: int, latencies: list[float]) -> None:
        account = senders[t]
        for k in range(per_thread):
            tx = {
                "to": account.address,
                "value": 1,
                "gas": 21000,
                "gasPrice": 2 * 10**9,
                "nonce": nonces[t] + k,
                "chainId": chain_id,
            }
            began = time.perf_counter()
            h = sys_.w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)
            sys_.w3.eth.wait_for_transaction_receipt(h, poll_latency=0.005)
            latencies.append(time.perf_counter() - began)
        nonces[t] += per_thread

    def baseline() -> _Baseline:
        latencies: list[float] = []
        cpu_before = (_cpu_s(node_pid), time.process_time())
        seconds = _run_threads(lambda t: transfers(t, latencies))
        count = per_thread * THREADS
        return _Baseline(
            rate=count / seconds,
            latencies=latencies,
            node_ms=(_cpu_s(node_pid) - cpu_before[0]) * 1000 / count,
            client_ms=(time.process_time() - cpu_before[1]) * 1000 / count,  # signing, web3
        )

    base_before = baseline()

    server = None  # started for each of the API's runs, stopped before the baseline after it
    engine = make_engine(f"sqlite:///{sys_.data_dir / 'mirror.db'}")
    http = [requests.Session() for _ in range(THREADS)]
    half = SUBMISSIONS // 2

    def body(doc, action) -> dict:
        return {
            "entry_id": "0x" + action.entry_id.hex(),
            "document": doc,
            "nonce": str(action.nonce),
            "signature": "0x" + action.signature.hex(),
        }

    sent_at: dict[str, float] = {}  # action id -> when its request was sent
    answered: list[float] = []  # seconds from each request to its 202

    def one_by_one(t: int) -> None:
        for doc, action in work[:half][t::THREADS]:
            began = time.perf_counter()
            r = http[t].post(server.url + "/v1/catalog/entries", json=body(doc, action))
            if r.status_code != 202:
                raise RuntimeError(f"submission refused: {r.status_code} {r.text}")
            sent_at[r.json()["action_id"]] = began
            answered.append(time.perf_counter() - began)

    def batched(t: int) -> None:
        mine = work[half:][t::THREADS]
        for start in range(0, len(mine), BATCH):
            items = [{**body(doc, action), "kind": "submit"} for doc, action in mine[start : start + BATCH]]
            r = http[t].post(server.url + "/v1/catalog/actions", json={"actions": items})
            if r.status_code != 202:
                raise RuntimeError(f"batch refused: {r.status_code} {r.text}")

    runs = []  # (label, measured values, the baseline after it), made into rows at the end
    for label, fn, count in (
        ("one action per request", one_by_one, half),
        (f"{BATCH} actions per request", batched, SUBMISSIONS - half),
    ):
        server = api_server(sys_.data_dir, sys_.node.url)
        try:
            already = _confirmed(engine)
            watch = _ConfirmationWatch(engine) if fn is one_by_one else None
            cpu_before = (_cpu_s(node_pid), _cpu_s(server.process.pid))
            first_block = sys_.w3.eth.block_number
            profile = Profile(server.process.pid, Path(PROFILE)) if PROFILE and watch else contextlib.nullcontext()
            with profile:
                began = time.perf_counter()
                _run_threads(fn)
                accepted_s = time.perf_counter() - began
                while _confirmed(engine) < already + count:
                    time.sleep(0.01)
                rate = count / (time.perf_counter() - began)
            node_ms, api_ms = (
                (_cpu_s(pid) - b) * 1000 / count for pid, b in zip((node_pid, server.process.pid), cpu_before)
            )
            run = dict(
                accepted=count / accepted_s,
                per_block=count / max(sys_.w3.eth.block_number - first_block, 1),
                rate=rate,
                node_ms=node_ms,
                api_ms=api_ms,
            )
            if watch is not None:
                run["confirmed"] = watch.latencies(sent_at)
                run["answered"] = list(answered)
        finally:
            server.stop()
        # The same transfers on the chain this run left, with the API stopped as it was before.
        runs.append((label, run, baseline()))
    rows = [("bare transfers before the API's runs: tx/s", f"{base_before.rate:.0f}", "", "")]
    before = base_before
    for label, run, after in runs:
        base_rate = (before.rate + after.rate) / 2
        rows.append((f"bare transfers after {label}: tx/s", f"{after.rate:.0f}", "", ""))
        rows.append((f"{label}: accepted/s", f"{run['accepted']:.0f}", "", ""))
        rows.append((f"{label}: actions per block (relayed transaction)", f"{run['per_block']:.1f}", "1", ""))
        ratio = f"{run['rate'] / base_rate:.2f}x"
        rows.append((f"{label}: on-chain+mirrored/s", f"{run['rate']:.0f}", f"{base_rate:.0f} tx/s", ratio))
        if "confirmed" in run:
            base_p = " ".join(_p50_p99(b.latencies) for b in (before, after))
            rows.append((f"{label}: request to confirmed p50/p99 ms", _p50_p99(run["confirmed"]), base_p, ""))
            rows.append((f"{label}: request to 202 p50/p99 ms", _p50_p99(run["answered"]), "", ""))
        # CPU per action, which the load of other processes changes less than rates: the node's,
        # and the API's (the baseline's client: signing and sending its transfers); before/after.
        node_base = f"{before.node_ms:.1f}/{after.node_ms:.1f}"
        client_base = f"{before.client_ms:.1f}/{after.client_ms:.1f}"
        rows.append((f"{label}: CPU ms/action node", f"{run['node_ms']:.1f}", node_base, ""))
        rows.append((f"{label}: CPU ms/action API (client)", f"{run['api_ms']:.1f}", client_base, ""))
        before = after
    report(
        f"(a) signed catalog submissions end to end, {SUBMISSIONS} entries, {THREADS} client threads "
        "(baseline: bare transfers just before and just after each run, the ratio against the mean of the two; "
        "baseline latencies and CPU: before, after)",
        rows,
    )
    if PROFILE:
        report_split(Path(PROFILE), half)


class _Baseline:
    """One run of the bare transfers: their rate, each one's time to its receipt, CPU per transfer."""

    def __init__(self, *, rate: float, latencies: list[float], node_ms: float, client_ms: float) -> None:
        self.rate, self.latencies, self.node_ms, self.client_ms = rate, latencies, node_ms, client_ms


def _p50_p99(seconds: list[float]) -> str:
    return f"{percentile(seconds, 0.5) * 1000:.0f}/{percentile(seconds, 0.99) * 1000:.0f}"


class _ConfirmationWatch:
    """Notes when each action is confirmed (its event mirrored), polling the outbox every 5 ms."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.seen: dict[str, float] = {}
        self._stop = threading.Event()
        with engine.connect() as conn:
            self._floor = conn.scalar(select(func.max(OutboxAction.id))) or 0  # rows before this run
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # Rows from `_floor` on are this run's, numbered in order; all up to `done` are seen, so
        # each poll reads only what may have changed (a poll that read every confirmed row would
        # cost this process more the longer the run, beside the clients it measures).
        confirmed = OutboxAction.status == OutboxStatus.CONFIRMED
        done, ids = self._floor, set()
        while not self._stop.is_set():
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(OutboxAction.id, OutboxAction.digest).where(confirmed, OutboxAction.id > done)
                ).all()
            now = time.perf_counter()
            for row_id, digest in rows:
                if row_id not in ids:
                    ids.add(row_id)
                    self.seen[digest] = now
            while done + 1 in ids:
                ids.discard(done + 1)
                done += 1
            time.sleep(0.005)

    def latencies(self, sent_at: dict[str, float]) -> list[float]:
        """Seconds from each request to its confirmation (called once all are confirmed)."""
        time.sleep(0.02)
        self._stop.set()
        self._thread.join()
        return [self.seen[digest] - began for digest, began in sent_at.items()]


def _confirmed(engine) -> int:
    with engine.connect() as conn:
        confirmed = OutboxAction.status == OutboxStatus.CONFIRMED
        return conn.scalar(select(func.count()).select_from(OutboxAction).where(confirmed))


def _cpu_s(pid: int) -> float:
    """CPU seconds (user and system) that process `pid` used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run_threads(fn) -> float:
    threads = [threading.Thread(target=fn, args=(t,)) for t in range(THREADS)]
    began = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.perf_counter() - began


# --- (b) ---------------------------------------------------------------------------------


def _submitted_event() -> tuple[bytes, list[tuple[str, str]]]:
    """CatalogVersionSubmitted's topic and its data fields (name, type), from the compiled ABI."""
    [item] = [i for i in load_artifact("Catalog").abi if i.get("name") == "CatalogVersionSubmitted"]
    topic = keccak(text=f"CatalogVersionSubmitted({','.join(p['type'] for p in item['inputs'])})")
    return topic, [(p["name"], p["type"]) for p in item["inputs"] if not p["indexed"]]


def synthetic_logs(sys_, count: int, first_block: int) -> list[dict]:
    """Raw logs of `count` submissions, as the contract would emit them (no transactions sent)."""
    unit = keccak(text="putuo.unit:PT-BENCH")
    topic, fields = _submitted_event()
    logs = []
    for i in range(count):
        doc = canonical_bytes(document(i))
        entry_id = entry_id_for(unit, f"B-{i:07d}")
        values = {
            "kind": 0,
            "signer": "0x" + "11" * 20,
            "nonce": i,
            "documentHash": keccak(doc),
            "dueAt": 0,
            "declaredAt": 0,
            "compileDueAt": 0,
            "sharing": int(signed_sharing(document(i))),
            "responsibility": bytes(32),
            "document": doc,
        }
        data = abi_encode([t for _, t in fields], [values[n] for n, _ in fields])
        block = first_block  # one block (log indexes < 2^20): the cursor then sits at the real head
        logs.append(
            {
                "topics": [
                    "0x" + topic.hex(),
                    "0x" + entry_id.hex(),
                    "0x" + (1).to_bytes(32, "big").hex(),
                    "0x" + unit.hex(),
                ],
                "data": "0x" + data.hex(),
                "address": sys_.deployment.catalog,
                "blockNumber": hex(block),
                "blockHash": "0x" + keccak(block.to_bytes(8, "big")).hex(),
                "transactionHash": "0x" + keccak(doc).hex(),
                "logIndex": hex(i),
            }
        )
    return logs


def bench_lookups(sys_) -> None:
    db = sys_.data_dir / "lookups.db"
    store = SqlMirrorStore(make_engine(f"sqlite:///{db}"))
    head = sys_.w3.eth.get_block("latest")
    logs = synthetic_logs(sys_, LOOKUP_ENTRIES, 1)
    began = time.perf_counter()
    for start in range(0, len(logs), 5000):
        events = [decode_log(raw) for raw in logs[start : start + 5000]]
        times = {e.block_number: 1_790_000_000 + e.block_number for e in events}
        store.apply(events, to_block=max(times), to_block_hash="0x" + "00" * 32, block_times=times)
    load_s = time.perf_counter() - began
    # Put the cursor at the real head so the server's follower has nothing to do.
    store.apply([], to_block=head["number"], to_block_hash=head["hash"].to_0x_hex(), block_times={})
    print(f"\n(b) loaded {LOOKUP_ENTRIES} entries into the mirror in {load_s:.1f} s")
    ids = ["0x" + entry_id_for(keccak(text="putuo.unit:PT-BENCH"), f"B-{i:07d}").hex() for i in range(LOOKUP_ENTRIES)]
    api = api_server(sys_.data_dir, sys_.node.url, f"sqlite:///{db}")
    bare = bare_server()
    sessions = [requests.Session() for _ in range(THREADS)]
    rng = random.Random(7)

    def by_id(i: int) -> None:
        r = sessions[i % THREADS].get(f"{api.url}/v1/catalog/entries/{ids[rng.randrange(len(ids))]}")
        assert r.status_code == 200, r.text

    def search(i: int) -> None:
        r = sessions[i % THREADS].get(f"{api.url}/v1/catalog/entries", params={"q": WORDS[i % len(WORDS)], "limit": 20})
        assert r.status_code == 200 and r.json()["items"], r.text

    def baseline(i: int) -> None:
        assert sessions[i % THREADS].get(f"{bare.url}/bare").status_code == 200

    try:
        base = closed_loop(baseline, threads=THREADS, seconds=SECONDS)
        rows = []
        for name, fn in (("lookup by id", by_id), ("search (Chinese)", search)):
            res = closed_loop(fn, threads=THREADS, seconds=SECONDS)
            rows.append((f"{name} req/s", f"{res.rate:.0f}", f"{base.rate:.0f}", f"{res.rate / base.rate:.2f}x"))
            rows.append(
                (
                    f"{name} p50/p99 ms",
                    f"{res.p(0.5):.1f}/{res.p(0.99):.1f}",
                    f"{base.p(0.5):.1f}/{base.p(0.99):.1f}",
                    "",
                )
            )
        report(f"(b) lookups over {LOOKUP_ENTRIES} entries, {THREADS} client threads, {SECONDS:.0f} s each", rows)
    finally:
        api.stop()
        bare.stop()


# --- (c) ---------------------------------------------------------------------------------


def bench_reindex(sys_) -> None:
    unit_id, officer = sys_.register("PT-REINDEX", 3, "重建基准单位")
    chain_id = sys_.w3.eth.chain_id
    batch = []
    for i in range(REINDEX_ENTRIES):
        doc = document(10_000_000 + i)
        action = CatalogAction(
            ActionKind.SUBMIT,
            entry_id_for(unit_id, doc["code"]),
            0,
            0,
            canonical_bytes(doc),
            i,
            declared_at=declared_at(doc),
            sharing=signed_sharing(doc),
        )
        batch.append(
            sign_action(action, officer.key, chain_id=chain_id, catalog_address=sys_.deployment.catalog).as_tuple()
        )
        if len(batch) == 150 or i == REINDEX_ENTRIES - 1:
            sys_.relayer.send(sys_.catalog.functions.executeBatch(batch), gas=55_000_000)
            batch = []
    rpc = RpcClient(sys_.node.url)
    head = int(rpc.call("eth_blockNumber", []), 16)

    began = time.perf_counter()
    fetched = 0
    for low in range(sys_.deployment.deploy_block, head + 1, 2000):
        fetched += len(
            rpc.call(
                "eth_getLogs",
                [
                    {
                        "fromBlock": hex(low),
                        "toBlock": hex(min(low + 1999, head)),
                        "address": [sys_.deployment.registry, sys_.deployment.catalog],
                    }
                ],
            )
        )
    fetch_s = time.perf_counter() - began

    store = SqlMirrorStore(make_engine(f"sqlite:///{sys_.data_dir / 'reindex.db'}"))
    began = time.perf_counter()
    result = Indexer(rpc, sys_.deployment, store).rebuild()  # what `ledger reindex` runs
    ours_s = time.perf_counter() - began
    assert result.events == fetched, (result.events, fetched)
    report(
        f"(c) reindex from block 0: {fetched} events in {head - sys_.deployment.deploy_block + 1} blocks",
        [
            ("events/s", f"{fetched / ours_s:.0f}", f"{fetched / fetch_s:.0f}", f"{fetch_s / ours_s:.2f}x"),
        ],
    )


def main() -> None:
    only = set(os.environ.get("BENCH_ONLY", "a,b,c").split(","))  # e.g. BENCH_ONLY=b to rerun one
    sys_ = start_system()
    try:
        if "a" in only:
            bench_submissions(sys_)
        if "c" in only:
            bench_reindex(sys_)
        if "b" in only:
            bench_lookups(sys_)
    finally:
        sys_.close()


if __name__ == "__main__":
    main()
