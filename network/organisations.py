"""The organisations that hold a validator, in the order `init --validators N` takes them.

The Data Center runs the platform; the Office (区府办) administers the registry; the regulators of
Art. 4 — 区委网信办 and 区公安分局 — oversee it. No one of them alone can forge, drop or reorder what
the chain records: Clique needs ⌊N/2⌋+1 signers online, and a signer seals at most one block in
⌊N/2⌋+1. Codes are the registry's unit codes (ledger_cli/demo_data.py has the first three).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Organisation:
    code: str  # the registry's unit code
    name: str


VALIDATOR_ORGANISATIONS = (
    Organisation("PT-DSJZX", "上海市普陀区大数据中心"),
    Organisation("PT-QFB", "上海市普陀区人民政府办公室"),
    Organisation("PT-WXB", "中共上海市普陀区委网络安全和信息化委员会办公室"),
    Organisation("PT-GAJ", "上海市公安局普陀分局"),
)
