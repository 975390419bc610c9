// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ISignedActions} from "../interfaces/ISignedActions.sol";
import {IUnitRegistry} from "../interfaces/IUnitRegistry.sol";

/// @title SignedActions
/// @notice The machinery every contract taking officers' signed actions shares: document bounds,
/// recovery of the officer by the key's scheme (through the registry, so no contract carries curve
/// code), the active-key check, one nonce space per officer and contract, the batch's rejection
/// event and the simulation's error.
/// @dev Each contract keeps its own typed `execute`, `executeBatch`, `simulateBatch` and
/// `executeFromBatch` (Solidity has no generics over struct types, and the ABI must name the
/// contract's own `SignedAction`); each is a few lines over {_authenticate}, {_requireSelf},
/// {_rejected} and {BatchSimulated}.
abstract contract SignedActions is ISignedActions, EIP712 {
    /// @dev Bounds calldata and log size per action; a catalog entry with hundreds of data items fits.
    uint256 public constant MAX_DOCUMENT_BYTES = 32 * 1024;

    IUnitRegistry public immutable registry;

    mapping(address signer => mapping(uint256 nonce => bool)) private _nonces;

    constructor(IUnitRegistry registry_, string memory domainName, string memory domainVersion)
        EIP712(domainName, domainVersion)
    {
        registry = registry_;
    }

    /// @inheritdoc ISignedActions
    function nonceUsed(address signer, uint256 nonce) external view returns (bool) {
        return _nonces[signer][nonce];
    }

    /// @inheritdoc ISignedActions
    function maxDocumentBytes() external pure returns (uint256) {
        return MAX_DOCUMENT_BYTES;
    }

    /// @dev Checks the document's bounds, recovers the officer who signed `digest` (ECDSA, or SM2
    /// key id ‖ DER), checks the key is active and spends its nonce.
    ///
    /// IMPORTANT: `digest` must cover every field of the action (the caller's EIP-712 struct hash),
    /// or a relayer could change an unsigned field.
    function _authenticate(bytes32 digest, bytes calldata document, bytes calldata signature, uint256 nonce)
        internal
        returns (address signer, bytes32 unitId, IUnitRegistry.UnitKind unitKind)
    {
        if (document.length == 0) revert SignedActionEmptyDocument();
        if (document.length > MAX_DOCUMENT_BYTES) {
            revert SignedActionDocumentTooLarge(document.length, MAX_DOCUMENT_BYTES);
        }
        IUnitRegistry.SignatureError err;
        (err, signer) = registry.tryRecoverSigner(digest, signature);
        if (err == IUnitRegistry.SignatureError.Malformed) revert SignedActionInvalidSignature(signature);
        if (err != IUnitRegistry.SignatureError.None) revert SignedActionSignatureMismatch(signer);
        bool active;
        (active, unitId, unitKind) = registry.activeKey(signer);
        if (!active) revert SignedActionSignerNotActive(signer);
        if (_nonces[signer][nonce]) revert SignedActionNonceUsed(signer, nonce);
        _nonces[signer][nonce] = true;
    }

    /// @dev `executeFromBatch` exists only so that each action of a batch runs in its own revert
    /// scope (an external self-call): nobody else may call it.
    function _requireSelf() internal view {
        if (msg.sender != address(this)) revert SignedActionNotSelf(msg.sender);
    }

    function _rejected(uint256 index, bytes32 digest, bytes memory reason) internal {
        emit ActionRejected(msg.sender, index, digest, reason);
    }
}
