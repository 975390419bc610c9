// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Officers' signed actions: what every contract that takes them has in common
/// @notice An action is a typed struct an officer signs (EIP-712; the struct is the contract's
/// own, see {ICatalog.SignedAction} and {ISharing.SignedAction}). Any account may relay it: the
/// contract recovers the officer by the key's scheme (ECDSA, or SM2 verified on-chain through the
/// registry), checks the key is active, and spends the officer's nonce, so the relayer can
/// neither forge nor replay an action. Many actions go in one transaction with `executeBatch`,
/// which skips (and reports) a failing one; `simulateBatch` answers, by reverting, what
/// `executeBatch` would do with each.
interface ISignedActions {
    /// @dev The action's document is empty: every action carries its document in full.
    error SignedActionEmptyDocument();
    /// @dev The document is over {maxDocumentBytes}: calldata and logs are bounded per action.
    error SignedActionDocumentTooLarge(uint256 length, uint256 maxLength);
    /// @dev The signature is neither a 65-byte ECDSA signature nor a registered SM2 key id ‖ DER.
    error SignedActionInvalidSignature(bytes signature);
    /// @dev An SM2 signature, well formed, that does not verify for the key it names and this action.
    error SignedActionSignatureMismatch(address keyId);
    /// @dev The recovered key is not an active officer key in the registry.
    error SignedActionSignerNotActive(address signer);
    /// @dev The officer already spent this nonce at this contract: a replay.
    error SignedActionNonceUsed(address signer, uint256 nonce);
    /// @dev `executeFromBatch` was called by someone other than the contract itself.
    error SignedActionNotSelf(address caller);
    /// @dev Always raised by `simulateBatch`: `reasons[i]` is empty when action i would succeed.
    error BatchSimulated(bytes[] reasons);

    /// @notice `executeBatch` skipped the action at `index` (digest `digest`): `reason` is its
    /// revert data, one of the contract's custom errors.
    event ActionRejected(address indexed relayer, uint256 indexed index, bytes32 digest, bytes reason);

    /// @notice Whether `signer` already spent `nonce` at this contract.
    function nonceUsed(address signer, uint256 nonce) external view returns (bool);

    /// @notice The largest document an action may carry, in bytes.
    function maxDocumentBytes() external pure returns (uint256);
}
