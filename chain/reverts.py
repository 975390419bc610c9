"""Decode revert data into the custom error that caused it, from the contracts' own ABIs."""

from __future__ import annotations

from functools import lru_cache

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from chain.artifacts import load_artifact
from chain.errors import ActionRevertedError

CONTRACTS = ("UnitRegistry", "Catalog", "WorkCalendar", "Sharing")


def _type_string(param: dict) -> str:
    if param["type"].startswith("tuple"):
        inner = ",".join(_type_string(c) for c in param["components"])
        return f"({inner}){param['type'][5:]}"
    return param["type"]


@lru_cache(maxsize=1)
def _error_table() -> dict[bytes, tuple[str, list[str], list[str]]]:
    table: dict[bytes, tuple[str, list[str], list[str]]] = {}
    for name in CONTRACTS:
        for item in load_artifact(name).abi:
            if item["type"] != "error":
                continue
            types = [_type_string(p) for p in item["inputs"]]
            selector = keccak(text=f"{item['name']}({','.join(types)})")[:4]
            table[selector] = (item["name"], types, [p["name"] or f"arg{i}" for i, p in enumerate(item["inputs"])])
    return table


def _plain(value, abi_type: str = ""):
    if abi_type == "address":
        return to_checksum_address(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def decode_revert(data: bytes) -> ActionRevertedError:
    """The custom error in `data` (revert bytes), or a generic one naming the raw bytes."""
    entry = _error_table().get(data[:4])
    if entry is None:
        return ActionRevertedError("UnknownRevert", {"data": "0x" + data.hex()}, data)
    name, types, names = entry
    values = abi_decode(types, data[4:])
    return ActionRevertedError(name, {n: _plain(v, t) for n, t, v in zip(names, types, values)}, data)
