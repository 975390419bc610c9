// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title The usage log's anchors (Art. 30, #11)
/// @notice Every use of shared data is a leaf of an append-only RFC 9162 Merkle tree (SM3) kept
/// off-chain. The Data Center signs checkpoints of it (the log's id, its size and root) and anchors
/// them here; a size must grow. An anchor also carries, for each grant used in its batch, the
/// latest use, which moves the grant's idle clock in {ISharing} (Art. 26). Witnesses (the Office
/// and the regulators' auditor units) check each new checkpoint's consistency with the last one
/// they saw and co-sign it here.
interface IUsageLog {
    enum UsageKind {
        Anchor, // Data Center: document = abi.encode(uint64 size, bytes32 root, bytes32[] grantIds, uint40[] usedAt)
        Cosign // Office or auditor unit: document = abi.encode(uint64 size, bytes32 root)
    }

    /// @notice An officer's signed action (EIP-712 `UsageAction(uint8 kind,bytes document,uint256 nonce)`).
    struct SignedAction {
        UsageKind kind;
        bytes document;
        uint256 nonce;
        bytes signature;
    }

    struct Checkpoint {
        bytes32 root;
        uint40 anchoredAt;
        uint16 cosignatures;
    }

    /// @dev An anchor signed by another than a Data Center officer.
    error UsageLogNotDataCenter(address signer, bytes32 unitId);
    /// @dev A co-signature by another than an Office or auditor unit's officer.
    error UsageLogNotWitness(address signer, bytes32 unitId);
    /// @dev An anchor whose size does not exceed the latest anchored size.
    error UsageLogSizeNotGrowing(uint64 size, uint64 latest);
    /// @dev An anchor with a zero root, or uses whose lists differ in length.
    error UsageLogBadCheckpoint(uint64 size, bytes32 root, uint256 grants, uint256 times);
    /// @dev A co-signature of a checkpoint that is not anchored (no such size, or another root).
    error UsageLogUnknownCheckpoint(uint64 size, bytes32 root, bytes32 anchoredRoot);
    /// @dev The unit already co-signed this checkpoint.
    error UsageLogAlreadyCosigned(uint64 size, bytes32 unitId);

    /// @notice The Data Center anchored the checkpoint (`size`, `root`), signed by `signer`;
    /// `grantIds` / `usedAt` the latest use of each grant in the batch.
    event CheckpointAnchored(
        uint64 indexed size, bytes32 root, address signer, uint256 nonce, bytes32[] grantIds, uint40[] usedAt
    );
    /// @notice `unitId`'s officer `signer` co-signed the checkpoint as a witness.
    event CheckpointCosigned(uint64 indexed size, bytes32 root, bytes32 indexed unitId, address signer, uint16 cosignatures);

    /// @notice Runs a signed action: an anchor or a co-signature.
    ///
    /// Requirements: the signature of an active officer key (ECDSA or SM2, through the registry),
    /// an unused nonce; an anchor by the Data Center with a size above the latest; a co-signature by
    /// the Office or an auditor unit, of an anchored checkpoint, once per unit.
    ///
    /// Emits {CheckpointAnchored} (then Sharing's RecordUse steps) or {CheckpointCosigned}.
    function execute(SignedAction calldata action) external;

    /// @notice The EIP-712 digest an officer signs for `action`.
    function actionDigest(SignedAction calldata action) external view returns (bytes32);

    /// @notice The log's id: keccak256(abi.encode(chain id, this contract)).
    function logId() external view returns (bytes32);

    /// @notice The latest anchored size (0 before the first anchor).
    function latestSize() external view returns (uint64);

    /// @notice The checkpoint anchored at `size` (root 0 when none).
    function checkpoint(uint64 size) external view returns (Checkpoint memory);
}
