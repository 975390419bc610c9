// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ICatalog} from "../interfaces/ICatalog.sol";
import {ISharing} from "../interfaces/ISharing.sol";
import {IUnitRegistry} from "../interfaces/IUnitRegistry.sol";
import {IWorkCalendar} from "../interfaces/IWorkCalendar.sol";

/// @title SharingStorage
/// @notice Sharing's state in one namespaced struct (ERC-7201), so that {Sharing} and its logic
/// libraries ({SharingDemands}, {SharingGrants}, {SharingCases}), which run in Sharing's storage
/// by DELEGATECALL, agree on where everything is.
library SharingStorage {
    /// @custom:storage-location erc7201:putuo.sharing
    struct Layout {
        // Set once by Sharing's constructor: the libraries cannot read Sharing's immutables.
        IUnitRegistry registry;
        IWorkCalendar calendar;
        ICatalog catalog;
        mapping(bytes32 demandId => ISharing.Demand) demands;
        mapping(bytes32 demandId => mapping(uint32 index => ISharing.Item)) items;
        mapping(bytes32 grantId => ISharing.Grant) grants;
        mapping(bytes32 grantId => mapping(uint256 index => ISharing.Pinned)) grantResources;
        mapping(bytes32 scenarioId => ISharing.Scenario) scenarios;
        mapping(bytes32 entryId => uint256) liveGrants;
        mapping(bytes32 entryId => ISharing.Plan) plans;
        mapping(bytes32 entryId => mapping(uint32 round => mapping(bytes32 unitId => bool))) acknowledgements;
        mapping(bytes32 entryId => ISharing.Adjustment) adjustments;
        // Who holds live grants on an entry (Art. 14: the demand units a plan is formed with).
        mapping(bytes32 entryId => mapping(bytes32 unitId => uint256)) holderGrants;
        mapping(bytes32 entryId => uint256) holderCount;
        mapping(bytes32 demandId => mapping(uint32 index => bool)) openDisputes;
        mapping(bytes32 demandId => bool) openEscalations;
        // Every suspension of a grant, oldest first: a use is counted only outside all of them.
        mapping(bytes32 grantId => Suspended[]) suspensions;
        // Whom and what a registered scenario authorises (Art. 19 (2)); unused when it names none.
        mapping(bytes32 scenarioId => mapping(bytes32 unitId => bool)) scenarioUnits;
        mapping(bytes32 scenarioId => mapping(bytes32 entryId => bool)) scenarioEntries;
    }

    /// @dev A suspension from `from` until its reinstatement at `until` (0: never reinstated).
    struct Suspended {
        uint40 from;
        uint40 until;
    }

    /// @dev keccak256(abi.encode(uint256(keccak256("putuo.sharing")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant LOCATION = 0x58075eeb2a10953854c305ab6e882327050d14fbcbfe028c06e5488451e23000;

    function layout() internal pure returns (Layout storage l) {
        bytes32 location = LOCATION;
        assembly {
            l.slot := location
        }
    }
}
