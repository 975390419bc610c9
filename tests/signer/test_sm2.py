"""SM2 (GB/T 32918.2): the standard's example, failure vectors, round trips."""

from __future__ import annotations

import gmssl_pyx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signer import _sm2_curve as curve
from signer import errors, sm2
from signer.der import decode_signature
from tests.signer.helpers import VECTORS, hexb, load_vector, vector_message

ANNEX_A = load_vector("sm2-gbt32918-5-annex-a.json")
# sm2-onchain-*.json are the contracts' vectors (tests/contracts/test_sm2_onchain.py), another schema.
FAILURES = sorted(
    p.name
    for p in VECTORS.glob("sm2-*.json")
    if p.name != "sm2-gbt32918-5-annex-a.json" and not p.name.startswith("sm2-onchain-")
)
PUB = hexb(ANNEX_A["public_key"])
UID = ANNEX_A["user_id"].encode()
MSG = vector_message(ANNEX_A)


def test_default_user_id_is_the_standard_one() -> None:
    assert sm2.DEFAULT_USER_ID == b"1234567812345678" == UID


def test_annex_a_z_a_and_e_match_the_standard() -> None:
    assert sm2.z_a(PUB, user_id=UID) == hexb(ANNEX_A["z_a"])
    assert sm2.message_digest(PUB, MSG, user_id=UID) == hexb(ANNEX_A["e"])


def test_annex_a_public_key_is_derived_from_the_private_key() -> None:
    assert sm2.public_key_from_private(hexb(ANNEX_A["private_key"])) == PUB


def test_annex_a_r_follows_from_k() -> None:
    # The curve arithmetic reproduces (x1, y1) = kG and r = (e + x1) mod n.
    k = int(ANNEX_A["k"], 16)
    x1, y1 = curve.mul_add(k, curve.G, 0, None)
    assert (x1, y1) == (int(ANNEX_A["kg_x"], 16), int(ANNEX_A["kg_y"], 16))
    assert (int(ANNEX_A["e"], 16) + x1) % curve.N == int(ANNEX_A["r"], 16)


def test_annex_a_published_signature_verifies() -> None:
    signature = hexb(ANNEX_A["signature_der"])
    assert decode_signature(signature) == (int(ANNEX_A["r"], 16), int(ANNEX_A["s"], 16))
    sm2.verify(PUB, MSG, signature, user_id=UID)  # raises if not


@pytest.mark.parametrize("name", FAILURES)
def test_failure_vector_is_refused_with_its_error(name: str) -> None:
    vector = load_vector(name)
    expected = getattr(errors, vector["expected_error"])
    with pytest.raises(errors.SignerError) as caught:
        sm2.verify(
            hexb(vector["public_key"]),
            vector_message(vector),
            hexb(vector["signature_der"]),
            user_id=vector["user_id"].encode(),
        )
    assert type(caught.value) is expected, vector["changed"]
    assert not sm2.is_valid(
        hexb(vector["public_key"]),
        vector_message(vector),
        hexb(vector["signature_der"]),
        user_id=vector["user_id"].encode(),
    )


def test_failure_vectors_cover_the_required_cases() -> None:
    required = {
        "sm2-bad-s.json",
        "sm2-r-zero.json",
        "sm2-s-ge-n.json",
        "sm2-wrong-user-id.json",
        "sm2-wrong-key.json",
        "sm2-trailing-der.json",
        "sm2-truncated.json",
    }
    assert required <= set(FAILURES)


def test_out_of_range_error_names_the_value() -> None:
    vector = load_vector("sm2-s-ge-n.json")
    with pytest.raises(errors.SignatureValueOutOfRange) as caught:
        sm2.verify(PUB, MSG, hexb(vector["signature_der"]), user_id=UID)
    assert caught.value.got == hex(int(ANNEX_A["s"], 16) + curve.N)
    assert caught.value.expected == f"0 < s < 0x{curve.N:x}"


def test_z_a_is_what_gmssl_uses_for_the_same_user_id() -> None:
    private, public = sm2.generate_keypair()
    uid = b"officer@putuo.gov.cn"
    ours = sm2.sign(private, public, b"doc", user_id=uid)
    assert gmssl_pyx.sm2_verify(public[1:], b"doc", ours, signer_id=uid)
    theirs = gmssl_pyx.sm2_sign(private, public[1:], b"doc", signer_id=uid)
    sm2.verify(public, b"doc", theirs, user_id=uid)


def test_signature_by_one_user_id_fails_under_another() -> None:
    private, public = sm2.generate_keypair()
    signature = sm2.sign(private, public, b"doc", user_id=b"alice")
    with pytest.raises(errors.InvalidSignature):
        sm2.verify(public, b"doc", signature, user_id=sm2.DEFAULT_USER_ID)


@pytest.mark.parametrize("user_id", [b"", b"x" * 8192])
def test_user_id_outside_entl_range_is_refused(user_id: bytes) -> None:
    with pytest.raises(errors.InvalidUserId) as caught:
        sm2.z_a(PUB, user_id=user_id)
    assert caught.value.got == len(user_id)


def test_user_id_is_required() -> None:
    private, public = sm2.generate_keypair()
    with pytest.raises(TypeError):
        sm2.sign(private, public, b"doc")  # type: ignore[call-arg]


@pytest.mark.parametrize("d", [0, curve.N - 1, curve.N])
def test_private_key_outside_1_to_n_minus_2_is_refused(d: int) -> None:
    with pytest.raises(errors.InvalidPrivateKey):
        sm2.public_key_from_private(d.to_bytes(32, "big"))


def test_private_key_never_appears_in_the_error() -> None:
    bad = curve.N.to_bytes(32, "big")
    with pytest.raises(errors.InvalidPrivateKey) as caught:
        sm2.sign_digest(bad, b"\x00" * 32)
    assert bad.hex() not in repr(vars(caught.value)) + str(caught.value)


@settings(max_examples=15, deadline=None)
@given(message=st.binary(max_size=200), user_id=st.binary(min_size=1, max_size=40))
def test_sign_verify_round_trip(message: bytes, user_id: bytes) -> None:
    private, public = sm2.generate_keypair()
    assert sm2.public_key_from_private(private) == public
    signature = sm2.sign(private, public, message, user_id=user_id)
    sm2.verify(public, message, signature, user_id=user_id)
    with pytest.raises(errors.InvalidSignature):
        sm2.verify(public, message + b"!", signature, user_id=user_id)
