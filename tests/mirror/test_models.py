"""mirror.models on every backend: lists ordered by an id come out in the same order."""

from __future__ import annotations

from sqlalchemy import insert

from api.services.queries import unit_keys
from mirror.models import OfficerKey, Unit

UNIT = "0x" + "22" * 32
# Checksummed addresses: bytewise "0xAc…" < "0xaB…" < "0xab…"; a linguistic collation (the
# usual PostgreSQL default, and the test server's) puts "0xaB…" and "0xab…" first.
KEY_IDS = ["0xaB" + "0" * 38, "0xAc" + "0" * 38, "0xab" + "1" * 38]


def test_keys_registered_in_one_block_are_listed_alike_on_every_backend(store):
    with store.engine.begin() as conn:
        conn.execute(insert(Unit).values(unit_id=UNIT, kind="ordinary", name="普陀区民政局", registered_block=1,
                                         tx_hash="0x" + "00" * 32))  # fmt: skip
        conn.execute(insert(OfficerKey), [
            {"key_id": k, "unit_id": UNIT, "scheme": "ecdsa", "public_key": "0x", "registered_block": 2,
             "registered_at": 0, "revoked_block": None, "revoked_at": None} for k in KEY_IDS
        ])  # fmt: skip
    with store.sessions() as session:
        assert [k.key_id for k in unit_keys(session, UNIT)] == sorted(KEY_IDS)
