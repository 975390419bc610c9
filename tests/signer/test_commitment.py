"""The Art. 18 commitment: schema, refusals naming the field, signing and verification."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from signer import errors
from signer.commitment import (
    PROMISE_GENUINE_NEED,
    PROMISE_REASONABLE_GOAL,
    PROMISE_SAFE_COMPLIANT_USE,
    PROMISES,
    SCHEMA,
    build_commitment,
    sign_commitment,
    validate_commitment,
    verify_commitment,
)
from signer.keys import SigningKey
from tests.signer.helpers import hexb, load_vector

VECTOR = load_vector("detached-sm2-commitment.json")
SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture(scope="module", params=["sm2", "ecdsa"])
def officer(request) -> SigningKey:
    return SigningKey.generate(request.param, name="officer")


def make(officer: SigningKey, **over):
    args = {
        "demand_id": "0x" + "ab" * 32,
        "signing_unit_id": "PT-MZJ",
        "officer_key_id": officer.key_id,
        "scheme": officer.scheme,
        "scenario": "一网通办：低保资格核验",
        "signed_at": datetime(2024, 3, 15, 10, 30, tzinfo=SHANGHAI),
    }
    return build_commitment(**{**args, **over})


def test_promises_are_the_measures_words() -> None:
    assert PROMISES == ("需求真实", "使用目标合理", "使用过程安全合规")
    assert PROMISES == (PROMISE_GENUINE_NEED, PROMISE_REASONABLE_GOAL, PROMISE_SAFE_COMPLIANT_USE)


def test_stored_vector_validates_and_keeps_its_hash() -> None:
    commitment = validate_commitment(VECTOR["document"])
    assert commitment.canonical_bytes() == VECTOR["canonical_utf8"].encode()
    assert commitment.document_hash == hexb(VECTOR["document_hash"])
    assert validate_commitment(commitment.canonical_bytes()) == commitment


def test_build_normalizes_and_converts_time(officer: SigningKey) -> None:
    utc = datetime(2024, 3, 15, 2, 30, 0, 123456, tzinfo=timezone.utc)
    c = make(
        officer,
        demand_id=bytes.fromhex("AB" * 32),
        signed_at=utc,
        officer_key_id=officer.key_id.upper().replace("0X", "0x"),
    )
    assert c.demand_id == "0x" + "ab" * 32
    assert c.signed_at == "2024-03-15T10:30:00+08:00"
    assert c.officer_key_id == officer.key_id
    assert c.to_document()["schema"] == SCHEMA and c.promises == PROMISES


def test_default_signed_at_is_now_in_shanghai(officer: SigningKey) -> None:
    before = datetime.now(SHANGHAI).replace(microsecond=0)
    c = make(officer, signed_at=None)
    assert c.signed_at.endswith("+08:00")
    assert before <= datetime.fromisoformat(c.signed_at) <= datetime.now(SHANGHAI)


@pytest.mark.parametrize(
    "promises",
    [
        [PROMISE_GENUINE_NEED, PROMISE_REASONABLE_GOAL],
        [PROMISE_GENUINE_NEED, "使用目标基本合理", PROMISE_SAFE_COMPLIANT_USE],
        [PROMISE_GENUINE_NEED, PROMISE_REASONABLE_GOAL, "使用过程安全"],
    ],
)
def test_missing_or_altered_promise_is_refused(promises: list[str]) -> None:
    doc = {**VECTOR["document"], "promises": promises}
    with pytest.raises(errors.CommitmentPromiseMissing) as caught:
        validate_commitment(doc)
    assert caught.value.field == "promises"
    assert caught.value.expected in PROMISES and caught.value.expected not in promises


def test_promises_out_of_order_or_repeated_are_refused() -> None:
    for promises in (list(reversed(PROMISES)), [*PROMISES, PROMISE_GENUINE_NEED]):
        with pytest.raises(errors.DocumentFieldInvalid) as caught:
            validate_commitment({**VECTOR["document"], "promises": promises})
        assert caught.value.field == "promises"


@pytest.mark.parametrize("schema", ["putuo.commitment/2", "putuo.commitment", None])
def test_unknown_schema_version(schema) -> None:
    doc = {**VECTOR["document"], "schema": schema}
    with pytest.raises(errors.UnknownSchemaVersion) as caught:
        validate_commitment(doc)
    assert (caught.value.expected, caught.value.got) == (SCHEMA, schema)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("demand_id", "0x" + "AB" * 32),
        ("demand_id", "0x" + "ab" * 31),
        ("demand_id", 5),
        ("signing_unit_id", ""),
        ("signing_unit_id", " PT-MZJ"),
        ("signing_unit_id", None),
        ("scenario", "line\nbreak"),
        ("scenario", "x" * 2001),
        ("scheme", "rsa"),
        ("officer_key_id", "0x1234"),
        ("officer_key_id", "0x" + "AB" * 20),
        ("signed_at", "2024-03-15T10:30:00Z"),
        ("signed_at", "2024-03-15T10:30:00.5+08:00"),
        ("signed_at", "2024-02-30T10:30:00+08:00"),
        ("signed_at", "2024-03-15 10:30:00+08:00"),
        ("extra_clause", "anything"),
    ],
)
def test_bad_field_is_named(field: str, value) -> None:
    doc = {**VECTOR["document"], field: value}
    with pytest.raises(errors.DocumentFieldInvalid) as caught:
        validate_commitment(doc)
    assert caught.value.field == field


def test_missing_field_is_named() -> None:
    for field in ("demand_id", "signing_unit_id", "officer_key_id", "scenario", "signed_at", "promises"):
        doc = {k: v for k, v in VECTOR["document"].items() if k != field}
        with pytest.raises(errors.DocumentFieldInvalid) as caught:
            validate_commitment(doc)
        assert caught.value.field == field


def test_naive_datetime_is_refused(officer: SigningKey) -> None:
    with pytest.raises(errors.DocumentFieldInvalid) as caught:
        make(officer, signed_at=datetime(2024, 3, 15, 10, 30))
    assert caught.value.field == "signed_at"


def test_sign_and_verify(officer: SigningKey) -> None:
    c = make(officer)
    sig = sign_commitment(c, officer)
    assert sig.document_hash == c.document_hash
    result = verify_commitment(c.to_document(), sig, officer.public)
    assert result.ok, result.error
    pretty = json.dumps(c.to_document(), indent=2, ensure_ascii=False).encode()
    assert verify_commitment(pretty, sig.to_bytes(), officer.public).ok


def test_signing_with_another_key_than_the_officer_key_is_refused(officer: SigningKey) -> None:
    other = SigningKey.generate(officer.scheme)
    with pytest.raises(errors.KeyIdMismatch):
        sign_commitment(make(officer), other)


def test_signature_by_another_key_does_not_verify(officer: SigningKey) -> None:
    other = SigningKey.generate(officer.scheme)
    c_other = make(other)
    sig = sign_commitment(c_other, other)
    result = verify_commitment(make(officer).to_document(), sig)
    assert type(result.error) is errors.KeyIdMismatch


def test_altered_commitment_does_not_verify(officer: SigningKey) -> None:
    c = make(officer)
    sig = sign_commitment(c, officer)
    altered = {**c.to_document(), "scenario": "另一个场景"}
    result = verify_commitment(altered, sig, officer.public)
    assert type(result.error) is errors.DocumentHashMismatch


def test_invalid_commitment_is_a_result_not_an_exception(officer: SigningKey) -> None:
    c = make(officer)
    sig = sign_commitment(c, officer)
    result = verify_commitment({**c.to_document(), "promises": []}, sig)
    assert type(result.error) is errors.CommitmentPromiseMissing
