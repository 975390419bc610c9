"""Where the geth binary is: `LEDGER_GETH`, else the one scripts/setup builds, else PATH.

Only v1.13.15 will do: it is the last go-ethereum that seals Clique blocks (v1.14 removed it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from chain.artifacts import ROOT
from network.errors import GethNotFound

GETH_VERSION = "1.13.15"
ENV_GETH = "LEDGER_GETH"
BUILT_GETH = ROOT / "build" / "tools" / "bin" / "geth"  # scripts/setup's `go install` puts it here


def geth_binary() -> Path:
    """The geth to run. Raises GethNotFound saying how to get one."""
    if os.environ.get(ENV_GETH):
        path = Path(os.environ[ENV_GETH])
        if not os.access(path, os.X_OK):
            raise GethNotFound(f"{ENV_GETH}={path} is not an executable file")
        return path
    if os.access(BUILT_GETH, os.X_OK):
        return BUILT_GETH
    found = shutil.which("geth")
    if found:
        return Path(found)
    raise GethNotFound(f"no geth at {BUILT_GETH}: run scripts/setup (it builds geth v{GETH_VERSION} with Go)")


def check_version(geth: Path) -> None:
    """Refuse a geth other than v1.13.15, whose Clique this network's genesis is written for."""
    out = subprocess.run([str(geth), "version"], capture_output=True, text=True, timeout=30).stdout
    version = next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Version:")), "?")
    if not version.startswith(GETH_VERSION):
        raise GethNotFound(f"{geth} is geth {version}; the network needs v{GETH_VERSION} (the last that seals Clique)")
