"""The one loader of compiled contracts.

There is one compile path: Hardhat with the npm `solc` (see hardhat.config.js). Python never
holds an ABI or bytecode of its own; it reads Hardhat's artifacts, and recompiles when the
hash of the sources differs from the hash stamped beside the last build.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from chain.errors import CompileError

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_DIR = ROOT / "contracts"
BUILD_DIR = ROOT / "build"
ARTIFACTS_DIR = BUILD_DIR / "artifacts" / "contracts"
STAMP = BUILD_DIR / "sources.sha256"

_lock = threading.Lock()


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[dict]
    bytecode: str
    # Each external library the bytecode calls: its name and the byte offsets of its address
    # placeholders in `bytecode` (solc's linkReferences, flattened).
    link_references: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def linked(self, libraries: dict[str, str]) -> str:
        """The creation bytecode with every library placeholder replaced by its deployed address."""
        code = self.bytecode
        for library, offsets in self.link_references:
            if library not in libraries:
                raise CompileError(f"{self.name} calls library {library}: deploy it first")
            address = libraries[library].lower().removeprefix("0x")
            for offset in offsets:
                start = 2 + 2 * offset  # "0x" then two hex digits a byte
                code = code[:start] + address + code[start + 40 :]
        return code


def sources_hash() -> str:
    """sha256 over every contract source, the Hardhat config and the pinned compiler version."""
    digest = hashlib.sha256()
    inputs = sorted(CONTRACTS_DIR.rglob("*.sol")) + [ROOT / "hardhat.config.js", ROOT / "package.json"]
    for path in inputs:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_compiled() -> None:
    """Compile when the sources changed since the last build; a no-op otherwise."""
    with _lock:
        wanted = sources_hash()
        if STAMP.exists() and STAMP.read_text().strip() == wanted and ARTIFACTS_DIR.exists():
            return
        hardhat = ROOT / "node_modules" / ".bin" / "hardhat"
        if not hardhat.exists():
            raise CompileError("node_modules is missing: run `npm ci` in the project root first")
        if ARTIFACTS_DIR.exists():
            shutil.rmtree(ARTIFACTS_DIR)  # no artifacts of deleted contracts survive a rebuild
        result = subprocess.run(
            [str(hardhat), "compile", "--quiet"], cwd=ROOT, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise CompileError(f"hardhat compile failed:\n{result.stdout}\n{result.stderr}")
        STAMP.write_text(wanted)
        load_artifact.cache_clear()


@lru_cache(maxsize=None)
def load_artifact(name: str) -> Artifact:
    """The ABI and creation bytecode of contract `name`, compiling first if needed."""
    ensure_compiled()
    matches = list(ARTIFACTS_DIR.rglob(f"{name}.json"))
    matches = [m for m in matches if not m.name.endswith(".dbg.json")]
    if len(matches) != 1:
        raise CompileError(f"expected one artifact named {name}, found {len(matches)}")
    data = json.loads(matches[0].read_text())
    links = tuple(
        (library, tuple(ref["start"] for ref in refs))
        for by_library in data.get("linkReferences", {}).values()
        for library, refs in sorted(by_library.items())
    )
    return Artifact(name=name, abi=data["abi"], bytecode=data["bytecode"], link_references=links)
