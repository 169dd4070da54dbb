"""Import profiles: the named sets of parameters that turn the same files into the same CIDs everywhere.

IPIP-499 (IPFS specs, 2026) names `unixfs-v1-2025`: CIDv1, sha2-256, raw leaves, 1 MiB fixed chunks, a balanced
DAG of at most 1,024 links a node, folders HAMT-sharded (fanout 256, murmur3-x64-64) when their block would be
strictly larger than 256 KiB, hidden files left out unless asked, empty folders kept. Kubo applies it with
`ipfs config profile apply unixfs-v1-2025`; Helia's importer with `profile: 'unixfs-v1-2025'`. It is the default
for new versions.

`cidv1-raw-256k-174` is what this project used before: CIDv1, sha2-256, raw leaves, 256 KiB chunks, 174 links a
node, folders never sharded (`ipfs add --cid-version 1 --raw-leaves --chunker size-262144` on a folder small
enough not to shard). It stays so that versions registered with it can be re-derived from their files.

Every manifest records its profile by name with its parameters; verification reads any valid DAG whatever built
it, and only a re-import from local files (`model verify --local`) needs the profile.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..errors import InputError

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class ImportProfile:
    """How a DAG is built. A different value of any field gives different CIDs for the same files."""

    name: str
    chunk_size: int
    max_links: int
    #: Folders whose serialized block would be larger than this many bytes become HAMT shards; None: never.
    hamt_threshold: int | None
    hamt_fanout: int = 256
    cid_version: int = 1
    raw_leaves: bool = True
    layout: str = "balanced"
    hash: str = "sha2-256"

    @property
    def chunker(self) -> str:
        """The chunker as `ipfs add --chunker` spells it."""
        return f"size-{self.chunk_size}"

    def to_dict(self) -> dict[str, Any]:
        """What a manifest records under `artifact.import`."""
        recorded = asdict(self)
        recorded["profile"] = recorded.pop("name")
        recorded.pop("chunk_size")
        recorded["chunker"] = self.chunker
        recorded["hamt_split"] = "block-bytes" if self.hamt_threshold is not None else "none"
        return recorded


UNIXFS_V1_2025 = ImportProfile("unixfs-v1-2025", chunk_size=1 * MIB, max_links=1024, hamt_threshold=256 * KIB)
LEGACY = ImportProfile("cidv1-raw-256k-174", chunk_size=256 * KIB, max_links=174, hamt_threshold=None)

PROFILES: dict[str, ImportProfile] = {p.name: p for p in (UNIXFS_V1_2025, LEGACY)}
DEFAULT_PROFILE = UNIXFS_V1_2025


def profile_named(name: str) -> ImportProfile:
    """The profile called `name`; InputError listing the known ones otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise InputError(f"unknown import profile {name!r}; known: {', '.join(PROFILES)}") from None


def profile_of(recorded: dict[str, Any]) -> ImportProfile:
    """The profile a manifest's `artifact.import` record describes. A record from before profiles were named (no
    `profile` key) holds the legacy parameters. InputError when the record names a profile with other parameters,
    or parameters no known profile has: such an artifact cannot be re-derived here (it can still be verified)."""
    name = recorded.get("profile")
    if name is None:
        legacy = {"cid_version": 1, "raw_leaves": True, "chunker": LEGACY.chunker, "max_links": LEGACY.max_links}
        if all(recorded.get(key) == value for key, value in legacy.items()):
            return LEGACY
        raise InputError(f"the manifest records import parameters no known profile has: {recorded}")
    profile = profile_named(str(name))
    if recorded != profile.to_dict():
        raise InputError(f"the manifest records profile {name} with other parameters than it has: {recorded}")
    return profile
