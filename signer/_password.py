"""Where the CLI gets a password: ``--password-fd N``, ``$LEDGER_KEY_PASSWORD``, or a prompt.

Never from argv: command lines are visible to every user via ``ps``.
"""

from __future__ import annotations

import getpass
import os
import sys

from signer.errors import PasswordUnavailable

ENV_PASSWORD = "LEDGER_KEY_PASSWORD"


def _from_fd(fd: int) -> str:
    # Read through a duplicate so the caller's descriptor stays open, and stop at
    # the first newline so `echo secret | ledger ... --password-fd 0` works.
    with os.fdopen(os.dup(fd), "rb") as handle:
        line = handle.readline()
    return line.rstrip(b"\r\n").decode("utf-8")


def _interactive() -> bool:
    return sys.stdin.isatty()


def read_password(*, fd: int | None, confirm: bool = False, prompt: str = "Key password: ") -> str:
    """The password from the first available source (fd, env var, terminal prompt).

    ``confirm`` asks twice at a prompt (for a new key); the other sources are
    taken as given.
    """
    if fd is not None:
        try:
            return _from_fd(fd)
        except OSError as exc:
            raise PasswordUnavailable(f"cannot read a password from fd {fd}: {exc.strerror}", got=fd) from None
    if os.environ.get(ENV_PASSWORD):
        return os.environ[ENV_PASSWORD]
    if not _interactive():
        raise PasswordUnavailable("no password given and no terminal to ask on")
    password = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat password: ") != password:
        raise PasswordUnavailable("the two passwords differ", hint="type the same password twice")
    return password
