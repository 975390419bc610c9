"""The usage log end to end (#11): records/s from `POST /v1/usage` to "anchored", against a bare
insert of the same records into the same database in the same run; then the rebuild.

A fresh node, a district with BENCH_USAGE_GRANTS real grants (scenario-route applications
confirmed on-chain, bench_sharing's District), and the API served by `ledger serve` in a process
of its own (SQLite file, the Data Center's key anchoring every 10,000 records). BENCH_USAGE_RECORDS
records, each an in-scope use of one of the grants, are posted in batches of BENCH_USAGE_BATCH
from BENCH_USAGE_THREADS client threads; the clock stops when the chain's latest checkpoint covers
them all (GET /v1/usage/checkpoints). The baseline inserts the very rows the API stored (the same
leaves) into a copy of the records table in the same database file, one transaction per batch,
through the same driver. The rebuild hashes every stored record again into a tree and checks it at
every anchored root (usage/rebuild.py). Reports only: nothing is asserted.

Run: `.venv/bin/python -m bench.bench_usage_intake`.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time

import requests

from api.settings import DEV_PLATFORM_CREDENTIAL
from bench.bench_sharing import ITEMS, SCENARIOS, District
from bench.common import report, start_system
from bench.servers import Server, bare_server
from chain.node import free_port

GRANTS = int(os.environ.get("BENCH_USAGE_GRANTS", "120"))
RECORDS = int(os.environ.get("BENCH_USAGE_RECORDS", "100000"))
BATCH = int(os.environ.get("BENCH_USAGE_BATCH", "400"))
THREADS = int(os.environ.get("BENCH_USAGE_THREADS", "4"))
GOAL = 20_000  # records/s, issue 11
PLATFORM = {"Authorization": f"Bearer {DEV_PLATFORM_CREDENTIAL}"}  # the share service (development credential)


# How the uses' times run. "ordered" (the default): as a share service reports them, in the order
# they happened, spread over the last half hour. "sawtooth" (the first version of this bench): the
# half hour over and over, every 1,800 records, which lands each record's index entries (unit and
# owner by time) in the middle of what is stored: ~2.5 pages written a record instead of ~0.4,
# for the bare insert as for the API.
TIMES = os.environ.get("BENCH_USAGE_TIMES", "ordered")


def used_at(k: int, now: int) -> int:
    if TIMES == "sawtooth":
        return now - (RECORDS - k) % 1800
    return now - 1800 + k * 1800 // RECORDS


def records(district: District, now: int) -> list[dict]:
    out = []
    for k in range(RECORDS):
        i = k % GRANTS
        unit_id, _ = district.demanders[i % len(district.demanders)]
        entry = district.entries[(i // len(district.demanders)) % len(district.entries)]
        out.append(
            {
                "request_id": f"bench-{k:09d}",
                "grant_id": "0x" + district.demand_ids[i].hex(),
                "entry_id": "0x" + entry.hex(),
                "version": 1,
                "items": ITEMS,
                "scenario": SCENARIOS[i % len(SCENARIOS)],
                "method": "interface",
                "unit_id": "0x" + unit_id.hex(),
                "system": f"街道系统-{i % 7}",
                "used_at": used_at(k, now),
                "result": {"count": 1 + k % 50, "hash": hashlib.sha256(k.to_bytes(8, "big")).hexdigest()},
            }
        )
    return out


def serve(sys_, district: District) -> Server:
    port = free_port()
    env = {
        "LEDGER_ENV": "development",
        "LEDGER_DATA_DIR": str(sys_.data_dir),
        "LEDGER_RPC_URL": sys_.node.url,
        "LEDGER_PORT": str(port),
        "LEDGER_TIMEKEEPER_INTERVAL_S": "0",
        "LEDGER_USAGE_KEY": "ecdsa:" + district.data_center.key.hex(),
        "LEDGER_USAGE_ANCHOR_POLL_S": "0.05",
        "LEDGER_MAX_BODY_BYTES": str(1024 * 1024),
    }
    import sys
    from pathlib import Path

    return Server([str(Path(sys.executable).parent / "ledger"), "serve"], env, port).wait("/healthz")


def post_all(url: str, batches: list[list[dict]], path: str = "/v1/usage") -> float:
    """Post every batch from THREADS threads; seconds until the last 2xx."""
    queue = list(reversed(batches))
    lock = threading.Lock()
    errors: list[str] = []

    def worker() -> None:
        session = requests.Session()
        while True:
            with lock:
                if not queue:
                    return
                batch = queue.pop()
            answer = session.post(url + path, json={"records": batch}, headers=PLATFORM, timeout=120)
            if answer.status_code != 200 or answer.json().get("accepted", len(batch)) != len(batch):
                errors.append(answer.text[:300])

    began = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} batches failed: {errors[0]}")
    return time.perf_counter() - began


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system CPU seconds of process `pid` so far (all its threads), from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def start_py_spy(pid: int):
    """With BENCH_PYSPY=FILE, py-spy samples the API process into FILE (raw, idle threads too)."""
    out = os.environ.get("BENCH_PYSPY")
    if not out:
        return None
    import subprocess
    import sys
    from pathlib import Path

    spy = str(Path(sys.executable).parent / "py-spy")
    return subprocess.Popen(
        [
            spy,
            "record",
            "-p",
            str(pid),
            *os.environ.get("BENCH_PYSPY_ARGS", "--nonblocking").split(),
            "-f",
            "raw",
            "-o",
            out,
            "-r",
            "100",
        ]
    )


def stop_py_spy(spy) -> None:
    if spy is not None:
        import signal

        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)


def anchored_size(url: str) -> int:
    items = requests.get(url + "/v1/usage/checkpoints", params={"limit": 1}, timeout=10).json()["items"]
    return items[0]["size"] if items else 0


def bare_insert(db_path, batches_of_rows: list[list[tuple]]) -> float:
    """The same rows into a copy of the records table of the same file, a transaction a batch."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("DROP TABLE IF EXISTS usage_records_bare")
    ddl = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'usage_records'").fetchone()[0]
    conn.execute(ddl.replace("usage_records", "usage_records_bare", 1))
    for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='usage_records' AND sql IS NOT NULL"
    ).fetchall():
        conn.execute(sql.replace(name, name + "_bare").replace("ON usage_records", "ON usage_records_bare"))
    conn.commit()
    marks = ", ".join("?" * len(batches_of_rows[0][0]))
    began = time.perf_counter()
    for rows in batches_of_rows:
        conn.executemany(f"INSERT INTO usage_records_bare VALUES ({marks})", rows)
        conn.commit()
    elapsed = time.perf_counter() - began
    conn.execute("DROP TABLE usage_records_bare")
    conn.commit()
    conn.close()
    return elapsed


def profile(engine, sample: list[dict], now: int) -> None:
    """Where an intake's time goes, in-process (the server's share, without HTTP): the batch
    validated from its bytes as the route does, the check, the leaves, the insert with the tree's
    nodes. Fresh request ids, same database."""
    import cProfile
    import json
    import pstats

    from api.services import usage
    from api.usage_schemas import UsageBatch
    from usage.hasher import SM3
    from usage.merkle import MerkleTree
    from usage.sql_log import UsageRecordStore
    from usage.sql_nodes import SqlNodeStore

    store, tree = UsageRecordStore(engine), MerkleTree(SM3, SqlNodeStore(engine))
    bodies = [
        json.dumps({"records": [{**r, "request_id": "profile-" + r["request_id"]} for r in sample[i : i + BATCH]]})
        for i in range(0, len(sample), BATCH)
    ]
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for body in bodies:
        batch = UsageBatch.model_validate_json(body.encode())
        usage.intake(engine=engine, store=store, records=batch.records, now=now, tree=tree)
    profiler.disable()
    elapsed = time.perf_counter() - began
    print(f"\nin-process intake (no HTTP): {len(sample) / elapsed:,.0f} records/s; top of the profile:")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(14)


def main() -> None:
    sys_ = start_system()
    try:
        began = time.perf_counter()
        district = District(sys_)
        district.grant_all(GRANTS)
        print(f"{GRANTS} grants issued on-chain in {time.perf_counter() - began:.1f} s")
        server = serve(sys_, district)
        try:
            # An hour on: the uses fall in the last half hour, after every grant was issued.
            sys_.w3.provider.make_request("evm_increaseTime", [3600])
            sys_.w3.provider.make_request("evm_mine", [])
            now = sys_.w3.eth.get_block("latest")["timestamp"]
            all_records = records(district, now)
            batches = [all_records[i : i + BATCH] for i in range(0, RECORDS, BATCH)]
            spy = start_py_spy(server.process.pid)
            load_before = os.getloadavg()
            server_cpu = cpu_seconds(server.process.pid)
            client_cpu = time.process_time()
            began = time.perf_counter()
            acked = post_all(server.url, batches)
            client_cpu = time.process_time() - client_cpu
            while anchored_size(server.url) < RECORDS:
                time.sleep(0.05)
            anchored = time.perf_counter() - began
            server_cpu = tuple(b - a for a, b in zip(server_cpu, cpu_seconds(server.process.pid)))
            load_after = os.getloadavg()
            stop_py_spy(spy)
            cps = requests.get(server.url + "/v1/usage/checkpoints", params={"limit": 100}, timeout=10).json()
            problems = [line for line in server.tail(10**8).splitlines() if "Error" in line or "locked" in line]
        finally:
            server.stop()
        if problems:
            print(f"the API logged {len(problems)} errors; the first: {problems[0][:300]}")
        db = sys_.data_dir / "mirror.db"
        wal = db.with_name(db.name + "-wal")
        print(
            f"database after the run: {db.stat().st_size / 1e6:.0f} MB,"
            f" write-ahead log {wal.stat().st_size / 1e6 if wal.exists() else 0:.0f} MB"
        )
        if os.environ.get("BENCH_KEEP_DB"):  # a copy to study the intake on, in-process
            import shutil

            shutil.copy(db, os.environ["BENCH_KEEP_DB"])
            print(f"kept a copy in {os.environ['BENCH_KEEP_DB']}; now = {now}")
        conn = sqlite3.connect(db)
        rows = conn.execute("SELECT * FROM usage_records ORDER BY seq").fetchall()
        conn.close()
        bare = bare_insert(db, [rows[i : i + BATCH] for i in range(0, len(rows), BATCH)])

        bare_http = bare_server()
        try:
            http = post_all(bare_http.url, batches, "/bare/usage")
        finally:
            bare_http.stop()

        from api.runtime import make_engine
        from usage.rebuild import rebuild
        from usage.sql_log import UsageRecordStore

        profile(make_engine(f"sqlite:///{db}"), all_records[: 20 * BATCH], now)

        store = UsageRecordStore(make_engine(f"sqlite:///{db}"))
        targets = [(c["size"], bytes.fromhex(c["root"][2:])) for c in cps["items"]]
        began = time.perf_counter()
        rebuilt = rebuild(store, targets)
        rebuild_s = time.perf_counter() - began

        rate_acked, rate_anchored, rate_bare = RECORDS / acked, RECORDS / anchored, RECORDS / bare
        report(
            f"usage log, {RECORDS:,} records ({TIMES} times) in batches of {BATCH} from {THREADS} threads, {GRANTS} grants,"
            f" {cps['total']} checkpoints",
            [
                (
                    "POST → acknowledged (records/s)",
                    f"{rate_acked:,.0f}",
                    f"{rate_bare:,.0f}",
                    f"{rate_acked / rate_bare:.2f}",
                ),
                (
                    "POST → anchored (records/s)",
                    f"{rate_anchored:,.0f}",
                    f"{rate_bare:,.0f}",
                    f"{rate_anchored / rate_bare:.2f}",
                ),
                ("goal (records/s)", f"{GOAL:,}", "", f"{rate_anchored / GOAL:.2f}"),
                ("HTTP alone: the bodies to a bare endpoint (records/s)", f"{RECORDS / http:,.0f}", "", ""),
            ],
        )
        print(
            f"\nload average {load_before[0]:.2f} before, {load_after[0]:.2f} after (1 min);"
            f" CPU while posting and anchoring ({anchored:.2f} s): API process {sum(server_cpu):.2f} s"
            f" ({server_cpu[0]:.2f} user, {server_cpu[1]:.2f} system),"
            f" client threads {client_cpu:.2f} s until the last acknowledgement ({acked:.2f} s)"
        )
        print(
            f"\nrebuild: {rebuilt.records:,} records rehashed and checked at {len(rebuilt.checked)} anchored roots"
            f" in {rebuild_s:.2f} s = {rebuilt.records / rebuild_s:,.0f} records/s; {'all match' if rebuilt.ok else rebuilt.mismatch}"
        )
    finally:
        sys_.close()


if __name__ == "__main__":
    main()
