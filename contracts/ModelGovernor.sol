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
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {NoncesKeyed} from "@openzeppelin/contracts/utils/NoncesKeyed.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IModelRegistry} from "./IModelRegistry.sol";

/**
 * @title ModelGovernor
 * @notice The DAO's governor: OpenZeppelin Governor composed from audited extensions (signature checks, nonces,
 * counting and deadlines are theirs, reused, never rewritten):
 * - delegators may override their delegate's vote ({GovernorCountingOverridable});
 * - a quorum reached late extends the vote ({GovernorPreventLateQuorum});
 * - a proposal guardian may cancel (veto) a proposal ({GovernorProposalGuardian}), except one that only
 *   replaces or removes guardians (see {cancel});
 * - proposal ids are 1, 2, 3... ({GovernorSequentialProposalId});
 * - passed proposals run through a {TimelockController} ({GovernorTimelockControl}).
 *
 * Where those extensions leave a voter exposed, this contract adds a rule:
 * - a ballot binds the proposal's content, not only its number: every signed ballot (vote, vote with reason and
 *   params, override) is signed with a nonce keyed by the proposal's content hash ({NoncesKeyed}, the key being the
 *   low 192 bits of {proposalContentHash}), so a signature for proposal 1 never counts for other content that
 *   became proposal 1 (a front-runner's, or after a reorganisation); a vote whose params are not empty must carry
 *   that content hash ({castVoteWithReasonAndParams});
 * - a cast vote cannot be changed: an account that voted may not also override ({castOverrideVote});
 * - a ballot cast in the last {lateQuorumVoteExtension} of the vote that turns its outcome (passing or not)
 *   extends the vote to give the other side that much time, as a late quorum does;
 * - the voting period may not go below the late-quorum extension ({setVotingPeriod});
 * - the proposal guardian may not cancel a proposal that only replaces guardians, not even its own ({cancel}).
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
    NoncesKeyed
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

    IModelRegistry private _modelRegistry;
    mapping(uint256 proposalId => bytes32) private _contentHashes;
    mapping(uint256 proposalId => uint48) private _turnedDeadlines;

    /// @notice The registry whose guardian the proposal guardian may not keep in place changed.
    event ModelRegistrySet(IModelRegistry oldRegistry, IModelRegistry newRegistry);

    /// @dev The proposal guardian may not cancel proposal `proposalId`: its every action replaces or removes a guardian.
    error ModelGovernorGuardianChangeNotCancelable(uint256 proposalId);

    /// @dev The vote's params name other content than proposal `proposalId`'s (`proposalContentHash`).
    error ModelGovernorVoteForOtherContent(uint256 proposalId, bytes32 contentHash);

    /// @dev A voting period of `votingPeriod` would be shorter than the late-quorum extension `extension`.
    error ModelGovernorVotingPeriodBelowExtension(uint256 votingPeriod, uint256 extension);

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
        emit ModelRegistrySet(IModelRegistry(address(0)), modelRegistry_);
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
     * @notice Names the registry this DAO governs, whose guardian the proposal guardian may not keep in place; a
     * proposal that moves the DAO to a new registry sets it in the same vote.
     * @dev Only through a vote (`onlyGovernance`). Emits {ModelRegistrySet}.
     */
    function setModelRegistry(IModelRegistry newRegistry) external onlyGovernance {
        emit ModelRegistrySet(_modelRegistry, newRegistry);
        _modelRegistry = newRegistry;
    }

    /**
     * @notice The hash of proposal `proposalId`'s content (`hashProposal` of its targets, values, calldatas and
     * description hash): what a ballot binds. Zero for a proposal that does not exist.
     */
    function proposalContentHash(uint256 proposalId) public view returns (bytes32) {
        return _contentHashes[proposalId];
    }

    /**
     * @notice Cancels a proposal. The proposal guardian may cancel any proposal at any stage except one whose every
     * action replaces or removes a guardian: this governor's proposal guardian ({setProposalGuardian}) or the
     * registry's ({IModelRegistry-setGuardian}), with no value sent. So a guardian can never veto its own
     * replacement, not even one it proposed itself (it could otherwise propose the same content first and cancel
     * it), while a guardian change attached to anything else does not shield that proposal from a veto. Any other
     * proposer keeps the right to cancel their own proposal while it is pending.
     * @dev Reverts with {ModelGovernorGuardianChangeNotCancelable} when the guardian is refused; otherwise as
     * {Governor-cancel}.
     */
    function cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) public override returns (uint256) {
        if (_msgSender() == proposalGuardian() && _onlyChangesGuardians(targets, values, calldatas)) {
            // Reverts for a proposal that does not exist.
            revert ModelGovernorGuardianChangeNotCancelable(getProposalId(targets, values, calldatas, descriptionHash));
        }
        return super.cancel(targets, values, calldatas, descriptionHash);
    }

    /**
     * @notice Casts an override vote signed by `voter`: as {GovernorCountingOverridable-castOverrideVoteBySig}, but the
     * signed nonce is keyed by the proposal's content ({proposalContentHash}), as every signed ballot here: a voter's
     * first override of a proposal is signed with nonce `uint192(contentHash) << 64`, known before the proposal has
     * a number, and overrides of several proposals can be relayed in any order.
     * @dev Reverts with {Governor-GovernorInvalidSignature} when the signature is not the voter's for this content.
     */
    function castOverrideVoteBySig(
        uint256 proposalId,
        uint8 support,
        address voter,
        string calldata reason,
        bytes calldata signature
    ) public override returns (uint256) {
        uint192 key = _contentKey(proposalId);
        bytes32 ballot = keccak256(
            abi.encode(OVERRIDE_BALLOT_TYPEHASH, proposalId, support, voter, nonces(voter, key), keccak256(bytes(reason)))
        );
        if (!SignatureChecker.isValidSignatureNow(voter, _hashTypedDataV4(ballot), signature)) {
            revert GovernorInvalidSignature(voter);
        }
        _useNonce(voter, key);
        return _castOverride(proposalId, voter, support, reason);
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

    /// @notice The end of proposal `proposalId`'s vote, extended by a late quorum and by a late turn of its outcome.
    function proposalDeadline(
        uint256 proposalId
    ) public view override(Governor, GovernorPreventLateQuorum) returns (uint256) {
        uint256 deadline = super.proposalDeadline(proposalId);
        uint256 turned = _turnedDeadlines[proposalId];
        return turned > deadline ? turned : deadline;
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
    ) internal override(Governor, GovernorSequentialProposalId) returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        _contentHashes[proposalId] = bytes32(hashProposal(targets, values, calldatas, keccak256(bytes(description))));
    }

    /// @dev Refuses params that do not name the proposal's content; extends a vote whose outcome a late ballot turns.
    function _castVote(
        uint256 proposalId,
        address account,
        uint8 support,
        string memory reason,
        bytes memory params
    ) internal override returns (uint256 weight) {
        if (params.length != 0) {
            bytes32 content = _contentHashes[proposalId];
            if (params.length != 32 || bytes32(params) != content) {
                revert ModelGovernorVoteForOtherContent(proposalId, content);
            }
        }
        (bool late, bool passing) = _outcomeBeforeBallot(proposalId);
        weight = super._castVote(proposalId, account, support, reason, params);
        _extendIfTurned(proposalId, late, passing);
    }

    /// @dev Refuses an override from an account that voted; extends a vote whose outcome a late override turns.
    function _castOverride(
        uint256 proposalId,
        address account,
        uint8 support,
        string calldata reason
    ) internal override returns (uint256 weight) {
        if (hasVoted(proposalId, account)) {
            revert GovernorAlreadyCastVote(account);
        }
        (bool late, bool passing) = _outcomeBeforeBallot(proposalId);
        weight = super._castOverride(proposalId, account, support, reason);
        _extendIfTurned(proposalId, late, passing);
    }

    /// @dev Refuses a voting period shorter than the late-quorum extension (every late quorum would outlast it).
    function _setVotingPeriod(uint32 newVotingPeriod) internal override {
        uint256 extension = lateQuorumVoteExtension();
        if (newVotingPeriod < extension) {
            revert ModelGovernorVotingPeriodBelowExtension(newVotingPeriod, extension);
        }
        super._setVotingPeriod(newVotingPeriod);
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

    /// @dev A `Ballot` signed with the voter's next nonce keyed by the proposal's content; no other nonce counts.
    function _validateVoteSig(
        uint256 proposalId,
        uint8 support,
        address voter,
        bytes memory signature
    ) internal override returns (bool) {
        uint192 key = _contentKey(proposalId);
        bytes32 ballot = keccak256(abi.encode(BALLOT_TYPEHASH, proposalId, support, voter, nonces(voter, key)));
        return _useSignedNonce(voter, key, ballot, signature);
    }

    /// @dev An `ExtendedBallot` signed with the voter's next nonce keyed by the proposal's content.
    function _validateExtendedVoteSig(
        uint256 proposalId,
        uint8 support,
        address voter,
        string memory reason,
        bytes memory params,
        bytes memory signature
    ) internal override returns (bool) {
        uint192 key = _contentKey(proposalId);
        bytes32 ballot = keccak256(
            abi.encode(
                EXTENDED_BALLOT_TYPEHASH,
                proposalId,
                support,
                voter,
                nonces(voter, key),
                keccak256(bytes(reason)),
                keccak256(params)
            )
        );
        return _useSignedNonce(voter, key, ballot, signature);
    }

    function _useCheckedNonce(address owner, uint256 nonce) internal override(Nonces, NoncesKeyed) {
        super._useCheckedNonce(owner, nonce);
    }

    /// @dev Uses the voter's nonce under `key` when `signature` is the voter's over `ballot`.
    function _useSignedNonce(
        address voter,
        uint192 key,
        bytes32 ballot,
        bytes memory signature
    ) private returns (bool valid) {
        valid = SignatureChecker.isValidSignatureNow(voter, _hashTypedDataV4(ballot), signature);
        if (valid) {
            _useNonce(voter, key);
        }
    }

    /// @dev The nonce key of ballots on proposal `proposalId`: the low 192 bits of its content hash.
    function _contentKey(uint256 proposalId) private view returns (uint192) {
        return uint192(uint256(_contentHashes[proposalId]));
    }

    /// @dev Whether a ballot now falls in the vote's last `lateQuorumVoteExtension`, and the outcome before it.
    function _outcomeBeforeBallot(uint256 proposalId) private view returns (bool late, bool passing) {
        late = clock() + lateQuorumVoteExtension() > proposalDeadline(proposalId);
        passing = late && _quorumReached(proposalId) && _voteSucceeded(proposalId);
    }

    /// @dev Extends a late ballot's vote by {lateQuorumVoteExtension} from now when the ballot turned its outcome.
    function _extendIfTurned(uint256 proposalId, bool late, bool passingBefore) private {
        if (!late || passingBefore == (_quorumReached(proposalId) && _voteSucceeded(proposalId))) return;
        uint48 extended = clock() + lateQuorumVoteExtension();
        if (extended > proposalDeadline(proposalId)) {
            _turnedDeadlines[proposalId] = extended;
            emit ProposalExtended(proposalId, extended);
        }
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
