"""The gateway's check (Art. 25), against a baseline measured in the same run.

(d) `GET /v1/sharing/check` over a mirror of real grants (scenario-authorised applications
    relayed in batches to a fresh node, then indexed), req/s with p50/p99, against a bare
    FastAPI endpoint served the same way.

Run: `.venv/bin/python -m bench.bench_sharing` (BENCH_GRANTS, BENCH_THREADS, BENCH_SECONDS).
"""

from __future__ import annotations

import os
import random
import time
from datetime import datetime

import requests

from api.runtime import make_engine
from bench.common import BenchSystem, closed_loop, report, start_system
from bench.servers import api_server, bare_server
from chain.actions import ActionKind, CatalogAction, SharingAttribute, entry_id_for, fresh_nonce, unit_id_for
from chain.actions import sign_action as sign_catalog_action
from chain.client import contract_at
from chain.indexer import Indexer
from chain.rpc import RpcClient
from chain.sharing import (
    ApplyTerms,
    CommitmentProof,
    Frequency,
    KeyScheme,
    Method,
    Resource,
    SharingAction,
    StepKind,
    demand_id_for,
    scenario_id_for,
    sign_action,
)
from mirror.store import SqlMirrorStore
from signer.canonical import canonical_bytes
from signer.commitment import SHANGHAI, build_commitment, sign_commitment
from signer.keys import SigningKey

THREADS = int(os.environ.get("BENCH_THREADS", "4"))
GRANTS = int(os.environ.get("BENCH_GRANTS", "2000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
ENTRIES = 40
DEMAND_UNITS = 20
SCENARIOS = ["一网通办-低保核验", "一网统管-防汛", "跨部门平台-养老服务"]
BATCH = 60


class District:
    """An owner unit with approved entries, and demand units whose officers sign applications."""

    def __init__(self, sys_: BenchSystem) -> None:
        self.sys = sys_
        self.chain_id = sys_.w3.eth.chain_id
        self.sharing = contract_at(sys_.w3, "Sharing", sys_.deployment.sharing)
        _, self.data_center = sys_.register("PT-DSJZX", 2, "普陀区大数据中心")
        self.owner_unit, owner = sys_.register("PT-MZJ", 3, "普陀区民政局")
        self.entries = self._approved_entries(owner)
        self.demanders = [self._officer(f"PT-JD-{i:02d}", f"街道{i:02d}") for i in range(DEMAND_UNITS)]

    def _officer(self, code: str, name: str) -> tuple[bytes, SigningKey]:
        unit_id = unit_id_for(code)
        key = SigningKey.generate("ecdsa")
        self.sys.office.send(self.sys.registry.functions.registerUnit(code, 3, name))
        self.sys.office.send(self.sys.registry.functions.registerOfficer(unit_id, key.key_id, b""))
        return unit_id, key

    def _approved_entries(self, owner) -> list[bytes]:
        actions, entries = [], []
        for i in range(ENTRIES):
            entry_id = entry_id_for(self.owner_unit, f"MZJ-{i:04d}")
            doc = canonical_bytes({"schema": "putuo.catalog/1", "code": f"MZJ-{i:04d}", "name": f"民政数据{i}"})
            for signer, kind, document, version, declared in (
                (owner, ActionKind.SUBMIT, doc, 0, self.sys.w3.eth.get_block("latest")["timestamp"] - 86400),
                (self.data_center, ActionKind.REVIEW, b'{"decision":"approve"}', 1, 0),
            ):
                # A bench entry is shared unconditionally (its document is minimal, as the chain allows).
                sharing = SharingAttribute.UNCONDITIONAL if kind == ActionKind.SUBMIT else SharingAttribute.NONE
                action = CatalogAction(
                    kind, entry_id, version, 0, document, fresh_nonce(), declared_at=declared, sharing=sharing
                )
                actions.append(
                    sign_catalog_action(
                        action, signer.key, chain_id=self.chain_id, catalog_address=self.sys.deployment.catalog
                    ).as_tuple()
                )
            entries.append(entry_id)
        self.sys.relayer.send(self.sys.catalog.functions.executeBatch(actions), gas=50_000_000)
        return entries

    def application(self, i: int) -> SharingAction:
        unit_id, key = self.demanders[i % DEMAND_UNITS]
        scenario = SCENARIOS[i % len(SCENARIOS)]
        document = canonical_bytes({"schema": "putuo.demand/1", "application_no": f"BENCH-{i}", "scenario": scenario})
        demand_id = demand_id_for(unit_id, document)
        commitment = build_commitment(
            demand_id=demand_id,
            signing_unit_id="0x" + unit_id.hex(),
            officer_key_id=key.key_id,
            scheme="ecdsa",
            scenario=scenario,
            signed_at=datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI),
        )
        proof = CommitmentProof(
            KeyScheme.ECDSA, key.key_id, commitment.canonical_bytes(), sign_commitment(commitment, key).signature
        )
        entry = self.entries[(i // DEMAND_UNITS) % ENTRIES]  # 800 (unit, entry) pairs, 2–3 grants each
        terms = ApplyTerms(
            1,
            scenario_id_for(scenario),
            Method.INTERFACE,
            Frequency.MONTHLY,
            False,
            False,
            2,
            (Resource(entry, 1, self.owner_unit),),
            proof,
        )
        action = SharingAction(StepKind.APPLY, demand_id, document, fresh_nonce(), terms=terms.encode())
        return sign_action(action, key.private_key, chain_id=self.chain_id, sharing_address=self.sys.deployment.sharing)

    def grant_all(self, count: int) -> None:
        for start in range(0, count, BATCH):
            batch = [self.application(i).as_tuple() for i in range(start, min(count, start + BATCH))]
            self.sys.relayer.send(self.sharing.functions.executeBatch(batch), gas=50_000_000)


def bench_check(sys_: BenchSystem) -> None:
    district = District(sys_)
    began = time.perf_counter()
    district.grant_all(GRANTS)
    print(f"\n(d) {GRANTS} grants issued on-chain in {time.perf_counter() - began:.1f} s")
    db = sys_.data_dir / "sharing.db"
    Indexer(RpcClient(sys_.node.url), sys_.deployment, SqlMirrorStore(make_engine(f"sqlite:///{db}"))).sync()
    api = api_server(sys_.data_dir, sys_.node.url, f"sqlite:///{db}")
    bare = bare_server()
    sessions = [requests.Session() for _ in range(THREADS)]
    rng = random.Random(11)

    def check(i: int) -> None:
        n = rng.randrange(GRANTS)  # a held grant, asked about its own scenario or (1 in 4) another
        unit_id, _ = district.demanders[n % DEMAND_UNITS]
        scenario = SCENARIOS[(n + (i % 4 == 0)) % len(SCENARIOS)]
        r = sessions[i % THREADS].get(
            f"{api.url}/v1/sharing/check",
            params={
                "unit_id": "0x" + unit_id.hex(),
                "entry_id": "0x" + district.entries[(n // DEMAND_UNITS) % ENTRIES].hex(),
                "scenario": scenario,
                "method": "interface",
            },
        )
        assert r.status_code == 200, r.text

    def baseline(i: int) -> None:
        assert sessions[i % THREADS].get(f"{bare.url}/bare").status_code == 200

    try:
        base = closed_loop(baseline, threads=THREADS, seconds=SECONDS)
        res = closed_loop(check, threads=THREADS, seconds=SECONDS)
        report(
            f"(d) sharing check over {GRANTS} grants, {THREADS} client threads, {SECONDS:.0f} s each",
            [
                ("check req/s", f"{res.rate:.0f}", f"{base.rate:.0f}", f"{res.rate / base.rate:.2f}x"),
                (
                    "check p50/p99 ms",
                    f"{res.p(0.5):.1f}/{res.p(0.99):.1f}",
                    f"{base.p(0.5):.1f}/{base.p(0.99):.1f}",
                    "",
                ),
            ],
        )
    finally:
        api.stop()
        bare.stop()


def main() -> None:
    sys_ = start_system()
    try:
        bench_check(sys_)
    finally:
        sys_.close()


if __name__ == "__main__":
    main()
