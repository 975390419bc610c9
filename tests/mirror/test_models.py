"""mirror.models on every backend: lists ordered by an id come out in the same order."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from api.services.queries import unit_keys
from mirror.models import OfficerKey, Unit

UNIT = "0x" + "22" * 32
# Checksummed addresses: bytewise "0xAc…" < "0xaB…" < "0xab…"; a linguistic collation (the
# usual PostgreSQL default, and the test server's) puts "0xaB…" and "0xab…" first.
KEY_IDS = ["0xaB" + "0" * 38, "0xAc" + "0" * 38, "0xab" + "1" * 38]


def test_keys_registered_in_one_block_are_listed_alike_on_every_backend(store):
    with store.engine.begin() as conn:
        conn.execute(
            insert(Unit).values(
                unit_id=UNIT,
                kind="ordinary",
                name="普陀区民政局",
                code="PT-MZJ",
                registered_block=1,
                tx_hash="0x" + "00" * 32,
            )
        )
        conn.execute(
            insert(OfficerKey),
            [
                {
                    "key_id": k,
                    "unit_id": UNIT,
                    "scheme": "ecdsa",
                    "public_key": "0x",
                    "registered_block": 2,
                    "registered_at": 0,
                    "revoked_block": None,
                    "revoked_at": None,
                }
                for k in KEY_IDS
            ],
        )
    with store.sessions() as session:
        assert [k.key_id for k in unit_keys(session, UNIT)] == sorted(KEY_IDS)


def test_a_mirror_written_by_other_code_is_rebuilt_not_trusted(tmp_path):
    """The mirror is derived: on a schema fingerprint mismatch it is emptied (and re-synced), the outbox kept."""
    from sqlalchemy import create_engine, text

    from mirror.models import OutboxAction, SyncCursor
    from mirror.store import SqlMirrorStore

    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    store = SqlMirrorStore(engine)
    store.apply([], to_block=7, to_block_hash="0x" + "07" * 32, block_times={})
    with store.sessions.begin() as session:
        session.add(
            OutboxAction(
                digest="0x" + "aa" * 32,
                signer="0x" + "11" * 20,
                nonce="1",
                entry_id="0x" + "bb" * 32,
                kind=0,
                payload=b"",
                status="accepted",
                accepted_at=0.0,
            )
        )
    assert SqlMirrorStore(engine).cursor() == (7, "0x" + "07" * 32)  # same code: kept
    with engine.begin() as conn:
        conn.execute(text("UPDATE mirror_schema SET fingerprint = 'older'"))
    reopened = SqlMirrorStore(engine)
    assert reopened.cursor() is None  # rebuilt from block 0 by the next sync
    with reopened.sessions() as session:
        assert session.query(SyncCursor).count() == 0 and session.query(OutboxAction).count() == 1


def test_bulk_load_defers_the_secondary_indexes_and_always_restores_them(tmp_path):
    from sqlalchemy import create_engine, inspect

    from mirror.store import SqlMirrorStore

    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    store = SqlMirrorStore(engine)

    def indexes() -> set[str]:
        return {i["name"] for i in inspect(engine).get_indexes("catalog_entries")}

    before = indexes()
    assert "ix_entries_status" in before
    try:
        with store.bulk_load():
            assert "ix_entries_status" not in indexes()
            raise RuntimeError("a rebuild that fails half-way")
    except RuntimeError:
        pass
    assert indexes() == before


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_outbox_from_older_code_is_migrated_not_dropped(request, tmp_path, backend):
    """The outbox is not derived: an outbox without the columns added since (`contract`, a
    rejection's `reason`) gets them, and keeps its rows; the intake's lock table is added too."""
    from sqlalchemy import inspect, text

    from api.runtime import make_engine
    from mirror.models import OutboxAction
    from mirror.store import SqlMirrorStore

    url = request.getfixturevalue("postgres_url")() if backend == "postgresql" else f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(url)
    blob = "BYTEA" if backend == "postgresql" else "BLOB"
    try:
        with engine.begin() as conn:  # the outbox as the first release created it
            conn.execute(
                text(
                    f"CREATE TABLE outbox (id INTEGER PRIMARY KEY, digest VARCHAR(66) UNIQUE, "
                    f"signer VARCHAR(42), nonce VARCHAR(80), entry_id VARCHAR(66), kind INTEGER, "
                    f"payload {blob}, status VARCHAR(16), tx_hash VARCHAR(66), error TEXT, "
                    f"accepted_at FLOAT, sent_at FLOAT, UNIQUE (signer, nonce))"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO outbox (id, digest, signer, nonce, entry_id, kind, payload, status, error, "
                    "accepted_at) VALUES (1, '0xaa', '0x11', '1', '0xbb', 0, NULL, 'rejected', "
                    "'SignedActionSignerNotActive(signer=0x11)', 0)"
                )
            )
        store = SqlMirrorStore(engine)
        assert {c["name"] for c in inspect(engine).get_columns("outbox")} >= {"contract", "reason"}
        assert inspect(engine).has_table("outbox_subjects")
        with store.sessions() as session:
            [row] = session.query(OutboxAction).all()
        assert (row.digest, row.contract, row.status, row.error, row.reason) == (
            "0xaa",
            "catalog",
            "rejected",
            "SignedActionSignerNotActive(signer=0x11)",
            None,
        )
    finally:
        engine.dispose()
