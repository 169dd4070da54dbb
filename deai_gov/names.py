"""Names the registry and the manifests share: model names and ids, model references, and addresses."""

from __future__ import annotations

import re
from functools import lru_cache

from .errors import InputError

MAX_NAME_LENGTH = 64
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*")


def validate_model_name(name: str) -> str:
    """Return `name` if the registry accepts it, else raise InputError saying what is wrong."""
    if not isinstance(name, str) or not name:
        raise InputError("a model name is required (org/name)")
    if len(name.encode()) > MAX_NAME_LENGTH:
        raise InputError(f"model name {name!r} is longer than {MAX_NAME_LENGTH} bytes")
    if not _NAME_RE.fullmatch(name):
        raise InputError(
            f"{name!r} is not a valid model name: use org/name in lowercase letters, digits, '-', '_' and '.', "
            "each part starting with a letter or digit"
        )
    return name


def model_id(name: str) -> bytes:
    """The registry's id of model `name`: keccak256 of its UTF-8 bytes."""
    from eth_utils import keccak

    return keccak(text=validate_model_name(name))


def parse_model_reference(text: str) -> tuple[str, int | None]:
    """(name, version) of `org/name` or `org/name@VERSION` (version None when not given)."""
    name, at, version = text.partition("@")
    validate_model_name(name)
    if not at:
        return name, None
    if not (version.isascii() and version.isdigit()) or int(version) < 1:
        raise InputError(f"{version!r} is not a version number (1, 2, 3...)")
    return name, int(version)


def checksum_address(address: str, what: str) -> str:
    """`address` checksummed; InputError when it is not an address or its mixed case is a wrong checksum."""
    from eth_utils import is_address, is_checksum_address, to_checksum_address

    if not isinstance(address, str) or not is_address(address):
        raise InputError(f"{what} {address!r} is not an address")
    digits = address[2:] if address[:2] in ("0x", "0X") else address
    # EIP-55: only mixed case carries a checksum; all lowercase or all uppercase is an address without one
    if digits not in (digits.lower(), digits.upper()) and not is_checksum_address(address):
        raise InputError(f"{what} {address} has a wrong checksum (mistyped?)")
    return str(to_checksum_address(address))


def parse_hash32(text: str, what: str) -> bytes:
    """The 32 bytes of a hash written as 64 hexadecimal digits (`0x` optional); InputError otherwise."""
    digits = text.strip().removeprefix("0x").removeprefix("0X")
    if len(digits) != 64 or not all(c in "0123456789abcdefABCDEF" for c in digits):
        raise InputError(f"{what} {text!r} is not a 32-byte hash (0x and 64 hexadecimal digits)")
    return bytes.fromhex(digits)


def address_or_none(address: str) -> str:
    """An address as shown to people: `none` for the zero address (no guardian, no registry set)."""
    return "none" if int(str(address), 16) == 0 else str(address)


@lru_cache(maxsize=4096)
def checksum(address: str) -> str:
    """EIP-55 form of an address known to be valid (cached: a list repeats the same few addresses)."""
    from eth_utils import to_checksum_address

    return str(to_checksum_address(address))


#: Characters no path inside an artifact may hold: the separators and drive mark of other systems, and controls.
_UNPORTABLE = re.compile(r"[\\:\x00-\x1f\x7f-\x9f]")
#: Device names Windows reserves in every folder, with any extension (`con.txt` opens the console).
_WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{port}{n}" for port in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]]
)


#: The longest file name (one part of a path) and the longest relative path, in UTF-8 bytes, that every common file
#: system takes: ext4, APFS and NTFS stop a name at 255; macOS stops a whole path at 1,024, the destination included.
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 768


def check_file_path(path: str) -> str:
    """`path` (relative, `/`-separated) if every part of it is a portable file name, else InputError naming it.

    Portable: not empty, not `.` or `..`, no `\\` or `:` (a path on Windows), no control character or NUL, not a
    Windows device name (`CON`, `nul.txt`, `COM1`...), not ending in `.` or a space (Windows drops those, so
    `a.` and `a` would be one file), no part longer than `MAX_NAME_BYTES` and no path longer than `MAX_PATH_BYTES`
    (in UTF-8). Such a name would escape the folder, fail, or mean something else on another system.
    """
    if not isinstance(path, str) or not path or path.startswith("/"):
        raise InputError(f"{path!r} is not a relative path")
    if len(path.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        raise InputError(f"{path[:60]!r}… is longer than {MAX_PATH_BYTES} bytes, more than file systems take")
    for part in path.split("/"):
        if len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise InputError(
                f"{path[:60]!r}… holds a name longer than {MAX_NAME_BYTES} bytes, more than file systems take"
            )
        if part in ("", ".", ".."):
            raise InputError(f"{path!r} holds an empty, '.' or '..' part")
        found = _UNPORTABLE.search(part)
        if found:
            raise InputError(f"{path!r} holds {found.group()!r}, which is not portable in a file name")
        if part.split(".")[0].rstrip(" ").upper() in _WINDOWS_DEVICES:
            raise InputError(f"{path!r} holds {part!r}, a device name on Windows, not portable as a file name")
        if part.endswith((".", " ")):
            raise InputError(f"{path!r} holds {part!r}, which ends in a dot or space that Windows drops")
    return path


def first_collision(paths: list[str]) -> tuple[str, str] | None:
    """Two paths that name the same file on a case-insensitive or normalising file system (macOS, Windows):
    equal after Unicode NFC normalisation and case folding. None when there are none."""
    import unicodedata

    seen: dict[str, str] = {}
    for path in paths:
        key = unicodedata.normalize("NFC", path).casefold()
        if key in seen and seen[key] != path:
            return seen[key], path
        seen.setdefault(key, path)
    return None
