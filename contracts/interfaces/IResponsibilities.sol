// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ISignedActions} from "./ISignedActions.sol";

/// @title Responsibilities, designations and refusals (职责清单, Art. 5, 11), with the Office's settings
/// @notice A unit records each of its responsibilities (the duties under which it collects data)
/// as a signed document; the Office approves or returns it. A catalog entry names the approved
/// responsibility of its unit it serves ({ICatalog.SignedAction.responsibility}), which the
/// Catalog checks here. Where data falls to several units or to none, the Office designates the
/// responsible unit: a signed decision that transfers an entry to another unit. A unit's refusal
/// to collect data without a legal basis is recorded by the Data Center, and the Office's report
/// of it (区府办应当及时报告) is a step with its due time. The deadlines the measures leave to the
/// Office are settings it publishes here, signed, each change an event.
interface IResponsibilities is ISignedActions {
    /// @dev The numbering is part of the signed message: never reorder.
    enum ResponsibilityActionKind {
        RecordResponsibility, // a unit (ordinary or the Data Center) records one responsibility: subject = its id
        ReviewResponsibility, // the Office approves (code 0) or returns (code > 0) it
        Designate, // the Office: subject = entry, target = the designated unit, code = DesignationDisposition
        RecordRefusal, // the Data Center: subject = refusal id, target = the refusing unit, code = RefusalGround
        ReportRefusal, // the Office reports the refusal: subject = refusal id
        PublishSetting, // the Office: subject = setting key, value = its new value
        RecordCatalogExport // the Data Center (Art. 12): subject = export id, value = the export's last block
    }

    enum ResponsibilityStatus {
        None,
        Pending,
        Approved,
        Returned
    }

    /// @dev What a designation does with the entry's open duties (demand items the old owner
    /// still has to decide): they move to the designated unit, or stay with the old one until done.
    /// The entry's grants serve on either way (they are the demand units', on the entry).
    enum DesignationDisposition {
        None,
        MoveOpenDuties,
        KeepOpenDuties
    }

    /// @dev Art. 11: a refusal with a legal ground is lawful and is recorded with it; one without
    /// is what the Office must report.
    enum RefusalGround {
        None,
        NoLegalBasis,
        LegalBasisCited
    }

    struct SignedAction {
        ResponsibilityActionKind kind;
        bytes32 subject;
        bytes32 target; // Designate: the designated unit; RecordRefusal: the refusing unit; else 0
        uint16 code; // ReviewResponsibility: 0 approves, else the return reason; Designate: DesignationDisposition; RecordRefusal: RefusalGround
        uint40 value; // PublishSetting only
        bytes document; // canonical JSON: the responsibility, review note, decision, refusal, report or setting notice
        uint256 nonce;
        bytes signature; // over the EIP-712 digest of the fields above (ECDSA, or SM2 key id ‖ DER)
    }

    struct Responsibility {
        bytes32 unitId;
        ResponsibilityStatus status;
        uint32 version; // each recording of the same id is a new version, reviewed afresh
        bytes32 documentHash;
        uint40 recordedAt;
        uint40 reviewedAt;
        uint16 reasonCode;
    }

    struct Refusal {
        bytes32 unitId;
        RefusalGround ground;
        uint40 recordedAt;
        uint40 reportDueAt; // NoLegalBasis only: `refusalReportDays` working days after the record
        uint40 reportedAt;
        bytes32 documentHash;
    }

    error ResponsibilitiesWrongUnitKind(address signer, uint8 actual);
    error ResponsibilitiesUnexpectedField(uint8 kind);
    error ResponsibilitiesNotOwner(bytes32 responsibilityId, bytes32 ownerUnit, bytes32 signerUnit);
    error ResponsibilitiesInvalidStatus(bytes32 responsibilityId, ResponsibilityStatus status);
    /// @dev A catalog entry named a responsibility that is not an approved one of the entry's unit.
    error ResponsibilitiesNotServed(bytes32 responsibilityId, bytes32 unitId, bytes32 holder, ResponsibilityStatus status);
    /// @dev The Office requires every new entry version to name its responsibility (`responsibilityRequired`).
    error ResponsibilitiesRequired();
    error ResponsibilitiesInvalidCode(uint8 kind, uint16 code);
    error ResponsibilitiesInvalidUnit(bytes32 unitId, uint8 kind);
    error ResponsibilitiesRefusalExists(bytes32 refusalId);
    error ResponsibilitiesUnknownRefusal(bytes32 refusalId);
    error ResponsibilitiesNothingToReport(bytes32 refusalId, RefusalGround ground, uint40 reportedAt);
    error ResponsibilitiesUnknownSetting(bytes32 key);
    error ResponsibilitiesSettingOutOfRange(bytes32 key, uint256 value, uint256 min, uint256 max);
    error ResponsibilitiesNotDeployer(address caller);
    error ResponsibilitiesCatalogBound(address catalog);
    /// @dev An export covers the blocks after the previous export's last, up to an existing block.
    error ResponsibilitiesInvalidExportRange(uint256 fromBlock, uint256 toBlock, uint256 currentBlock);

    event ResponsibilityRecorded(
        bytes32 indexed responsibilityId,
        bytes32 indexed unitId,
        uint32 version,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );
    event ResponsibilityReviewed(
        bytes32 indexed responsibilityId,
        uint32 indexed version,
        address indexed reviewer,
        uint256 nonce,
        uint16 reasonCode,
        bytes32 documentHash,
        bytes document
    );
    event EntryDesignated(
        bytes32 indexed entryId,
        bytes32 indexed fromUnit,
        bytes32 indexed toUnit,
        DesignationDisposition disposition,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );
    event RefusalRecorded(
        bytes32 indexed refusalId,
        bytes32 indexed unitId,
        RefusalGround ground,
        uint40 reportDueAt,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );
    event RefusalReported(
        bytes32 indexed refusalId, address indexed signer, uint256 nonce, uint40 reportDueAt, bytes32 documentHash, bytes document
    );
    /// @dev The Data Center recorded an export of the supplementary catalog for the city platform
    /// (Art. 12): `exportId` is keccak256 of the export's JSON file, covering the catalog events of
    /// blocks `fromBlock`..`toBlock`; the document (putuo.catalog-export/1) names both files' hashes.
    event CatalogExportRecorded(
        bytes32 indexed exportId,
        uint32 indexed sequence,
        uint40 fromBlock,
        uint40 toBlock,
        address signer,
        uint256 nonce,
        bytes32 documentHash,
        bytes document
    );
    /// @dev The Office published a setting's new value (the defaults are read with `setting`).
    event SettingPublished(bytes32 indexed key, uint256 value, address signer, uint256 nonce, bytes32 documentHash, bytes document);

    /// @notice Executes one signed action.
    /// Requirements: the signature recovers to an active officer key, its nonce unused; the
    /// signer's unit kind is the one the action needs (a unit or the Data Center records its own
    /// responsibilities; the Office reviews, designates, reports and publishes settings; the Data
    /// Center records refusals).
    /// Emits {ResponsibilityRecorded}, {ResponsibilityReviewed}, {EntryDesignated},
    /// {RefusalRecorded}, {RefusalReported} or {SettingPublished}.
    function execute(SignedAction calldata action) external;

    /// @notice Executes many signed actions; a failing one is skipped with {ISignedActions.ActionRejected}.
    function executeBatch(SignedAction[] calldata actions) external;

    /// @notice Runs `actions` as {executeBatch} would, then reverts with {ISignedActions.BatchSimulated}.
    function simulateBatch(SignedAction[] calldata actions) external;

    /// @notice The EIP-712 digest an officer signs for `action` (its signature is ignored).
    function actionDigest(SignedAction calldata action) external view returns (bytes32);

    /// @notice Binds the Catalog whose entries a designation transfers.
    /// Requirements: the caller deployed this contract; no Catalog is bound yet.
    function bindCatalog(address catalog_) external;

    /// @notice Reverts unless `responsibilityId` is an approved responsibility of `unitId`; with
    /// `responsibilityId` 0, reverts only when the Office requires one (`responsibilityRequired`).
    /// IMPORTANT: the Catalog calls this for every new entry version; a view, so anyone can ask first.
    function checkServes(bytes32 responsibilityId, bytes32 unitId) external view;

    function responsibility(bytes32 responsibilityId) external view returns (Responsibility memory);

    function refusal(bytes32 refusalId) external view returns (Refusal memory);

    /// @notice The value in force of setting `key` (a keccak256 of its name, see the constants).
    function setting(bytes32 key) external view returns (uint256);

    /// @notice How many exports of the supplementary catalog were recorded, and the last block the
    /// latest covered (the next one starts after it).
    function lastExport() external view returns (uint32 sequence, uint40 toBlock);

    /// @notice The Office's latest designation of `entryId`'s responsible unit: from whom, to whom,
    /// and what it does with the old owner's open duties (all zero when none).
    function designation(bytes32 entryId)
        external
        view
        returns (bytes32 fromUnit, bytes32 toUnit, DesignationDisposition disposition);
}
