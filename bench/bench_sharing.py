"""The gateway's check (Art. 25), against a baseline measured in the same run.

(d) `GET /v1/sharing/check` over a mirror of real grants (scenario-route applications under
    registered scenarios, each confirmed by the Data Center, relayed in batches to a fresh node,
    then indexed), asked per data item and version, req/s with p50/p99, against a bare FastAPI
    endpoint served the same way and sent the same requests, in alternating rounds; the figure is
    the median round's ratio.

Run: `.venv/bin/python -m bench.bench_sharing` (BENCH_GRANTS, BENCH_THREADS, BENCH_SECONDS, BENCH_ROUNDS).
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from datetime import datetime

import requests

from api.runtime import make_engine
from api.settings import DEV_PLATFORM_CREDENTIAL
from bench.bench_gas import DOCUMENT as CATALOG_DOCUMENT
from bench.common import BenchSystem, closed_loop, report, start_system
from bench.servers import api_server, bare_server
from chain.actions import ActionKind, CatalogAction, SharingAttribute, entry_id_for, fresh_nonce, unit_id_for
from chain.actions import sign_action as sign_catalog_action
from chain.client import contract_at
from chain.indexer import Indexer
from chain.rpc import RpcClient
from chain.sharing import (
    CommitmentProof,
    KeyScheme,
    ScenarioTerms,
    SharingAction,
    StepKind,
    demand_id_for,
    scenario_id_for,
    sign_action,
)
from mirror.store import SqlMirrorStore
from sharing.document import Application
from sharing.fields import apply_terms
from signer.canonical import canonical_bytes
from signer.commitment import SHANGHAI, build_commitment, sign_commitment
from signer.keys import SigningKey

THREADS = int(os.environ.get("BENCH_THREADS", "4"))
GRANTS = int(os.environ.get("BENCH_GRANTS", "2000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
ENTRIES = 40
DEMAND_UNITS = 20
SCENARIOS = ["一网通办-低保核验", "一网统管-防汛", "跨部门平台-养老服务"]
BATCH = 60
ITEMS = ["姓名", "身份证号", "保障金额"]  # the data items each application asks for


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
        self.demand_ids: dict[int, bytes] = {}
        self._register_scenarios()

    def _register_scenarios(self) -> None:
        """The Data Center's register (Art. 19 (1)): the scenarios, for any unit and entry."""
        steps = []
        for code in SCENARIOS:
            evaluation = {
                "schema": "putuo.scenario-evaluation/1",
                "scenario_code": code,
                "name": code,
                "class": 1,
                "basis": "一网通办事项认定书",
                "plan": "按月核对",
                "conclusion": "同意",
            }
            step = SharingAction(
                StepKind.APPROVE_SCENARIO,
                scenario_id_for(code),
                canonical_bytes(evaluation),
                fresh_nonce(),
                terms=ScenarioTerms(1).encode(),
            )
            steps.append(self._signed(step).as_tuple())
        self.sys.relayer.send(self.sharing.functions.executeBatch(steps), gas=50_000_000)

    def _signed(self, action: SharingAction, key=None) -> SharingAction:
        key = key or self.data_center.key
        return sign_action(action, key, chain_id=self.chain_id, sharing_address=self.sys.deployment.sharing)

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
            doc = canonical_bytes(
                {
                    **CATALOG_DOCUMENT,
                    "code": f"MZJ-{i:04d}",
                    "name": f"民政数据{i}",
                    "data_items": [{"name": n, "type": "string"} for n in ITEMS],
                }
            )
            collected = canonical_bytes({"schema": "putuo.catalog-collection/1", "description": "已归集"})
            for signer, kind, document, version, declared in (
                (owner, ActionKind.SUBMIT, doc, 0, self.sys.w3.eth.get_block("latest")["timestamp"] - 86400),
                (self.data_center, ActionKind.REVIEW, b'{"decision":"approve"}', 1, 0),
                # Collected to the platform (Art. 15): ready to share, so the scenario route grants it.
                (self.data_center, ActionKind.RECORD_COLLECTION, collected, 0, 0),
            ):
                # A bench entry is shared unconditionally, as its document says.
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
        entry = self.entries[(i // DEMAND_UNITS) % ENTRIES]  # 800 (unit, entry) pairs, 2–3 grants each
        application = {
            "schema": "putuo.demand/1",
            "application_no": f"BENCH-{i}",
            "demand_unit_id": "0x" + unit_id.hex(),
            "demand_type": "routine",
            "scenario": {"code": scenario, "name": scenario, "class": 1},
            "legal_basis": "《普陀区公共数据共享管理办法》第十九条",
            "business_goal": "核验",
            "resources": [
                {
                    "entry_id": "0x" + entry.hex(),
                    "version": 1,
                    "owner_unit_id": "0x" + self.owner_unit.hex(),
                    "items": ITEMS,
                }
            ],
            "method": "interface",
            "frequency": "monthly",
            "security_level": "L2",
            "safeguards": ["专人专岗"],
        }
        document = canonical_bytes(application)
        demand_id = demand_id_for(unit_id, document)
        self.demand_ids[i] = demand_id
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
        terms = apply_terms(Application.model_validate(application), proof)
        action = SharingAction(StepKind.APPLY, demand_id, document, fresh_nonce(), terms=terms.encode())
        return self._signed(action, key.private_key)

    def confirmation(self, i: int) -> SharingAction:
        """The Data Center's confirmation that application `i` conforms (Art. 19): it issues the grant."""
        demand_id = self.demand_ids[i]
        document = canonical_bytes(
            {"schema": "putuo.conformity-review/1", "demand_id": "0x" + demand_id.hex(), "decision": "confirm"}
        )
        return self._signed(SharingAction(StepKind.CONFIRM_CONFORMITY, demand_id, document, fresh_nonce()))

    def grant_all(self, count: int) -> None:
        for start in range(0, count, BATCH):
            numbers = range(start, min(count, start + BATCH))
            for build in (self.application, self.confirmation):
                batch = [build(i).as_tuple() for i in numbers]
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
    for session in sessions:  # the gateway is the platform's share service (api/auth)
        session.headers["Authorization"] = f"Bearer {DEV_PLATFORM_CREDENTIAL}"
    rng = random.Random(11)
    answers: Counter[str] = Counter()  # the check's reasons: a real mix of grants and refusals

    def asked(i: int) -> dict:
        n = rng.randrange(GRANTS)  # a held grant, asked about its own scenario or (1 in 4) another
        unit_id, _ = district.demanders[n % DEMAND_UNITS]
        return {
            "unit_id": "0x" + unit_id.hex(),
            "entry_id": "0x" + district.entries[(n // DEMAND_UNITS) % ENTRIES].hex(),
            "version": 1,
            "items": ITEMS[: 1 + i % len(ITEMS)],
            "scenario": SCENARIOS[(n + (i % 4 == 0)) % len(SCENARIOS)],
            "method": "interface",
        }

    def check(i: int) -> None:
        r = sessions[i % THREADS].get(f"{api.url}/v1/sharing/check", params=asked(i))
        assert r.status_code == 200, r.text
        answers[r.json()["reason"]] += 1

    def baseline(i: int) -> None:
        # The same request, to an endpoint that does nothing with it: the client's share of the
        # work (building and sending the query) is the same on both sides.
        assert sessions[i % THREADS].get(f"{bare.url}/bare", params=asked(i)).status_code == 200

    try:
        # Alternating rounds: this 2-core machine's noise (a GC pause, a checkpoint, another process)
        # lands on one round of one side; the median of the rounds' ratios is the figure.
        rounds = []
        for _ in range(ROUNDS):
            base = closed_loop(baseline, threads=THREADS, seconds=SECONDS)
            res = closed_loop(check, threads=THREADS, seconds=SECONDS)
            rounds.append((res, base))
        ratios = sorted(res.rate / base.rate for res, base in rounds)
        res, base = sorted(rounds, key=lambda r: r[0].rate / r[1].rate)[len(rounds) // 2]
        report(
            f"(d) sharing check over {GRANTS} grants, {THREADS} client threads, {ROUNDS} rounds of {SECONDS:.0f} s",
            [
                (
                    "check req/s (median round)",
                    f"{res.rate:.0f}",
                    f"{base.rate:.0f}",
                    f"{ratios[len(ratios) // 2]:.2f}x",
                ),
                ("ratio range", "", "", f"{ratios[0]:.2f}–{ratios[-1]:.2f}x"),
                (
                    "check p50/p99 ms",
                    f"{res.p(0.5):.1f}/{res.p(0.99):.1f}",
                    f"{base.p(0.5):.1f}/{base.p(0.99):.1f}",
                    "",
                ),
            ],
        )
        print("    answers: " + ", ".join(f"{reason} {n}" for reason, n in answers.most_common()))
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
