"""SM3 and SM2 verification in Solidity (contracts/lib/SM3.sol, SM2.sol) through SM2Harness.

References: the standards' examples (GB/T 32905 Annex A, GB/T 32918.5 Annex A), Python's SM3
(`cryptography`), the project's signer (GmSSL) and OpenSSL 3, and the vectors
tests/vectors/sm2-onchain-*.json, each named after the one thing changed from
sm2-onchain-valid.json, with the exact custom error the contract must give.
"""

from __future__ import annotations

import enum
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from eth_abi import decode as abi_decode
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st
from web3.exceptions import ContractCustomError, ContractLogicError

from chain.client import Sender, connect, deploy_contract, revert_data
from signer import _sm2_curve as curve
from signer import errors, sm2
from signer.der import decode_signature, encode_signature
from signer.keys import SigningKey
from tests.conftest import TEST_NODES
from tests.signer.helpers import DISTID, OPENSSL, VECTORS, hexb, load_vector, run_openssl

N, P = curve.N, curve.P
DEFAULT_ID = sm2.DEFAULT_USER_ID
# The tenth well-known dev account of anvil and Hardhat: no other test sends from it, so deploying
# the harness leaves the nonces of the System fixture's senders alone.
HARNESS_DEPLOYER_KEY = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6"
GAS_BAR = 400_000  # one verification must stay under it (the goal is 250k)
SM3_IV = bytes.fromhex("7380166f4914b2b9172442d7da8a0600a96f30bc163138aae38dee4db0fb0e4e")  # GB/T 32905 §4.1


class DerError(enum.IntEnum):
    """SM2.DerError, member for member."""

    NoError = 0
    Truncated = 1
    TrailingData = 2
    InvalidTag = 3
    LongFormLength = 4
    EmptyInteger = 5
    NegativeInteger = 6
    NonMinimalInteger = 7
    IntegerTooLarge = 8


ONCHAIN_VECTORS = sorted(p.name for p in VECTORS.glob("sm2-onchain-*.json"))
# Vectors over a message M (the others give the digest e and (r, s) directly).
MESSAGE_VECTORS = [n for n in ONCHAIN_VECTORS if "message_hex" in load_vector(n)]
REFUSED_MESSAGE_VECTORS = [n for n in MESSAGE_VECTORS if not load_vector(n)["valid"]]
DIGEST_VECTORS = [n for n in ONCHAIN_VECTORS if n not in MESSAGE_VECTORS]


@pytest.fixture(scope="module", params=TEST_NODES)
def harness(request, node_factory):
    w3 = connect(node_factory(request.param).url)
    contract, _ = deploy_contract(Sender.from_key(w3, HARNESS_DEPLOYER_KEY), "SM2Harness")
    return contract


# --- helpers ---------------------------------------------------------------------------------


def coordinates(public_key: bytes) -> tuple[int, int]:
    assert len(public_key) == 65 and public_key[0] == 4
    return int.from_bytes(public_key[1:33], "big"), int.from_bytes(public_key[33:], "big")


def python_sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def reference_verify(e: int, r: int, s: int, key: tuple[int, int]) -> bool:
    """GB/T 32918.2 §7.1 on e, in plain Python (signer/_sm2_curve.py)."""
    if not (0 < r < N and 0 < s < N and curve.is_on_curve(*key)):
        return False
    t = (r + s) % N
    point = curve.mul_add(s, curve.G, t, key) if t else None
    return point is not None and (e + point[0]) % N == r


def _error_table(abi: list[dict]) -> dict[bytes, dict]:
    table = {}
    for item in abi:
        if item["type"] == "error":
            signature = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
            table[keccak(text=signature)[:4]] = item
    return table


def reverted_with(harness, call) -> tuple[str, dict]:
    """The custom error (name, arguments) with which the view call `call` reverts."""
    # anvil's revert gives web3 a ContractCustomError, the Hardhat node's a ContractLogicError.
    with pytest.raises((ContractCustomError, ContractLogicError)) as info:
        call.call()
    data = revert_data(info.value)
    assert data is not None, info.value
    item = _error_table(harness.abi)[data[:4]]
    values = abi_decode([i["type"] for i in item["inputs"]], data[4:])
    args = {i["name"]: ("0x" + v.hex() if isinstance(v, bytes) else v) for i, v in zip(item["inputs"], values)}
    return item["name"], args


def expected_error(vector: dict) -> tuple[str, dict]:
    """A vector's error as `reverted_with` gives it: uint256 arguments are hex in the JSON."""
    error = vector["error"]
    args = dict(error["args"])
    for name in ("r", "s", "x", "y"):
        if name in args:
            args[name] = int(args[name], 16)
    if "reason" in args:
        args["reason"] = DerError[args["reason"]]
    return error["name"], args


def signer_counterpart(error: str, args: dict) -> str:
    """The signer.errors class that signer.sm2.verify raises where the contract raises `error`."""
    if error == "SM2InvalidDer":
        return {
            DerError.Truncated: "SignatureTruncated",
            DerError.TrailingData: "SignatureTrailingData",
            DerError.IntegerTooLarge: "SignatureValueOutOfRange",
        }.get(args["reason"], "SignatureEncodingError")
    return {
        "SM2InvalidSignatureRange": "SignatureValueOutOfRange",
        "SM2InvalidPublicKey": "InvalidPublicKey",
        "SM2InvalidSignature": "InvalidSignature",
    }[error]


# --- SM3 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", load_vector("sm3.json")["vectors"], ids=lambda v: v["name"])
def test_sm3_standard_examples(harness, vector):
    message = vector["message_utf8"].encode()
    assert "0x" + harness.functions.sm3(message).call().hex() == vector["digest"]
    if len(message) == 64:
        assert "0x" + harness.functions.sm3Pair(message[:32], message[32:]).call().hex() == vector["digest"]


@pytest.mark.parametrize("length", [0, 1, 31, 32, 33, 55, 56, 63, 64, 65, 119, 120, 127, 128, 146, 210, 1000])
def test_sm3_at_padding_boundaries(harness, length):
    # 55 / 56 bytes: the last length whose padding fits one block, and the first that needs two.
    data = bytes((7 * i + length) % 256 for i in range(length))
    assert harness.functions.sm3(data).call() == python_sm3(data)


@settings(max_examples=25, deadline=None)
@given(data=st.binary(max_size=300))
def test_sm3_matches_python(harness, data):
    assert harness.functions.sm3(data).call() == python_sm3(data)


@settings(max_examples=25, deadline=None)
@given(a=st.binary(min_size=32, max_size=32), b=st.binary(min_size=32, max_size=32))
def test_sm3_pair_matches_python(harness, a, b):
    assert harness.functions.sm3Pair(a, b).call() == python_sm3(a + b)


def test_sm3_compress_chains_to_the_hash(harness):
    # The Z_A preimage of the standard's key, padded by hand into four blocks (§5.2).
    key = coordinates(hexb(load_vector("sm2-gbt32918-5-annex-a.json")["public_key"]))
    preimage = (
        (128).to_bytes(2, "big")
        + DEFAULT_ID
        + b"".join(v.to_bytes(32, "big") for v in (curve.A, curve.B, curve.GX, curve.GY, *key))
    )
    padded = preimage + b"\x80" + b"\x00" * (55 - len(preimage) % 64) + (8 * len(preimage)).to_bytes(8, "big")
    assert len(padded) == 256
    state = SM3_IV
    for i in range(0, 256, 64):
        state = harness.functions.sm3Compress(state, padded[i : i + 32], padded[i + 32 : i + 64]).call()
    assert state == python_sm3(preimage)


# --- Z_A, keys ---------------------------------------------------------------------------------


def test_standard_example_on_the_recommended_curve(harness):
    """GB/T 32918.5 Annex A (= GM/T 0003.5 A.2): Z_A, e and (r, s) as the standard gives them."""
    v = load_vector("sm2-gbt32918-5-annex-a.json")
    x, y = coordinates(hexb(v["public_key"]))
    r, s = int(v["r"], 16), int(v["s"], 16)
    z_a = harness.functions.userHashZ(x, y).call()
    assert "0x" + z_a.hex() == v["z_a"]
    assert harness.functions.userHashZWithId(v["user_id"].encode(), x, y).call() == z_a
    e = harness.functions.messageDigestOfBytes(z_a, v["message_utf8"].encode()).call()
    assert "0x" + e.hex() == v["e"]
    assert harness.functions.decodeDer(hexb(v["signature_der"])).call() == [r, s]
    assert harness.functions.tryVerifyDigest(e, r, s, x, y).call() is True
    harness.functions.verifyDigest(e, r, s, x, y).call()  # does not revert
    assert harness.functions.tryVerifyDigest(e, r, s + 1, x, y).call() is False


@settings(max_examples=10, deadline=None)
@given(d=st.integers(min_value=1, max_value=N - 2))
def test_user_hash_z_matches_the_signer(harness, d):
    key = SigningKey.from_private("sm2", d.to_bytes(32, "big"))
    x, y = coordinates(key.public_key)
    expected = sm2.z_a(key.public_key, user_id=DEFAULT_ID)
    assert harness.functions.userHashZ(x, y).call() == expected
    assert harness.functions.userHashZWithId(DEFAULT_ID, x, y).call() == expected
    assert harness.functions.userHashZWithId(b"ALICE123@YAHOO.COM", x, y).call() == sm2.z_a(
        key.public_key, user_id=b"ALICE123@YAHOO.COM"
    )


@pytest.mark.parametrize("length", [0, 8192])
def test_user_id_must_fit_entl(harness, length):
    x, y = curve.G
    assert reverted_with(harness, harness.functions.userHashZWithId(b"1" * length, x, y)) == (
        "SM2InvalidUserId",
        {"length": length},
    )


def test_public_key_validity(harness):
    (x0, y0), _ = curve.lift_x(0)
    is_valid = harness.functions.isValidPublicKey
    assert is_valid(*curve.G).call() is True
    assert is_valid(x0, y0).call() is True  # x = 0 is a coordinate like any other
    assert is_valid(P, y0).call() is False  # ≡ (0, y0) mod p, but not reduced
    assert is_valid(0, 0).call() is False  # the usual encoding of infinity
    assert is_valid(curve.GX, curve.GY + 1).call() is False
    assert reverted_with(harness, harness.functions.userHashZ(P, y0)) == ("SM2InvalidPublicKey", {"x": P, "y": y0})


# --- signatures over a 32-byte M ---------------------------------------------------------------


def test_valid_vector(harness):
    v = load_vector("sm2-onchain-valid.json")
    public_key, message, der = hexb(v["public_key"]), hexb(v["message_hex"]), hexb(v["signature_der"])
    x, y = coordinates(public_key)
    r, s = int(v["r"], 16), int(v["s"], 16)
    assert sm2.is_valid(public_key, message, der, user_id=DEFAULT_ID)
    z_a = harness.functions.userHashZ(x, y).call()
    assert "0x" + z_a.hex() == v["z_a"]
    assert "0x" + harness.functions.messageDigest(z_a, message).call().hex() == v["e"]
    assert "0x" + harness.functions.messageDigestOfBytes(z_a, message).call().hex() == v["e"]
    assert harness.functions.tryDecodeDer(der).call() == [DerError.NoError, r, s]
    assert harness.functions.tryVerify(z_a, message, r, s, x, y).call() is True
    assert harness.functions.tryVerifyDer(z_a, message, der, x, y).call() is True
    harness.functions.verify(z_a, message, r, s, x, y).call()
    harness.functions.verifyDer(z_a, message, der, x, y).call()


@pytest.mark.parametrize("name", REFUSED_MESSAGE_VECTORS)
def test_refused_vector(harness, name):
    """tryVerify… say false, verify… revert with the vector's exact error, and the project's
    signer refuses the same input for the same reason."""
    v = load_vector(name)
    public_key, message, der = hexb(v["public_key"]), hexb(v["message_hex"]), hexb(v["signature_der"])
    x, y = coordinates(public_key)
    z_a = hexb(v["z_a"])  # the signer's key's Z_A, also where the key was changed
    error, args = expected_error(v)
    with pytest.raises(errors.SignerError) as caught:
        sm2.verify(public_key, message, der, user_id=DEFAULT_ID)
    assert type(caught.value).__name__ == v["signer_error"] == signer_counterpart(error, args)
    assert harness.functions.tryVerifyDer(z_a, message, der, x, y).call() is False
    assert reverted_with(harness, harness.functions.verifyDer(z_a, message, der, x, y)) == (error, args)
    if error == "SM2InvalidDer":
        assert harness.functions.tryDecodeDer(der).call() == [args["reason"], 0, 0]
        assert reverted_with(harness, harness.functions.decodeDer(der)) == (error, args)
        return
    r, s = int(v["r"], 16), int(v["s"], 16)  # strict DER, so (r, s) also go in directly
    assert harness.functions.tryDecodeDer(der).call() == [DerError.NoError, r, s]
    assert harness.functions.tryVerify(z_a, message, r, s, x, y).call() is False
    assert reverted_with(harness, harness.functions.verify(z_a, message, r, s, x, y)) == (error, args)
    if error == "SM2InvalidPublicKey":
        assert reverted_with(harness, harness.functions.userHashZ(x, y)) == (error, {"x": x, "y": y})


def test_signature_with_another_user_id_verifies_with_its_own_z_a(harness):
    v = load_vector("sm2-onchain-wrong-user-id.json")
    x, y = coordinates(hexb(v["public_key"]))
    z_a = harness.functions.userHashZWithId(v["signer_user_id"].encode(), x, y).call()
    assert "0x" + z_a.hex() == v["signer_z_a"]
    assert harness.functions.tryVerifyDer(z_a, hexb(v["message_hex"]), hexb(v["signature_der"]), x, y).call() is True


@pytest.mark.parametrize("name", DIGEST_VECTORS)
def test_curve_edge_case_vector(harness, name):
    """Digests built backwards so that the additions meet their edge cases (see each vector's "how")."""
    v = load_vector(name)
    x, y = coordinates(hexb(v["public_key"]))
    e, r, s = hexb(v["e"]), int(v["r"], 16), int(v["s"], 16)
    assert reference_verify(int.from_bytes(e, "big"), r, s, (x, y)) is v["valid"]
    assert harness.functions.tryVerifyDigest(e, r, s, x, y).call() is v["valid"]
    if v["valid"]:
        harness.functions.verifyDigest(e, r, s, x, y).call()
    else:
        assert reverted_with(harness, harness.functions.verifyDigest(e, r, s, x, y)) == expected_error(v)


@pytest.mark.parametrize("scalar", [1, 2, 15, 16, 17, N // 2 - 1, N // 2, N // 2 + 1, N - 2, N - 1])
def test_extreme_scalars(harness, scalar):
    """s and t at the ends of their range and around n/2, where the recoding flips the sign."""
    key = coordinates(SigningKey.from_private("sm2", (0xC0FFEE).to_bytes(32, "big")).public_key)
    for s, t in ((scalar, 0x1234), (0x1234, scalar), (scalar, N - scalar)):
        r = (t - s) % N  # never 0 here: n is odd
        x1 = curve.mul_add(s, curve.G, t, key)[0]
        e = ((r - x1) % N).to_bytes(32, "big")
        assert harness.functions.tryVerifyDigest(e, r, s, *key).call() is True
        wrong = ((r - x1 + 1) % N).to_bytes(32, "big")
        assert harness.functions.tryVerifyDigest(wrong, r, s, *key).call() is False


# --- interop -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openssl():
    try:
        version = subprocess.run([OPENSSL, "version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("openssl CLI not available")
    if not version.stdout.startswith("OpenSSL 3"):
        pytest.skip(f"need OpenSSL 3, found {version.stdout.strip()}")
    return OPENSSL


def test_openssl_signatures_verify_on_chain(harness, openssl, tmp_path: Path):
    """A key and signatures made by OpenSSL 3 alone: `pkeyutl -sign -rawin -digest sm3` over M."""
    key_pem, message_file = tmp_path / "key.pem", tmp_path / "m.bin"
    run_openssl("genpkey", "-algorithm", "SM2", "-out", key_pem)
    spki = subprocess.run(
        [openssl, "pkey", "-in", str(key_pem), "-pubout", "-outform", "DER"], capture_output=True, check=True
    ).stdout
    x, y = coordinates(spki[-65:])  # SubjectPublicKeyInfo ends with the BIT STRING 04 ‖ X ‖ Y
    z_a = harness.functions.userHashZ(x, y).call()

    def openssl_sign(message: bytes, *opts: str) -> bytes:
        message_file.write_bytes(message)
        signature = tmp_path / "sig.der"
        run_openssl(
            "pkeyutl",
            "-sign",
            "-rawin",
            "-digest",
            "sm3",
            "-inkey",
            key_pem,
            "-in",
            message_file,
            "-out",
            signature,
            *opts,
        )
        return signature.read_bytes()

    for i in range(3):
        message = keccak(text=f"commitment {i}")  # a 32-byte digest, as an EIP-712 one
        der = openssl_sign(message, "-pkeyopt", DISTID)
        r, s = decode_signature(der)
        assert harness.functions.tryVerifyDer(z_a, message, der, x, y).call() is True
        assert harness.functions.tryVerify(z_a, message, r, s, x, y).call() is True
        assert harness.functions.tryVerifyDer(z_a, keccak(message), der, x, y).call() is False
    # Without distid OpenSSL 3 hashes an empty id into Z_A: not the default id, so it fails.
    message = keccak(text="no distid")
    assert harness.functions.tryVerifyDer(z_a, message, openssl_sign(message), x, y).call() is False
    der = openssl_sign(message, "-pkeyopt", "distid:8765432187654321")
    assert harness.functions.tryVerifyDer(z_a, message, der, x, y).call() is False
    other_z_a = harness.functions.userHashZWithId(b"8765432187654321", x, y).call()
    assert harness.functions.tryVerifyDer(other_z_a, message, der, x, y).call() is True


@settings(max_examples=25, deadline=None)
@given(
    d=st.integers(min_value=1, max_value=N - 2),
    message=st.binary(min_size=32, max_size=32),
    tamper=st.sampled_from(["none", "message", "r", "s", "key"]),
)
def test_contract_and_signer_agree(harness, d, message, tamper):
    """Signatures of the project's signer (GmSSL), intact or with one thing changed."""
    key = SigningKey.from_private("sm2", d.to_bytes(32, "big"))
    der = key.sign(message)
    r, s = decode_signature(der)
    public_key = key.public_key
    if tamper == "message":
        message = keccak(message)
    elif tamper == "r":
        r = r % (N - 1) + 1
    elif tamper == "s":
        s = s % (N - 1) + 1
    elif tamper == "key":
        public_key = SigningKey.from_private("sm2", (d % (N - 2) + 1).to_bytes(32, "big")).public_key
    x, y = coordinates(public_key)
    z_a = harness.functions.userHashZ(x, y).call()
    expected = sm2.is_valid(public_key, message, encode_signature(r, s), user_id=DEFAULT_ID)
    assert expected is (tamper == "none")
    assert harness.functions.tryVerify(z_a, message, r, s, x, y).call() is expected


@settings(max_examples=25, deadline=None)
@given(
    d=st.integers(min_value=1, max_value=N - 1),
    r=st.integers(min_value=1, max_value=N - 1),
    s=st.integers(min_value=1, max_value=N - 1),
    e=st.integers(min_value=0, max_value=2**256 - 1),
)
def test_contract_and_python_arithmetic_agree(harness, d, r, s, e):
    """Arbitrary (e, r, s, key): almost always false, and e set to make them valid: true."""
    key = curve.mul_add(d, curve.G, 0, curve.G)
    assert harness.functions.tryVerifyDigest(e.to_bytes(32, "big"), r, s, *key).call() is reference_verify(e, r, s, key)
    t = (r + s) % N
    point = curve.mul_add(s, curve.G, t, key) if t else None
    if point is not None:
        fitted = (r - point[0]) % N
        assert harness.functions.tryVerifyDigest(fitted.to_bytes(32, "big"), r, s, *key).call() is True


# --- gas ---------------------------------------------------------------------------------------


def test_verification_gas_stays_under_the_bar(harness):
    v = load_vector("sm2-onchain-valid.json")
    x, y = coordinates(hexb(v["public_key"]))
    z_a, message, r, s = hexb(v["z_a"]), hexb(v["message_hex"]), int(v["r"], 16), int(v["s"], 16)
    valid, verify_gas = harness.functions.gasOfTryVerify(z_a, message, r, s, x, y).call()
    assert valid is True
    _, curve_gas = harness.functions.gasOfTryVerifyDigest(hexb(v["e"]), r, s, x, y).call()
    _, z_a_gas = harness.functions.gasOfUserHashZ(x, y).call()
    call_gas = harness.functions.tryVerify(z_a, message, r, s, x, y).estimate_gas()
    print(
        f"\nSM2 gas: tryVerify {verify_gas} (of which the curve {curve_gas}), a whole tryVerify call "
        f"{call_gas}, userHashZ {z_a_gas}"
    )
    assert verify_gas < GAS_BAR
    assert call_gas < GAS_BAR
    assert z_a_gas < 150_000
