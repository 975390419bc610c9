"""The login challenge's format (docs/PROTOCOL.md section 11) against a vector that a browser
implementation can test itself against, and the challenge's MAC: no node needed."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

from api.auth import challenge as c
from chain.actions import recover_digest
from signer import sm2

VECTOR = json.loads((Path(__file__).parents[1] / "vectors" / "auth-login-challenge.json").read_text())


def challenge_of(typed: dict) -> c.Challenge:
    m = typed["message"]
    return c.Challenge(m["keyId"], m["audience"], bytes.fromhex(m["nonce"][2:]), m["issuedAt"], m["expiresAt"])


@pytest.mark.parametrize("case", VECTOR["cases"], ids=lambda case: case["scheme"])
def test_the_vector(case):
    typed, domain = case["typed_data"], case["typed_data"]["domain"]
    challenge = challenge_of(typed)
    assert c.typed_data(challenge, chain_id=domain["chainId"], registry_address=domain["verifyingContract"]) == typed
    digest = c.digest(challenge, chain_id=domain["chainId"], registry_address=domain["verifyingContract"])
    assert "0x" + digest.hex() == case["digest"]
    signable = encode_typed_data(full_message=typed)  # an independent EIP-712 encoder
    assert keccak(b"\x19" + signable.version + signable.header + signable.body) == digest
    signature = bytes.fromhex(case["signature"][2:])
    if case["scheme"] == "ecdsa":
        assert recover_digest(digest, signature) == challenge.key_id
        assert Account.from_key(case["private_key"]).address == challenge.key_id
    else:  # key id ‖ DER over M = the digest, default user id
        public = bytes.fromhex(case["public_key"][2:])
        assert to_checksum_address(signature[:20]) == challenge.key_id == to_checksum_address(keccak(public)[:20])
        assert sm2.is_valid(public, digest, signature[20:], user_id=sm2.DEFAULT_USER_ID)
        # another audience is another message: the signature does not carry over
        other = c.digest(
            dataclasses.replace(challenge, audience="http://elsewhere:8000"),
            chain_id=domain["chainId"],
            registry_address=domain["verifyingContract"],
        )
        assert not sm2.is_valid(public, other, signature[20:], user_id=sm2.DEFAULT_USER_ID)


def test_the_login_domain_is_not_an_action_domain():
    """A login signature can never be an action's: another domain name, another contract."""
    from chain import actions, sharing

    assert c.DOMAIN_NAME not in (actions.DOMAIN_NAME, sharing.DOMAIN_NAME)


@pytest.mark.parametrize(
    "field, value",
    [
        ("key_id", to_checksum_address("0x" + "11" * 20)),
        ("audience", "http://127.0.0.1:8001"),
        ("issued_at", 1),
        ("expires_at", 2**40),
        ("nonce", b"\x00" * 32),
    ],
)
def test_a_challenge_changed_in_any_field_is_not_the_one_issued(field, value):
    secret = b"s" * 32
    issued = c.issue(secret, key_id="0x" + "ab" * 20, audience="http://127.0.0.1:8000", now=1772413200, ttl_s=120)
    assert c.issued_by(secret, issued)
    assert not c.issued_by(b"t" * 32, issued)
    assert not c.issued_by(secret, dataclasses.replace(issued, **{field: value}))
