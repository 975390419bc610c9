"""Signer throughput here, next to OpenSSL on the same machine in the same run.

Run: python bench/bench_signer.py [--seconds S]

Measures SM2 sign/s and verify/s through signer.sm2 (Z_A and e computed in
Python, the curve operation in GmSSL), runs ``openssl speed -seconds 2 sm2``
and prints ours/openssl; then ECDSA (EIP-191) sign/s and recover/s through
eth-account + coincurve. Reports only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable as a plain script too

from bench import libcrypto_sm2  # noqa: E402
from signer import ecdsa, sm2

MESSAGE = b"putuo commitment " * 4  # 68 bytes, a short document message


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per second of ``operation`` over about ``seconds`` of wall time."""
    operation()  # warm up
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(20):
            operation()
        count += 20
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def openssl_sm2(seconds: int = 2) -> tuple[float, float] | None:
    """(sign/s, verify/s) from ``openssl speed -seconds N sm2``, or None if unavailable."""
    binary = shutil.which("openssl")
    if binary is None:
        return None
    out = subprocess.run([binary, "speed", "-seconds", str(seconds), "sm2"], capture_output=True, text=True).stdout
    # e.g. " 256 bits SM2 (CurveSM2)   0.0003s   0.0003s   2954.5   3082.0"
    match = re.search(r"SM2 \(CurveSM2\)\s+\S+s\s+\S+s\s+([\d.]+)\s+([\d.]+)", out)
    return (float(match[1]), float(match[2])) if match else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    seconds = parser.parse_args().seconds

    private, public = sm2.generate_keypair()
    uid = sm2.DEFAULT_USER_ID
    signature = sm2.sign(private, public, MESSAGE, user_id=uid)
    digest = sm2.message_digest(public, MESSAGE, user_id=uid)
    ours = {
        "sm2 sign (Z_A + SM3 + sign)": rate(lambda: sm2.sign(private, public, MESSAGE, user_id=uid), seconds),
        "sm2 verify (Z_A + SM3 + verify)": rate(lambda: sm2.verify(public, MESSAGE, signature, user_id=uid), seconds),
        "sm2 sign, digest given": rate(lambda: sm2.sign_digest(private, digest), seconds),
        "sm2 verify, digest given": rate(lambda: sm2.verify_digest(public, digest, signature), seconds),
    }
    reference = openssl_sm2()
    if libcrypto_sm2.LIB is not None:  # the alternative backend, measured for comparison
        assert libcrypto_sm2.verify(public, MESSAGE, signature, uid)
        assert not libcrypto_sm2.verify(public, MESSAGE + b"!", signature, uid)
        ours["sm2 verify via libcrypto (ctypes)"] = rate(
            lambda: libcrypto_sm2.verify(public, MESSAGE, signature, uid), seconds
        )

    eth_private, _ = ecdsa.generate_keypair()
    eth_signature = ecdsa.sign_message(eth_private, MESSAGE)
    ours["ecdsa sign (EIP-191)"] = rate(lambda: ecdsa.sign_message(eth_private, MESSAGE), seconds)
    ours["ecdsa recover (EIP-191)"] = rate(lambda: ecdsa.recover_message(MESSAGE, eth_signature), seconds)

    compare = {
        "sm2 sign (Z_A + SM3 + sign)": 0,
        "sm2 verify (Z_A + SM3 + verify)": 1,
        "sm2 sign, digest given": 0,
        "sm2 verify, digest given": 1,
        "sm2 verify via libcrypto (ctypes)": 1,
    }
    print(f"{'operation':34} {'ours/s':>10} {'openssl/s':>10} {'ours/openssl':>13}")
    for name, value in ours.items():
        if name in compare and reference is not None:
            theirs = reference[compare[name]]
            print(f"{name:34} {value:10.0f} {theirs:10.0f} {value / theirs:13.2f}")
        else:
            print(f"{name:34} {value:10.0f} {'-':>10} {'-':>13}")
    if reference is None:
        print("openssl speed sm2: not available, no ratio")


if __name__ == "__main__":
    main()
