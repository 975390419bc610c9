"""keccak-256 for the indexer's hot path: the same digest as `eth_hash.auto.keccak`, faster.

The mirror checks every document it stores against its on-chain hash. Through eth_hash each
call builds a pycryptodome hash object (a state allocated, a finaliser registered, a buffer
made): about 4x the cost of the hashing itself for a document of a kilobyte. Here each thread
keeps one keccak state of pycryptodome's own C library and resets it per call. Where that
library cannot be reached, `keccak256` is eth_hash's.
"""

from __future__ import annotations

import threading
from typing import Callable

from eth_hash.auto import keccak as _eth_hash_keccak


def _pycryptodome_keccak() -> Callable[[bytes], bytes]:
    from Crypto.Hash.keccak import _raw_keccak_lib as lib
    from Crypto.Util._raw_api import (
        SmartPointer,
        VoidPointer,
        c_size_t,
        c_ubyte,
        create_string_buffer,
        get_raw_buffer,
    )

    local = threading.local()

    def state():
        pointer = VoidPointer()
        if lib.keccak_init(pointer.address_of(), c_size_t(64), c_ubyte(24)):  # capacity 2 x 32 bytes, 24 rounds
            raise ValueError("keccak_init failed")
        # SmartPointer frees the state with the thread's locals.
        local.state = SmartPointer(pointer.get(), lib.keccak_destroy)
        local.out = create_string_buffer(32)
        return local.state.get(), local.out

    def keccak256(data: bytes) -> bytes:
        if type(data) is not bytes:
            data = bytes(data)
        try:
            handle, out = local.state.get(), local.out
        except AttributeError:
            handle, out = state()
        if (
            lib.keccak_reset(handle)
            or lib.keccak_absorb(handle, data, c_size_t(len(data)))
            or lib.keccak_digest(
                handle,
                out,
                c_size_t(32),
                c_ubyte(0x01),  # 0x01: keccak's padding (SHA-3 uses 0x06)
            )
        ):
            raise ValueError("keccak failed")
        return get_raw_buffer(out)

    return keccak256


def _chosen() -> Callable[[bytes], bytes]:
    try:
        fast = _pycryptodome_keccak()
        probes = (b"", b"abc", bytes(range(256)) * 5)
        if all(fast(p) == _eth_hash_keccak(p) for p in probes):
            return fast
    except Exception:  # noqa: BLE001 - any trouble with the C library: the portable path
        pass
    return _eth_hash_keccak


keccak256: Callable[[bytes], bytes] = _chosen()
