"""Sampling a server process while a benchmark runs (py-spy), and where its time went.

`Profile(pid, path)` records the process with py-spy while the `with` block runs (only the
thread holding the GIL is sampled, `--gil`: what bounds one Python process is the time
it holds the GIL), and `split(path)` sorts the samples into the parts of the intake path.
"""

from __future__ import annotations

import collections
import shutil
import signal
import subprocess
import sys
from pathlib import Path

# The parts of the path of one signed action, from the request to its confirmation: a sample
# belongs to the first part one of whose frames it holds (more specific parts first).
PARTS: list[tuple[str, tuple[str, ...]]] = [
    ("follower: indexer (getLogs, decode, mirror writes)", ("Runtime._follow",)),
    ("relayer: outbox reads, executeBatch sent", ("Runtime._relay",)),
    # Waking another thread (the micro-batch's next leader or its waiters, the thread pool's
    # worker, the relayer): on a loaded machine the woken thread may take the core while the
    # waker still holds the GIL, so these are time the GIL is held, not work done.
    ("thread hand-offs (Event.set, Queue.put: waking a thread)", ("Condition.notify",)),
    ("intake: simulation (eth_call)", ("simulate_batch",)),
    ("intake: outbox commit", ("_store_each", "store (api/services/intake.py")),
    ("prepare: signature recovery", ("action_signer", "recover_")),
    ("prepare: EIP-712 digest", ("digest (chain/actions.py",)),
    ("prepare: document validation (pydantic)", ("validate_model", "validate_document")),
    ("prepare: canonical JSON", ("canonical_bytes",)),
    ("prepare: entry identity / mirror reads", ("_check_entry_identity", "_check_approvable", "_signer_unit")),
    ("prepare: other", ("prepare (api/services/actions.py",)),
    ("request body parsing and validation (FastAPI)", ("request_body_to_args", "solve_dependencies", "_get_body")),
    ("response", ("accepted_response", "serialize_response")),
    ("access log (the line written)", ("Logger.info (logging",)),
    ("HTTP/ASGI (uvicorn, Starlette, middleware)", ("uvicorn", "starlette", "fastapi", "anyio")),
]


class Profile:
    """py-spy recording `pid` to `path` (raw folded stacks) for the duration of a `with` block."""

    def __init__(self, pid: int, path: Path, rate: int = 250) -> None:
        spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
        if spy is None:
            raise RuntimeError("BENCH_PROFILE needs py-spy (pip install py-spy; it is in the [test] extra)")
        self.args = [spy, "record", "-p", str(pid), "--gil", "-f", "raw", "-r", str(rate), "-o", str(path)]
        self.path = path

    def __enter__(self) -> "Profile":
        self.process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return self

    def __exit__(self, *_exc) -> None:
        self.process.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        self.process.wait(timeout=60)


def split(path: Path) -> list[tuple[str, int]]:
    """(part, samples) for each part of PARTS that has any, most first, then the rest ("other")."""
    counts: collections.Counter[str] = collections.Counter()
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        part = next((name for name, marks in PARTS if any(m in stack for m in marks)), "other")
        counts[part] += int(n)
    return counts.most_common()


def report_split(path: Path, actions: int, rate: int = 250) -> None:
    """Print where the profiled process held the GIL, per part: share, and ms per action."""
    parts = split(path)
    total = sum(n for _, n in parts)
    print(f"\nprofile ({path}): {total} samples holding the GIL at {rate}/s, {actions} actions")
    for name, n in parts:
        print(f"  {name:55s} {100 * n / total:5.1f}%  {n * 1000 / rate / max(actions, 1):6.2f} ms/action")


if __name__ == "__main__":  # python -m bench.profile FILE ACTIONS: the split of a recorded profile
    report_split(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0)
