"""A usage record (Art. 30): what the platform's share service reports of one use, and its leaf.

A record names the grant, the entry and version, the data items, scenario, method and form of
the use, the calling system and unit, when it happened, the service's request id and a digest of
the result (the count of rows served and their hash: never the data). The log adds the outcome of
the Art. 25 check (`accepted`, or `refused` with the check's reason). The leaf of the Merkle tree
is the RFC 8785 canonical JSON of all of it, so anyone holding the record can recompute the leaf.
"""

from __future__ import annotations

from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

SCHEMA = "putuo.usage-record/1"
HEX32 = r"^0x[0-9a-f]{64}$"  # lower case: the leaf is hashed as sent, one spelling per id

Outcome = Literal["accepted", "refused"]


class ResultDigest(BaseModel):
    """What was served, without the data: the number of records and SM3 of the served bytes."""

    model_config = ConfigDict(extra="forbid")
    count: int = Field(ge=0, le=2**53 - 1)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="SM3 of the result as served, lower-case hex")


class UsageRecordIn(BaseModel):
    """One use as the share service reports it."""

    model_config = ConfigDict(extra="forbid")
    request_id: str = Field(
        min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$", description="The service's id of the request"
    )
    grant_id: str = Field(pattern=HEX32, description="The grant the use is made under")
    entry_id: str = Field(pattern=HEX32, description="The catalog entry served")
    version: int = Field(ge=1, le=2**32 - 1, description="The catalog version the data is of")
    items: list[str] = Field(min_length=1, max_length=200, description="The data items served, by name")
    scenario: str = Field(min_length=1, max_length=200, description="The scenario code of the use")
    method: Literal["interface", "batch_comparison", "other"]
    form: Literal["full", "subject_authorised", "comparison_result", "desensitised"] = "full"
    unit_id: str = Field(pattern=HEX32, description="The calling (demand) unit")
    system: str = Field(min_length=1, max_length=200, description="The calling system, as the service knows it")
    used_at: int = Field(ge=1, le=2**40 - 1, description="When the use happened, unix seconds")
    result: ResultDigest


def leaf_document(record: UsageRecordIn, *, outcome: Outcome, reason: str) -> dict:
    """The record as the log keeps it: the reported fields, the outcome and the check's reason.

    The validated values as they are (`__dict__`: strings, integers, a list of strings, and the
    digest's two), which is what `model_dump` gives for these fields at an eighth of its cost,
    3 µs a record on the intake's path (#11); tests/usage/test_records.py holds the two equal."""
    return {
        "schema": SCHEMA,
        **record.__dict__,
        "result": dict(record.result.__dict__),
        "outcome": outcome,
        "reason": reason,
    }


def leaf_bytes(document: dict) -> bytes:
    """The leaf: the RFC 8785 canonical JSON of the record's document.

    Written by orjson with sorted keys, which writes what RFC 8785 writes for JSON of strings,
    integers within ±(2**53 - 1), lists and objects with ASCII keys (signer.canonical's fast path
    rests on the same fact; tests/usage/test_records.py holds the two to it): a leaf's fields are
    only those, their bounds set by `UsageRecordIn`. rfc8785 in pure Python cost 60 % of the
    intake. Raises ValueError for a string that is not Unicode text (a lone surrogate)."""
    try:
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError as exc:
        raise ValueError(str(exc)) from None
