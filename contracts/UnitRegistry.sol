// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IUnitRegistry} from "./interfaces/IUnitRegistry.sol";

/// @title UnitRegistry
/// @notice The Office (区府办, Art. 4) governs which units exist and which officer keys
/// (首席数据官 / 数据执行专员, Art. 6) sign for them.
contract UnitRegistry is AccessControl, IUnitRegistry {
    /// @dev Held by the Office's accounts: registers units and keys, revokes and rotates keys.
    bytes32 public constant OFFICE_ROLE = keccak256("OFFICE_ROLE");

    mapping(bytes32 unitId => UnitKind) private _units;
    mapping(address keyId => KeyRecord) private _keys;

    constructor(address office) {
        _grantRole(DEFAULT_ADMIN_ROLE, office);
        _grantRole(OFFICE_ROLE, office);
    }

    /// @inheritdoc IUnitRegistry
    function registerUnit(bytes32 unitId, UnitKind kind, string calldata name) external onlyRole(OFFICE_ROLE) {
        if (kind == UnitKind.None) revert RegistryInvalidUnitKind(uint8(kind));
        if (_units[unitId] != UnitKind.None) revert RegistryUnitExists(unitId);
        _units[unitId] = kind;
        emit UnitRegistered(unitId, kind, name);
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

    function _registerOfficer(bytes32 unitId, address ecdsaKey, bytes calldata sm2PublicKey) private {
        if (ecdsaKey == address(0)) revert RegistryZeroKey();
        _addKey(unitId, ecdsaKey, KeyScheme.Ecdsa, abi.encodePacked(ecdsaKey));
        if (sm2PublicKey.length != 0) {
            if (sm2PublicKey.length != 65 || sm2PublicKey[0] != 0x04) {
                revert RegistryInvalidSm2PublicKey(sm2PublicKey.length);
            }
            _addKey(unitId, sm2KeyId(sm2PublicKey), KeyScheme.Sm2, sm2PublicKey);
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
