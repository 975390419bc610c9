"""The one place that calls the SM2/SM3 C library (``gmssl_pyx``, GmSSL built in).

Swap the backend by reimplementing these five functions. They work on the
already-computed SM3 digest ``e = SM3(Z_A || M)``; Z_A is computed in Python
(:mod:`signer.sm2`) so that the standard's Z_A and e can be tested directly.
Pure-Python ``gmssl`` must never be used: it draws k from ``random``.

GmSSL prints a C backtrace to file descriptor 2 whenever a verification
fails. A library must not hide a process's stderr, so that stays; a
single-threaded tool (the CLI) may call :func:`silence_native_diagnostics`
so that its own one-line error is all the user sees.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import gmssl_pyx

_silence = False
_fd_lock = threading.Lock()


def silence_native_diagnostics(enabled: bool = True) -> None:
    """Discard GmSSL's C-level stderr output during verification (single-threaded tools only)."""
    global _silence
    _silence = enabled


@contextmanager
def _quiet_fd2() -> Iterator[None]:
    if not _silence:
        yield
        return
    with _fd_lock:
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)


def sm3(data: bytes) -> bytes:
    """SM3 hash (GB/T 32905), 32 bytes."""
    return gmssl_pyx.sm3_hash(data)


def generate() -> tuple[bytes, bytes]:
    """A fresh key pair from GmSSL's CSPRNG: (private 32 bytes, public 64 bytes X||Y)."""
    public, private = gmssl_pyx.sm2_key_generate()
    return private, public


def sign_digest(private_key: bytes, digest: bytes) -> bytes:
    """DER signature over e (32 bytes). Precondition: 1 <= d <= n-2, len(digest) == 32."""
    return gmssl_pyx.sm2_sign_sm3_digest(private_key, digest)


def verify_digest(public_xy: bytes, digest: bytes, der_signature: bytes) -> bool:
    """True when the DER signature over e verifies under the 64-byte public key X||Y.

    Preconditions (checked by the caller, so GmSSL only sees well-formed input):
    the point is on the curve, the DER is strict, 0 < r, s < n.
    """
    with _quiet_fd2():
        try:
            return bool(gmssl_pyx.sm2_verify_sm3_digest(public_xy, digest, der_signature))
        except gmssl_pyx.GmsslInnerError:
            return False
