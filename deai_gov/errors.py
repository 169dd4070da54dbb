"""Every exception the package raises, in one place.

The families, most general first:

    DeaiGovError                      anything that went wrong; `str(exc)` is one plain sentence, `exc.hint` the next
                                      step when there is one (a command to run, an option to pass), or None
      InputError (ValueError)         a value given is not acceptable (name, CID, address, file...)
        DuplicateProposalError          an identical proposal exists (carries its id)
        RelayLimitReached               a relayer's gas budget or request rate refuses it for now
      ChainError                      the RPC node is unreachable or answered unexpectedly
        RpcError                        the node answered a request with a JSON-RPC error
        RpcBusy                         the node answered HTTP 429 or 5xx, after every retry
      TransactionError                a transaction would revert, or did, or never got a receipt
      WaitTimeout (TimeoutError)      waited for a state that did not come in time
      SimulationUnavailable           a proposal cannot be simulated on a fork here (no anvil, no RPC)
      HookFailed                      the command `watch --exec` runs failed on an event, every retry
      ContentError                    content from IPFS is malformed or does not match
        UnixFSError                     a block is not the UnixFS/dag-pb structure it claims to be
        CarError                        a CAR stream is malformed, or a block does not match its CID
        VerificationError               content does not match what was recorded
      StoreError                      a store could not be reached, or refused an operation
        BlockNotFound (LookupError)     no source had the block
        BlockMismatch                   sources answered with bytes that do not hash to the CID
      IpfsNodeError                   the local IPFS node did not start or stopped
      ServiceError                    a service outside the DAO (an MLflow tracking server) failed or answered wrongly

The library raises facts; what they mean for a process (its exit code) is the CLI's to say (`deai_gov.cli.errors`).
Revert data is turned into sentences by `deai_gov.contracts.reverts`.
"""

from __future__ import annotations

from typing import Any


class DeaiGovError(Exception):
    """Base class: the message is a single sentence, safe to show as is; `hint`, when not None, says what to do
    next (shown after the message by the CLI, kept apart for a script or a web page to show its own way)."""

    def __init__(self, message: str = "", *, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


class InputError(DeaiGovError, ValueError):
    """A value given by the user is not acceptable (name, CID, address, amount...)."""


class DuplicateProposalError(InputError):
    """An identical proposal (same actions, same description) was submitted before: its id is `proposal_id`."""

    def __init__(self, proposal_id: int):
        super().__init__(f"an identical proposal already exists: proposal {proposal_id}")
        self.proposal_id = proposal_id


class RelayLimitReached(InputError):
    """A relayer refuses a signed vote or delegation for now: its gas budget (for the signer, for the hour, in all)
    or the sender's request rate is used up; the message says which, and when to try again if it can."""


class ChainError(DeaiGovError):
    """The chain could not be reached or answered something unexpected."""


class RpcError(ChainError):
    """The node answered a request with a JSON-RPC error."""

    def __init__(self, method: str, error: Any):
        """`error` is the answer's `error` member: an object with `code`, `message` and `data` from a node that
        follows JSON-RPC 2.0, anything else (a bare string, say) from one that does not."""
        if not isinstance(error, dict):
            error = {"message": error}
        self.method = method
        self.code = error.get("code")
        self.data = error.get("data")
        self.message = str(error.get("message", "")).strip()
        super().__init__(f"the node refused {method}: {self.message or error}")


class RpcBusy(ChainError):
    """The node answered HTTP 429 (too many requests) or a 5xx: busy or briefly down (retried before this is
    raised)."""

    def __init__(self, url: str, status: int, reason: str, retry_after: float | None = None):
        super().__init__(f"the RPC node at {url} answered HTTP {status} {reason} (busy; tried again, in vain)")
        self.status = status
        self.retry_after = retry_after


class TransactionError(DeaiGovError):
    """A transaction would revert, or did, or never got a receipt."""

    def __init__(self, message: str, *, error_name: str | None = None, error_args: dict[str, Any] | None = None):
        super().__init__(message)
        self.error_name = error_name
        self.error_args = error_args or {}


class WaitTimeout(DeaiGovError, TimeoutError):
    """Something waited for (a proposal state) did not happen in the time allowed."""


class HookFailed(DeaiGovError):
    """The command run for each event (`watch --exec`) kept failing on one; the cursor stays before that event."""


class SimulationUnavailable(DeaiGovError):
    """A whole-proposal simulation cannot run here: no anvil installed, or no RPC node to fork (the message says
    which); callers fall back to checking each action on its own."""


class ContentError(DeaiGovError):
    """Content read from IPFS is malformed or does not match what it should be."""


class UnixFSError(ContentError):
    """A block is not the UnixFS/dag-pb structure it claims to be."""


class CarError(ContentError):
    """A CAR stream is malformed, or one of its blocks does not match its CID."""


class VerificationError(ContentError):
    """Content does not match what was recorded; the message names what did not match."""


class StoreError(DeaiGovError):
    """A store could not be reached, or refused an operation."""


class BlockNotFound(StoreError, LookupError):
    """No source had the block (or none answered in time)."""


class BlockMismatch(StoreError):
    """Sources answered, but with bytes that do not hash to the block's CID."""


class IpfsNodeError(DeaiGovError):
    """The local IPFS node is not installed, did not start, or stopped unexpectedly."""


class ServiceError(DeaiGovError):
    """A service outside the DAO that an integration talks to (an MLflow tracking server) could not be reached,
    refused, or answered something that is not what its API documents; the message names the service."""
