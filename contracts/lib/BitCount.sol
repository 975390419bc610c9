// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Population count and n-th set bit of a 256-bit word
/// @notice Lets the calendar skip a whole word (up to 256 days) with one count and find the
/// N-th working day in it with eight halvings, instead of testing day after day.
library BitCount {
    uint256 private constant M1 = 0x5555555555555555555555555555555555555555555555555555555555555555;
    uint256 private constant M2 = 0x3333333333333333333333333333333333333333333333333333333333333333;
    uint256 private constant M4 = 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f;
    uint256 private constant M8 = 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff;
    uint256 private constant M16 = 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff;

    /// @dev The number of set bits of `x` (SWAR: sums in 2-, 4-, 8-, 16-, 32-bit lanes, then folds).
    function popCount(uint256 x) internal pure returns (uint256) {
        unchecked {
            x = x - ((x >> 1) & M1);
            x = (x & M2) + ((x >> 2) & M2);
            x = (x + (x >> 4)) & M4;
            x = (x + (x >> 8)) & M8;
            x = (x + (x >> 16)) & M16; // each 32-bit lane holds <= 32
            // Folding adds lanes into the lowest one; no lane sum exceeds 256, so no carry
            // crosses a 32-bit lane and the garbage left in the upper lanes is masked off.
            x = x + (x >> 32);
            x = x + (x >> 64);
            x = x + (x >> 128);
            return x & 0x1ff;
        }
    }

    /// @dev The index (0 = least significant) of the `n`-th set bit of `x`, counting from the
    /// least significant bit and starting at n = 1. Requires 1 <= n <= popCount(x).
    function select(uint256 x, uint256 n) internal pure returns (uint256 index) {
        unchecked {
            for (uint256 width = 128; width > 0; width >>= 1) {
                uint256 below = popCount(x & ((uint256(1) << width) - 1));
                if (below < n) {
                    n -= below;
                    x >>= width;
                    index += width;
                }
            }
        }
    }
}
