"""Bare signed transfers on the four-validator geth Clique network (network/), the baseline the
issue's end-to-end figure is to be held against: transfers per second from one account, sent
without waiting (in JSON-RPC batches of 100), from the first send until every one is in a block every node holds.

`python -m bench.bench_network`; BENCH_NETWORK_TXS (2000) transfers, BENCH_NETWORK_PERIOD (2) s.
Needs the geth scripts/setup builds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from eth_account import Account

from chain.client import connect
from chain.devkeys import RELAYER_DEV_KEY
from chain.node import free_port
from chain.rpc import RpcClient
from network import provision
from network.geth import geth_binary
from network.lifecycle import down, up
from network.status import node_status

TXS = int(os.environ.get("BENCH_NETWORK_TXS", "2000"))
PERIOD = int(os.environ.get("BENCH_NETWORK_PERIOD", "2"))
BATCH = 100
SINK = "0x000000000000000000000000000000000000dEaD"


def main() -> None:
    sender = Account.from_key(RELAYER_DEV_KEY)
    directory = Path(tempfile.mkdtemp(prefix="ledger-bench-net-"))
    try:
        manifest = provision(
            directory,
            validators=4,
            period=PERIOD,
            password="bench-password",
            keystore_dir=directory / "keys",
            funded={sender.address: 10**24},
            geth=geth_binary(),
            ports=[(free_port(), free_port(), free_port()) for _ in range(4)],
        )
        up(directory)
        w3 = connect(manifest.nodes[0].rpc_url)
        chain_id, gas_price = w3.eth.chain_id, w3.eth.gas_price * 2
        signed = [
            sender.sign_transaction(
                {"nonce": n, "to": SINK, "value": 1, "gas": 21_000, "gasPrice": gas_price, "chainId": chain_id}
            ).raw_transaction
            for n in range(TXS)
        ]
        start_block = w3.eth.block_number
        started = time.perf_counter()
        rpc = RpcClient(manifest.nodes[0].rpc_url)
        for i in range(0, TXS, BATCH):  # JSON-RPC batches: the node's intake, not the client's, is measured
            rpc.batch([("eth_sendRawTransaction", ["0x" + raw.hex()]) for raw in signed[i : i + BATCH]])
        sent = time.perf_counter() - started
        while w3.eth.get_transaction_count(sender.address) < TXS:
            time.sleep(0.05)
        end_block = w3.eth.block_number
        while min(node_status(s).head or 0 for s in manifest.nodes) < end_block:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        blocks = [w3.eth.get_block(n) for n in range(start_block + 1, end_block + 1)]
        used = [len(b["transactions"]) for b in blocks if b["transactions"]]
        print(
            f"  {TXS} transfers, 4 validators, {PERIOD} s period: {TXS / elapsed:.0f} tx/s "
            f"({elapsed:.1f} s; sending took {sent:.1f} s, {TXS / sent:.0f} tx/s accepted); "
            f"{len(used)} blocks with transfers, at most {max(used)} in one"
        )
    finally:
        down(directory)
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
