"""The usage log's Merkle tree at scale: build rate, proof times and storage, at 1M and 10M records.

Run: `.venv/bin/python -m bench.bench_usage_tree` (sizes from BENCH_USAGE_SIZES, comma-separated,
default 1000000,10000000 in memory; BENCH_USAGE_SQL_SIZES, default 1000000, in a SQLite file).

Each size is built for real: every record is hashed with SM3 as a leaf, appended in batches of
BENCH_USAGE_BATCH (10,000, X-Road's batch) and its parents hashed, so the proofs verify against
the tree's own root. Baselines from the same run: building against bare SM3 of the same records
(the tree's overhead), proof generation against reading the same nodes from the same store
(the planning overhead), and verification against the ⌈log2 n⌉ SM3 node hashes it cannot avoid.
Reports only: nothing is asserted.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine

from bench.common import percentile, report
from usage import SM3, MemoryNodeStore, MerkleTree, SqlNodeStore, verify_consistency, verify_inclusion
from usage._layout import inclusion_plan

SIZES = [int(s) for s in os.environ.get("BENCH_USAGE_SIZES", "1000000,10000000").split(",") if s]
SQL_SIZES = [int(s) for s in os.environ.get("BENCH_USAGE_SQL_SIZES", "1000000").split(",") if s]
BATCH = int(os.environ.get("BENCH_USAGE_BATCH", "10000"))
PROOFS = int(os.environ.get("BENCH_USAGE_PROOFS", "2000"))
TARGET_MS = 1.0  # issue 11: inclusion proof generation and verification < 1 ms each


def record(i: int) -> bytes:
    """A usage record's size and shape (≈200 bytes of canonical JSON); the content is immaterial here."""
    return (
        b'{"at":1772413200,"entry":"0x%064x","grant":"0x%064x","items":["A01","A02"],'
        b'"method":"api","request":"%016x","result":{"count":1,"sm3":"%064x"}}' % (i, i, i, i)
    )


def build(tree: MerkleTree, size: int) -> float:
    """Append ``size`` records in batches; seconds taken."""
    began = time.perf_counter()
    for start in range(tree.size, size, BATCH):
        tree.append([record(i) for i in range(start, min(size, start + BATCH))])
    return time.perf_counter() - began


def bare_hashing(size: int) -> float:
    """Seconds to SM3 the same records once each, and nothing else (the floor of any build)."""
    began = time.perf_counter()
    for start in range(0, size, BATCH):
        [SM3.leaf(record(i)) for i in range(start, min(size, start + BATCH))]
    return time.perf_counter() - began


def timed(fn, args: list) -> list[float]:
    out = []
    for a in args:
        began = time.perf_counter()
        fn(a)
        out.append(time.perf_counter() - began)
    return out


def measure_proofs(name: str, tree: MerkleTree, rows: list) -> None:
    size, root = tree.size, tree.root()
    rng = random.Random(11)
    indexes = [rng.randrange(size) for _ in range(PROOFS)]
    proofs = {i: tree.inclusion_proof(i) for i in indexes}
    leaf_hashes = {i: tree.leaf_hash(i) for i in indexes}
    gen = timed(tree.inclusion_proof, indexes)
    reads = timed(lambda i: tree.store.get([n for element in inclusion_plan(i, size) for n in element]), indexes)
    ver = timed(
        lambda i: verify_inclusion(SM3, index=i, size=size, leaf_hash=leaf_hashes[i], proof=proofs[i], root=root),
        indexes,
    )
    depth = (size - 1).bit_length()
    floor = timed(lambda _: [SM3.node(root, root) for _ in range(depth)], indexes)
    firsts = [rng.randrange(1, size) for _ in range(PROOFS // 4)]
    cgen = timed(lambda m: tree.consistency_proof(m), firsts)
    cproofs = {m: tree.consistency_proof(m) for m in firsts}
    croots = {m: tree.root(m) for m in firsts}
    cver = timed(
        lambda m: verify_consistency(
            SM3, first=m, second=size, first_root=croots[m], second_root=root, proof=cproofs[m]
        ),
        firsts,
    )

    def ms(samples: list[float]) -> str:
        return f"{percentile(samples, 0.5) * 1e3:.3f}/{percentile(samples, 0.99) * 1e3:.3f}"

    def ratio(a: list[float], b: list[float]) -> str:
        return f"{percentile(a, 0.5) / percentile(b, 0.5):.2f}"

    mark = lambda samples: "ok" if percentile(samples, 0.99) * 1e3 < TARGET_MS else "OVER"  # noqa: E731
    rows += [
        (f"{name}: inclusion proof gen, ms p50/p99 [{mark(gen)}]", ms(gen), ms(reads) + " read", ratio(gen, reads)),
        (
            f"{name}: inclusion verify, ms p50/p99 [{mark(ver)}]",
            ms(ver),
            ms(floor) + f" {depth}xSM3",
            ratio(ver, floor),
        ),
        (f"{name}: consistency proof gen, ms p50/p99", ms(cgen), "-", "-"),
        (f"{name}: consistency verify, ms p50/p99", ms(cver), "-", "-"),
    ]


def main() -> None:
    rows: list[tuple[str, str, str, str]] = []
    for size in SIZES:
        tree = MerkleTree(SM3, MemoryNodeStore())
        seconds = build(tree, size)
        bare = bare_hashing(min(size, 1_000_000))
        bare_rate = min(size, 1_000_000) / bare
        label = f"{size / 1e6:g}M in memory"
        rows.append(
            (
                f"{label}: build, records/s",
                f"{size / seconds:,.0f}",
                f"{bare_rate:,.0f} sm3",
                f"{size / seconds / bare_rate:.2f}",
            )
        )
        rows.append((f"{label}: bytes per 1M records", f"{tree.store.nbytes() / size * 1e6 / 2**20:.1f} MiB", "-", "-"))
        measure_proofs(label, tree, rows)
        del tree
    for size in SQL_SIZES:
        with tempfile.TemporaryDirectory(prefix="bench-usage-") as tmp:
            path = Path(tmp) / "nodes.db"
            engine = create_engine(f"sqlite:///{path}")
            tree = MerkleTree(SM3, SqlNodeStore(engine))
            seconds = build(tree, size)
            label = f"{size / 1e6:g}M in SQLite"
            rows.append((f"{label}: build, records/s", f"{size / seconds:,.0f}", "-", "-"))
            file_bytes = path.stat().st_size
            rows.append((f"{label}: file bytes per 1M records", f"{file_bytes / size * 1e6 / 2**20:.1f} MiB", "-", "-"))
            measure_proofs(label, tree, rows)
            engine.dispose()
    report("Usage log Merkle tree (SM3); ours against the baseline named in its column", rows)


if __name__ == "__main__":
    main()
