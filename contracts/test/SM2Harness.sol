// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {SM2} from "../lib/SM2.sol";
import {SM3} from "../lib/SM3.sol";

/// @title Test harness for the SM2 and SM3 libraries
/// @notice Exposes the internal library functions externally, under names without overloads (one
/// ABI entry per function), plus `gasOf…` functions that measure a call by the `gasleft()`
/// difference around it. Not deployed by the ledger; tests/contracts/test_sm2_onchain.py deploys it.
contract SM2Harness {
    /// @notice SM3 of `data`.
    function sm3(bytes calldata data) external pure returns (bytes32) {
        return SM3.hash(data);
    }

    /// @notice SM3 of the 64 bytes `a ‖ b`.
    function sm3Pair(bytes32 a, bytes32 b) external pure returns (bytes32) {
        return SM3.hashPair(a, b);
    }

    /// @notice One SM3 compression of block `hi ‖ lo` from state `state`.
    function sm3Compress(bytes32 state, bytes32 hi, bytes32 lo) external pure returns (bytes32) {
        return SM3.compress(state, hi, lo);
    }

    /// @notice Z_A with the default user id. Reverts with `SM2InvalidPublicKey`.
    function userHashZ(uint256 x, uint256 y) external pure returns (bytes32) {
        return SM2.userHashZ(x, y);
    }

    /// @notice Z_A with user id `userId`. Reverts with `SM2InvalidUserId` or `SM2InvalidPublicKey`.
    function userHashZWithId(bytes calldata userId, uint256 x, uint256 y) external pure returns (bytes32) {
        return SM2.userHashZ(userId, x, y);
    }

    /// @notice e = SM3(Z_A ‖ M) for a 32-byte M.
    function messageDigest(bytes32 zA, bytes32 message) external pure returns (bytes32) {
        return SM2.messageDigest(zA, message);
    }

    /// @notice e = SM3(Z_A ‖ M) for a message of any length.
    function messageDigestOfBytes(bytes32 zA, bytes calldata message) external pure returns (bytes32) {
        return SM2.messageDigest(zA, message);
    }

    /// @notice Whether `(x, y)` is a point of the curve.
    function isValidPublicKey(uint256 x, uint256 y) external pure returns (bool) {
        return SM2.isValidPublicKey(x, y);
    }

    /// @notice {SM2-tryVerify}.
    function tryVerify(bytes32 zA, bytes32 message, uint256 r, uint256 s, uint256 x, uint256 y)
        external
        view
        returns (bool)
    {
        return SM2.tryVerify(zA, message, r, s, x, y);
    }

    /// @notice {SM2-tryVerifyDigest}.
    function tryVerifyDigest(bytes32 e, uint256 r, uint256 s, uint256 x, uint256 y) external view returns (bool) {
        return SM2.tryVerifyDigest(e, r, s, x, y);
    }

    /// @notice {SM2-verify}: reverts with the SM2 error that applies.
    function verify(bytes32 zA, bytes32 message, uint256 r, uint256 s, uint256 x, uint256 y) external view {
        SM2.verify(zA, message, r, s, x, y);
    }

    /// @notice {SM2-verifyDigest}.
    function verifyDigest(bytes32 e, uint256 r, uint256 s, uint256 x, uint256 y) external view {
        SM2.verifyDigest(e, r, s, x, y);
    }

    /// @notice {SM2-tryVerifyDer}.
    function tryVerifyDer(bytes32 zA, bytes32 message, bytes calldata signature, uint256 x, uint256 y)
        external
        view
        returns (bool)
    {
        return SM2.tryVerifyDer(zA, message, signature, x, y);
    }

    /// @notice {SM2-verifyDer}.
    function verifyDer(bytes32 zA, bytes32 message, bytes calldata signature, uint256 x, uint256 y) external view {
        SM2.verifyDer(zA, message, signature, x, y);
    }

    /// @notice {SM2-tryDecodeDer}.
    function tryDecodeDer(bytes calldata der) external pure returns (SM2.DerError err, uint256 r, uint256 s) {
        return SM2.tryDecodeDer(der);
    }

    /// @notice {SM2-decodeDer}: reverts with `SM2InvalidDer(reason, offset)`.
    function decodeDer(bytes calldata der) external pure returns (uint256 r, uint256 s) {
        return SM2.decodeDer(der);
    }

    /// @notice {SM2-tryVerify} and the gas it used, excluding the call's own overhead.
    function gasOfTryVerify(bytes32 zA, bytes32 message, uint256 r, uint256 s, uint256 x, uint256 y)
        external
        view
        returns (bool valid, uint256 gasUsed)
    {
        uint256 before = gasleft();
        valid = SM2.tryVerify(zA, message, r, s, x, y);
        gasUsed = before - gasleft();
    }

    /// @notice {SM2-tryVerifyDigest} (no SM3) and the gas it used.
    function gasOfTryVerifyDigest(bytes32 e, uint256 r, uint256 s, uint256 x, uint256 y)
        external
        view
        returns (bool valid, uint256 gasUsed)
    {
        uint256 before = gasleft();
        valid = SM2.tryVerifyDigest(e, r, s, x, y);
        gasUsed = before - gasleft();
    }

    /// @notice {SM2-userHashZ} with the default id and the gas it used.
    function gasOfUserHashZ(uint256 x, uint256 y) external view returns (bytes32 zA, uint256 gasUsed) {
        uint256 before = gasleft();
        zA = SM2.userHashZ(x, y);
        gasUsed = before - gasleft();
    }

    /// @notice {SM3-hashPair} and the gas it used.
    function gasOfSm3Pair(bytes32 a, bytes32 b) external view returns (bytes32 digest, uint256 gasUsed) {
        uint256 before = gasleft();
        digest = SM3.hashPair(a, b);
        gasUsed = before - gasleft();
    }
}
