"""Revert data in words: OpenZeppelin and registry custom errors, `Error(string)` and `Panic(uint256)` are
decoded against the ABIs the package ships and explained in one sentence a voter understands."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..errors import TransactionError
from ..units import format_amount, format_duration, format_time
from .abi import abi_type, checksummed, decode_values
from .artifacts import all_abis
from .states import OperationState, ProposalState

_PANICS = {
    0x01: "an internal assertion failed",
    0x11: "an arithmetic overflow or underflow",
    0x12: "a division by zero",
    0x21: "an invalid enum value",
    0x32: "an out-of-bounds array access",
    0x41: "running out of memory",
}


def _tokens(units: int) -> str:
    """An amount of the governance token (18 decimals) in tokens, not base units: a revert carries no symbol."""
    return f"{format_amount(units)} tokens"


def _proposal_phrase(state: int) -> str:
    """`is pending`, `was executed`…; a value out of range (revert data can come from any contract) as is."""
    return ProposalState(state).phrase if 0 <= state <= max(ProposalState) else f"is in state {state}"


def _states_set(bitmap: bytes | int, states: type[ProposalState] | type[OperationState]) -> list[Any]:
    """The states set in an OpenZeppelin state bitmap (bit i set: state i)."""
    value = int.from_bytes(bitmap, "big") if isinstance(bitmap, bytes) else int(bitmap)
    return [state for state in states if value >> state & 1]


def _phrases_from_bitmap(bitmap: bytes | int) -> str:
    """The proposal states of a bitmap as phrases joined with 'or' (`has succeeded or is queued`)."""
    return " or ".join(state.phrase for state in _states_set(bitmap, ProposalState)) or "is in no state"


def _states_from_bitmap(bitmap: bytes | int, states: type[OperationState]) -> str:
    """The states of a bitmap by name, joined with 'or'."""
    return " or ".join(state.label for state in _states_set(bitmap, states)) or "none"


# Each entry: error name -> function of the decoded arguments returning one sentence.
#: The revert strings (`GSxxx`) of a Safe multisig (safe-smart-account), in words.
SAFE_ERRORS = {
    "GS001": "the Safe's threshold must be set first",
    "GS013": "the Safe's inner call failed (the transaction it carries reverted)",
    "GS020": "the Safe got fewer signatures than its threshold",
    "GS021": "a signature points outside the signatures data",
    "GS022": "a contract signature's data is too short",
    "GS023": "a contract signature's data is out of bounds",
    "GS024": "a contract owner refused its signature (ERC-1271)",
    "GS025": "an approved hash was not approved by that owner",
    "GS026": "a signer is not an owner of the Safe, or the signatures are not in ascending order of owner (or the "
    "transaction was signed for another nonce)",
}

_EXPLANATIONS: dict[str, Callable[..., str]] = {
    "Error": lambda message: SAFE_ERRORS.get(message, f"reverted: {message}"),
    "Panic": lambda code: f"the contract hit {_PANICS.get(code, f'panic code {code:#x}')}",
    # Governor
    "GovernorNonexistentProposal": lambda proposalId: f"proposal {proposalId} does not exist",
    "GovernorUnexpectedProposalState": lambda proposalId, current, expectedStates: (
        f"proposal {proposalId} {_proposal_phrase(current)}; this needs a proposal that "
        f"{_phrases_from_bitmap(expectedStates)}"
        if any(expectedStates)
        else f"proposal {proposalId} already exists (it {_proposal_phrase(current)})"
    ),
    "GovernorInsufficientProposerVotes": lambda proposer, votes, threshold: (
        f"{proposer} has {_tokens(votes)} of voting power, below the proposal threshold of {_tokens(threshold)} "
        "(votes count from the block after a delegation)"
    ),
    "GovernorRestrictedProposer": lambda proposer: (
        f"the description ends with #proposer=<another address>: only that address may submit it, not {proposer}"
    ),
    "GovernorAlreadyCastVote": lambda voter: f"{voter} has already voted on this proposal",
    "GovernorAlreadyOverriddenVote": lambda account: f"{account} has already overridden its delegate's vote",
    "GovernorInvalidSignature": lambda voter: f"the vote signature is not valid for {voter} (or its nonce was used)",
    "GovernorInvalidVoteType": lambda: "the vote must be for, against or abstain",
    "GovernorInvalidVoteParams": lambda: "this vote does not accept extra parameters",
    "GovernorOnlyExecutor": lambda account: f"only the timelock may do this, not {account}",
    "GovernorUnableToCancel": lambda proposalId, account: (
        f"{account} may not cancel proposal {proposalId} now: the proposal guardian may cancel it, and its "
        "proposer only while it is pending (or at any time before execution when there is no guardian)"
    ),
    "ModelGovernorGuardianChangeNotCancelable": lambda proposalId: (
        f"the proposal guardian may not cancel proposal {proposalId}: it only replaces or removes guardians, and a "
        "guardian cannot veto its own replacement (not even one it proposed)"
    ),
    "ModelGovernorVoteForOtherContent": lambda proposalId, contentHash: (
        f"this vote was cast for other content than proposal {proposalId} now holds (0x{contentHash.hex()}): the "
        "chain was reorganised, or the number names another proposal; nothing was counted"
    ),
    "ModelGovernorVotingPeriodBelowExtension": lambda votingPeriod, extension: (
        f"a voting period of {format_duration(votingPeriod)} is shorter than the late-quorum extension "
        f"({format_duration(extension)}); shorten the extension first"
    ),
    "GovernorProposalQueueingFailed": lambda proposalId: f"the timelock refused to queue proposal {proposalId}",
    "GovernorPreventLateQuorumVoteExtensionTooLarge": lambda newVoteExtension, maxVoteExtension: (
        f"a late-quorum extension of {format_duration(newVoteExtension)} exceeds the voting period "
        f"({format_duration(maxVoteExtension)})"
    ),
    "GovernorInvalidProposalLength": lambda targets, calldatas, values: (
        f"a proposal needs as many targets ({targets}), calldatas ({calldatas}) and values ({values}), at least one"
    ),
    "GovernorProposalQueueingNotRequired": lambda proposalId: f"proposal {proposalId} does not need queuing",
    "GovernorAlreadyQueuedProposal": lambda proposalId: f"proposal {proposalId} is already queued",
    "GovernorQueueNotImplemented": lambda: "this governor has no queue",
    "GovernorDisabledDeposit": lambda: "the governor does not accept deposits",
    "GovernorInvalidVotingPeriod": lambda votingPeriod: (
        f"a voting period of {format_duration(votingPeriod)} is not allowed"
    ),
    "GovernorInvalidQuorumFraction": lambda quorumNumerator, quorumDenominator: (
        f"a quorum of {quorumNumerator}/{quorumDenominator} is not allowed"
    ),
    "GovernorMismatchedParams": lambda: "the vote parameters do not match",
    "GovernorAlreadyInitializedLatestProposalId": lambda: "the proposal counter is already initialised",
    "InvalidAccountNonce": lambda account, currentNonce: (
        f"the signature's nonce is not the next one for {account} (expected {currentNonce})"
    ),
    # Timelock and access control
    "TimelockUnexpectedOperationState": lambda operationId, expectedStates: (
        f"the timelock operation is not {_states_from_bitmap(expectedStates, OperationState)} yet "
        "(has the timelock delay passed?)"
    ),
    "TimelockInsufficientDelay": lambda delay, minDelay: (
        f"a delay of {format_duration(delay)} is below the minimum of {format_duration(minDelay)}"
    ),
    "TimelockUnexecutedPredecessor": lambda predecessorId: "a prerequisite timelock operation has not run",
    "TimelockUnauthorizedCaller": lambda caller: f"{caller} may not call the timelock directly",
    "TimelockInvalidOperationLength": lambda targets, payloads, values: "the timelock batch lengths do not match",
    "AccessControlUnauthorizedAccount": lambda account, neededRole: f"{account} lacks the role this needs",
    "OwnableUnauthorizedAccount": lambda account: (
        f"{account} is not the registry's owner: only a passed proposal, executed by the timelock, may do this"
    ),
    "OwnableInvalidOwner": lambda owner: f"{owner} cannot be the owner",
    "FailedCall": lambda: "a call made by the proposal failed without a reason",
    "FailedInnerCall": lambda: "a call made by the proposal failed without a reason",
    # Token
    "ERC20InsufficientBalance": lambda sender, balance, needed: (
        f"{sender} holds {_tokens(balance)}, {_tokens(needed)} needed"
    ),
    "ERC20InvalidReceiver": lambda receiver: f"tokens cannot be sent to {receiver}",
    "ERC20InsufficientAllowance": lambda spender, allowance, needed: (
        f"{spender} may spend {_tokens(allowance)}, {_tokens(needed)} needed"
    ),
    "ERC20InvalidSender": lambda sender: f"tokens cannot be sent from {sender}",
    "ERC20InvalidApprover": lambda approver: f"{approver} cannot approve spending",
    "ERC20InvalidSpender": lambda spender: f"{spender} cannot be approved as a spender",
    "ERC2612ExpiredSignature": lambda deadline: "the permit signature has expired",
    "ERC2612InvalidSigner": lambda signer, owner: f"the permit was signed by {signer}, not by the owner {owner}",
    "ERC20ExceededSafeSupply": lambda increasedSupply, cap: "the supply would exceed what votes can count",
    "VotesExpiredSignature": lambda expiry: "the delegation signature has expired",
    "ERC5805FutureLookup": lambda timepoint, clock: f"timepoint {timepoint} is in the future (now {clock})",
    "ModelTokenAllocationLengthMismatch": lambda holders, amounts: (
        f"{holders} holders but {amounts} amounts in the token allocation"
    ),
    # Registry
    "ModelRegistryInvalidName": lambda name: (
        f"{name!r} is not a valid model name: use org/name in lowercase letters, digits, '-', '_' and '.'"
    ),
    "ModelRegistryModelExists": lambda modelId: "a model with this name is already registered",
    "ModelRegistryUnknownModel": lambda modelId: f"no model with id 0x{modelId.hex()} is registered",
    "ModelRegistryUnknownVersion": lambda modelId, version: f"the model has no version {version}",
    "ModelRegistryModelIsRetired": lambda modelId: "the model is retired and can no longer change",
    "ModelRegistryAlreadySuspended": lambda modelId: "the model is already suspended",
    "ModelRegistryNotSuspended": lambda modelId: "the model is not suspended",
    "ModelRegistryVotedSuspension": lambda modelId: (
        "the DAO itself suspended the model: only a vote lifts that suspension, not the guardian"
    ),
    "ModelRegistryInvalidCid": lambda cid: (
        f"0x{cid.hex()} is not a CIDv1 of raw or dag-pb (UnixFS) content with a sha2-256 multihash (36 bytes)"
    ),
    "ModelRegistryInvalidContributor": lambda: "a version needs a contributor address",
    "ModelRegistryInvalidRollback": lambda modelId, currentVersion, targetVersion: (
        f"cannot roll back from version {currentVersion} to version {targetVersion}: the target must be an "
        "earlier version that was never rolled back"
    ),
    "ModelRegistryUnauthorized": lambda account: f"{account} is neither the registry's owner nor its guardian",
    "ModelRegistryInvalidEvaluator": lambda: "an evaluator must be an account, not the zero address",
    "ModelRegistryInvalidRewardPolicy": lambda: "a reward policy needs its document's digest and where it is",
    "ModelRegistryEvaluatorUnchanged": lambda evaluator, trusted: (
        f"{evaluator} is already {'a trusted evaluator' if trusted else 'not a trusted evaluator'}"
    ),
    "ModelRegistryInvalidSigner": lambda: "a signer key's fingerprint cannot be zero",
    "ModelRegistrySignerUnchanged": lambda modelId, keyHash, trusted: (
        f"key sha256:{keyHash.hex()[:16]}… is already {'trusted' if trusted else 'not trusted'} to sign this model"
    ),
    "ModelTokenUnauthorizedMeritMinter": lambda caller: (
        f"{caller} may not mint merit: only the DAO's timelock, by a vote"
    ),
    "ModelTokenInvalidMeritMinter": lambda: "the merit minter must be the DAO's timelock, not the zero address",
    "ModelTokenInvalidMeritAccount": lambda account: (
        f"merit cannot go to {account}: it goes to contributors, not the zero address, the token or the treasury"
    ),
    "ModelTokenMeritMintOutOfRange": lambda amount, cap: (
        f"{_tokens(amount)} of merit in one transaction is out of range: a mint must be positive, and all of them "
        f"together at most {_tokens(cap)} (1% of the supply)"
    ),
    "ModelTokenMeritNotTransferable": lambda account, transferable, needed: (
        f"{account} can transfer only {_tokens(transferable)} (the rest of its balance is merit, which stays with "
        f"it), not {_tokens(needed)}"
    ),
    "ModelTokenUnknownMeritGrant": lambda account, grantId: (
        f"{account} has no grant {grantId} of merit left to expire (never made, or expired already)"
    ),
    "ModelTokenMeritNotExpired": lambda account, grantId, expiresAt: (
        f"grant {grantId} of {account}'s merit never expires"
        if not expiresAt
        else f"grant {grantId} of {account}'s merit expires at {format_time(int(expiresAt))}, not yet"
    ),
    # The Ethereum Attestation Service
    "AlreadyExists": lambda: (
        "this schema is already registered (its UID is fixed by its text, resolver and revocability)"
    ),
    "InvalidSchema": lambda: "the attestation service has no such schema registered",
    "NotFound": lambda: "the attestation service has no attestation with this UID",
    "AccessDenied": lambda: "only an attestation's attester may revoke it",
    "AlreadyRevoked": lambda: "the attestation is already revoked",
    "Irrevocable": lambda: "the attestation cannot be revoked (it was made irrevocable)",
    "InvalidExpirationTime": lambda: "the attestation's expiry is in the past",
}


@functools.cache
def _error_abis() -> dict[bytes, dict[str, Any]]:
    from eth_utils import function_signature_to_4byte_selector

    errors: dict[bytes, dict[str, Any]] = {
        function_signature_to_4byte_selector("Error(string)"): {
            "name": "Error",
            "inputs": [{"name": "message", "type": "string"}],
        },
        function_signature_to_4byte_selector("Panic(uint256)"): {
            "name": "Panic",
            "inputs": [{"name": "code", "type": "uint256"}],
        },
    }
    for abi in all_abis():
        for entry in abi:
            if entry.get("type") == "error":
                types = ",".join(abi_type(i) for i in entry["inputs"])
                errors[function_signature_to_4byte_selector(f"{entry['name']}({types})")] = entry
    return errors


def decode_revert(data: bytes | str | None) -> tuple[str, dict[str, Any]] | None:
    """Decode revert data into (error name, arguments by name), or None if it matches no known error."""
    if data is None:
        return None
    if isinstance(data, str):
        text = data.removeprefix("0x")
        try:
            data = bytes.fromhex(text)
        except ValueError:
            return None
    if len(data) < 4:
        return None
    entry = _error_abis().get(bytes(data[:4]))
    if entry is None:
        return None
    types = [abi_type(i) for i in entry["inputs"]]
    try:
        values = checksummed(types, decode_values(types, bytes(data[4:])))
    except Exception:  # malformed payload: treat as unknown
        return None
    return entry["name"], {i["name"]: v for i, v in zip(entry["inputs"], values, strict=True)}


def explain_revert(data: bytes | str | None) -> str:
    """One sentence explaining revert data; falls back to the raw error when it is unknown."""
    decoded = decode_revert(data)
    if decoded is None:
        if not data or data in ("0x", b""):
            return "the transaction reverted without a reason"
        raw = data if isinstance(data, str) else "0x" + bytes(data).hex()
        return f"the transaction reverted with unknown error data {raw[:74]}"
    name, args = decoded
    explain = _EXPLANATIONS.get(name)
    if explain is None:
        rendered = ", ".join(f"{k}={v}" for k, v in args.items())
        return f"the contract refused: {name}({rendered})"
    return explain(**args)


def revert_error(data: bytes | str | None) -> TransactionError:
    """A TransactionError carrying the decoded revert."""
    decoded = decode_revert(data)
    name, args = decoded if decoded else (None, None)
    return TransactionError(explain_revert(data), error_name=name, error_args=args)


def revert_data_of(exc: BaseException) -> str | None:
    """The revert payload (0x-hex) an exception from web3 or eth-tester carries, if any."""
    first = exc.args[0] if exc.args else None
    # web3 raises the node's JSON-RPC error object itself (a ValueError of {"code", "message", "data"}) when its
    # provider has no middleware turning it into a ContractLogicError (brownie's, for one).
    data = getattr(exc, "data", None) or (first.get("data") if isinstance(first, dict) else None)
    if isinstance(data, str) and data.startswith("0x"):
        return data
    if isinstance(data, dict):  # some nodes nest it: {"data": "0x..."}
        inner = data.get("data")
        if isinstance(inner, str) and inner.startswith("0x"):
            return inner
    # eth-tester (embedded chain) raises TransactionFailed with the payload's repr in its message.
    if isinstance(first, bytes):
        return "0x" + first.hex()
    if isinstance(first, str) and first.startswith("execution reverted: b"):
        import ast

        try:
            payload = ast.literal_eval(first.removeprefix("execution reverted: "))
        except (ValueError, SyntaxError):
            return None
        if isinstance(payload, bytes):
            return "0x" + payload.hex()
    return None
