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
from typing import Any, Callable, Literal

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from chain.artifacts import load_artifact
from chain.errors import UndecodableLogError

EVENT_SOURCES = (
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


@lru_cache(maxsize=None)
def event_topic(source: str, name: str) -> str:
    """topic0 (0x-hex) of event `name` of contract `source`, from its ABI: what `eth_getLogs`
    filters on to find one kind of event."""
    item = next(i for i in load_artifact(source).abi if i["type"] == "event" and i["name"] == name)
    return "0x" + keccak(text=f"{name}({','.join(p['type'] for p in item['inputs'])})").hex()


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


def _check_padding(abi_type: str, padding: bytes) -> None:
    if any(padding):
        raise ValueError(f"{abi_type} has non-zero padding 0x{padding.hex()}")


class _Compiled:
    """One event signature's whole decoder, built once: what `decode_log` runs per log.

    The handful of types our events use are decoded by hand, several times faster than eth_abi's
    general decoder on the indexer's hot path, and as strict (padding and ranges checked); any
    other signature goes to eth_abi whole.
    """

    __slots__ = ("name", "indexed", "topic_count", "data_names", "data")

    def __init__(self, spec: _EventSpec) -> None:
        self.name = spec.name
        self.indexed = tuple((name, _topic_decoder(abi_type)) for name, abi_type in spec.indexed)
        self.topic_count = 1 + len(spec.indexed)
        self.data_names = spec.data_names
        self.data = _data_decoder(spec.data_types) if spec.data_types else None


def _topic_decoder(abi_type: str) -> Callable[[bytes], Any]:
    decoders = _decoders((abi_type,))
    if decoders is None:
        return lambda topic: _normalise(abi_type, abi_decode([abi_type], topic)[0])
    decode = decoders[0]  # the hand decoders already give checksummed addresses
    return lambda topic: decode(topic, _word(topic, 0))


def _data_decoder(types: tuple[str, ...]) -> Callable[[bytes], list]:
    """The values of a log's data, in the order of `types`."""
    decoders = _decoders(types)
    if decoders is None:
        return lambda data: [_normalise(t, v) for t, v in zip(types, abi_decode(list(types), data), strict=True)]
    heads = tuple((decode, 32 * i, 32 * i + 32) for i, decode in enumerate(decoders))
    size = 32 * len(decoders)

    def decode_all(data: bytes) -> list:
        if len(data) < size:
            _word(data, len(data) // 32 * 32)  # raises, naming the first word missing
        return [decode(data, data[start:end]) for decode, start, end in heads]

    return decode_all


@lru_cache(maxsize=1)
def _compiled() -> dict[str, _Compiled]:
    """The compiled decoders by topic 0 as nodes spell it ("0x" and lower-case hex)."""
    return {"0x" + topic.hex(): _Compiled(spec) for topic, spec in _specs().items()}


def _compiled_for(topic0: str) -> _Compiled | None:
    compiled = _compiled().get(topic0)
    if compiled is None:  # perhaps another spelling of a known topic (upper case, no "0x")
        compiled = _compiled().get("0x" + _unhex(topic0).hex())
    return compiled


def decode_log(log: dict, *, on_error: Literal["raise", "skip"] = "raise") -> EventRecord | None:
    """Decode one raw JSON-RPC log of our contracts into an EventRecord."""
    try:
        topics = log["topics"]
        compiled = _compiled_for(topics[0]) if topics else None
        if compiled is None:
            raise UndecodableLogError(f"unknown event topic {log['topics'][:1]} at {log.get('address')}")
        if len(topics) != compiled.topic_count:
            raise ValueError(f"{len(topics) - 1} indexed topics, the event has {compiled.topic_count - 1}")
        args: dict[str, Any] = {
            name: decode(_unhex(topic)) for (name, decode), topic in zip(compiled.indexed, topics[1:])
        }
        if compiled.data is not None:
            args.update(zip(compiled.data_names, compiled.data(_unhex(log["data"]))))
    except UndecodableLogError:
        if on_error == "skip":
            return None
        raise
    except Exception as exc:  # noqa: BLE001 - any decoding failure gets the same policy
        if on_error == "skip":
            return None
        raise UndecodableLogError(f"log {log.get('transactionHash')}#{log.get('logIndex')}: {exc}") from exc
    return EventRecord(
        name=compiled.name,
        args=args,
        address=_checksum(log["address"]),
        block_number=int(log["blockNumber"], 16),
        block_hash=log["blockHash"],
        tx_hash=log["transactionHash"],
        log_index=int(log["logIndex"], 16),
        topics=tuple(topics),
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
