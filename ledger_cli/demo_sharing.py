"""The demo district's sharing (Art. 17–26): the scenarios the Data Center registered, applications
with SM2 and ECDSA commitments on both routes, an owner's decision, a use, and one demand left
waiting so the responsible unit has something in its inbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from eth_utils import to_checksum_address

from chain.actions import entry_id_for, fresh_nonce, unit_id_for
from chain.sharing import (
    CommitmentProof,
    KeyScheme,
    StepKind,
    demand_id_for,
    sign_action,
)
from sharing.fields import SCHEMAS, unsigned_action
from signer.canonical import canonical_bytes
from signer.commitment import SHANGHAI, build_commitment, sign_commitment
from signer.keys import SigningKey

STREET, CIVIL, MARKET, HR, DATA_CENTER = "PT-CSLJD", "PT-MZJ", "PT-SCJGJ", "PT-RSJ", "PT-DSJZX"
KEY_WORK = "PT-KW-2026-01"
YWTG = "PT-YWTG-2026-03"


def _unit(code: str) -> str:
    return "0x" + unit_id_for(code).hex()


def _entry(unit_code: str, code: str) -> dict:
    return {
        "entry_id": "0x" + entry_id_for(unit_id_for(unit_code), code).hex(),
        "version": 1,
        "owner_unit_id": _unit(unit_code),
    }


def application(no: str, demand_unit: str, scenario: dict, resources: list[dict], goal: str) -> dict:
    return {
        "schema": "putuo.demand/1",
        "application_no": no,
        "demand_unit_id": _unit(demand_unit),
        "demand_type": "routine",
        "scenario": scenario,
        "legal_basis": "《上海市数据条例》第三十条；《普陀区公共数据共享管理办法》第十七条",
        "business_goal": goal,
        "resources": resources,
        "method": "interface",
        "frequency": "monthly",
        "security_level": "L3",
        "safeguards": ["专人专岗，最小授权", "调用日志留存六个月"],
    }


# The Data Center's register (Art. 19): a certified 一网统管 item, open to any unit; a key-work
# scenario evaluated for the street office and one entry of the civil affairs bureau only.
SCENARIO_REGISTER = [
    {
        "schema": "putuo.scenario-evaluation/1",
        "scenario_code": YWTG,
        "name": "一网统管：困难群众走访",
        "class": 1,
        "basis": "区城运中心《一网统管应用场景认定书》（普城运〔2026〕3号）",
        "plan": "网格员走访时经城运平台核对低保状态",
        "conclusion": "属经认定的一网统管事项，纳入场景授权共享范围",
    },
    {
        "schema": "putuo.scenario-evaluation/1",
        "scenario_code": KEY_WORK,
        "name": "独居老人助餐与探访",
        "class": 2,
        "basis": "区大数据中心场景评估报告（普数评〔2026〕1号）",
        "key_work": "区委区政府2026年重点工作：老年友好型城区建设",
        "units": [_unit(STREET)],
        "entries": [_entry(CIVIL, "MZJ-0002")["entry_id"]],
        "plan": "街道按月获取养老机构数据，安排助餐与上门探访",
        "conclusion": "场景必要、方案可行，同意纳入场景授权共享范围",
    },
]
SCENARIO_EVALUATION = SCENARIO_REGISTER[1]
# (demand unit, application): the first by scenario (一网统管), the second by an approved key-work
# scenario, the third reviewed and approved by its owner, the fourth left waiting.
DEMANDS = [
    (
        STREET,
        application(
            "长街数需〔2026〕1号",
            STREET,
            {"code": YWTG, "name": "一网统管：困难群众走访", "class": 1},
            [{**_entry(CIVIL, "MZJ-0001"), "items": ["姓名", "保障金额"]}],
            "网格员走访困难群众时核对低保状态",
        ),
    ),
    (
        STREET,
        application(
            "长街数需〔2026〕2号",
            STREET,
            {"code": KEY_WORK, "name": "独居老人助餐与探访", "class": 2},
            [{**_entry(CIVIL, "MZJ-0002"), "items": ["机构名称", "地址"]}],
            "为独居老人匹配就近的助餐点与日间照料中心",
        ),
    ),
    (
        HR,
        application(
            "人社数需〔2026〕5号",
            HR,
            {"code": "PT-JY-2026-01", "name": "就业困难人员认定", "class": 0},
            [{**_entry(CIVIL, "MZJ-0001"), "items": ["姓名", "公民身份号码", "认定日期"]}],
            "认定就业困难人员时核对低保家庭成员",
        ),
    ),
    (
        STREET,
        application(
            "长街数需〔2026〕3号",
            STREET,
            {"code": "PT-SQ-2026-07", "name": "沿街商铺安全巡查", "class": 0},
            [{**_entry(MARKET, "SCJG-0001"), "items": ["名称", "住所", "登记状态"]}],
            "巡查沿街商铺时核对登记状态",
        ),
    ),
]
COLLECTED = [(CIVIL, "MZJ-0001"), (CIVIL, "MZJ-0002"), (MARKET, "SCJG-0001")]


def commitment_scheme(index: int, unit_code: str) -> str:
    """The scheme of the demo's `index`-th commitment: SM2 for an SM2-only unit (demo_data), else
    alternating, so that the demo holds commitments of both schemes."""
    from ledger_cli.demo_data import SM2_ONLY_UNITS

    return "sm2" if unit_code in SM2_ONLY_UNITS or index % 2 == 1 else "ecdsa"


class DemoSharing:
    """Builds the demo's signed sharing steps (relayed by the caller, in order)."""

    def __init__(
        self, chain_id: int, sharing_address: str, officers: dict[str, tuple[SigningKey, SigningKey]], now: int
    ) -> None:
        """`officers`: unit code → (the key that signs its actions, its SM2 key)."""
        self.chain_id, self.address, self.officers, self.now = chain_id, sharing_address, officers, now

    def step(self, unit_code: str, kind: StepKind, document: dict, commitment: CommitmentProof | None = None) -> tuple:
        parsed = SCHEMAS[kind].model_validate(document)
        action = unsigned_action(kind, parsed, canonical_bytes(document), fresh_nonce(), commitment=commitment)
        return sign_action(
            action, self.officers[unit_code][0], chain_id=self.chain_id, sharing_address=self.address
        ).as_tuple()

    def apply(self, unit_code: str, document: dict, scheme: str) -> tuple[str, tuple]:
        """(demand id, the signed Apply with the unit's commitment signed with its `scheme` key)."""
        unit_id = unit_id_for(unit_code)
        demand_id = demand_id_for(unit_id, canonical_bytes(document))
        key = self.officers[unit_code][1 if scheme == "sm2" else 0]
        scheme = key.scheme  # an SM2-only unit signs its commitments with SM2 too
        commitment = build_commitment(
            demand_id=demand_id,
            signing_unit_id="0x" + unit_id.hex(),
            officer_key_id=key.key_id,
            scheme=scheme,
            scenario=document["scenario"]["code"],
            signed_at=datetime.fromtimestamp(self.now, SHANGHAI),
        )
        proof = CommitmentProof(
            KeyScheme.SM2 if scheme == "sm2" else KeyScheme.ECDSA,
            to_checksum_address(key.key_id),
            commitment.canonical_bytes(),
            sign_commitment(commitment, key).signature,
        )
        return "0x" + demand_id.hex(), self.step(unit_code, StepKind.APPLY, document, proof)

    def batches(self, clock) -> Iterator[tuple[str, list[tuple]]]:
        """The demo's sharing, as (what, signed actions) batches to relay in order; each batch is
        built after the previous one was relayed, so the use is recorded at `clock()` (the
        chain's time then), after its grant was issued."""
        scenario = [self.step(DATA_CENTER, StepKind.APPROVE_SCENARIO, doc) for doc in SCENARIO_REGISTER]
        applies, ids = [], []
        for i, (unit_code, document) in enumerate(DEMANDS):
            demand_id, action = self.apply(unit_code, document, commitment_scheme(i, unit_code))
            applies.append(action)
            ids.append(demand_id)
        yield "scenario evaluation", scenario
        yield "applications", applies
        # The scenario route: the Data Center confirms the two scenario applications conform (Art. 19),
        # which issues their grants; the use below is recorded after, by the chain's clock then.
        yield (
            "conformity confirmations",
            [
                self.step(
                    DATA_CENTER,
                    StepKind.CONFIRM_CONFORMITY,
                    {"schema": "putuo.conformity-review/1", "demand_id": demand_id, "decision": "confirm"},
                )
                for demand_id in ids[:2]
            ],
        )
        used = datetime.fromtimestamp(clock(), SHANGHAI).isoformat()
        decision = {
            "schema": "putuo.demand-decision/1",
            "demand_id": ids[2],
            "item": 0,
            "decision": "approve",
            "reason": "符合就业困难人员认定需要",
            "signed_at": used,  # signed now, by the chain's clock (Art. 20)
        }
        use = {"schema": "putuo.grant-use/1", "grant_id": ids[0], "used_at": used, "calls": 3}
        yield (
            "decisions and uses",
            [self.step(CIVIL, StepKind.DECIDE, decision), self.step(DATA_CENTER, StepKind.RECORD_USE, use)],
        )
