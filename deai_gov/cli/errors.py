"""Exit codes and the one-line error every failure becomes (never a traceback)."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

EXIT_OK = 0
EXIT_ERROR = 1  # anything else that went wrong
EXIT_USAGE = 2  # click: unknown option, missing argument
EXIT_INPUT = 3  # a value given is not acceptable (name, CID, address, missing file or deployment)
EXIT_CHAIN = 4  # the RPC node is unreachable or answered unexpectedly
EXIT_REVERTED = 5  # a transaction would revert, or did
EXIT_VERIFICATION = 6  # content does not match what the registry records
EXIT_UNAVAILABLE = 7  # content could not be fetched from any source
EXIT_INTERRUPTED = 130


def exit_code_for(exc: BaseException) -> int:
    """The documented exit code of a library error."""
    from ..content import VerificationError
    from ..errors import ChainError, InputError, TransactionError
    from ..stores import BlockMismatch, StoreError

    if isinstance(exc, InputError):
        return EXIT_INPUT
    if isinstance(exc, ChainError):
        return EXIT_CHAIN
    if isinstance(exc, TransactionError):
        return EXIT_REVERTED
    if isinstance(exc, (VerificationError, BlockMismatch)):
        return EXIT_VERIFICATION
    if isinstance(exc, StoreError):
        return EXIT_UNAVAILABLE
    return EXIT_ERROR


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)
