"""The alternative SM2 verifier the signer benchmark compares against: OpenSSL's libcrypto through
ctypes (EVP_DigestVerify with SM3 and the signer's distinguishing id), the key parsed per call.

Benchmark only: it measures what a libcrypto backend behind `signer/_gmssl_backend.py` would
give. It is not used by the signer.
"""

from __future__ import annotations

import ctypes
import ctypes.util

_V = ctypes.c_void_p
# SubjectPublicKeyInfo prefix for id-ecPublicKey on the SM2 curve; the 65-byte 04‖X‖Y follows.
_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")


def _library():
    name = ctypes.util.find_library("crypto")
    if name is None:
        return None
    lib = ctypes.CDLL(name)
    lib.d2i_PUBKEY.restype = _V
    lib.d2i_PUBKEY.argtypes = [_V, ctypes.POINTER(ctypes.c_char_p), ctypes.c_long]
    lib.EVP_MD_CTX_new.restype = _V
    lib.EVP_PKEY_CTX_new.restype = _V
    lib.EVP_PKEY_CTX_new.argtypes = [_V, _V]
    lib.EVP_PKEY_CTX_set1_id.argtypes = [_V, ctypes.c_char_p, ctypes.c_int]
    lib.EVP_MD_CTX_set_pkey_ctx.argtypes = [_V, _V]
    lib.EVP_sm3.restype = _V
    lib.EVP_DigestVerifyInit.argtypes = [_V, _V, _V, _V, _V]
    lib.EVP_DigestVerify.argtypes = [_V, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]
    lib.EVP_MD_CTX_free.argtypes = [_V]
    lib.EVP_PKEY_free.argtypes = [_V]
    return lib


LIB = _library()


def verify(public_key: bytes, message: bytes, signature_der: bytes, user_id: bytes) -> bool:
    """SM2 verification of a DER signature over SM3(Z_A ‖ message), by libcrypto."""
    der = _SPKI_PREFIX + public_key
    cursor = ctypes.c_char_p(der)
    pkey = LIB.d2i_PUBKEY(None, ctypes.byref(cursor), len(der))
    md = LIB.EVP_MD_CTX_new()
    pctx = LIB.EVP_PKEY_CTX_new(pkey, None)  # freed with md
    try:
        LIB.EVP_PKEY_CTX_set1_id(pctx, user_id, len(user_id))
        LIB.EVP_MD_CTX_set_pkey_ctx(md, pctx)
        if LIB.EVP_DigestVerifyInit(md, None, LIB.EVP_sm3(), None, pkey) != 1:
            return False
        return LIB.EVP_DigestVerify(md, signature_der, len(signature_der), message, len(message)) == 1
    finally:
        LIB.EVP_MD_CTX_free(md)
        LIB.EVP_PKEY_free(pkey)
