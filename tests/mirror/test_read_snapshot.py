"""mirror.store.read_snapshot: every read of a session sees one state, whatever commits meanwhile
(an evaluation names the block it read; on SQLite and on PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select

from mirror.models import SyncCursor
from mirror.store import read_snapshot


def _move_cursor(store, number: int) -> None:
    with store.sessions.begin() as session:
        session.merge(SyncCursor(id=1, block_number=number, block_hash="0x" + f"{number:064x}"))


def test_a_session_reads_one_state_while_the_follower_commits(store):
    _move_cursor(store, 7)
    cursor = select(SyncCursor.block_number)
    with store.sessions() as session:
        read_snapshot(session)
        assert session.scalar(cursor) == 7
        _move_cursor(store, 8)  # another connection commits: the follower applied a block
        assert session.scalar(cursor) == 7  # the snapshot holds
    with store.sessions() as session:  # a new session sees the new state
        assert session.scalar(cursor) == 8


def test_without_it_a_later_read_sees_the_commit(store):
    """What read_snapshot prevents: the driver's default reads each statement's own state."""
    _move_cursor(store, 7)
    cursor = select(SyncCursor.block_number)
    with store.sessions() as session:
        assert session.scalar(cursor) == 7
        _move_cursor(store, 8)
        assert session.scalar(cursor) == 8
