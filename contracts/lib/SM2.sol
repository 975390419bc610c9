// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {SM3} from "./SM3.sol";

/// @title SM2 signature verification (GB/T 32918.2) on the recommended curve sm2p256v1 (GB/T 32918.5)
/// @notice Verifies on a stock EVM (no SM2 precompile) what officers sign with SM2 keys: the
/// digest `e = SM3(Z_A ‖ M)` with `Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA)`, and the
/// signature `(r, s)` valid iff `r, s ∈ [1, n−1]`, `t = (r + s) mod n ≠ 0`,
/// `(x1, y1) = s·G + t·P_A` and `(e + x1) mod n = r`.
///
/// Functions come in pairs, as OpenZeppelin's `ECDSA.tryRecover`/`recover`:
/// - `tryVerify…` return false for anything that is not a valid signature, and never revert;
/// - `verify…` revert with what failed: {SM2InvalidSignatureRange}, {SM2InvalidPublicKey},
///   {SM2InvalidDer} or, for a well-formed signature that does not verify, {SM2InvalidSignature};
/// - {tryDecodeDer} returns a {DerError}, {decodeDer} reverts with {SM2InvalidDer}.
///
/// `Z_A` depends only on the public key (and the user id): compute it once with {userHashZ} when a
/// key is registered and store it, then verify with {tryVerify}/{verify}.
///
/// Arithmetic (after OpenZeppelin's `P256.sol`, which shares a = p − 3): Jacobian coordinates,
/// libsecp256k1's halved doubling adapted to a = −3, mixed Jacobian + affine addition;
/// `s·G + t·P_A` in one pass of 255 doublings with signed 5-bit windows for both scalars (digits
/// −16..15, so about 50 additions each), a constant table of ±1G..±16G and a table of ±1P..±16P
/// made affine with one inversion (modexp precompile 0x05). Measured on anvil: ≈ 164k gas for the
/// curve part, ≈ 214k for {tryVerify} with its SM3, ≈ 58k for {userHashZ}. No
/// PUSH0/MCOPY/TLOAD/TSTORE in assembly: compiles for EVM `paris`.
///
/// IMPORTANT: a message has as many valid signatures as the signer has nonces k, so a signature's
/// bytes identify nothing: guard against replay with a nonce inside the signed message.
library SM2 {
    /// @dev Why a DER signature was refused. Offsets in {SM2InvalidDer} point at the byte concerned.
    enum DerError {
        NoError,
        Truncated, // the input ends before a length says it does; offset = where the data ends
        TrailingData, // bytes after `s` inside the SEQUENCE, or after the SEQUENCE; offset = first such byte
        InvalidTag, // not SEQUENCE (0x30) / INTEGER (0x02); offset = the tag
        LongFormLength, // a length byte >= 0x80: never needed (a strict SM2 signature is <= 72 bytes)
        EmptyInteger, // an INTEGER of length 0; offset = its length byte
        NegativeInteger, // first content byte >= 0x80; offset = that byte
        NonMinimalInteger, // a leading 0x00 that is not needed; offset = that byte
        IntegerTooLarge // more than 256 bits; offset = the first content byte
    }

    /// @dev `der` is not a strict DER `SEQUENCE { INTEGER r, INTEGER s }`.
    error SM2InvalidDer(DerError reason, uint256 offset);
    /// @dev `r` or `s` is 0 or >= n.
    error SM2InvalidSignatureRange(uint256 r, uint256 s);
    /// @dev `(x, y)` is not a point of the curve (or a coordinate is >= p).
    error SM2InvalidPublicKey(uint256 x, uint256 y);
    /// @dev A well-formed signature `(r, s)` that does not verify for digest `e` and the key.
    error SM2InvalidSignature(bytes32 e, uint256 r, uint256 s);
    /// @dev A user id must be 1..8191 bytes (ENTL is its length in bits, 16 bits).
    error SM2InvalidUserId(uint256 length);

    /// @dev The field prime p.
    uint256 internal constant P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF;
    /// @dev a = p − 3.
    uint256 internal constant A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC;
    uint256 internal constant B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93;
    /// @dev The order n of G (the cofactor is 1).
    uint256 internal constant N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123;
    uint256 internal constant GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7;
    uint256 internal constant GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0;

    /// @dev The default user id of GB/T 35276 (OpenSSL's `distid:1234567812345678`), and its
    /// ENTL: its length in bits, 16 × 8 = 0x0080.
    bytes16 internal constant DEFAULT_USER_ID = "1234567812345678";
    uint16 internal constant DEFAULT_ENTL = 0x0080;

    /// @dev The Z_A preimage with the default id is 210 bytes, and its first 146 bytes
    /// (ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ 14 bytes of yG) do not depend on the key: this is the SM3 state
    /// after its first two blocks, so {userHashZ} compresses two blocks instead of four.
    /// Recompute: SM3 compression of IV with bytes 0..63, then 64..127, of
    /// `0x0080 ‖ "1234567812345678" ‖ a ‖ b ‖ xG ‖ yG` (checked by the tests against SM3).
    bytes32 private constant Z_A_MIDSTATE = 0xadadedb50446043f08a87acee86d22438e232383bfc81fe2cf9117c84707011d;
    /// @dev The last 18 bytes of yG, which open the preimage's third block.
    uint256 private constant GY_LOW_18_BYTES = GY & ((1 << 144) - 1);
    /// @dev 210 bytes in bits, the length field of the preimage's padding.
    uint256 private constant Z_A_PREIMAGE_BITS = 210 * 8;
    /// @dev ENTL is 16 bits of bit length: 8191 bytes at most.
    uint256 private constant MAX_USER_ID_BYTES = 8191;

    /// @dev floor(n / 2): a scalar k above it is used as n − k with the base point negated.
    uint256 private constant HALF_N = 0x7FFFFFFF7FFFFFFFFFFFFFFFFFFFFFFFB901EFB590E30295A9DDFA049CEAA091;
    /// @dev Σ_{i=0..50} 16·2^(5i). Adding it to a scalar k < 2^255 and reading 5-bit windows u_i
    /// gives the signed digits u_i − 16 ∈ [−16, 15] of k (windows 0..50) and a top digit in {0, 1}
    /// (bit 255), without a carry pass: k = u_51·2^255 + Σ (u_i − 16)·2^(5i).
    uint256 private constant RECODE_BIAS = 0x4210842108421084210842108421084210842108421084210842108421084210;

    // ---------------------------------------------------------------------------------------
    // Z_A and e
    // ---------------------------------------------------------------------------------------

    /// @dev Z_A of public key `(x, y)` with the default user id {DEFAULT_USER_ID}.
    /// Reverts with {SM2InvalidPublicKey} unless the key is a point of the curve, so a key whose
    /// Z_A was computed was also checked.
    function userHashZ(uint256 x, uint256 y) internal pure returns (bytes32) {
        if (!isValidPublicKey(x, y)) revert SM2InvalidPublicKey(x, y);
        // Block 3: yG[14..32) ‖ x ‖ y[0..14); block 4: y[14..32) ‖ 0x80 ‖ zeros ‖ bit length.
        bytes32 state = SM3.compress(
            Z_A_MIDSTATE,
            bytes32((GY_LOW_18_BYTES << 112) | (x >> 144)),
            bytes32((x << 112) | (y >> 144))
        );
        return SM3.compress(state, bytes32((y << 112) | (0x80 << 104)), bytes32(Z_A_PREIMAGE_BITS));
    }

    /// @dev Z_A of public key `(x, y)` with user id `userId` (1..8191 bytes).
    /// Reverts with {SM2InvalidUserId} or {SM2InvalidPublicKey}. Prefer {userHashZ} for the
    /// default id: it costs half as much.
    function userHashZ(bytes memory userId, uint256 x, uint256 y) internal pure returns (bytes32) {
        if (userId.length == 0 || userId.length > MAX_USER_ID_BYTES) revert SM2InvalidUserId(userId.length);
        if (!isValidPublicKey(x, y)) revert SM2InvalidPublicKey(x, y);
        return SM3.hash(abi.encodePacked(uint16(userId.length * 8), userId, A, B, GX, GY, x, y));
    }

    /// @dev The signed digest e = SM3(Z_A ‖ M) of a 32-byte message `message` (an EIP-712 digest).
    function messageDigest(bytes32 zA, bytes32 message) internal pure returns (bytes32) {
        return SM3.hashPair(zA, message);
    }

    /// @dev e = SM3(Z_A ‖ M) of a message of any length (32 bytes take {SM3-hashPair}'s shortcut).
    function messageDigest(bytes32 zA, bytes memory message) internal pure returns (bytes32) {
        if (message.length == 32) return SM3.hashPair(zA, bytes32(message));
        return SM3.hash(abi.encodePacked(zA, message));
    }

    // ---------------------------------------------------------------------------------------
    // Verification
    // ---------------------------------------------------------------------------------------

    /// @dev Whether `(x, y)` is an affine point of the curve: coordinates < p and
    /// y² = x³ + ax + b. The point at infinity has no affine form ((0, 0) is not on the curve).
    function isValidPublicKey(uint256 x, uint256 y) internal pure returns (bool result) {
        assembly ("memory-safe") {
            let p := P
            let lhs := mulmod(y, y, p)
            let rhs := addmod(mulmod(addmod(mulmod(x, x, p), A, p), x, p), B, p) // (x² + a)·x + b
            result := and(and(lt(x, p), lt(y, p)), eq(lhs, rhs))
        }
    }

    /// @dev Whether `(r, s)` is a valid signature of the 32-byte `message` under the key
    /// `(x, y)` whose Z_A is `zA`. False for a wrong signature and for malformed input alike.
    ///
    /// IMPORTANT: `zA` must be {userHashZ} of this very key, stored when the key was registered
    /// and not taken from the caller: Z_A is what binds the signer's id and key into the digest.
    function tryVerify(bytes32 zA, bytes32 message, uint256 r, uint256 s, uint256 x, uint256 y)
        internal
        view
        returns (bool)
    {
        return tryVerifyDigest(messageDigest(zA, message), r, s, x, y);
    }

    /// @dev As {tryVerify}, for an already computed digest `e = SM3(Z_A ‖ M)`.
    ///
    /// IMPORTANT: compute `e` in the contract from the message ({messageDigest}); never accept it
    /// from a caller. For any public key, triples (e, r, s) that verify are easy to make without
    /// the private key (pick r and s, solve for e): only a digest of a known message means
    /// anything.
    function tryVerifyDigest(bytes32 e, uint256 r, uint256 s, uint256 x, uint256 y) internal view returns (bool) {
        if (!_inRange(r, s) || !isValidPublicKey(x, y)) return false;
        return _verify(e, r, s, x, y);
    }

    /// @dev As {tryVerify}, reverting with what failed: {SM2InvalidSignatureRange},
    /// {SM2InvalidPublicKey}, else {SM2InvalidSignature}.
    function verify(bytes32 zA, bytes32 message, uint256 r, uint256 s, uint256 x, uint256 y) internal view {
        verifyDigest(messageDigest(zA, message), r, s, x, y);
    }

    /// @dev As {verify}, for an already computed digest `e`. IMPORTANT: as for {tryVerifyDigest}.
    function verifyDigest(bytes32 e, uint256 r, uint256 s, uint256 x, uint256 y) internal view {
        if (!_inRange(r, s)) revert SM2InvalidSignatureRange(r, s);
        if (!isValidPublicKey(x, y)) revert SM2InvalidPublicKey(x, y);
        if (!_verify(e, r, s, x, y)) revert SM2InvalidSignature(e, r, s);
    }

    /// @dev As {tryVerify}, for a DER signature: false also when it is not strict DER.
    function tryVerifyDer(bytes32 zA, bytes32 message, bytes memory signature, uint256 x, uint256 y)
        internal
        view
        returns (bool)
    {
        (DerError err, uint256 r, uint256 s) = tryDecodeDer(signature);
        return err == DerError.NoError && tryVerify(zA, message, r, s, x, y);
    }

    /// @dev As {verify}, for a DER signature; reverts with {SM2InvalidDer} first.
    function verifyDer(bytes32 zA, bytes32 message, bytes memory signature, uint256 x, uint256 y) internal view {
        (uint256 r, uint256 s) = decodeDer(signature);
        verify(zA, message, r, s, x, y);
    }

    // ---------------------------------------------------------------------------------------
    // DER
    // ---------------------------------------------------------------------------------------

    /// @dev Decodes a strict DER `SEQUENCE { INTEGER r, INTEGER s }` (as GmSSL and OpenSSL
    /// write it): definite short-form lengths, minimal non-negative integers of at most 256 bits,
    /// nothing after `s` or after the SEQUENCE. `(r, s)` are not range-checked here (the
    /// verification does that). On error, r = s = 0.
    function tryDecodeDer(bytes memory der) internal pure returns (DerError err, uint256 r, uint256 s) {
        (err, , r, s) = _decodeDer(der);
    }

    /// @dev As {tryDecodeDer}, reverting with {SM2InvalidDer}(reason, offset).
    function decodeDer(bytes memory der) internal pure returns (uint256 r, uint256 s) {
        (DerError err, uint256 offset, uint256 r_, uint256 s_) = _decodeDer(der);
        if (err != DerError.NoError) revert SM2InvalidDer(err, offset);
        return (r_, s_);
    }

    /// @dev The checks come in the order of signer/_asn1.py (`parse_single`, `Reader.read`,
    /// `decode_integer`, `Reader.done`), so that a malformed signature is refused here for the
    /// same reason as off-chain: a value's length before its tag, the end of the data before the
    /// contents. One difference: an INTEGER over 256 bits is {DerError.IntegerTooLarge} here,
    /// out of range there.
    function _decodeDer(bytes memory der)
        private
        pure
        returns (DerError err, uint256 offset, uint256 r, uint256 s)
    {
        uint256 length = der.length;
        if (length < 2) return (DerError.Truncated, length, 0, 0);
        uint256 content = _byteAt(der, 1);
        if (content >= 0x80) return (DerError.LongFormLength, 1, 0, 0);
        uint256 end = 2 + content;
        if (end > length) return (DerError.Truncated, length, 0, 0);
        if (end != length) return (DerError.TrailingData, end, 0, 0);
        if (_byteAt(der, 0) != 0x30) return (DerError.InvalidTag, 0, 0, 0);
        uint256 pos;
        (err, offset, r, pos) = _readInteger(der, 2, end);
        if (err == DerError.NoError) (err, offset, s, pos) = _readInteger(der, pos, end);
        if (err == DerError.NoError && pos != end) (err, offset) = (DerError.TrailingData, pos);
        if (err != DerError.NoError) (r, s) = (0, 0);
    }

    /// @dev Reads the INTEGER at `pos`, which must end by `end`; its value and the position after it.
    function _readInteger(bytes memory der, uint256 pos, uint256 end)
        private
        pure
        returns (DerError, uint256 offset, uint256 value, uint256 next)
    {
        if (pos + 2 > end) return (DerError.Truncated, end, 0, 0);
        uint256 size = _byteAt(der, pos + 1);
        if (size >= 0x80) return (DerError.LongFormLength, pos + 1, 0, 0);
        uint256 start = pos + 2;
        next = start + size;
        if (next > end) return (DerError.Truncated, end, 0, 0);
        if (_byteAt(der, pos) != 0x02) return (DerError.InvalidTag, pos, 0, 0);
        if (size == 0) return (DerError.EmptyInteger, pos + 1, 0, 0);
        uint256 first = _byteAt(der, start);
        if (first >= 0x80) return (DerError.NegativeInteger, start, 0, 0);
        // A leading 0x00 is allowed only to keep the next byte's top bit from reading as a sign.
        if (first == 0 && size > 1 && _byteAt(der, start + 1) < 0x80) {
            return (DerError.NonMinimalInteger, start, 0, 0);
        }
        if (size - (first == 0 ? 1 : 0) > 32) return (DerError.IntegerTooLarge, start, 0, 0);
        assembly ("memory-safe") {
            // The 32 bytes ending at `next` (next >= 3, so this stays inside `der`'s length word
            // and content); bytes before `start` are masked off.
            value := mload(add(der, next))
            if lt(size, 32) {
                value := and(value, sub(shl(mul(8, size), 1), 1))
            }
        }
        return (DerError.NoError, 0, value, next);
    }

    function _byteAt(bytes memory data, uint256 index) private pure returns (uint256 b) {
        assembly ("memory-safe") {
            b := byte(0, mload(add(add(data, 0x20), index)))
        }
    }

    // ---------------------------------------------------------------------------------------
    // Curve arithmetic
    // ---------------------------------------------------------------------------------------

    function _inRange(uint256 r, uint256 s) private pure returns (bool) {
        return r != 0 && r < N && s != 0 && s < N;
    }

    /// @dev The verification proper. Requires r, s ∈ [1, n−1] and (x, y) on the curve.
    function _verify(bytes32 e, uint256 r, uint256 s, uint256 x, uint256 y) private view returns (bool valid) {
        uint256 t = addmod(r, s, N);
        if (t == 0) return false;
        (uint256 jx, , uint256 jz) = _mulAdd(s, t, x, y);
        if (jz == 0) return false; // s·G + t·P is the point at infinity: no x1
        assembly ("memory-safe") {
            // x1 = jx / jz², and (e + x1) mod n = r  ⇔  x1 ≡ c := (r − e) mod n. As x1 < p < 2n,
            // x1 is c or c + n (the latter only if c + n < p), so compare jx with c·jz² instead of
            // spending an inversion on x1.
            let p := P
            let zz := mulmod(jz, jz, p)
            let c := addmod(r, sub(N, mod(e, N)), N)
            valid := eq(jx, mulmod(c, zz, p))
            if and(iszero(valid), lt(c, sub(P, N))) {
                valid := eq(jx, mulmod(add(c, N), zz, p))
            }
        }
    }

    /// @dev u·G + v·Q in Jacobian coordinates (z = 0 for the point at infinity), for scalars
    /// 1 <= u, v < n and Q = (qx, qy) on the curve.
    function _mulAdd(uint256 u, uint256 v, uint256 qx, uint256 qy)
        private
        view
        returns (uint256 x, uint256 y, uint256 z)
    {
        assembly ("memory-safe") {
            // Doubling in the halved form of libsecp256k1's secp256k1_gej_double, adapted to
            // a = −3: (X3/4, Y3/8, Z3/2) of the textbook dbl-2001-b (X3, Y3, Z3), the same point
            // (Jacobian scaling by 1/2) with the factors 3, 4, 8, 8 and 2 of the textbook folded
            // into one multiplication by 3/2:
            //   L = (3/2)·(x − z²)·(x + z²), T = x·y², x3 = L² − 2T, y3 = L·(T − x3) − y⁴, z3 = y·z.
            // 9 multiplications and 6 additions. Infinity (z = 0) doubles to z = 0; no point of
            // this curve has y = 0.
            function dbl(x1, y1, z1, p) -> x3, y3, z3 {
                let yy := mulmod(y1, y1, p)
                let zz := mulmod(z1, z1, p)
                z3 := mulmod(y1, z1, p)
                // (p + 3) / 2 = 3/2 mod p
                let l := mulmod(
                    mulmod(addmod(x1, zz, p), addmod(x1, sub(p, zz), p), p),
                    0x7fffffff7fffffffffffffffffffffffffffffff800000008000000000000001,
                    p
                )
                let t := mulmod(x1, yy, p)
                x3 := addmod(mulmod(l, l, p), sub(p, addmod(t, t, p)), p)
                y3 := addmod(mulmod(l, addmod(t, sub(p, x3), p), p), sub(p, mulmod(yy, yy, p)), p)
            }

            // (x1, y1, z1) + (x2, y2) with (x2, y2) affine: 8M + 3S. Unlike a bare formula it is
            // right for every input: infinity + Q = Q, Q + Q = 2Q, Q + (−Q) = infinity. A key is
            // the signer's choice, so the accumulator meeting a table point must not be assumed
            // away.
            function madd(x1, y1, z1, x2, y2, p) -> x3, y3, z3 {
                if iszero(z1) {
                    x3 := x2
                    y3 := y2
                    z3 := 1
                    leave
                }
                let z1z1 := mulmod(z1, z1, p)
                let h := addmod(mulmod(x2, z1z1, p), sub(p, x1), p) // x2·z1² − x1
                let r := addmod(mulmod(y2, mulmod(z1, z1z1, p), p), sub(p, y1), p) // y2·z1³ − y1
                if iszero(h) {
                    if iszero(r) {
                        x3, y3, z3 := dbl(x1, y1, z1, p)
                        leave
                    }
                    leave // the same x, opposite y: infinity (z3 = 0)
                }
                let hh := mulmod(h, h, p)
                let hhh := mulmod(h, hh, p)
                let vv := mulmod(x1, hh, p)
                // x3 = r² − h³ − 2·x1·h²
                x3 := addmod(addmod(mulmod(r, r, p), sub(p, hhh), p), sub(p, addmod(vv, vv, p)), p)
                // y3 = r·(x1·h² − x3) − y1·h³
                y3 := addmod(mulmod(r, addmod(vv, sub(p, x3), p), p), sub(p, mulmod(y1, hhh, p)), p)
                z3 := mulmod(z1, h, p)
            }

            function negIf(value, neg, p) -> r {
                r := value
                if neg {
                    r := sub(p, value)
                }
            }

            // A table holds, for each 5-bit window w = 0..31, the point (w − 16)·B for its base
            // point B (affine x ‖ y, 64 bytes at table + 64·w; w = 16 stands for 0 and is never
            // read): the loop then adds entry w as it is, with no sign or index arithmetic.
            function storeEntry(table, d, x1, y1, p) {
                if lt(d, 16) {
                    let plus := add(table, shl(6, add(16, d)))
                    mstore(plus, x1)
                    mstore(add(plus, 0x20), y1)
                }
                let minus := add(table, shl(6, sub(16, d)))
                mstore(minus, x1)
                mstore(add(minus, 0x20), sub(p, y1))
            }

            // The table of B = G, or of B = −G when `neg`: 1G..16G from signer/_sm2_curve.py.
            // Every signature test checks them (a wrong entry fails most verifications).
            function storeGTable(table, neg, p) {
                storeEntry(table, 1, 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7,
                    negIf(0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0, neg, p), p)
                storeEntry(table, 2, 0x56cefd60d7c87c000d58ef57fa73ba4d9c0dfa08c08a7331495c2e1da3f2bd52,
                    negIf(0x31b7e7e6cc8189f668535ce0f8eaf1bd6de84c182f6c8e716f780d3a970a23c3, neg, p), p)
                storeEntry(table, 3, 0xa97f7cd4b3c993b4be2daa8cdb41e24ca13f6bd945302244e26918f1d0509ebf,
                    negIf(0x530b5dd88c688ef5ccc5cec08a72150f7c400ee5cd045292aaacdd037458f6e6, neg, p), p)
                storeEntry(table, 4, 0xc239507105c683242a81052ff641ed69009a084ad5cc937db21646cd34a0ced5,
                    negIf(0xb1bf7ec4080f3c8735f1294ac0db19686bee2e96ab8c71fb7a253666cb66e009, neg, p), p)
                storeEntry(table, 5, 0xc749061668652e26040e008fdd5eb77a344a417b7fce19dba575da57cc372a9e,
                    negIf(0xf2df5db2d144e9454504c622b51cf38f5006206eb579ff7da6976eff5fbe6480, neg, p), p)
                storeEntry(table, 6, 0x0927afb57d93483bbb17c93e71f22a3105ff8856a66016892c8b1a1a3c4b0d30,
                    negIf(0x150c6b1ab4d1fc7eac1c0ef6ebf2664581adf1f0855a064dd572103000088f63, neg, p), p)
                storeEntry(table, 7, 0xddf092555409c19dfdbe86a75c139906a80198337744ee78cd27e384d9fcaf15,
                    negIf(0x847d18ffb38e87065cd6b6e9c12d2922037937707d6a49a2223b949657e52bc1, neg, p), p)
                storeEntry(table, 8, 0xb9c3faeb4b1610713db4333d4e860e64d4ea35d60c1c29bb675d822ded0bb916,
                    negIf(0xc519b309ecf7269c2491d2de9accf2be0366a8a03024b3e03c286da2cfd31a3e, neg, p), p)
                storeEntry(table, 9, 0xa27233f3a59595080b4a2444a46a74c5fe8d59cb43619e4f173472a58cca247e,
                    negIf(0x379e72f63722c924768f7689b210f45fc3a8433140d1ebca85227940922c02e9, neg, p), p)
                storeEntry(table, 10, 0xd3f94862519621c121666061f65c3e32b2d0d065cd219e3284a04814db522756,
                    negIf(0x4b9030cf676f6a742ebd57d146dca428f6b743f64d1482d147d46fb2bab82a14, neg, p), p)
                storeEntry(table, 11, 0x04b3cb10c9c6d8e27c1aab770f67f543125dcdd589c2ff82668c74d78ce20ace,
                    negIf(0x63516355287e39fe4918e5c02e2b0b930c94816e63c4bc72739a8fd805174a4b, neg, p), p)
                storeEntry(table, 12, 0xbfc2df6bb17f971ad89058ca059be46e5f7b516c5bdaddad9c9f042d0279270a,
                    negIf(0xb145513f59636106cef696b67939bd7b73c9fc6fd150aaaab5fbf87b64af3c26, neg, p), p)
                storeEntry(table, 13, 0x952072d6ff9c65bdfa804513275f58aa7bea65c6421e189e2b834f1d509b9cd0,
                    negIf(0xe6bb9804458bb70f1a473f8d9748f23858d1434ae934ba7503891e105e009b00, neg, p), p)
                storeEntry(table, 14, 0x83b4a4de96a4d70f4aaf81826982d748ef22ea28be9d44de0a44248a36bb0a07,
                    negIf(0xe481c0d9ee8a98d4eeb6d6c6d7e74f8e3e707c8a438529492e663cd4373a2f24, neg, p), p)
                storeEntry(table, 15, 0xf73b839f13912c1a3291676c38d393243b424f35f0ecce4c461b1bbcb80f829c,
                    negIf(0x32ec7722695dc7cf5ee9fab985c12455dc2e788fb170aa144c3533771db0955e, neg, p), p)
                storeEntry(table, 16, 0x35648233f554ae51bbce44ef5db3e419ea133cd248a93e2555645bbc8704fb68,
                    negIf(0x04d7ac60f6d975ef6117bca9ce885dd6154b1870a6a651664411a9a30eca2046, neg, p), p)
            }

            // p is used ≈ 7,000 times. As a literal, the optimizer (runs = 200) rebuilds the
            // 32-byte constant from shifts at each use (≈ 15 gas) to save code; read through an
            // expression it cannot fold (gas() < 2^255, so the `or` adds nothing), p stays in a
            // stack slot and costs a DUP (3 gas).
            let p := or(P, shr(255, gas()))

            // --- Recoding: k ↦ min(k, n − k) < 2^255, the base point negated for n − k; then
            // + RECODE_BIAS, whose 5-bit windows w stand for the digits w − 16.
            let uNeg := gt(u, HALF_N)
            if uNeg {
                u := sub(N, u)
            }
            u := add(u, RECODE_BIAS)
            if gt(v, HALF_N) {
                v := sub(N, v)
                qy := sub(p, qy)
            }
            v := add(v, RECODE_BIAS)

            // --- Tables of ±G and of ±Q (see storeEntry), 2 KiB each, then the Jacobian
            // multiples kQ (3 words each), their running z products and the modexp call: all in
            // scratch memory past the free memory pointer, never allocated, so that a contract
            // verifying many signatures in one call reuses these 6.2 KiB instead of paying for
            // ever more memory.
            let gTable := mload(0x40)
            let qTable := add(gTable, 0x800)
            storeGTable(gTable, uNeg, p)
            let jac := add(qTable, 0x800)
            let prod := add(jac, 0x600)
            let buf := add(prod, 0x200)
            mstore(jac, qx)
            mstore(add(jac, 0x20), qy)
            mstore(add(jac, 0x40), 1)
            {
                let x2, y2, z2 := dbl(qx, qy, 1, p)
                mstore(add(jac, 0x60), x2)
                mstore(add(jac, 0x80), y2)
                mstore(add(jac, 0xa0), z2)
            }
            // kQ = (k − 1)Q + Q for k = 3..16 (never infinity nor ±Q: n is a prime > 17).
            for {
                let j := add(jac, 0x60)
            } lt(j, add(jac, 0x5a0)) {
                j := add(j, 0x60)
            } {
                let x3, y3, z3 := madd(mload(j), mload(add(j, 0x20)), mload(add(j, 0x40)), qx, qy, p)
                mstore(add(j, 0x60), x3)
                mstore(add(j, 0x80), y3)
                mstore(add(j, 0xa0), z3)
            }
            // Montgomery's trick: all 16 z inverted for one inversion. prod[k] = z_1 · … · z_(k+1).
            {
                let acc := 1
                for {
                    let k := 0
                } lt(k, 16) {
                    k := add(k, 1)
                } {
                    acc := mulmod(acc, mload(add(jac, add(mul(k, 0x60), 0x40))), p)
                    mstore(add(prod, shl(5, k)), acc)
                }
                // acc^(p − 2) = acc^−1 (Fermat) by the modexp precompile.
                mstore(buf, 0x20)
                mstore(add(buf, 0x20), 0x20)
                mstore(add(buf, 0x40), 0x20)
                mstore(add(buf, 0x60), acc)
                mstore(add(buf, 0x80), sub(p, 2))
                mstore(add(buf, 0xa0), p)
                // Fails only when out of gas; revert rather than continue with garbage.
                if iszero(staticcall(gas(), 0x05, buf, 0xc0, buf, 0x20)) {
                    revert(0, 0)
                }
                let inv := mload(buf) // (z_1 · … · z_(k+1))^−1, k from 15 down
                for {
                    let k := 15
                } 1 {
                    k := sub(k, 1)
                } {
                    let j := add(jac, mul(k, 0x60))
                    let zInv := inv
                    if k {
                        zInv := mulmod(inv, mload(add(prod, shl(5, sub(k, 1)))), p)
                        inv := mulmod(inv, mload(add(j, 0x40)), p)
                    }
                    let zInv2 := mulmod(zInv, zInv, p)
                    storeEntry(
                        qTable,
                        add(k, 1),
                        mulmod(mload(j), zInv2, p),
                        mulmod(mload(add(j, 0x20)), mulmod(zInv2, zInv, p), p),
                        p
                    )
                    if iszero(k) {
                        break
                    }
                }
            }

            // --- Top digit (bit 255: 0 or 1), then windows 50..0: 5 doublings, two additions.
            z := 0
            if shr(255, u) {
                x := mload(add(gTable, 0x440)) // entry 17: 1·(±G)
                y := mload(add(gTable, 0x460))
                z := 1
            }
            if shr(255, v) {
                x, y, z := madd(x, y, z, mload(add(qTable, 0x440)), mload(add(qTable, 0x460)), p)
            }
            for {
                let shift := 250
            } 1 {
                shift := sub(shift, 5)
            } {
                x, y, z := dbl(x, y, z, p)
                x, y, z := dbl(x, y, z, p)
                x, y, z := dbl(x, y, z, p)
                x, y, z := dbl(x, y, z, p)
                x, y, z := dbl(x, y, z, p)
                let entry := add(gTable, shl(6, and(shr(shift, u), 31)))
                if sub(entry, add(gTable, 0x400)) {
                    // window 16 is the digit 0
                    x, y, z := madd(x, y, z, mload(entry), mload(add(entry, 0x20)), p)
                }
                entry := add(qTable, shl(6, and(shr(shift, v), 31)))
                if sub(entry, add(qTable, 0x400)) {
                    x, y, z := madd(x, y, z, mload(entry), mload(add(entry, 0x20)), p)
                }
                if iszero(shift) {
                    break
                }
            }
        }
    }
}
