"""API schemas of the usage log (Art. 30, #11)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from usage.records import UsageRecordIn

MAX_BATCH = 1000
EXAMPLE_RECORD = {
    "request_id": "gw-20260302-000001",
    "grant_id": "0x" + "1d" * 32,
    "entry_id": "0x" + "e1" * 32,
    "version": 1,
    "items": ["姓名", "身份证号"],
    "scenario": "PT-SC-2026-001",
    "method": "interface",
    "unit_id": "0x" + "5a" * 32,
    "system": "长寿路街道-民生服务系统",
    "used_at": 1772416800,
    "result": {"count": 1, "hash": "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"},
}


class UsageBatch(BaseModel):
    """Uses reported by the platform's share service, in the order they happened or not."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"records": [EXAMPLE_RECORD]}]})
    records: list[UsageRecordIn] = Field(min_length=1, max_length=MAX_BATCH)


class UsageLogged(BaseModel):
    """Where one record stands in the log."""

    request_id: str
    id: int = Field(description="The record's index in the log (its leaf index)")
    outcome: str = Field(description="accepted | refused (the Art. 25 check at the use's time)")
    reason: str = Field(description="The check's reason: granted, or why the use was refused")
    duplicate: bool = Field(description="The request id was already logged: this is the stored record")


class UsageBatchLogged(BaseModel):
    """The batch, durable: every record is stored before this answer."""

    records: list[UsageLogged]
    accepted: int
    refused: int
    duplicates: int


class UsageCheckpoint(BaseModel):
    """A checkpoint as the chain holds it (UsageLog's events)."""

    size: int
    root: str = Field(description="RFC 9162 root of the first `size` records, SM3, 0x-hex")
    signer: str = Field(description="The Data Center officer key that signed the anchor")
    tx_hash: str
    block_number: int
    block_hash: str
    log_index: int
    cosignatures: int = Field(description="How many witness units co-signed it on-chain")


class CheckpointPage(BaseModel):
    items: list[UsageCheckpoint]
    limit: int
    offset: int
    has_more: bool
    total: int


class UsageEvidence(BaseModel):
    """A record with its inclusion proof to an anchored checkpoint: verify it with
    `ledger audit usage FILE --rpc-url URL`, from the chain alone."""

    model_config = ConfigDict(populate_by_name=True)
    schema_: str = Field(alias="schema")
    record: str = Field(description="The leaf: the record's canonical JSON, exactly as hashed")
    index: int
    log_id: str
    chain_id: int
    usage_log: str
    checkpoint: UsageCheckpoint | None = Field(description="null until a checkpoint covering the record is anchored")
    proof: list[str] | None


class ConsistencyProof(BaseModel):
    first: UsageCheckpoint
    second: UsageCheckpoint
    proof: list[str]


class CosignRequest(BaseModel):
    """A witness's signed co-signature (`UsageAction` kind 1), relayed to UsageLog."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "checkpoint": "0x" + "00" * 31 + "08" + "ab" * 32,
                    "nonce": "1",
                    "signature": "0x" + "11" * 65,
                }
            ]
        },
    )
    checkpoint: str = Field(
        pattern=r"^0x([0-9a-fA-F]{2})+$",
        description="The signed action's document: abi.encode(uint64 size, bytes32 root)",
    )
    nonce: str = Field(pattern=r"^[0-9]{1,78}$")
    signature: str = Field(pattern=r"^0x([0-9a-fA-F]{2})+$")


class Cosigned(BaseModel):
    size: int
    root: str
    cosignatures: int
    tx_hash: str


class UsagePage(BaseModel):
    items: list[dict] = Field(description="Each record's fields as logged (its leaf), with its `id`")
    limit: int
    offset: int
    has_more: bool
    total: int


class UsageDay(BaseModel):
    date: str = Field(description="YYYY-MM-DD, Asia/Shanghai")
    accepted: int
    refused: int


class Inspection(BaseModel):
    now: int
    refused_by_reason: dict[str, int]
    latest_refused: list[dict]
    on_suspended_or_terminated: list[dict]
    above_frequency: list[dict]
    idle_soon: list[dict]
