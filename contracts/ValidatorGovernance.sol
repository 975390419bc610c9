// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {SignedActions} from "./base/SignedActions.sol";
import {IUnitRegistry} from "./interfaces/IUnitRegistry.sol";
import {IValidatorGovernance} from "./interfaces/IValidatorGovernance.sol";

/// @title ValidatorGovernance
/// @notice The Office's decisions on the network's validators (#14 part 3), each an officer's
/// signed action checked here, so that the relaying account cannot add or remove a validator.
/// @dev Decisions are rare and one at a time: `execute` only (no batch), unlike Catalog and Sharing.
contract ValidatorGovernance is IValidatorGovernance, SignedActions {
    using EnumerableSet for EnumerableSet.AddressSet;

    bytes32 public constant ACTION_TYPEHASH = keccak256(
        "ValidatorDecision(uint8 kind,address validator,bytes32 unitId,bytes document,uint256 nonce)"
    );

    EnumerableSet.AddressSet private _validators;
    mapping(address validator => Decision) private _decisions;
    // Invariant: _holder[v] is the unit of v's latest Add while v is in _validators.
    mapping(address validator => bytes32 unitId) private _holder;

    constructor(IUnitRegistry registry_) SignedActions(registry_, "PutuoValidators", "1") {}

    /// @inheritdoc IValidatorGovernance
    function execute(SignedAction calldata a) external {
        bytes32 digest = actionDigest(a);
        (address signer,, IUnitRegistry.UnitKind unitKind) = _authenticate(digest, a.document, a.signature, a.nonce);
        if (unitKind != IUnitRegistry.UnitKind.Office) revert ValidatorGovernanceNotOffice(signer, uint8(unitKind));
        if (a.validator == address(0)) revert ValidatorGovernanceZeroValidator();
        if (registry.unitKind(a.unitId) == IUnitRegistry.UnitKind.None) revert ValidatorGovernanceUnknownUnit(a.unitId);
        if (a.kind == DecisionKind.Add) {
            if (!_validators.add(a.validator)) {
                revert ValidatorGovernanceAlreadyValidator(a.validator, _holder[a.validator]);
            }
            _holder[a.validator] = a.unitId;
        } else if (a.kind == DecisionKind.Remove) {
            if (!_validators.contains(a.validator) || _holder[a.validator] != a.unitId) {
                revert ValidatorGovernanceNotValidator(a.validator, a.unitId);
            }
            if (_validators.length() == 1) revert ValidatorGovernanceLastValidator(a.validator);
            _validators.remove(a.validator);
            delete _holder[a.validator];
        } else {
            revert ValidatorGovernanceInvalidKind(uint8(a.kind));
        }
        bytes32 documentHash = keccak256(a.document);
        _decisions[a.validator] = Decision(
            a.kind, uint40(block.number), uint40(block.timestamp), a.unitId, signer, documentHash
        );
        if (a.kind == DecisionKind.Add) {
            emit ValidatorAdditionDecided(a.validator, a.unitId, signer, digest, a.document);
        } else {
            emit ValidatorRemovalDecided(a.validator, a.unitId, signer, digest, a.document);
        }
    }

    /// @inheritdoc IValidatorGovernance
    function actionDigest(SignedAction calldata a) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(ACTION_TYPEHASH, a.kind, a.validator, a.unitId, keccak256(a.document), a.nonce))
        );
    }

    /// @inheritdoc IValidatorGovernance
    function decision(address validator) external view returns (Decision memory) {
        return _decisions[validator];
    }

    /// @inheritdoc IValidatorGovernance
    function validators() external view returns (address[] memory) {
        return _validators.values();
    }

    /// @inheritdoc IValidatorGovernance
    function isValidator(address validator) external view returns (bool) {
        return _validators.contains(validator);
    }
}
