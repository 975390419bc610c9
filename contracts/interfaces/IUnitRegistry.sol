// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Unit registry of the Putuo public data sharing ledger
/// @notice Units (Office, Data Center, ordinary units, auditors) and the officer keys that sign for them.
/// A key id is an address: for ECDSA the signer's address, for SM2 the first 20 bytes of
/// keccak256 of its 65-byte public key `04‖X‖Y` (see `sm2KeyId`).
interface IUnitRegistry {
    /// @dev Ordinary units are both responsible units and demand units (REGULATION "Who acts").
    enum UnitKind {
        None,
        Office,
        DataCenter,
        Ordinary,
        Auditor
    }

    enum KeyScheme {
        None,
        Ecdsa,
        Sm2
    }

    /// @dev One storage slot of times; block numbers decide whether a key may act,
    /// timestamps let a verifier ask "was it active when it signed?".
    struct KeyRecord {
        bytes32 unitId;
        KeyScheme scheme;
        uint40 registeredBlock;
        uint40 registeredAt;
        uint40 revokedBlock;
        uint40 revokedAt;
    }

    error RegistryUnitExists(bytes32 unitId);
    error RegistryUnknownUnit(bytes32 unitId);
    error RegistryInvalidUnitKind(uint8 kind);
    error RegistryKeyExists(address keyId);
    error RegistryUnknownKey(address keyId);
    error RegistryKeyAlreadyRevoked(address keyId, uint40 revokedBlock);
    error RegistryInvalidSm2PublicKey(uint256 length);
    error RegistryZeroKey();

    event UnitRegistered(bytes32 indexed unitId, UnitKind kind, string name);
    event KeyRegistered(bytes32 indexed unitId, address indexed keyId, KeyScheme scheme, bytes publicKey);
    event KeyRevoked(bytes32 indexed unitId, address indexed keyId);

    /// @notice Registers a unit.
    /// Requirements: caller has OFFICE_ROLE; `unitId` is new; `kind` is not None.
    /// Emits {UnitRegistered}.
    function registerUnit(bytes32 unitId, UnitKind kind, string calldata name) external;

    /// @notice Registers an officer's ECDSA key and, optionally, the same officer's SM2 key.
    /// Requirements: caller has OFFICE_ROLE; the unit exists; neither key is registered already;
    /// `sm2PublicKey` is empty or 65 bytes starting with 0x04.
    /// Emits {KeyRegistered} once per key.
    /// IMPORTANT: a key id is never reused, even after revocation, so old signatures stay attributable.
    function registerOfficer(bytes32 unitId, address ecdsaKey, bytes calldata sm2PublicKey) external;

    /// @notice Revokes a key. It cannot act from this block on; what it signed before stays verifiable.
    /// Requirements: caller has OFFICE_ROLE; the key exists and is not revoked.
    /// Emits {KeyRevoked}.
    function revokeKey(address keyId) external;

    /// @notice Revokes `oldKey` and registers new keys for the same unit in one step.
    /// Requirements: as {revokeKey} and {registerOfficer}. Emits {KeyRevoked} and {KeyRegistered}.
    function rotateKey(address oldKey, address newEcdsaKey, bytes calldata newSm2PublicKey) external;

    /// @notice The kind of a unit, None when unknown.
    function unitKind(bytes32 unitId) external view returns (UnitKind);

    /// @notice The full record of a key (zeroed when unknown).
    function keyRecord(address keyId) external view returns (KeyRecord memory);

    /// @notice Whether `keyId` may act in the current block, with its unit and the unit's kind.
    function activeKey(address keyId) external view returns (bool active, bytes32 unitId, UnitKind kind);

    /// @notice Whether `keyId` was registered and not yet revoked at `timestamp`.
    function wasActiveAt(address keyId, uint256 timestamp) external view returns (bool);

    /// @notice The key id of an SM2 public key: the first 20 bytes of keccak256(publicKey).
    function sm2KeyId(bytes calldata publicKey) external pure returns (address);
}
