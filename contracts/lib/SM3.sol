// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title SM3 hash (GB/T 32905-2016) on a stock EVM
/// @notice SM3 is the hash inside SM2 signatures (`Z_A` and `e = SM3(Z_A ‖ M)`) and of the usage
/// log's Merkle tree. Entry points, from general to special:
/// - {hash}: any byte string;
/// - {hashPair}: exactly 64 bytes `a ‖ b` (two compressions), the shape of `e = SM3(Z_A ‖ M)`
///   with a 32-byte `M`, and of a Merkle node;
/// - {compress}: the compression function on one 64-byte block `hi ‖ lo`, for callers that can
///   precompute part of a message (SM2's `Z_A` preimage starts with 128 constant bytes).
///
/// The state `V = A ‖ B ‖ … ‖ H` travels as one `bytes32`, big-endian: the final state *is* the
/// digest.
///
/// Why the assembly looks the way it does. Measured on anvil, one compression costs ≈ 29k gas
/// (≈ 22k the rounds, ≈ 6k the message expansion); a straightforward Solidity SM3 costs ≈ 176k.
/// - 32-bit words live in 256-bit stack slots and may carry garbage above bit 31 ("dirty"):
///   add, xor, and, or never move high bits down, so a word is masked only where a rotation would
///   pull garbage in, and once at the end.
/// - `x <<< n` is `(x ‖ x) >> (32 − n)`, and `x ‖ x` is one `mul(x, 0x100000001)` of the clean
///   word: P0, P1 and SS1 rotate one value twice or more and pay the doubling once. Register B is
///   kept doubled: it is the previous round's A, which that round doubled anyway.
/// - Loops unrolled just so far: rounds 0..15 two per iteration, rounds 16..63 and the
///   expansion four per iteration. Further unrolling (or renaming registers across rounds) makes
///   the Yul optimiser merge expressions across rounds until registers spill to memory, which
///   costs more than the loop saved (measured). Expansion and rounds are separate private
///   functions, so a contract holds one copy of each however many call sites it has.
/// - {hashPair}'s second block is the same for every 64-byte message, so its expanded words are
///   written as constants instead of computed (−6k gas per e = SM3(Z_A ‖ M)).
/// - W[0..67] sits in scratch memory past the free memory pointer (never allocated: nothing else
///   runs while a compression uses it).
/// - No PUSH0/MCOPY/TLOAD/TSTORE is written here: the library compiles for EVM `paris`.
library SM3 {
    /// @dev The initial value `IV` (GB/T 32905 §4.1) as a packed state.
    bytes32 internal constant IV = 0x7380166f4914b2b9172442d7da8a0600a96f30bc163138aae38dee4db0fb0e4e;

    /// @dev SM3 of `data`.
    function hash(bytes memory data) internal pure returns (bytes32 state) {
        state = IV;
        uint256 length = data.length;
        uint256 rest = length % 64;
        uint256 blocks;
        uint256 tail;
        assembly ("memory-safe") {
            blocks := add(data, 0x20)
            tail := add(blocks, sub(length, rest)) // end of the last full block
        }
        for (; blocks < tail; blocks += 64) {
            state = _compressAt(state, blocks);
        }
        // The tail (0..63 bytes), then 0x80, zeros and the 64-bit bit length (§5.2): one block
        // if the tail leaves room for the 9 bytes, otherwise two.
        uint256 buffer;
        assembly ("memory-safe") {
            function keepTop(word, count) -> kept {
                // the top `count` (0..32) bytes of `word`; shl(256, 1) is 0 in the EVM, so 0 and
                // 32 need no branch
                kept := and(word, not(sub(shl(mul(8, sub(32, count)), 1), 1)))
            }
            buffer := mload(0x40)
            mstore(0x40, add(buffer, 0x80))
            let inHi := rest
            if gt(inHi, 32) {
                inHi := 32
            }
            // Reading past the end of `data` reads whatever follows it; keepTop drops it.
            mstore(buffer, keepTop(mload(tail), inHi))
            mstore(add(buffer, 0x20), keepTop(mload(add(tail, 0x20)), sub(rest, inHi)))
            mstore(add(buffer, 0x40), 0)
            mstore(add(buffer, 0x60), 0)
            mstore8(add(buffer, rest), 0x80)
            let last := buffer
            if gt(rest, 55) {
                last := add(buffer, 0x40)
            }
            // the bit length fills the last 8 bytes of the last block
            mstore(add(last, 0x20), or(mload(add(last, 0x20)), mul(length, 8)))
        }
        state = _compressAt(state, buffer);
        if (rest > 55) state = _compressAt(state, buffer + 64);
    }

    /// @dev SM3 of the 64 bytes `a ‖ b`. The second block is the padding of any 64-byte message,
    /// so its expanded words are constants and only one block is expanded.
    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        // Two statements, not one nested call: both schedules use the same scratch memory, and
        // Solidity does not specify in which order it evaluates a call's arguments.
        bytes32 state = _rounds(IV, _expand(a, b));
        return _rounds(state, _padding64Schedule());
    }

    /// @dev The compression function CF(V, B) of GB/T 32905 §5.3 on state `state` and the block
    /// `B = hi ‖ lo`.
    function compress(bytes32 state, bytes32 hi, bytes32 lo) internal pure returns (bytes32) {
        return _rounds(state, _expand(hi, lo));
    }

    /// @dev CF on the 64-byte block at memory address `ptr`.
    function _compressAt(bytes32 state, uint256 ptr) private pure returns (bytes32) {
        bytes32 hi;
        bytes32 lo;
        assembly ("memory-safe") {
            hi := mload(ptr)
            lo := mload(add(ptr, 0x20))
        }
        return _rounds(state, _expand(hi, lo));
    }

    /// @dev §5.3.2: writes W[0..67] of the block `hi ‖ lo` to scratch memory; its address.
    function _expand(bytes32 hi, bytes32 lo) private pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := mload(0x40)
            // W[0..15] are the block's big-endian words, clean.
            mstore(w, shr(224, hi))
            mstore(add(w, 0x020), and(shr(192, hi), 0xffffffff))
            mstore(add(w, 0x040), and(shr(160, hi), 0xffffffff))
            mstore(add(w, 0x060), and(shr(128, hi), 0xffffffff))
            mstore(add(w, 0x080), and(shr(96, hi), 0xffffffff))
            mstore(add(w, 0x0a0), and(shr(64, hi), 0xffffffff))
            mstore(add(w, 0x0c0), and(shr(32, hi), 0xffffffff))
            mstore(add(w, 0x0e0), and(hi, 0xffffffff))
            mstore(add(w, 0x100), shr(224, lo))
            mstore(add(w, 0x120), and(shr(192, lo), 0xffffffff))
            mstore(add(w, 0x140), and(shr(160, lo), 0xffffffff))
            mstore(add(w, 0x160), and(shr(128, lo), 0xffffffff))
            mstore(add(w, 0x180), and(shr(96, lo), 0xffffffff))
            mstore(add(w, 0x1a0), and(shr(64, lo), 0xffffffff))
            mstore(add(w, 0x1c0), and(shr(32, lo), 0xffffffff))
            mstore(add(w, 0x1e0), and(lo, 0xffffffff))
            // W[j] = P1(W[j-16] ^ W[j-9] ^ (W[j-3] <<< 15)) ^ (W[j-13] <<< 7) ^ W[j-6] for
            // j = 16..67, with P1(x) = x ^ (x <<< 15) ^ (x <<< 23). `q` points at W[j-16], so
            // every offset is positive. Stored words are clean, so they double without a mask.
            for {
                let q := w
            } lt(q, add(w, 0x680)) {
                q := add(q, 0x80)
            } {
                let x := xor(xor(mload(q), mload(add(q, 0x0e0))), shr(17, mul(mload(add(q, 0x1a0)), 0x100000001)))
                x := mul(and(x, 0xffffffff), 0x100000001)
                x := xor(xor(x, shr(17, x)), shr(9, x))
                x := xor(xor(x, shr(25, mul(mload(add(q, 0x060)), 0x100000001))), mload(add(q, 0x140)))
                mstore(add(q, 0x200), and(x, 0xffffffff))
                // W[j + 1]
                x := xor(xor(mload(add(q, 0x020)), mload(add(q, 0x100))), shr(17, mul(mload(add(q, 0x1c0)), 0x100000001)))
                x := mul(and(x, 0xffffffff), 0x100000001)
                x := xor(xor(x, shr(17, x)), shr(9, x))
                x := xor(xor(x, shr(25, mul(mload(add(q, 0x080)), 0x100000001))), mload(add(q, 0x160)))
                mstore(add(q, 0x220), and(x, 0xffffffff))
                // W[j + 2]
                x := xor(xor(mload(add(q, 0x040)), mload(add(q, 0x120))), shr(17, mul(mload(add(q, 0x1e0)), 0x100000001)))
                x := mul(and(x, 0xffffffff), 0x100000001)
                x := xor(xor(x, shr(17, x)), shr(9, x))
                x := xor(xor(x, shr(25, mul(mload(add(q, 0x0a0)), 0x100000001))), mload(add(q, 0x180)))
                mstore(add(q, 0x240), and(x, 0xffffffff))
                // W[j + 3]
                x := xor(xor(mload(add(q, 0x060)), mload(add(q, 0x140))), shr(17, mul(mload(add(q, 0x200)), 0x100000001)))
                x := mul(and(x, 0xffffffff), 0x100000001)
                x := xor(xor(x, shr(17, x)), shr(9, x))
                x := xor(xor(x, shr(25, mul(mload(add(q, 0x0c0)), 0x100000001))), mload(add(q, 0x1a0)))
                mstore(add(q, 0x260), and(x, 0xffffffff))
            }
        }
    }

    /// @dev W[0..67] of the block 0x80 ‖ 0^55 ‖ 0x0000000000000200 (the padding of every 64-byte
    /// message), written to scratch memory: 68 stores instead of 52 expansion steps. Generated
    /// from §5.3.2; the tests check it through {hashPair} against SM3 of 64-byte messages.
    function _padding64Schedule() private pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := mload(0x40)
            mstore(add(w, 0x000), 0x80000000)
            mstore(add(w, 0x020), 0x00000000)
            mstore(add(w, 0x040), 0x00000000)
            mstore(add(w, 0x060), 0x00000000)
            mstore(add(w, 0x080), 0x00000000)
            mstore(add(w, 0x0a0), 0x00000000)
            mstore(add(w, 0x0c0), 0x00000000)
            mstore(add(w, 0x0e0), 0x00000000)
            mstore(add(w, 0x100), 0x00000000)
            mstore(add(w, 0x120), 0x00000000)
            mstore(add(w, 0x140), 0x00000000)
            mstore(add(w, 0x160), 0x00000000)
            mstore(add(w, 0x180), 0x00000000)
            mstore(add(w, 0x1a0), 0x00000000)
            mstore(add(w, 0x1c0), 0x00000000)
            mstore(add(w, 0x1e0), 0x00000200)
            mstore(add(w, 0x200), 0x80404000)
            mstore(add(w, 0x220), 0x00000000)
            mstore(add(w, 0x240), 0x01008080)
            mstore(add(w, 0x260), 0x10005000)
            mstore(add(w, 0x280), 0x00000000)
            mstore(add(w, 0x2a0), 0x002002a0)
            mstore(add(w, 0x2c0), 0xac545c04)
            mstore(add(w, 0x2e0), 0x00000000)
            mstore(add(w, 0x300), 0x09582a39)
            mstore(add(w, 0x320), 0xa0003000)
            mstore(add(w, 0x340), 0x00000000)
            mstore(add(w, 0x360), 0x00200280)
            mstore(add(w, 0x380), 0xa4515804)
            mstore(add(w, 0x3a0), 0x20200040)
            mstore(add(w, 0x3c0), 0x51609838)
            mstore(add(w, 0x3e0), 0x30005701)
            mstore(add(w, 0x400), 0xa0002000)
            mstore(add(w, 0x420), 0x008200aa)
            mstore(add(w, 0x440), 0x6ad525d0)
            mstore(add(w, 0x460), 0x0a0e0216)
            mstore(add(w, 0x480), 0xb0f52042)
            mstore(add(w, 0x4a0), 0xfa7073b0)
            mstore(add(w, 0x4c0), 0x20000000)
            mstore(add(w, 0x4e0), 0x008200a8)
            mstore(add(w, 0x500), 0x7a542590)
            mstore(add(w, 0x520), 0x22a20044)
            mstore(add(w, 0x540), 0xd5d6ebd2)
            mstore(add(w, 0x560), 0x82005771)
            mstore(add(w, 0x580), 0x8a202240)
            mstore(add(w, 0x5a0), 0xb42826aa)
            mstore(add(w, 0x5c0), 0xeaf84e59)
            mstore(add(w, 0x5e0), 0x4898eaf9)
            mstore(add(w, 0x600), 0x8207283d)
            mstore(add(w, 0x620), 0xee6775fa)
            mstore(add(w, 0x640), 0xa3e0e0a0)
            mstore(add(w, 0x660), 0x8828488a)
            mstore(add(w, 0x680), 0x23b45a5d)
            mstore(add(w, 0x6a0), 0x628a22c4)
            mstore(add(w, 0x6c0), 0x8d6d0615)
            mstore(add(w, 0x6e0), 0x38300a7e)
            mstore(add(w, 0x700), 0xe96260e5)
            mstore(add(w, 0x720), 0x2b60c020)
            mstore(add(w, 0x740), 0x502ed531)
            mstore(add(w, 0x760), 0x9e878cb9)
            mstore(add(w, 0x780), 0x218c38f8)
            mstore(add(w, 0x7a0), 0xdcae3cb7)
            mstore(add(w, 0x7c0), 0x2a3e0e0a)
            mstore(add(w, 0x7e0), 0xe9e0c461)
            mstore(add(w, 0x800), 0x8c3e3831)
            mstore(add(w, 0x820), 0x44aaa228)
            mstore(add(w, 0x840), 0xdc60a38b)
            mstore(add(w, 0x860), 0x518300f7)
        }
    }

    /// @dev §5.3.3: the 64 rounds on state `state` with the expanded words at `w`, then
    /// V(i+1) = ABCDEFGH ^ V(i).
    function _rounds(bytes32 state, uint256 w) private pure returns (bytes32) {
        assembly ("memory-safe") {
            // Round j: SS1 = (A<<<12 + E + T_j<<<j) <<< 7, SS2 = SS1 ^ A<<<12,
            // TT1 = FF(A, B, C) + D + SS2 + (W[j] ^ W[j+4]), TT2 = GG(E, F, G) + H + SS1 + W[j],
            // then D, C, B, A = C, B<<<9, A, TT1 and H, G, F, E = G, F<<<19, E, P0(TT2) with
            // P0(x) = x ^ x<<<9 ^ x<<<17. Registers are dirty except b, which holds B ‖ B.
            let a := shr(224, state)
            let b := mul(and(shr(192, state), 0xffffffff), 0x100000001)
            let c := shr(160, state)
            let d := shr(128, state)
            let e := shr(96, state)
            let f := shr(64, state)
            let g := shr(32, state)
            let h := state
            let t := 0x79cc4519 // T_j <<< j, clean
            let q := w
            for {} lt(q, add(w, 0x200)) {
                q := add(q, 0x40)
            } {
                // Rounds 0..15, 2 per iteration: FF(x, y, z) = GG(x, y, z) = x ^ y ^ z.
                let td := mul(t, 0x100000001) // T_j<<<j ‖ T_j<<<j: round j + i uses td >> (32 − i)
                let aa := mul(and(a, 0xffffffff), 0x100000001) // A ‖ A: A <<< n = aa >> (32 − n)
                let ss1 := shr(25, mul(and(add(add(shr(20, aa), e), shr(32, td)), 0xffffffff), 0x100000001))
                let tt := add(add(add(xor(xor(a, b), c), d), xor(ss1, shr(20, aa))), xor(mload(q), mload(add(q, 0x80))))
                d := c
                c := shr(23, b)
                b := aa
                a := tt
                tt := add(add(add(xor(xor(e, f), g), h), ss1), mload(q))
                h := g
                g := shr(13, mul(and(f, 0xffffffff), 0x100000001))
                f := e
                tt := mul(and(tt, 0xffffffff), 0x100000001)
                e := xor(xor(tt, shr(23, tt)), shr(15, tt))
                // round j + 1
                aa := mul(and(a, 0xffffffff), 0x100000001)
                ss1 := shr(25, mul(and(add(add(shr(20, aa), e), shr(31, td)), 0xffffffff), 0x100000001))
                tt := add(add(add(xor(xor(a, b), c), d), xor(ss1, shr(20, aa))), xor(mload(add(q, 0x20)), mload(add(q, 0xa0))))
                d := c
                c := shr(23, b)
                b := aa
                a := tt
                tt := add(add(add(xor(xor(e, f), g), h), ss1), mload(add(q, 0x20)))
                h := g
                g := shr(13, mul(and(f, 0xffffffff), 0x100000001))
                f := e
                tt := mul(and(tt, 0xffffffff), 0x100000001)
                e := xor(xor(tt, shr(23, tt)), shr(15, tt))
                t := and(shr(30, td), 0xffffffff) // T_(j+2) <<< (j + 2)
            }
            t := 0x9d8a7a87 // rounds 16..63: T = 0x7a879d8a, here already <<< 16
            for {} lt(q, add(w, 0x800)) {
                q := add(q, 0x80)
            } {
                // Rounds 16..63, 4 per iteration: FF = majority(x, y, z), GG = x ? y : z = z ^ (x & (y ^ z)).
                let td := mul(t, 0x100000001) // T_j<<<j ‖ T_j<<<j: round j + i uses td >> (32 − i)
                let aa := mul(and(a, 0xffffffff), 0x100000001)
                let ss1 := shr(25, mul(and(add(add(shr(20, aa), e), shr(32, td)), 0xffffffff), 0x100000001))
                let tt := add(add(add(or(and(a, or(b, c)), and(b, c)), d), xor(ss1, shr(20, aa))), xor(mload(q), mload(add(q, 0x80))))
                d := c
                c := shr(23, b)
                b := aa
                a := tt
                tt := add(add(add(xor(and(e, xor(f, g)), g), h), ss1), mload(q))
                h := g
                g := shr(13, mul(and(f, 0xffffffff), 0x100000001))
                f := e
                tt := mul(and(tt, 0xffffffff), 0x100000001)
                e := xor(xor(tt, shr(23, tt)), shr(15, tt))
                // round j + 1
                aa := mul(and(a, 0xffffffff), 0x100000001)
                ss1 := shr(25, mul(and(add(add(shr(20, aa), e), shr(31, td)), 0xffffffff), 0x100000001))
                tt := add(add(add(or(and(a, or(b, c)), and(b, c)), d), xor(ss1, shr(20, aa))), xor(mload(add(q, 0x20)), mload(add(q, 0xa0))))
                d := c
                c := shr(23, b)
                b := aa
                a := tt
                tt := add(add(add(xor(and(e, xor(f, g)), g), h), ss1), mload(add(q, 0x20)))
                h := g
                g := shr(13, mul(and(f, 0xffffffff), 0x100000001))
                f := e
                tt := mul(and(tt, 0xffffffff), 0x100000001)
                e := xor(xor(tt, shr(23, tt)), shr(15, tt))
                // round j + 2
                aa := mul(and(a, 0xffffffff), 0x100000001)
                ss1 := shr(25, mul(and(add(add(shr(20, aa), e), shr(30, td)), 0xffffffff), 0x100000001))
                tt := add(add(add(or(and(a, or(b, c)), and(b, c)), d), xor(ss1, shr(20, aa))), xor(mload(add(q, 0x40)), mload(add(q, 0xc0))))
                d := c
                c := shr(23, b)
                b := aa
                a := tt
                tt := add(add(add(xor(and(e, xor(f, g)), g), h), ss1), mload(add(q, 0x40)))
                h := g
                g := shr(13, mul(and(f, 0xffffffff), 0x100000001))
                f := e
                tt := mul(and(tt, 0xffffffff), 0x100000001)
                e := xor(xor(tt, shr(23, tt)), shr(15, tt))
                // round j + 3
                aa := mul(and(a, 0xffffffff), 0x100000001)
                ss1 := shr(25, mul(and(add(add(shr(20, aa), e), shr(29, td)), 0xffffffff), 0x100000001))
                tt := add(add(add(or(and(a, or(b, c)), and(b, c)), d), xor(ss1, shr(20, aa))), xor(mload(add(q, 0x60)), mload(add(q, 0xe0))))
                d := c
                c := shr(23, b)
                b := aa
                a := tt
                tt := add(add(add(xor(and(e, xor(f, g)), g), h), ss1), mload(add(q, 0x60)))
                h := g
                g := shr(13, mul(and(f, 0xffffffff), 0x100000001))
                f := e
                tt := mul(and(tt, 0xffffffff), 0x100000001)
                e := xor(xor(tt, shr(23, tt)), shr(15, tt))
                t := and(shr(28, td), 0xffffffff) // T_(j+4) <<< (j + 4)
            }

            // V(i+1) = ABCDEFGH ^ V(i), masking each register to its 32 bits once.
            a := or(shl(224, and(a, 0xffffffff)), shl(192, and(b, 0xffffffff)))
            a := or(a, or(shl(160, and(c, 0xffffffff)), shl(128, and(d, 0xffffffff))))
            a := or(a, or(shl(96, and(e, 0xffffffff)), shl(64, and(f, 0xffffffff))))
            state := xor(state, or(a, or(shl(32, and(g, 0xffffffff)), and(h, 0xffffffff))))
        }
        return state;
    }
}
