// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorCountingOverridable} from "@openzeppelin/contracts/governance/extensions/GovernorCountingOverridable.sol";
import {GovernorVotesQuorumFraction} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorPreventLateQuorum} from "@openzeppelin/contracts/governance/extensions/GovernorPreventLateQuorum.sol";
import {GovernorProposalGuardian} from "@openzeppelin/contracts/governance/extensions/GovernorProposalGuardian.sol";
import {GovernorSequentialProposalId} from "@openzeppelin/contracts/governance/extensions/GovernorSequentialProposalId.sol";
import {GovernorNoncesKeyed} from "@openzeppelin/contracts/governance/extensions/GovernorNoncesKeyed.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IModelRegistry} from "./IModelRegistry.sol";

/**
 * @title ModelGovernor
 * @notice The DAO's governor: OpenZeppelin Governor composed from audited extensions, nothing hand-rolled.
 * - delegators may override their delegate's vote ({GovernorCountingOverridable});
 * - a quorum reached late extends the vote ({GovernorPreventLateQuorum});
 * - a proposal guardian may cancel (veto) a proposal ({GovernorProposalGuardian}), except one that only
 *   replaces or removes guardians (see {cancel});
 * - proposal ids are 1, 2, 3... ({GovernorSequentialProposalId});
 * - votes signed offline with keyed nonces can be relayed in any order ({GovernorNoncesKeyed});
 * - passed proposals run through a {TimelockController} ({GovernorTimelockControl}).
 * Apart from {cancel} and {modelRegistry}, every function below only resolves the inheritance between those
 * extensions.
 */
contract ModelGovernor is
    Governor,
    GovernorSettings,
    GovernorVotes,
    GovernorCountingOverridable,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl,
    GovernorPreventLateQuorum,
    GovernorProposalGuardian,
    GovernorSequentialProposalId,
    GovernorNoncesKeyed
{
    /// @notice The vote's initial settings; each can later be changed by a vote ({GovernorSettings},
    /// {GovernorVotesQuorumFraction}, {GovernorPreventLateQuorum}).
    struct VoteSettings {
        uint48 votingDelay; // seconds between a proposal and the start of its vote
        uint32 votingPeriod; // seconds the vote lasts
        uint256 proposalThreshold; // votes an account needs to propose
        uint256 quorumPercent; // percent of the voting supply at the snapshot needed for quorum
        uint48 lateQuorumExtension; // minimum seconds of voting left after quorum is reached
    }

    IModelRegistry private immutable _modelRegistry;

    /// @dev The proposal guardian may not cancel proposal `proposalId`: its every action replaces or removes a guardian.
    error ModelGovernorGuardianChangeNotCancelable(uint256 proposalId);

    /**
     * @param name_ Governor name (also the EIP-712 domain name of signed votes).
     * @param token The voting token; must implement VotesExtended for override votes to work.
     * @param timelock The timelock that holds the treasury and owns what the DAO governs.
     * @param settings Voting delay and period, proposal threshold, quorum and late-quorum extension.
     * @param guardian Account allowed to cancel proposals (zero for none); see {cancel} for its limit.
     * @param modelRegistry_ The registry the DAO governs, whose guardian the proposal guardian may not keep in place.
     */
    constructor(
        string memory name_,
        IVotes token,
        TimelockController timelock,
        VoteSettings memory settings,
        address guardian,
        IModelRegistry modelRegistry_
    )
        Governor(name_)
        GovernorSettings(settings.votingDelay, settings.votingPeriod, settings.proposalThreshold)
        GovernorVotes(token)
        GovernorVotesQuorumFraction(settings.quorumPercent)
        GovernorTimelockControl(timelock)
        GovernorPreventLateQuorum(settings.lateQuorumExtension)
    {
        _modelRegistry = modelRegistry_;
        if (guardian != address(0)) {
            _setProposalGuardian(guardian);
        }
    }

    /// @notice The model registry this DAO governs (owned by its timelock).
    function modelRegistry() external view returns (IModelRegistry) {
        return _modelRegistry;
    }

    /**
     * @notice Cancels a proposal. The proposal guardian may cancel any proposal at any stage except one whose every
     * action replaces or removes a guardian: this governor's proposal guardian ({setProposalGuardian}) or the
     * registry's ({IModelRegistry-setGuardian}), with no value sent. So a guardian can never veto its own
     * replacement, while a guardian change attached to anything else does not shield that proposal from a veto.
     * The proposer keeps the right to cancel their own proposal while it is pending, guardian or not.
     * @dev Reverts with {ModelGovernorGuardianChangeNotCancelable} when the guardian is refused; otherwise as
     * {Governor-cancel}.
     */
    function cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) public override returns (uint256) {
        address caller = _msgSender();
        if (caller == proposalGuardian()) {
            // Reverts for a proposal that does not exist, so the arrays below are those of a proposal (same lengths).
            uint256 proposalId = getProposalId(targets, values, calldatas, descriptionHash);
            if (_onlyChangesGuardians(targets, values, calldatas) && !Governor._validateCancel(proposalId, caller)) {
                revert ModelGovernorGuardianChangeNotCancelable(proposalId);
            }
        }
        return super.cancel(targets, values, calldatas, descriptionHash);
    }

    /// @inheritdoc Governor
    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @inheritdoc Governor
    function proposalNeedsQueuing(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl) returns (bool) {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @inheritdoc Governor
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    /// @inheritdoc Governor
    function proposalDeadline(
        uint256 proposalId
    ) public view override(Governor, GovernorPreventLateQuorum) returns (uint256) {
        return super.proposalDeadline(proposalId);
    }

    /// @inheritdoc Governor
    function getProposalId(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) public view override(Governor, GovernorSequentialProposalId) returns (uint256) {
        return super.getProposalId(targets, values, calldatas, descriptionHash);
    }

    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override(Governor, GovernorSequentialProposalId) returns (uint256) {
        return super._propose(targets, values, calldatas, description, proposer);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }

    function _tallyUpdated(uint256 proposalId) internal override(Governor, GovernorPreventLateQuorum) {
        super._tallyUpdated(proposalId);
    }

    function _validateCancel(
        uint256 proposalId,
        address caller
    ) internal view override(Governor, GovernorProposalGuardian) returns (bool) {
        return super._validateCancel(proposalId, caller);
    }

    function _validateVoteSig(
        uint256 proposalId,
        uint8 support,
        address voter,
        bytes memory signature
    ) internal override(Governor, GovernorNoncesKeyed) returns (bool) {
        return super._validateVoteSig(proposalId, support, voter, signature);
    }

    function _validateExtendedVoteSig(
        uint256 proposalId,
        uint8 support,
        address voter,
        string memory reason,
        bytes memory params,
        bytes memory signature
    ) internal override(Governor, GovernorNoncesKeyed) returns (bool) {
        return super._validateExtendedVoteSig(proposalId, support, voter, reason, params, signature);
    }

    function _useCheckedNonce(address owner, uint256 nonce) internal override(Nonces, GovernorNoncesKeyed) {
        super._useCheckedNonce(owner, nonce);
    }

    /// @dev True when every action sets this governor's proposal guardian or the registry's guardian, sending no value.
    function _onlyChangesGuardians(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas
    ) private view returns (bool) {
        for (uint256 i = 0; i < targets.length; ++i) {
            bytes memory data = calldatas[i];
            if (values[i] != 0 || data.length < 4) return false;
            bytes4 selector = bytes4(data);
            bool changesGuardian = (targets[i] == address(this) && selector == this.setProposalGuardian.selector) ||
                (targets[i] == address(_modelRegistry) && selector == IModelRegistry.setGuardian.selector);
            if (!changesGuardian) return false;
        }
        return targets.length != 0;
    }
}
