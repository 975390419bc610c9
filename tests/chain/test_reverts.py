"""chain.reverts: custom errors decoded from revert data, and described with enum values by name."""

from __future__ import annotations

from eth_abi import encode as abi_encode
from eth_utils import keccak

from chain.actions import EntryStatus
from chain.reverts import ENUMS, decode_rejection, decode_revert, describe, enum_arguments, named_arguments


def test_every_enum_an_error_carries_has_its_python_side():
    named = {enum for arguments in enum_arguments().values() for enum in arguments.values()}
    assert named and named <= set(ENUMS)


def test_an_error_is_described_with_enum_names_and_keeps_its_numbers():
    entry = b"\x42" * 32
    data = keccak(text="CatalogInvalidStatus(bytes32,uint8,uint8)")[:4] + abi_encode(
        ["bytes32", "uint8", "uint8"], [entry, EntryStatus.ACTIVE, 9]
    )
    error = decode_revert(data)
    assert error.error_args == {"entryId": "0x" + entry.hex(), "expected": 3, "actual": 9}
    assert named_arguments(error) == {"entryId": "0x" + entry.hex(), "expected": "active", "actual": 9}  # 9: no such
    assert describe(error) == f"CatalogInvalidStatus(entryId=0x{entry.hex()}, expected=active, actual=9)"
    assert str(error) == f"CatalogInvalidStatus(entryId=0x{entry.hex()}, expected=3, actual=9)"  # as stored


def test_a_rejection_that_does_not_decode_is_still_a_rejection():
    malformed = keccak(text="CatalogInvalidStatus(bytes32,uint8,uint8)")[:4] + b"\x01"
    error = decode_rejection(malformed)
    assert (error.error, error.error_args, error.raw) == ("UnknownRevert", {"data": "0x" + malformed.hex()}, malformed)
