"""Crash-safe writes of secret files: readers see the old file or the whole new one.

Temp file in the same directory (so the rename cannot cross filesystems),
mode 0600 from creation (mkstemp), fsync, then rename, then fsync of the
directory so the rename itself survives a crash.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from signer.errors import KeyExists


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_private_dir(directory: Path) -> Path:
    """Create ``directory`` (mode 0700) if missing; return it."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def write_private_file(path: Path, data: bytes, *, overwrite: bool = False, mode: int = 0o600) -> Path:
    """Atomically write ``data`` to ``path`` with ``mode`` (0600 unless the data is public).

    Without ``overwrite`` an existing file is never replaced: the temp file is
    hard-linked into place, which fails atomically if the name is taken.
    """
    path = Path(path)
    ensure_private_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, mode)  # explicit, so the result does not depend on the umask
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise KeyExists(f"{path} already exists", got=str(path)) from None
            finally:
                tmp.unlink(missing_ok=True)
        _fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return path
