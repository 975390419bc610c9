"""ASN.1 shapes of EC keys as OpenSSL writes them (no cryptography here).

- PrivateKeyInfo (PKCS#8, RFC 5208) with algorithm id-ecPublicKey and the
  namedCurve (SM2 1.2.156.10197.1.301 or secp256k1) as parameter, holding an
- ECPrivateKey (RFC 5915): version 1, 32-byte d, optional [0] curve,
  optional [1] public key (written, as OpenSSL does).
- SubjectPublicKeyInfo (RFC 5480) for public keys.

``cryptography`` cannot load SM2 keys, hence this module.
"""

from __future__ import annotations

from signer import _asn1 as a

ID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
CURVE_OIDS = {"sm2": "1.2.156.10197.1.301", "ecdsa": "1.3.132.0.10"}
SCHEME_BY_CURVE_OID = {v: k for k, v in CURVE_OIDS.items()}


def _algorithm(scheme: str) -> bytes:
    return a.seq(a.oid(ID_EC_PUBLIC_KEY), a.oid(CURVE_OIDS[scheme]))


def _read_algorithm(body: bytes) -> str:
    """Scheme named by an id-ecPublicKey AlgorithmIdentifier."""
    r = a.Reader(body)
    algorithm = a.decode_oid(r.read(a.OID))
    curve = a.decode_oid(r.read(a.OID))
    r.done()
    if algorithm != ID_EC_PUBLIC_KEY or curve not in SCHEME_BY_CURVE_OID:
        raise a.Asn1Error("unsupported", f"key algorithm {algorithm} / curve {curve}")
    return SCHEME_BY_CURVE_OID[curve]


def encode_private_key_info(scheme: str, private_key: bytes, public_key: bytes) -> bytes:
    """PKCS#8 PrivateKeyInfo DER. Precondition: 32-byte d, 65-byte public key of d."""
    ec_private_key = a.seq(a.integer(1), a.octet_string(private_key), a.explicit(1, a.bit_string(public_key)))
    return a.seq(a.integer(0), _algorithm(scheme), a.octet_string(ec_private_key))


def decode_private_key_info(der: bytes) -> tuple[str, bytes, bytes | None]:
    """(scheme, 32-byte d, public key or None) from PKCS#8 PrivateKeyInfo DER."""
    r = a.Reader(a.parse_single(der, a.SEQUENCE))
    if a.decode_integer(r.read(a.INTEGER)) != 0:
        raise a.Asn1Error("unsupported", "PrivateKeyInfo version must be 0")
    scheme = _read_algorithm(r.read(a.SEQUENCE))
    inner = r.read(a.OCTET_STRING)
    r.done()  # attributes are not expected from OpenSSL; refuse rather than ignore
    e = a.Reader(a.parse_single(inner, a.SEQUENCE))
    if a.decode_integer(e.read(a.INTEGER)) != 1:
        raise a.Asn1Error("unsupported", "ECPrivateKey version must be 1")
    d = e.read(a.OCTET_STRING)
    if not 0 < len(d) <= 32:
        raise a.Asn1Error("malformed", "private key must be 1..32 bytes")
    public = None
    if e.peek_tag() == 0xA0:
        params = a.Reader(e.read(0xA0))
        if a.decode_oid(params.read(a.OID)) != CURVE_OIDS[scheme]:
            raise a.Asn1Error("malformed", "ECPrivateKey curve differs from the algorithm's")
        params.done()
    if e.peek_tag() == 0xA1:
        bits = a.parse_single(e.read(0xA1), a.BIT_STRING)
        if bits[:1] != b"\x00":
            raise a.Asn1Error("malformed", "public key BIT STRING has unused bits")
        public = bits[1:]
    e.done()
    return scheme, d.rjust(32, b"\x00"), public


def encode_spki(scheme: str, public_key: bytes) -> bytes:
    """SubjectPublicKeyInfo DER for a 65-byte public key."""
    return a.seq(_algorithm(scheme), a.bit_string(public_key))


def decode_spki(der: bytes) -> tuple[str, bytes]:
    """(scheme, 65-byte public key) from SubjectPublicKeyInfo DER."""
    r = a.Reader(a.parse_single(der, a.SEQUENCE))
    scheme = _read_algorithm(r.read(a.SEQUENCE))
    bits = r.read(a.BIT_STRING)
    r.done()
    if bits[:1] != b"\x00":
        raise a.Asn1Error("malformed", "public key BIT STRING has unused bits")
    return scheme, bits[1:]
