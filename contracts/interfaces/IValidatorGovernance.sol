// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title The Office's decisions on who holds a validator of the network
/// @notice Adding or removing a validator (a Clique signer) is an Office (区府办) decision, taken as
/// an officer's signed action (see {ISignedActions}) and recorded here; the validators then vote
/// it with `clique_propose`, and each refuses to vote a change this contract holds no decision for.
/// {validators} is the set the Office decided; the network's signers (`clique_getSigners`) should
/// equal it once the votes have passed, and `ledger network status` shows where they differ.
interface IValidatorGovernance {
    enum DecisionKind {
        None,
        Add,
        Remove
    }

    /// @dev What an Office officer signs. `unitId` is the organisation that holds (or held) the
    /// validator; `document` is the decision itself (canonical JSON: its number, date, reasons).
    struct SignedAction {
        DecisionKind kind;
        address validator;
        bytes32 unitId;
        bytes document;
        uint256 nonce;
        bytes signature;
    }

    /// @dev The latest decision on a validator. One slot of times and kind beside the ids.
    struct Decision {
        DecisionKind kind;
        uint40 decidedBlock;
        uint40 decidedAt;
        bytes32 unitId;
        address officer;
        bytes32 documentHash;
    }

    /// @dev The signer of the action is not an officer of the Office.
    error ValidatorGovernanceNotOffice(address signer, uint8 unitKind);
    /// @dev `kind` is neither Add nor Remove.
    error ValidatorGovernanceInvalidKind(uint8 kind);
    /// @dev The zero address cannot seal blocks.
    error ValidatorGovernanceZeroValidator();
    /// @dev The organisation named to hold the validator is not a registered unit.
    error ValidatorGovernanceUnknownUnit(bytes32 unitId);
    /// @dev An addition of a validator the Office already decided in.
    error ValidatorGovernanceAlreadyValidator(address validator, bytes32 unitId);
    /// @dev A removal of an address that is not a validator, or that another organisation holds.
    error ValidatorGovernanceNotValidator(address validator, bytes32 unitId);
    /// @dev A removal that would leave no validator: the chain would stop for good.
    error ValidatorGovernanceLastValidator(address validator);

    /// @notice The Office decided that `validator`, held by `unitId`, seals blocks.
    event ValidatorAdditionDecided(
        address indexed validator, bytes32 indexed unitId, address indexed officer, bytes32 digest, bytes document
    );
    /// @notice The Office decided that `validator`, held by `unitId`, seals no more blocks.
    event ValidatorRemovalDecided(
        address indexed validator, bytes32 indexed unitId, address indexed officer, bytes32 digest, bytes document
    );

    /// @notice Records the Office's decision `action` after checking its signature.
    /// Requirements: the signer is an active officer key of a unit of kind Office and the nonce is
    /// unspent (as every signed action); `kind` is Add or Remove; `validator` is not zero;
    /// `unitId` is a registered unit; an Add names an address not in {validators}; a Remove names
    /// one in it, held by `unitId`, and not the last.
    /// Emits {ValidatorAdditionDecided} or {ValidatorRemovalDecided}.
    /// IMPORTANT: this records the decision only; the network's signers change when more than half
    /// of them have voted it (`clique_propose`), which `ledger network propose` has each do.
    function execute(SignedAction calldata action) external;

    /// @notice The EIP-712 digest an officer signs for `action` (its `signature` is ignored).
    function actionDigest(SignedAction calldata action) external view returns (bytes32);

    /// @notice The latest decision on `validator` (kind None when there was none).
    function decision(address validator) external view returns (Decision memory);

    /// @notice The validators the Office decided in and has not decided out, in no fixed order.
    function validators() external view returns (address[] memory);

    /// @notice Whether `validator` is in {validators}.
    function isValidator(address validator) external view returns (bool);
}
