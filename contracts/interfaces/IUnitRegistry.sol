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
    error RegistryInvalidUnitCode(string code);

    /// @dev An officer's SM2 public key and its Z_A with the default user id, computed once at
    /// registration (SM2.userHashZ) so that each verification hashes only Z_A ‖ M.
    struct Sm2Key {
        uint256 x;
        uint256 y;
        bytes32 zA;
    }

    /// @dev Why a signature names no signer (see {tryRecoverSigner}, {trySm2Verify}).
    enum SignatureError {
        None,
        Malformed, // ECDSA not 65 bytes, high s or bad v; SM2 not strict DER or r, s out of range
        UnknownKey, // an SM2 signature whose key id is not a registered SM2 key
        Mismatch // a well-formed SM2 signature that does not verify for its key and message
    }

    /// @dev `code` is the unit's own code (e.g. its unified social credit code); `unitId` is derived from it.
    event UnitRegistered(bytes32 indexed unitId, UnitKind kind, string name, string code);
    event KeyRegistered(bytes32 indexed unitId, address indexed keyId, KeyScheme scheme, bytes publicKey);
    event KeyRevoked(bytes32 indexed unitId, address indexed keyId);

    /// @notice Registers a unit under its code; its id is derived from the code ({unitIdOf}).
    /// Requirements: caller has OFFICE_ROLE; `code` is 1..64 bytes ({RegistryInvalidUnitCode});
    /// the unit is new; `kind` is not None.
    /// Emits {UnitRegistered}.
    function registerUnit(string calldata code, UnitKind kind, string calldata name) external returns (bytes32 unitId);

    /// @notice A unit's id: keccak256("putuo.unit:" ‖ code), so anyone derives it from the code.
    function unitIdOf(string calldata code) external pure returns (bytes32);

    /// @notice Registers an officer's keys: an ECDSA key, an SM2 key, or both (an officer may hold
    /// SM2 alone: every contract verifies SM2 signatures itself).
    /// Requirements: caller has OFFICE_ROLE; the unit exists; at least one key is given; neither
    /// key is registered already; `sm2PublicKey` is empty or 65 bytes `04‖X‖Y` of a point of the
    /// SM2 curve (refused with {RegistryInvalidSm2PublicKey} or SM2.SM2InvalidPublicKey).
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

    /// @notice The SM2 public key and Z_A registered under `keyId` (zeroed when it is not an SM2 key).
    function sm2Key(address keyId) external view returns (Sm2Key memory);

    /// @notice Who signed the 32-byte `digest` (an EIP-712 action digest), by the key's scheme:
    /// - SM2: `signature` is the 20-byte key id ‖ the DER signature of M = `digest` (GB/T 32918.2,
    ///   e = SM3(Z_A ‖ M), default user id), verified here against the registered key;
    /// - ECDSA: otherwise, `signature` is 65 bytes r ‖ s ‖ v over `digest` (OpenZeppelin ECDSA,
    ///   high s refused), and the signer is the recovered address.
    /// A signature is SM2 exactly when its first 20 bytes are a registered SM2 key id.
    /// IMPORTANT: an ECDSA signature always recovers to some address: whether that address is an
    /// active officer key is the caller's check ({activeKey}). Never reverts.
    function tryRecoverSigner(bytes32 digest, bytes calldata signature)
        external
        view
        returns (SignatureError err, address keyId);

    /// @notice Whether `der` is a valid SM2 signature of `message` by the SM2 key `keyId`
    /// (e = SM3(Z_A ‖ message), default user id). Whether the key is active is the caller's check.
    function trySm2Verify(address keyId, bytes calldata message, bytes calldata der)
        external
        view
        returns (SignatureError err);
}
