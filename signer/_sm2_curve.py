"""SM2 recommended curve (GB/T 32918.5) parameters and point arithmetic.

IMPORTANT: this arithmetic is plain Python and NOT constant-time. It is only
ever applied to public values (public keys, signatures, the generator);
every operation that touches a private scalar is done by the C backend
(:mod:`signer._gmssl_backend`).
"""

from __future__ import annotations

P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0

Point = tuple[int, int] | None  # None is the point at infinity


def is_on_curve(x: int, y: int) -> bool:
    """True when (x, y) are field elements satisfying y^2 = x^3 + ax + b (mod p).

    The cofactor is 1, so every such point is in the prime-order group.
    """
    return 0 <= x < P and 0 <= y < P and (y * y - (x * x * x + A * x + B)) % P == 0


def lift_x(x: int) -> list[tuple[int, int]]:
    """Both curve points with this x coordinate (empty if none); p = 3 mod 4."""
    if not 0 <= x < P:
        return []
    rhs = (x * x * x + A * x + B) % P
    y = pow(rhs, (P + 1) // 4, P)
    if y * y % P != rhs:
        return []
    return [(x, y), (x, P - y)] if y else [(x, 0)]


# Jacobian coordinates (X, Y, Z) stand for (X/Z^2, Y/Z^3): no inversion per step.
_Jac = tuple[int, int, int]


def _double(p: _Jac) -> _Jac:
    x, y, z = p
    if y == 0 or z == 0:
        return (1, 1, 0)
    yy = y * y % P
    s = 4 * x * yy % P
    zz = z * z % P
    m = 3 * (x - zz) * (x + zz) % P  # valid because a = -3 (mod p)
    x3 = (m * m - 2 * s) % P
    return x3, (m * (s - x3) - 8 * yy * yy) % P, 2 * y * z % P


def _add(p: _Jac, q: _Jac) -> _Jac:
    if p[2] == 0:
        return q
    if q[2] == 0:
        return p
    z1z1, z2z2 = p[2] * p[2] % P, q[2] * q[2] % P
    u1, u2 = p[0] * z2z2 % P, q[0] * z1z1 % P
    s1, s2 = p[1] * q[2] * z2z2 % P, q[1] * p[2] * z1z1 % P
    if u1 == u2:
        return _double(p) if s1 == s2 else (1, 1, 0)
    h, r = (u2 - u1) % P, (s2 - s1) % P
    hh = h * h % P
    hhh = h * hh % P
    v = u1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    return x3, (r * (v - x3) - s1 * hhh) % P, h * p[2] * q[2] % P


def _to_affine(p: _Jac) -> Point:
    if p[2] == 0:
        return None
    zinv = pow(p[2], -1, P)
    zinv2 = zinv * zinv % P
    return p[0] * zinv2 % P, p[1] * zinv2 * zinv % P


def mul_add(u1: int, q1: Point, u2: int, q2: Point) -> Point:
    """u1*q1 + u2*q2 (Shamir's trick). Public scalars and points only."""
    j1 = (q1[0], q1[1], 1) if q1 else (1, 1, 0)
    j2 = (q2[0], q2[1], 1) if q2 else (1, 1, 0)
    both = _add(j1, j2)
    acc: _Jac = (1, 1, 0)
    for i in range(max(u1.bit_length(), u2.bit_length()) - 1, -1, -1):
        acc = _double(acc)
        b1, b2 = (u1 >> i) & 1, (u2 >> i) & 1
        if b1 and b2:
            acc = _add(acc, both)
        elif b1:
            acc = _add(acc, j1)
        elif b2:
            acc = _add(acc, j2)
    return _to_affine(acc)


G: Point = (GX, GY)
