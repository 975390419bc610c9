// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IUnitRegistry} from "./interfaces/IUnitRegistry.sol";
import {SM2} from "./lib/SM2.sol";

/// @title UnitRegistry
/// @notice The Office (区府办, Art. 4) governs which units exist and which officer keys
/// (首席数据官 / 数据执行专员, Art. 6) sign for them.
contract UnitRegistry is AccessControl, IUnitRegistry {
    /// @dev Held by the Office's accounts: registers units and keys, revokes and rotates keys.
    bytes32 public constant OFFICE_ROLE = keccak256("OFFICE_ROLE");
    /// @dev A unit code is short (a unified social credit code is 18 characters).
    uint256 private constant MAX_UNIT_CODE_BYTES = 64;

    mapping(bytes32 unitId => UnitKind) private _units;
    mapping(address keyId => KeyRecord) private _keys;
    mapping(address keyId => Sm2Key) private _sm2Keys;

    constructor(address office) {
        _grantRole(DEFAULT_ADMIN_ROLE, office);
        _grantRole(OFFICE_ROLE, office);
    }

    /// @inheritdoc IUnitRegistry
    function registerUnit(string calldata code, UnitKind kind, string calldata name)
        external
        onlyRole(OFFICE_ROLE)
        returns (bytes32 unitId)
    {
        if (bytes(code).length == 0 || bytes(code).length > MAX_UNIT_CODE_BYTES) revert RegistryInvalidUnitCode(code);
        if (kind == UnitKind.None) revert RegistryInvalidUnitKind(uint8(kind));
        unitId = unitIdOf(code);
        if (_units[unitId] != UnitKind.None) revert RegistryUnitExists(unitId);
        _units[unitId] = kind;
        emit UnitRegistered(unitId, kind, name, code);
    }

    /// @inheritdoc IUnitRegistry
    function registerOfficer(bytes32 unitId, address ecdsaKey, bytes calldata sm2PublicKey)
        external
        onlyRole(OFFICE_ROLE)
    {
        if (_units[unitId] == UnitKind.None) revert RegistryUnknownUnit(unitId);
        _registerOfficer(unitId, ecdsaKey, sm2PublicKey);
    }

    /// @inheritdoc IUnitRegistry
    function revokeKey(address keyId) external onlyRole(OFFICE_ROLE) {
        _revoke(keyId);
    }

    /// @inheritdoc IUnitRegistry
    function rotateKey(address oldKey, address newEcdsaKey, bytes calldata newSm2PublicKey)
        external
        onlyRole(OFFICE_ROLE)
    {
        bytes32 unitId = _revoke(oldKey);
        _registerOfficer(unitId, newEcdsaKey, newSm2PublicKey);
    }

    /// @inheritdoc IUnitRegistry
    function unitIdOf(string calldata code) public pure returns (bytes32) {
        return keccak256(abi.encodePacked("putuo.unit:", code));
    }

    /// @inheritdoc IUnitRegistry
    function unitKind(bytes32 unitId) external view returns (UnitKind) {
        return _units[unitId];
    }

    /// @inheritdoc IUnitRegistry
    function keyRecord(address keyId) external view returns (KeyRecord memory) {
        return _keys[keyId];
    }

    /// @inheritdoc IUnitRegistry
    function activeKey(address keyId) external view returns (bool active, bytes32 unitId, UnitKind kind) {
        KeyRecord storage k = _keys[keyId];
        unitId = k.unitId;
        kind = _units[unitId];
        // Revocation takes effect from the block that revoked: a key revoked in block B
        // has revokedBlock = B and may not act in B or later.
        active = k.scheme != KeyScheme.None && k.revokedBlock == 0;
    }

    /// @inheritdoc IUnitRegistry
    function wasActiveAt(address keyId, uint256 timestamp) external view returns (bool) {
        KeyRecord storage k = _keys[keyId];
        if (k.scheme == KeyScheme.None || timestamp < k.registeredAt) return false;
        return k.revokedAt == 0 || timestamp < k.revokedAt;
    }

    /// @inheritdoc IUnitRegistry
    function sm2KeyId(bytes calldata publicKey) public pure returns (address) {
        return address(bytes20(keccak256(publicKey)));
    }

    /// @inheritdoc IUnitRegistry
    function sm2Key(address keyId) external view returns (Sm2Key memory) {
        return _sm2Keys[keyId];
    }

    /// @inheritdoc IUnitRegistry
    function tryRecoverSigner(bytes32 digest, bytes calldata signature)
        external
        view
        returns (SignatureError err, address keyId)
    {
        if (signature.length > 20) {
            address named = address(bytes20(signature[:20]));
            if (_keys[named].scheme == KeyScheme.Sm2) {
                return (_sm2Verify(named, abi.encodePacked(digest), signature[20:]), named);
            }
        }
        (address recovered, ECDSA.RecoverError ecdsaErr,) = ECDSA.tryRecover(digest, signature);
        if (ecdsaErr != ECDSA.RecoverError.NoError) return (SignatureError.Malformed, address(0));
        return (SignatureError.None, recovered);
    }

    /// @inheritdoc IUnitRegistry
    function trySm2Verify(address keyId, bytes calldata message, bytes calldata der)
        external
        view
        returns (SignatureError err)
    {
        if (_keys[keyId].scheme != KeyScheme.Sm2) return SignatureError.UnknownKey;
        return _sm2Verify(keyId, message, der);
    }

    /// @dev `keyId` is a registered SM2 key.
    function _sm2Verify(address keyId, bytes memory message, bytes calldata der) private view returns (SignatureError) {
        (SM2.DerError derErr, uint256 r, uint256 s) = SM2.tryDecodeDer(der);
        if (derErr != SM2.DerError.NoError || r == 0 || s == 0 || r >= SM2.N || s >= SM2.N) {
            return SignatureError.Malformed;
        }
        Sm2Key storage key = _sm2Keys[keyId];
        bytes32 e = SM2.messageDigest(key.zA, message);
        return SM2.tryVerifyDigest(e, r, s, key.x, key.y) ? SignatureError.None : SignatureError.Mismatch;
    }

    function _registerOfficer(bytes32 unitId, address ecdsaKey, bytes calldata sm2PublicKey) private {
        if (ecdsaKey == address(0) && sm2PublicKey.length == 0) revert RegistryZeroKey();
        if (ecdsaKey != address(0)) _addKey(unitId, ecdsaKey, KeyScheme.Ecdsa, abi.encodePacked(ecdsaKey));
        if (sm2PublicKey.length != 0) {
            if (sm2PublicKey.length != 65 || sm2PublicKey[0] != 0x04) {
                revert RegistryInvalidSm2PublicKey(sm2PublicKey.length);
            }
            uint256 x = uint256(bytes32(sm2PublicKey[1:33]));
            uint256 y = uint256(bytes32(sm2PublicKey[33:65]));
            address keyId = sm2KeyId(sm2PublicKey);
            _sm2Keys[keyId] = Sm2Key(x, y, SM2.userHashZ(x, y)); // reverts for a point off the curve
            _addKey(unitId, keyId, KeyScheme.Sm2, sm2PublicKey);
        }
    }

    function _addKey(bytes32 unitId, address keyId, KeyScheme scheme, bytes memory publicKey) private {
        if (_keys[keyId].scheme != KeyScheme.None) revert RegistryKeyExists(keyId);
        _keys[keyId] = KeyRecord({
            unitId: unitId,
            scheme: scheme,
            registeredBlock: uint40(block.number),
            registeredAt: uint40(block.timestamp),
            revokedBlock: 0,
            revokedAt: 0
        });
        emit KeyRegistered(unitId, keyId, scheme, publicKey);
    }

    function _revoke(address keyId) private returns (bytes32 unitId) {
        KeyRecord storage k = _keys[keyId];
        if (k.scheme == KeyScheme.None) revert RegistryUnknownKey(keyId);
        if (k.revokedBlock != 0) revert RegistryKeyAlreadyRevoked(keyId, k.revokedBlock);
        k.revokedBlock = uint40(block.number);
        k.revokedAt = uint40(block.timestamp);
        unitId = k.unitId;
        emit KeyRevoked(unitId, keyId);
    }
}
