"""Bodies of the login routes (api/routers/auth.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

KeyId = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$", description="An officer key id (an address)")]
EXAMPLE_KEY = "0xc88dc8351d0b341baae27fe59705c88deb6e3a77"


class ChallengeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"key_id": EXAMPLE_KEY}]})
    key_id: KeyId


class LoginChallenge(BaseModel):
    """The challenge's fields, as issued: sent back unchanged with the signature."""

    model_config = ConfigDict(extra="forbid")
    key_id: KeyId
    audience: str = Field(min_length=1, max_length=500, description="The API the token is for (its URL)")
    nonce: str = Field(pattern=r"^0x[0-9a-f]{64}$", description="32 bytes chosen by the platform")
    issued_at: int = Field(ge=0, le=2**40, description="Unix seconds, the platform's clock")
    expires_at: int = Field(ge=0, le=2**40, description="Unix seconds: sign and send it back before then")


class ChallengeIssued(BaseModel):
    challenge: LoginChallenge
    typed_data: dict = Field(
        description="The EIP-712 typed data to sign (eth_signTypedData_v4's argument); its message is the challenge"
    )
    digest: str = Field(
        description="keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message)): ECDSA signs it, SM2 signs it as M"
    )


class TokenRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "challenge": {
                        "key_id": EXAMPLE_KEY,
                        "audience": "http://127.0.0.1:8000",
                        "nonce": "0x" + "5a" * 32,
                        "issued_at": 1772413200,
                        "expires_at": 1772413320,
                    },
                    "signature": "0x"
                    + "c88dc8351d0b341baae27fe59705c88deb6e3a77"
                    + "30440220"
                    + "11" * 32
                    + "0220"
                    + "22" * 32,
                }
            ]
        },
    )
    challenge: LoginChallenge
    signature: str = Field(
        min_length=2,
        max_length=200,
        description="Hex: 65 bytes r‖s‖v (ECDSA) over the digest, or the 20-byte SM2 key id ‖ "
        "the DER SM2 signature of M = the digest (default user id 1234567812345678)",
    )


class CallerPublic(BaseModel):
    key_id: str
    unit_id: str
    role: str = Field(description="The unit's kind in the UnitRegistry: office | data_center | ordinary | auditor")
    scheme: str = Field(description="ecdsa | sm2: how the challenge was signed")
    expires_at: int = Field(description="When the token expires (unix seconds)")


class TokenIssued(CallerPublic):
    token: str = Field(description="Send as `Authorization: Bearer <token>`")
    token_type: str = "Bearer"
