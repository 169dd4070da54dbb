"""The package's exceptions (`deai_gov.errors`) and the exit codes the CLI maps them to (`deai_gov.cli.errors`)."""

from __future__ import annotations

import ast
import builtins
import inspect
from pathlib import Path

import pytest

import deai_gov
from deai_gov import errors
from deai_gov.cli.errors import EXIT_CODES, ExitCode, error_line, exit_code_for
from deai_gov.errors import (
    BlockMismatch,
    BlockNotFound,
    CarError,
    ChainError,
    ContentError,
    DeaiGovError,
    DuplicateProposalError,
    HookFailed,
    InputError,
    IpfsNodeError,
    RelayLimitReached,
    RpcBusy,
    RpcError,
    ServiceError,
    SimulationUnavailable,
    StoreError,
    TransactionError,
    UnixFSError,
    VerificationError,
    WaitTimeout,
)

PACKAGE = Path(deai_gov.__file__).resolve().parent

# The exit codes documented for the command line (docs/cli.md, errors.py's docstring).
DOCUMENTED_EXIT_CODES: dict[type[DeaiGovError], int] = {
    DeaiGovError: 1,
    InputError: 3,
    DuplicateProposalError: 3,
    RelayLimitReached: 3,
    ChainError: 4,
    RpcError: 4,
    TransactionError: 5,
    WaitTimeout: 1,
    ContentError: 1,
    UnixFSError: 1,
    CarError: 1,
    VerificationError: 6,
    StoreError: 7,
    BlockNotFound: 7,
    BlockMismatch: 6,
    IpfsNodeError: 1,
    SimulationUnavailable: 1,
    RpcBusy: 4,
    HookFailed: 1,
    ServiceError: 7,
}


def instance(cls: type[DeaiGovError]) -> DeaiGovError:
    """An instance of `cls` built the way the package raises it."""
    if cls is DuplicateProposalError:
        return DuplicateProposalError(3)
    if cls is RpcError:
        return RpcError("eth_call", {"code": -32000, "message": "boom"})
    if cls is RpcBusy:
        return RpcBusy("https://rpc.example", 429, "Too Many Requests")
    return cls("something went wrong")


def test_every_exception_class_has_a_documented_exit_code() -> None:
    """A class added to errors.py without a documented exit code is noticed here."""
    defined = {
        obj
        for _, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, BaseException) and obj.__module__ == errors.__name__
    }
    assert defined == set(DOCUMENTED_EXIT_CODES)
    assert all(issubclass(cls, DeaiGovError) for cls in defined)


@pytest.mark.parametrize(("cls", "code"), DOCUMENTED_EXIT_CODES.items(), ids=lambda v: getattr(v, "__name__", v))
def test_exit_codes(cls: type[DeaiGovError], code: int) -> None:
    exc = instance(cls)
    assert exit_code_for(exc) == code
    assert not hasattr(exc, "exit_code")  # the library raises facts; the CLI decides what they mean to a process


def test_the_table_lists_each_family_before_its_parents() -> None:
    """`exit_code_for` takes the first family that matches: a subclass listed after its parent would never count."""
    for i, (family, _) in enumerate(EXIT_CODES):
        assert not any(issubclass(family, earlier) for earlier, _ in EXIT_CODES[:i]), family


def test_a_hint_is_kept_apart_and_shown_after_the_sentence() -> None:
    exc = InputError("no RPC URL", hint="pass --rpc-url")
    assert (str(exc), exc.hint) == ("no RPC URL", "pass --rpc-url")
    assert error_line(exc) == "no RPC URL; pass --rpc-url"
    assert error_line(exc, verbose=True) == "InputError: no RPC URL; pass --rpc-url"
    assert error_line(StoreError("gone")) == "gone" and StoreError("gone").hint is None
    assert exit_code_for(exc) == ExitCode.INPUT


def test_errors_are_also_the_builtin_they_are_a_kind_of() -> None:
    """A caller that knows nothing of the package catches them as the builtin they are."""
    with pytest.raises(ValueError):
        raise InputError("not a name")
    with pytest.raises(TimeoutError):
        raise WaitTimeout("proposal 3 did not reach succeeded in 10 s")
    with pytest.raises(LookupError):
        raise BlockNotFound("no source had bafy…")


@pytest.mark.parametrize(
    "exc", [ValueError("x"), KeyError("k"), OSError(2, "gone"), RuntimeError(), KeyboardInterrupt(), SystemExit(3)]
)
def test_a_foreign_exception_exits_with_1(exc: BaseException) -> None:
    assert exit_code_for(exc) == 1


def test_an_exit_code_attribute_on_a_foreign_exception_is_ignored() -> None:
    """Only the package's errors choose their exit code."""

    class Foreign(Exception):
        exit_code = 5

    assert exit_code_for(Foreign()) == 1


def test_families() -> None:
    """A caller catching the family catches its members."""
    assert issubclass(RpcError, ChainError)
    assert issubclass(DuplicateProposalError, InputError)
    assert issubclass(BlockNotFound, StoreError) and issubclass(BlockMismatch, StoreError)
    assert issubclass(UnixFSError, ContentError) and issubclass(CarError, ContentError)
    assert issubclass(VerificationError, ContentError)


def test_rpc_error_from_a_json_rpc_error_object() -> None:
    data = "0x08c379a0" + "00" * 32
    exc = RpcError("eth_estimateGas", {"code": -32000, "message": "  execution reverted \n", "data": data})
    assert (exc.method, exc.code, exc.data, exc.message) == ("eth_estimateGas", -32000, data, "execution reverted")
    assert str(exc) == "the node refused eth_estimateGas: execution reverted"
    assert exit_code_for(exc) == 4


def test_rpc_error_from_a_bare_string() -> None:
    exc = RpcError("eth_sendRawTransaction", "nonce too low")
    assert (exc.code, exc.data, exc.message) == (None, None, "nonce too low")
    assert "eth_sendRawTransaction" in str(exc) and "nonce too low" in str(exc)


def test_rpc_error_without_a_message_still_says_something() -> None:
    exc = RpcError("eth_call", {"code": 3})
    assert exc.code == 3 and exc.message == ""
    assert str(exc).startswith("the node refused eth_call: ") and "3" in str(exc).removeprefix("the node refused")


def test_duplicate_proposal_carries_its_id() -> None:
    exc = DuplicateProposalError(42)
    assert exc.proposal_id == 42
    assert "42" in str(exc)
    assert isinstance(exc, InputError)


def test_transaction_error_carries_the_decoded_revert() -> None:
    exc = TransactionError("proposal 3 does not exist", error_name="GovernorNonexistentProposal", error_args={"a": 1})
    assert (str(exc), exc.error_name, exc.error_args) == (
        "proposal 3 does not exist",
        "GovernorNonexistentProposal",
        {"a": 1},
    )
    plain = TransactionError("no receipt")
    assert plain.error_name is None and plain.error_args == {}


def _is_exception_base(base: ast.expr) -> bool:
    """True when a base class expression names an exception: `Exception`, `ValueError`, `errors.InputError`..."""
    name = base.attr if isinstance(base, ast.Attribute) else base.id if isinstance(base, ast.Name) else ""
    builtin = getattr(builtins, name, None)
    return (
        (isinstance(builtin, type) and issubclass(builtin, BaseException))
        or name.endswith(("Error", "Exception"))
        or name in {cls.__name__ for cls in DOCUMENTED_EXIT_CODES}
    )


def test_exception_classes_live_in_errors_py_only() -> None:
    """No other module defines a class named *Error or deriving from an exception."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "errors.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and (
                node.name.endswith("Error") or any(_is_exception_base(base) for base in node.bases)
            ):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}")
    assert offenders == []


def test_the_exception_scan_sees_what_it_looks_for() -> None:
    """The scan above recognises the ways a module would define an exception."""
    source = "class A(ValueError): pass\nclass B(errors.InputError): pass\nclass C(BlockNotFound): pass\nclass D: pass"
    classes = [n for n in ast.parse(source).body if isinstance(n, ast.ClassDef)]
    assert [any(_is_exception_base(b) for b in c.bases) for c in classes] == [True, True, True, False]


def _broad_handlers_without_reason(source: str) -> list[int]:
    """Lines of `except Exception`/`except BaseException` handlers that neither say why on the line nor re-raise."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ExceptHandler) or node.type is None:
            continue
        names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
        if not names & {"Exception", "BaseException"}:
            continue
        reraises = isinstance(node.body[-1], ast.Raise) and node.body[-1].exc is None
        if not reraises and "#" not in lines[node.lineno - 1]:
            found.append(node.lineno)
    return found


def test_every_broad_except_says_why_or_re_raises() -> None:
    """A handler as broad as `except Exception` belongs at a boundary with foreign code, and says which errors it
    stands for; a cleanup that re-raises needs no word."""
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line in _broad_handlers_without_reason(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_broad_except_scan_sees_what_it_looks_for() -> None:
    source = (
        "try:\n    a()\nexcept Exception:\n    pass\n"  # line 3: no reason
        "try:\n    a()\nexcept Exception:  # eth_abi's errors\n    pass\n"
        "try:\n    a()\nexcept BaseException:\n    cleanup()\n    raise\n"
        "try:\n    a()\nexcept (ValueError, Exception) as exc:\n    log(exc)\n"  # line 16: no reason
    )
    assert _broad_handlers_without_reason(source) == [3, 16]
