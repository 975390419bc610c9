"""Decode revert data into the custom error that caused it, from the contracts' own ABIs."""

from __future__ import annotations

import enum
from functools import lru_cache

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from chain import actions, quality, responsibilities, sharing, supervision
from chain.artifacts import load_artifact
from chain.errors import ActionRevertedError

CONTRACTS = (
    "UnitRegistry",
    "Catalog",
    "WorkCalendar",
    "Sharing",
    "Responsibilities",
    "ValidatorGovernance",
    "UsageLog",
    "DataQuality",
    "Supervision",
)
# The Python side of each Solidity enum an error may carry, by its Solidity name (an argument's
# ABI internalType is "enum ICatalog.EntryStatus").
ENUMS: dict[str, type[enum.IntEnum]] = {
    e.__name__: e
    for e in (
        actions.ActionKind,
        actions.EntryStatus,
        actions.SharingAttribute,
        actions.VersionKind,
        sharing.StepKind,
        sharing.Method,
        sharing.DataForm,
        sharing.Frequency,
        sharing.DemandStatus,
        sharing.ItemStatus,
        sharing.PlanStatus,
        sharing.GrantStatus,
        sharing.Suspension,
        sharing.KeyScheme,
        responsibilities.ResponsibilityStatus,
        responsibilities.RefusalGround,
        quality.UpdateFrequency,
        quality.ReconciliationResult,
        quality.ObjectionSource,
        quality.ObjectionOutcome,
        supervision.Severity,
        supervision.EvaluationKind,
        supervision.MeasureKind,
    )
}


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


@lru_cache(maxsize=1)
def enum_arguments() -> dict[str, dict[str, str]]:
    """For each custom error with enum arguments: each such argument's Solidity enum name."""
    table: dict[str, dict[str, str]] = {}
    for name in CONTRACTS:
        for item in load_artifact(name).abi:
            for p in item["inputs"] if item["type"] == "error" else ():
                if p.get("internalType", "").startswith("enum "):
                    table.setdefault(item["name"], {})[p["name"]] = p["internalType"].rsplit(".", 1)[-1]
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


def decode_rejection(reason: bytes) -> ActionRevertedError:
    """`decode_revert` of a rejection's `reason`, which never fails: a known selector with
    malformed arguments is an `UnknownRevert` naming the raw bytes (the rejection stands)."""
    try:
        return decode_revert(reason)
    except Exception:  # noqa: BLE001 - whatever the bytes hold
        return ActionRevertedError("UnknownRevert", {"data": "0x" + reason.hex()}, reason)


def named_arguments(exc: ActionRevertedError) -> dict:
    """The error's arguments with each enum value by its name in lower case ("under_review" for
    EntryStatus 1), as the API names states; a value outside its enum stays a number."""
    enums = enum_arguments().get(exc.error, {})
    named = dict(exc.error_args)
    for arg, enum_name in enums.items():
        kind = ENUMS.get(enum_name)
        value = named.get(arg)
        if kind is not None and isinstance(value, int) and value in kind._value2member_map_:
            named[arg] = kind(value).name.lower()
    return named


def describe(exc: ActionRevertedError) -> str:
    """`str(exc)` with enum arguments by name: `CatalogInvalidStatus(entryId=0x…, expected=active,
    actual=under_review)`."""
    return f"{exc.error}({', '.join(f'{k}={v}' for k, v in named_arguments(exc).items())})"
