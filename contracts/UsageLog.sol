// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {SignedActions} from "./base/SignedActions.sol";
import {ISharing} from "./interfaces/ISharing.sol";
import {IUnitRegistry} from "./interfaces/IUnitRegistry.sol";
import {IUsageLog} from "./interfaces/IUsageLog.sol";

/// @title UsageLog
/// @notice The usage log's checkpoints (Art. 30), anchored by the Data Center and co-signed by
/// witnesses. See {IUsageLog}.
/// @dev The contract cannot check a root against the records (they stay off-chain); what it
/// guarantees is who signed each checkpoint, that sizes only grow and that a size has one root, so
/// two checkpoints of one size with different roots can never both be anchored, and a witness
/// that checked consistency off-chain co-signs exactly the anchored root.
contract UsageLog is IUsageLog, SignedActions {
    bytes32 public constant ACTION_TYPEHASH = keccak256("UsageAction(uint8 kind,bytes document,uint256 nonce)");

    ISharing public immutable sharing;

    uint64 public latestSize;
    mapping(uint64 size => Checkpoint) private _checkpoints;
    mapping(uint64 size => mapping(bytes32 unitId => bool)) private _cosigned;

    constructor(IUnitRegistry registry_, ISharing sharing_) SignedActions(registry_, "PutuoUsageLog", "1") {
        sharing = sharing_;
    }

    /// @inheritdoc IUsageLog
    function execute(SignedAction calldata a) external {
        (address signer, bytes32 unitId, IUnitRegistry.UnitKind unitKind) =
            _authenticate(actionDigest(a), a.document, a.signature, a.nonce);
        if (a.kind == UsageKind.Anchor) {
            if (unitKind != IUnitRegistry.UnitKind.DataCenter) revert UsageLogNotDataCenter(signer, unitId);
            (uint64 size, bytes32 root, bytes32[] memory grantIds, uint40[] memory usedAt) =
                abi.decode(a.document, (uint64, bytes32, bytes32[], uint40[]));
            if (root == bytes32(0) || grantIds.length != usedAt.length) {
                revert UsageLogBadCheckpoint(size, root, grantIds.length, usedAt.length);
            }
            if (size <= latestSize) revert UsageLogSizeNotGrowing(size, latestSize);
            latestSize = size;
            _checkpoints[size] = Checkpoint(root, uint40(block.timestamp), 0);
            emit CheckpointAnchored(size, root, signer, a.nonce, grantIds, usedAt);
            if (grantIds.length != 0) sharing.recordAnchoredUses(grantIds, usedAt);
        } else {
            if (unitKind != IUnitRegistry.UnitKind.Office && unitKind != IUnitRegistry.UnitKind.Auditor) {
                revert UsageLogNotWitness(signer, unitId);
            }
            (uint64 size, bytes32 root) = abi.decode(a.document, (uint64, bytes32));
            Checkpoint storage c = _checkpoints[size];
            if (c.root == bytes32(0) || c.root != root) revert UsageLogUnknownCheckpoint(size, root, c.root);
            if (_cosigned[size][unitId]) revert UsageLogAlreadyCosigned(size, unitId);
            _cosigned[size][unitId] = true;
            uint16 count = ++c.cosignatures;
            emit CheckpointCosigned(size, root, unitId, signer, count);
        }
    }

    /// @inheritdoc IUsageLog
    function actionDigest(SignedAction calldata a) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(ACTION_TYPEHASH, a.kind, keccak256(a.document), a.nonce)));
    }

    /// @inheritdoc IUsageLog
    function logId() external view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this)));
    }

    /// @inheritdoc IUsageLog
    function checkpoint(uint64 size) external view returns (Checkpoint memory) {
        return _checkpoints[size];
    }
}
