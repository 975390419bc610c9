"""Re-derive a catalog version's document hash and signer from chain data alone.

An auditor's verifier written from docs/PROTOCOL.md and docs/schemas/: it imports no module of
this repository, only third-party packages (eth-abi, eth-hash, eth-keys, eth-utils, rfc8785,
jsonschema), and talks to the node over plain JSON-RPC. Its constants are copied from PROTOCOL.md.

    python verify_catalog_version.py --rpc URL --catalog ADDRESS --entry-id 0x… --version N

It finds the `CatalogVersionSubmitted` log of (entry id, version), checks that the document it
carries is canonical JSON hashing to the logged `documentHash` and valid against its schema,
re-derives the entry id and `declaredAt` from the document, decodes the transaction's `execute`
or `executeBatch` calldata for the signed action, rebuilds its EIP-712 digest and recovers the
signer, which must be the logged `signer`, an ECDSA key of the logged unit. It prints one JSON
object with every check; the exit status is 0 when all pass, 1 when one fails, 2 for bad usage
or a chain it cannot read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import urllib.request
from pathlib import Path
from typing import Any

import rfc8785
from eth_abi import decode, encode
from eth_hash.auto import keccak
from eth_keys import keys
from eth_utils import to_checksum_address
from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

# --- docs/PROTOCOL.md ---------------------------------------------------------------------------

VERSION_SUBMITTED = (
    "CatalogVersionSubmitted(bytes32,uint32,bytes32,uint8,address,uint256,bytes32,uint40,uint40,uint40,uint8,bytes32,"
    "bytes)"
)
VERSION_SUBMITTED_DATA = [
    "uint8",
    "address",
    "uint256",
    "bytes32",
    "uint40",
    "uint40",
    "uint40",
    "uint8",
    "bytes32",
    "bytes",
]
ACTION_TUPLE = "(uint8,bytes32,uint32,uint16,bytes,uint256,uint40,uint8,bytes32,bytes)"  # ICatalog.SignedAction
EXECUTE = f"execute({ACTION_TUPLE})"
EXECUTE_BATCH = f"executeBatch({ACTION_TUPLE}[])"
DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
ACTION_TYPE = (
    "CatalogAction(uint8 kind,bytes32 entryId,uint32 version,uint16 reasonCode,bytes document,"
    "uint256 nonce,uint40 declaredAt,uint8 sharing,bytes32 responsibility)"
)
DOMAIN_NAME, DOMAIN_VERSION = "PutuoCatalog", "1"
# VersionKind (Initial, Resubmission, Change, Deletion) → the ActionKind that creates it, and its schema.
ACTION_OF_VERSION = {0: 0, 1: 1, 2: 2, 3: 3}
# SharingAttribute: the document's sharing.attribute as the version signs it (0: not an entry version).
SHARING_ATTRIBUTE = {"unconditional": 1, "conditional": 2, "not_shared": 3}
SCHEMA_OF_VERSION = {0: "putuo.catalog/1", 1: "putuo.catalog/1", 2: "putuo.catalog/1", 3: "putuo.catalog-deletion/1"}
KEY_SCHEME_ECDSA = 1
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
SHANGHAI = dt.timezone(dt.timedelta(hours=8))

DEFAULT_SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


class ChainError(Exception):
    """Raised when the node does not answer, or answers what is not a catalog."""


# --- JSON Schema as PROTOCOL.md reads it --------------------------------------------------------


def _ecma_pattern(pattern: str) -> str:
    """An ECMA-262 pattern (JSON Schema's dialect) for Python's `re`: `\\d` is [0-9], and a final
    `$` ends the string (in Python it also matches before a final newline)."""
    pattern = re.sub(r"(?<!\\)\\d", "[0-9]", pattern)
    return pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not re.search(_ecma_pattern(pattern), instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    """RFC 3339 full-date, and a real date."""
    if not isinstance(value, str):
        return True
    return bool(re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value)) and bool(dt.date.fromisoformat(value))


@_FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    """RFC 3339 date-time, and a real time."""
    if not isinstance(value, str):
        return True
    shape = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
    return bool(re.fullmatch(shape, value)) and bool(dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00")))


_Validator = validators.extend(Draft202012Validator, {"pattern": _pattern})


def document_validator(schema: dict) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator as PROTOCOL.md asks: ECMA-262 patterns, `format` asserted."""
    return _Validator(schema, format_checker=_FORMATS)


def schema_errors(schema: dict, document: Any) -> list[str]:
    """Every way `document` fails `schema` ("path: message"), empty when it is valid."""
    out = []
    for error in sorted(document_validator(schema).iter_errors(document), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(p) for p in error.absolute_path) or "(document)"
        out.append(f"{path}: {error.message}")
    return out


def load_schema(directory: Path, schema_id: str) -> dict:
    """docs/schemas/<id with / as ->.json."""
    return json.loads((directory / (schema_id.replace("/", "-") + ".json")).read_text(encoding="utf-8"))


# --- chain access -------------------------------------------------------------------------------


class Rpc:
    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, method: str, *params: Any) -> Any:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
        request = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                reply = json.loads(response.read())
        except OSError as exc:
            raise ChainError(f"{method}: {exc}") from None
        if "error" in reply:
            raise ChainError(f"{method}: {reply['error'].get('message')}")
        return reply["result"]

    def call(self, to: str, signature: str, types: list[str], args: list, returns: list[str], block: str) -> tuple:
        data = selector(signature) + encode(types, args)
        return decode(returns, hexbytes(self("eth_call", {"to": to, "data": "0x" + data.hex()}, block)))


def selector(signature: str) -> bytes:
    return keccak(signature.encode())[:4]


def hexbytes(value: str) -> bytes:
    return bytes.fromhex(value[2:])


def word(value: bytes | int) -> str:
    raw = value.to_bytes(32, "big") if isinstance(value, int) else value.rjust(32, b"\0")
    return "0x" + raw.hex()


# --- the derivations ----------------------------------------------------------------------------


def domain_separator(chain_id: int, contract: str) -> bytes:
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(DOMAIN_TYPE.encode()),
                keccak(DOMAIN_NAME.encode()),
                keccak(DOMAIN_VERSION.encode()),
                chain_id,
                contract,
            ],
        )
    )


def action_digest(action: tuple, chain_id: int, catalog: str) -> bytes:
    """EIP-712 digest of a SignedAction tuple (its signature, the last field, is not signed)."""
    kind, entry_id, version, reason_code, document, nonce, declared_at, sharing, responsibility, _signature = action
    struct = keccak(
        encode(
            ["bytes32", "uint8", "bytes32", "uint32", "uint16", "bytes32", "uint256", "uint40", "uint8", "bytes32"],
            [
                keccak(ACTION_TYPE.encode()),
                kind,
                entry_id,
                version,
                reason_code,
                keccak(document),
                nonce,
                declared_at,
                sharing,
                responsibility,
            ],
        )
    )
    return keccak(b"\x19\x01" + domain_separator(chain_id, catalog) + struct)


def recover(digest: bytes, signature: bytes) -> str:
    """The signer's address, refusing what OpenZeppelin's ECDSA refuses (length, v, high s)."""
    if len(signature) != 65:
        raise ValueError(f"signature is {len(signature)} bytes, not 65")
    r, s, v = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big"), signature[64]
    if v not in (27, 28) or s > SECP256K1_N // 2:
        raise ValueError("signature has a bad v or a high s")
    public = keys.Signature(vrs=(v - 27, r, s)).recover_public_key_from_msg_hash(digest)
    return public.to_checksum_address()


def entry_id_of(unit_id: bytes, code: str) -> bytes:
    return keccak(unit_id + code.encode("utf-8"))


def declared_at_of(document: dict) -> int:
    """00:00 Asia/Shanghai of the document's basis_event.date."""
    date = dt.date.fromisoformat(document["basis_event"]["date"])
    return int(dt.datetime.combine(date, dt.time(), SHANGHAI).timestamp())


def _no_duplicates(pairs: list) -> dict:
    keys_seen = [k for k, _ in pairs]
    if len(keys_seen) != len(set(keys_seen)):
        raise ValueError("duplicate key")
    return dict(pairs)


def parse_canonical(raw: bytes) -> tuple[Any, bool]:
    """The JSON value of `raw` (duplicate keys refused) and whether `raw` is its RFC 8785 form."""
    value = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    return value, rfc8785.dumps(value) == raw


# --- the verification ---------------------------------------------------------------------------


class Report:
    def __init__(self) -> None:
        self.facts: dict[str, Any] = {}
        self.checks: list[dict[str, Any]] = []

    def check(self, name: str, ok: bool, detail: Any = None) -> bool:
        self.checks.append({"check": name, "ok": bool(ok), **({"detail": detail} if detail is not None else {})})
        return bool(ok)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c["ok"] for c in self.checks)

    def as_json(self) -> dict:
        return {"ok": self.ok, **self.facts, "checks": self.checks}


def verify(rpc: Rpc, catalog: str, entry_id: bytes, version: int, schemas: Path) -> Report:
    report = Report()
    catalog = catalog.lower()
    chain_id = int(rpc("eth_chainId"), 16)
    logs = rpc(
        "eth_getLogs",
        {
            "address": catalog,
            "fromBlock": "0x0",
            "toBlock": "latest",
            "topics": [word(keccak(VERSION_SUBMITTED.encode())), word(entry_id), word(version)],
        },
    )
    if not report.check("event", len(logs) == 1, f"{len(logs)} CatalogVersionSubmitted logs of this entry version"):
        return report
    log = logs[0]
    unit_id = hexbytes(log["topics"][3])
    kind, signer, nonce, document_hash, due_at, declared_at, compile_due_at, sharing, responsibility, document = decode(
        VERSION_SUBMITTED_DATA, hexbytes(log["data"])
    )
    report.facts.update(
        {
            "entry_id": "0x" + entry_id.hex(),
            "version": version,
            "unit_id": "0x" + unit_id.hex(),
            "version_kind": kind,
            "signer": to_checksum_address(signer),
            "nonce": str(nonce),
            "document_hash": "0x" + document_hash.hex(),
            "due_at": due_at,
            "declared_at": declared_at,
            "compile_due_at": compile_due_at,
            "sharing": sharing,
            "responsibility": "0x" + responsibility.hex(),
            "block_number": int(log["blockNumber"], 16),
            "tx_hash": log["transactionHash"],
        }
    )

    # The document: canonical JSON, its hash, its schema, what it says of the entry.
    try:
        parsed, canonical = parse_canonical(document)
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        report.check("canonical", False, f"not UTF-8 JSON: {exc}")
        parsed, canonical = None, False
    else:
        report.check("canonical", canonical, None if canonical else "the bytes are not the RFC 8785 form of their JSON")
    report.check("document_hash", keccak(document) == document_hash, "keccak256(document) = documentHash")
    schema_id = SCHEMA_OF_VERSION.get(kind)
    if parsed is not None and schema_id is not None:
        errors = schema_errors(load_schema(schemas, schema_id), parsed)
        report.check("schema", not errors, errors or schema_id)
    else:
        report.check("schema", False, f"no document or unknown version kind {kind}")
    if isinstance(parsed, dict) and schema_id == "putuo.catalog/1" and isinstance(parsed.get("code"), str):
        report.check("entry_id", entry_id_of(unit_id, parsed["code"]) == entry_id, "keccak256(unitId ‖ utf8(code))")
        if kind == 0:
            try:
                expected = declared_at_of(parsed)
            except (KeyError, TypeError, ValueError):
                expected = None
            report.check("declared_at", declared_at == expected, f"declaredAt {declared_at}, document says {expected}")
    if kind != 0:
        report.check("declared_at", declared_at == 0, "only a submission declares a date")
    if isinstance(parsed, dict) and schema_id == "putuo.catalog/1":
        stated = SHARING_ATTRIBUTE.get((parsed.get("sharing") or {}).get("attribute"))
        report.check("sharing", sharing == stated, f"signed sharing {sharing}, document says {stated}")
        named = parsed.get("responsibility") or "0x" + "00" * 32
        signed = "0x" + responsibility.hex()
        report.check("responsibility", signed == named, f"signed responsibility {signed}, document says {named}")
    else:
        report.check("sharing", sharing == 0, "only an entry version signs a sharing attribute")
        report.check("responsibility", responsibility == bytes(32), "only an entry version names a responsibility")

    # The transaction: the signed action in its calldata, the digest, the signer.
    tx = rpc("eth_getTransactionByHash", log["transactionHash"])
    calldata = hexbytes(tx["input"])
    if not report.check("transaction_to", (tx.get("to") or "").lower() == catalog, tx.get("to")):
        return report
    if calldata[:4] == selector(EXECUTE):
        actions = list(decode([ACTION_TUPLE], calldata[4:]))
    elif calldata[:4] == selector(EXECUTE_BATCH):
        actions = list(decode([ACTION_TUPLE + "[]"], calldata[4:])[0])
    else:
        report.check("calldata", False, f"selector 0x{calldata[:4].hex()} is neither execute nor executeBatch")
        return report
    matching = [a for a in actions if a[1] == entry_id and a[5] == nonce and keccak(a[4]) == document_hash]
    report.check(
        "calldata",
        len(matching) == 1,
        f"{len(matching)} of the transaction's {len(actions)} actions are this entry, nonce and document",
    )
    if len(matching) != 1:
        return report
    action = matching[0]
    expected_fields = (
        ACTION_OF_VERSION.get(kind),
        entry_id,
        0,
        0,
        document,
        nonce,
        declared_at,
        sharing,
        responsibility,
    )
    report.check(
        "action_fields",
        tuple(action[:9]) == expected_fields,
        "kind from the version kind, version 0, reasonCode 0, the logged document, nonce, declaredAt, sharing and "
        "responsibility",
    )

    fields, name, version_, domain_chain, contract, salt, extensions = rpc.call(
        catalog,
        "eip712Domain()",
        [],
        [],
        ["bytes1", "string", "string", "uint256", "address", "bytes32", "uint256[]"],
        log["blockNumber"],
    )
    domain = (fields, name, version_, domain_chain, contract.lower(), salt, extensions)
    report.check(
        "domain",
        domain == (b"\x0f", DOMAIN_NAME, DOMAIN_VERSION, chain_id, catalog, b"\0" * 32, ()),
        {"name": name, "version": version_, "chainId": domain_chain, "verifyingContract": contract},
    )
    digest = action_digest(action, chain_id, catalog)
    report.facts["digest"] = "0x" + digest.hex()
    if len(action[-1]) != 65 and action[-1][:20].hex() == signer.lower()[2:]:
        report.check("signer", False, "an SM2 signature (key id ‖ DER, PROTOCOL.md 3.1): this script checks ECDSA only")
        return report
    try:
        recovered = recover(digest, action[-1])
    except ValueError as exc:
        report.check("signer", False, str(exc))
        return report
    report.facts["recovered"] = recovered
    report.check("signer", recovered.lower() == signer.lower(), "the recovered address is the logged signer")

    (registry,) = rpc.call(catalog, "registry()", [], [], ["address"], log["blockNumber"])
    key_unit, scheme, *_times = rpc.call(
        registry,
        "keyRecord(address)",
        ["address"],
        [recovered],
        ["bytes32", "uint8", "uint40", "uint40", "uint40", "uint40"],
        log["blockNumber"],
    )
    report.check(
        "signer_unit",
        key_unit == unit_id and scheme == KEY_SCHEME_ECDSA,
        f"the registry holds the key for unit 0x{key_unit.hex()}, scheme {scheme}",
    )
    return report


def _bytes32(value: str) -> bytes:
    if not re.fullmatch(r"0x[0-9a-fA-F]{64}", value):
        raise argparse.ArgumentTypeError("expected 0x and 64 hex digits")
    return bytes.fromhex(value[2:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rpc", required=True, help="the node's JSON-RPC URL")
    parser.add_argument("--catalog", required=True, help="the Catalog contract's address")
    parser.add_argument("--entry-id", required=True, type=_bytes32)
    parser.add_argument("--version", required=True, type=int)
    parser.add_argument("--schemas", type=Path, default=DEFAULT_SCHEMAS, help="docs/schemas of the protocol")
    args = parser.parse_args(argv)
    try:
        report = verify(Rpc(args.rpc), args.catalog, args.entry_id, args.version, args.schemas)
    except ChainError as exc:
        print(json.dumps({"ok": False, "error": str(exc)}))
        return 2
    print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
