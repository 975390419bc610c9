"""The one event decoder: ABI + raw log → typed record.

The indexer, the API and the tests all decode through `decode_log`. It works on the raw
JSON-RPC log dicts (hex strings) because the indexer reads logs in bulk with `eth_getLogs`
and web3's per-log formatting costs more than the decoding itself.

Policy for a log that fails to decode: `on_error="raise"` (the default, used by the indexer:
a log from our own contract that does not match our ABI means the deployment and the code
disagree, and skipping it would silently corrupt the mirror) or `"skip"` (returns None).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from chain.artifacts import load_artifact
from chain.errors import UndecodableLogError

EVENT_SOURCES = ("UnitRegistry", "Catalog", "WorkCalendar", "Sharing")


@dataclass(frozen=True)
class EventRecord:
    """A decoded log, with its position on the chain."""

    name: str
    args: dict[str, Any]
    address: str
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int
    topics: tuple[str, ...] = ()  # the raw log, kept so the mirror can journal and replay it
    data: str = "0x"

    @property
    def position(self) -> int:
        """A total order over logs: block number, then index in the block."""
        return (self.block_number << 20) | self.log_index


@dataclass(frozen=True)
class _EventSpec:
    name: str
    indexed: tuple[tuple[str, str], ...]
    data_names: tuple[str, ...]
    data_types: tuple[str, ...]


@lru_cache(maxsize=1)
def _specs() -> dict[bytes, _EventSpec]:
    specs: dict[bytes, _EventSpec] = {}
    for source in EVENT_SOURCES:
        for item in load_artifact(source).abi:
            if item["type"] != "event":
                continue
            types = ",".join(p["type"] for p in item["inputs"])
            topic = keccak(text=f"{item['name']}({types})")
            specs[topic] = _EventSpec(
                name=item["name"],
                indexed=tuple((p["name"], p["type"]) for p in item["inputs"] if p["indexed"]),
                data_names=tuple(p["name"] for p in item["inputs"] if not p["indexed"]),
                data_types=tuple(p["type"] for p in item["inputs"] if not p["indexed"]),
            )
    return specs


def _unhex(value: str) -> bytes:
    return bytes.fromhex(value[2:] if value.startswith("0x") else value)


@lru_cache(maxsize=4096)
def _checksum(value: str) -> str:
    return to_checksum_address(value)


def _normalise(abi_type: str, value: Any) -> Any:
    if abi_type == "address":
        return _checksum(value)
    return value


def _word(data: bytes, offset: int) -> bytes:
    word = data[offset : offset + 32]
    if len(word) != 32:
        raise ValueError(f"data ends at {len(data)} bytes, wanted a word at {offset}")
    return word


def _dynamic(abi_type: str):
    def decode(data: bytes, head: bytes):
        start = int.from_bytes(head, "big")
        length = int.from_bytes(_word(data, start), "big")
        raw = data[start + 32 : start + 32 + length]
        if len(raw) != length:
            raise ValueError(f"{abi_type} of {length} bytes runs past the data")
        return raw.decode("utf-8") if abi_type == "string" else raw

    return decode


def _address(data: bytes, head: bytes) -> str:
    _check_padding("address", head[:12])
    return _checksum("0x" + head[12:].hex())


def _bool(data: bytes, head: bytes) -> bool:
    _check_padding("bool", head[:31] + bytes([head[31] & 0xFE]))
    return head[31] == 1


def _uint(bits: int):
    def decode(data: bytes, head: bytes) -> int:
        value = int.from_bytes(head, "big")
        if value >> bits:  # what eth_abi's strict decoder refuses too
            raise ValueError(f"uint{bits} out of range: {value}")
        return value

    return decode


def _fixed_bytes(size: int):
    def decode(data: bytes, head: bytes) -> bytes:
        _check_padding(f"bytes{size}", head[size:])
        return head[:size]

    return decode


@lru_cache(maxsize=None)
def _decoders(types: tuple[str, ...]):
    """One small decoder per type, built once per event signature; None where eth_abi must do it."""
    out = []
    for t in types:
        if t in ("bytes", "string"):
            out.append(_dynamic(t))
        elif t == "address":
            out.append(_address)
        elif t == "bool":
            out.append(_bool)
        elif t.startswith("uint") and "[" not in t:
            out.append(_uint(int(t[4:] or 256)))
        elif t.startswith("bytes") and "[" not in t:
            out.append(_fixed_bytes(int(t[5:])))
        else:
            return None
    return tuple(out)


def _decode_data(types: tuple[str, ...], data: bytes) -> tuple:
    """ABI-decode the data of our events. The handful of types they use are decoded by hand,
    several times faster than eth_abi's general decoder on the indexer's hot path, and as strict
    (padding and ranges checked); anything else goes to eth_abi."""
    decoders = _decoders(types)
    if decoders is None:
        return abi_decode(list(types), data)
    return tuple(decode(data, _word(data, 32 * i)) for i, decode in enumerate(decoders))


def _check_padding(abi_type: str, padding: bytes) -> None:
    if any(padding):
        raise ValueError(f"{abi_type} has non-zero padding 0x{padding.hex()}")




def decode_log(log: dict, *, on_error: Literal["raise", "skip"] = "raise") -> EventRecord | None:
    """Decode one raw JSON-RPC log of our contracts into an EventRecord."""
    try:
        topics = [_unhex(t) for t in log["topics"]]
        spec = _specs().get(topics[0]) if topics else None
        if spec is None:
            raise UndecodableLogError(f"unknown event topic {log['topics'][:1]} at {log.get('address')}")
        args: dict[str, Any] = {}
        for (name, abi_type), topic in zip(spec.indexed, topics[1:], strict=True):
            args[name] = _normalise(abi_type, _decode_data((abi_type,), topic)[0])
        values = _decode_data(spec.data_types, _unhex(log["data"])) if spec.data_types else ()
        for name, abi_type, value in zip(spec.data_names, spec.data_types, values, strict=True):
            args[name] = _normalise(abi_type, value)
    except UndecodableLogError:
        if on_error == "skip":
            return None
        raise
    except Exception as exc:  # noqa: BLE001 - any decoding failure gets the same policy
        if on_error == "skip":
            return None
        raise UndecodableLogError(f"log {log.get('transactionHash')}#{log.get('logIndex')}: {exc}") from exc
    return EventRecord(
        name=spec.name,
        args=args,
        address=_checksum(log["address"]),
        block_number=int(log["blockNumber"], 16),
        block_hash=log["blockHash"],
        tx_hash=log["transactionHash"],
        log_index=int(log["logIndex"], 16),
        topics=tuple(log["topics"]),
        data=log["data"],
    )


def receipt_events(receipt) -> list[EventRecord]:
    """Decode the logs of a web3 receipt (for tests and the CLI)."""
    out = []
    for log in receipt["logs"]:
        raw = {
            "topics": [t.to_0x_hex() for t in log["topics"]],
            "data": log["data"].to_0x_hex(),
            "address": log["address"],
            "blockNumber": hex(log["blockNumber"]),
            "blockHash": log["blockHash"].to_0x_hex(),
            "transactionHash": log["transactionHash"].to_0x_hex(),
            "logIndex": hex(log["logIndex"]),
        }
        out.append(decode_log(raw))
    return out
