"""The contracts' enums, mirrored once: a proposal's state (OpenZeppelin Governor), a model's and a version's
status (ModelRegistry) and a timelock operation's state (OpenZeppelin TimelockController)."""

from __future__ import annotations

from enum import IntEnum


class ProposalState(IntEnum):
    """OpenZeppelin Governor's `ProposalState`."""

    PENDING = 0
    ACTIVE = 1
    CANCELED = 2
    DEFEATED = 3
    SUCCEEDED = 4
    QUEUED = 5
    EXPIRED = 6
    EXECUTED = 7

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def phrase(self) -> str:
        """The state as a sentence says it of a proposal: `proposal 3 has succeeded`, `… was executed`."""
        return _PHRASES[self]

    @property
    def is_final(self) -> bool:
        """True for a state a proposal never leaves."""
        return self in _FINAL_PROPOSAL_STATES


_PHRASES = {
    ProposalState.PENDING: "is pending",
    ProposalState.ACTIVE: "is active",
    ProposalState.CANCELED: "was canceled",
    ProposalState.DEFEATED: "was defeated",
    ProposalState.SUCCEEDED: "has succeeded",
    ProposalState.QUEUED: "is queued",
    ProposalState.EXPIRED: "has expired",
    ProposalState.EXECUTED: "was executed",
}


_FINAL_PROPOSAL_STATES = frozenset(
    {ProposalState.CANCELED, ProposalState.DEFEATED, ProposalState.EXPIRED, ProposalState.EXECUTED}
)


class ModelStatus(IntEnum):
    """`IModelRegistry.ModelStatus`, the lifecycle; NONE means the model does not exist. A suspension is a separate
    flag (`ModelInfo.suspended`): it applies to an active or a retired model and outlives a retirement."""

    NONE = 0
    ACTIVE = 1
    RETIRED = 2

    @property
    def label(self) -> str:
        return "unregistered" if self is ModelStatus.NONE else self.name.lower()


class VersionStatus(IntEnum):
    """`IModelRegistry.VersionStatus`, relative to the model's current version."""

    NONE = 0
    CURRENT = 1
    SUPERSEDED = 2
    ROLLED_BACK = 3


class OperationState(IntEnum):
    """OpenZeppelin TimelockController's `OperationState`."""

    UNSET = 0
    WAITING = 1
    READY = 2
    DONE = 3

    @property
    def label(self) -> str:
        return self.name.lower()
