"""The detached signature file: hash rule, signed message, strict parsing, stored vectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from signer import errors
from signer.canonical import canonical_bytes
from signer.detached import (
    SIGNED_MESSAGE_TAG,
    DetachedSignature,
    file_document_hash,
    sign_detached,
    signed_message,
)
from signer.keys import PublicKey, SigningKey
from signer.pem import public_key_pem
from signer.verify import verify_detached
from tests.signer.helpers import DISTID, hexb, load_vector, run_openssl

SM2_VECTOR = load_vector("detached-sm2-commitment.json")
ECDSA_VECTOR = load_vector("detached-ecdsa-raw.json")


def test_json_document_hash_is_its_canonical_id_whatever_the_formatting() -> None:
    doc = {"b": 1, "a": ["中", True]}
    pretty = json.dumps(doc, indent=4, ensure_ascii=True).encode()
    assert file_document_hash(pretty) == keccak(canonical_bytes(doc))
    assert file_document_hash(canonical_bytes(doc)) == keccak(canonical_bytes(doc))


@pytest.mark.parametrize("data", [b"\x00\xff binary", b'{"a": 1, "a": 2}', b"{truncated", b"NaN"])
def test_non_json_or_ambiguous_json_is_hashed_raw(data: bytes) -> None:
    assert file_document_hash(data) == keccak(data)


def test_signed_message_is_tag_then_hash() -> None:
    assert SIGNED_MESSAGE_TAG == b"putuo.signature/1\x00"
    assert signed_message(b"\x11" * 32) == SIGNED_MESSAGE_TAG + b"\x11" * 32
    assert len(signed_message(b"\x11" * 32)) == 50


def test_stored_sm2_commitment_signature_verifies() -> None:
    document = SM2_VECTOR["canonical_utf8"].encode()
    assert file_document_hash(document) == hexb(SM2_VECTOR["document_hash"])
    result = verify_detached(document, SM2_VECTOR["signature_file"], SM2_VECTOR["signature_file"]["public_key"])
    assert result.ok, result.error


def test_stored_sm2_signature_verifies_in_openssl_from_the_hash_alone(openssl: str, tmp_path: Path) -> None:
    # An auditor with only the chain's record (hash, signature, key) can check it with OpenSSL.
    sig = DetachedSignature.from_json(SM2_VECTOR["signature_file"])

    (tmp_path / "pub.pem").write_bytes(public_key_pem(PublicKey("sm2", sig.public_key, sig.user_id)))
    (tmp_path / "msg").write_bytes(signed_message(sig.document_hash))
    (tmp_path / "sig").write_bytes(sig.signature)
    out = run_openssl(
        "dgst",
        "-sm3",
        "-sigopt",
        DISTID,
        "-verify",
        tmp_path / "pub.pem",
        "-signature",
        tmp_path / "sig",
        tmp_path / "msg",
    )
    assert out.stdout.strip() == "Verified OK"


def test_stored_ecdsa_raw_signature_verifies_and_recovers_its_key_id() -> None:
    document = hexb(ECDSA_VECTOR["document_hex"])
    sig = DetachedSignature.from_json(ECDSA_VECTOR["signature_file"])
    assert sig.key_id == "0x5ce9454909639D2D17A3F753ce7d93fa0b9aB12E"
    assert len(sig.signature) == 65 and sig.signature[64] in (27, 28)
    assert verify_detached(document, sig).ok


def test_to_json_from_json_round_trip() -> None:
    sig = sign_detached(b"doc", SigningKey.generate("sm2"))
    assert DetachedSignature.from_bytes(sig.to_bytes()) == sig
    assert list(sig.to_json()) == ["schema", "scheme", "key_id", "public_key", "user_id", "document_hash", "signature"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"extra": 1}, "extra"),
        ({"scheme": "rsa"}, "scheme"),
        ({"public_key": "0x04"}, "public_key"),
        ({"public_key": "0X04"}, "public_key"),
        ({"document_hash": "0x" + "AB" * 32}, "document_hash"),
        ({"key_id": "0x1234"}, "key_id"),
        ({"user_id": ""}, "user_id"),
        ({"user_id": None}, "user_id"),
    ],
)
def test_strict_parsing_names_the_field(change: dict, field: str) -> None:
    obj = {**SM2_VECTOR["signature_file"], **change}
    with pytest.raises(errors.DocumentFieldInvalid) as caught:
        DetachedSignature.from_json(obj)
    assert caught.value.field == field


def test_unknown_signature_schema() -> None:
    obj = {**SM2_VECTOR["signature_file"], "schema": "putuo.signature/2"}
    with pytest.raises(errors.UnknownSchemaVersion) as caught:
        DetachedSignature.from_json(obj)
    assert (caught.value.expected, caught.value.got) == ("putuo.signature/1", "putuo.signature/2")


@settings(max_examples=10, deadline=None)
@given(scheme=st.sampled_from(["sm2", "ecdsa"]), document=st.binary(max_size=200))
def test_sign_verify_round_trip_and_any_change_is_caught(scheme: str, document: bytes) -> None:
    key = SigningKey.generate(scheme)
    sig = sign_detached(document, key)
    assert verify_detached(document, sig, key.public).ok
    changed = verify_detached(document + b"\n#", sig, key.public)
    assert type(changed.error) is errors.DocumentHashMismatch
