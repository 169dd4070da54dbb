"""What a proposal is, as plain data: its actions, its description (title, body, the `#proposer=` suffix), a
vote's support, and a vote signed offline. Nothing here reaches the chain."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from ..errors import InputError

# \Z, not $: the governor honours the suffix only at the very end, and $ also matches before a final newline.
_PROPOSER_SUFFIX = re.compile(r"#proposer=0x[0-9a-fA-F]{40}\Z")


class Support(IntEnum):
    """Vote types of OpenZeppelin's simple/overridable counting."""

    AGAINST = 0
    FOR = 1
    ABSTAIN = 2

    @classmethod
    def parse(cls, text: str | int) -> Support:
        if isinstance(text, int):
            return cls(text)
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise InputError(f"{text!r} is not a vote: use for, against or abstain") from None


@dataclass(frozen=True)
class Action:
    """One call the timelock makes when the proposal executes."""

    target: str
    value: int
    calldata: bytes

    @classmethod
    def from_call(cls, call: Any, value: int = 0) -> Action:
        return cls(call.address, value, bytes.fromhex(call._encode_transaction_data()[2:]))


def description_title(description: str) -> str:
    """First line of a proposal description, without markdown heading marks."""
    first = description.strip().splitlines()[0] if description.strip() else ""
    return first.lstrip("# ").strip()


def description_body(description: str) -> str:
    """A proposal description without its title line and its `#proposer=` suffix: what a voter reads."""
    lines = description.strip().splitlines()[1:]
    return _PROPOSER_SUFFIX.sub("", "\n".join(lines).strip()).strip()


@dataclass(frozen=True)
class Proposal:
    """Everything the governor hashes: actions and description."""

    actions: tuple[Action, ...]
    description: str
    #: The description's exact bytes when they are not UTF-8 (a Solidity string is any bytes): `description` then
    #: holds replacement characters, and the hash the governor knows the proposal by is of these bytes.
    description_bytes: bytes | None = None

    @property
    def targets(self) -> list[str]:
        return [a.target for a in self.actions]

    @property
    def values(self) -> list[int]:
        return [a.value for a in self.actions]

    @property
    def calldatas(self) -> list[bytes]:
        return [a.calldata for a in self.actions]

    @property
    def description_hash(self) -> bytes:
        from eth_utils import keccak

        return keccak(self.description_bytes) if self.description_bytes is not None else keccak(text=self.description)

    @property
    def title(self) -> str:
        return description_title(self.description)

    @property
    def body(self) -> str:
        return description_body(self.description)

    @property
    def content_hash(self) -> bytes:
        """keccak256 of the ABI-encoded actions and description hash (OpenZeppelin's `hashProposal`): what the
        proposal is, whatever number the governor gave it."""
        from eth_abi import encode
        from eth_utils import keccak

        return keccak(
            encode(["address[]", "uint256[]", "bytes[]", "bytes32"], [*self.args()[:3], self.description_hash])
        )

    def args(self) -> tuple[list[str], list[int], list[bytes], bytes]:
        """(targets, values, calldatas, descriptionHash) as queue/execute/cancel take them."""
        return self.targets, self.values, self.calldatas, self.description_hash


@dataclass(frozen=True)
class SignedVote:
    """A vote signed offline (EIP-712); anyone may relay it. Serialisable with `to_dict`.

    The signature binds the proposal's content as well as its number: the governor counts it only under a nonce keyed
    by the content hash (`governance.ballot_nonce_key`). `proposal_hash` records that hash (the
    `Proposal.content_hash` of what the voter saw), so that a relayer can refuse, before paying any gas, a vote whose
    number now names other content (after a reorganisation); a vote file without it is still checked by the governor.
    """

    proposal_id: int
    support: int
    voter: str
    nonce: int
    reason: str
    signature: str
    proposal_hash: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = {
            "proposal_id": self.proposal_id,
            "support": Support(self.support).name.lower(),
            "voter": self.voter,
            "nonce": str(self.nonce),
            "reason": self.reason,
            "signature": self.signature,
        }
        return data | ({"proposal_hash": self.proposal_hash} if self.proposal_hash else {})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignedVote:
        if not isinstance(data, dict):
            raise InputError("not a signed vote (expected a JSON object)")
        try:
            signature = bytes.fromhex(str(data["signature"]).removeprefix("0x"))
        except KeyError:
            raise InputError("not a signed vote: missing field 'signature'") from None
        except ValueError:
            raise InputError("not a signed vote: its signature is not hexadecimal") from None
        if len(signature) != 65:
            raise InputError(f"not a signed vote: its signature has {len(signature)} bytes, not 65")
        try:
            return cls(
                proposal_id=int(data["proposal_id"]),
                support=int(Support.parse(data["support"])),
                voter=str(data["voter"]),
                nonce=int(data["nonce"]),
                reason=str(data.get("reason", "")),
                signature=str(data["signature"]),
                proposal_hash=str(data.get("proposal_hash", "")),
            )
        except KeyError as exc:
            raise InputError(f"not a signed vote: missing field {exc}") from None
        except (TypeError, ValueError) as exc:
            raise InputError(f"not a signed vote: {exc}") from None


@dataclass(frozen=True)
class SignedDelegation:
    """A delegation signed offline (EIP-712 `Delegation` of ERC20Votes): `delegator` gives its votes to `delegatee`;
    anyone may submit it with `delegateBySig` before `expiry` (unix seconds) while the delegator's nonce is `nonce`.
    Serialisable with `to_dict`; it holds no key."""

    delegator: str
    delegatee: str
    nonce: int
    expiry: int
    signature: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "delegator": self.delegator,
            "delegatee": self.delegatee,
            "nonce": str(self.nonce),
            "expiry": self.expiry,
            "signature": self.signature,
        }

    @classmethod
    def from_dict(cls, data: Any) -> SignedDelegation:
        """A delegation from JSON, read strictly (InputError naming what is wrong)."""
        if not isinstance(data, dict):
            raise InputError("not a signed delegation (expected a JSON object)")
        try:
            signature = str(data["signature"])
            raw = bytes.fromhex(signature.removeprefix("0x"))
            delegation = cls(str(data["delegator"]), str(data["delegatee"]), int(data["nonce"]), int(data["expiry"]),
                             signature)  # fmt: skip
        except KeyError as exc:
            raise InputError(f"not a signed delegation: missing field {exc}") from None
        except (TypeError, ValueError):
            raise InputError("not a signed delegation: a field is not what it should be") from None
        if len(raw) != 65:
            raise InputError(f"not a signed delegation: its signature has {len(raw)} bytes, not 65")
        if not (0 <= delegation.nonce < 2**256 and 0 <= delegation.expiry < 2**256):
            raise InputError("not a signed delegation: its nonce or expiry is out of range")
        return delegation


def with_proposer_suffix(description: str, proposer: str) -> str:
    """`description` ending with `#proposer=<proposer>` (added unless it already ends with one)."""
    if _PROPOSER_SUFFIX.search(description):
        return description
    return f"{description.rstrip()}\n\n#proposer={proposer}"
