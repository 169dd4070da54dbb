"""Connection to a chain and transaction sending.

`connect(rpc_url)` reaches any EVM node over HTTP; `connect(None)` starts an embedded in-process chain
(py-evm through eth-tester, the `embedded` extra). `send` estimates gas, prices the transaction with
EIP-1559 fees, signs it locally, waits for the receipt and turns any revert into a `TransactionError` with
one plain sentence.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import ChainError, RpcError, TransactionError
from .reverts import revert_error
from .rpc import JsonRpc

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3 import Web3
    from web3.contract.contract import ContractFunction
    from web3.types import TxReceipt

DEFAULT_TIMEOUT = 120.0
_FALLBACK_PRIORITY_FEE = 10**9  # 1 gwei, when the node cannot suggest one
# Estimates run against the pending block, but vote checkpoints are keyed by the timestamp of the block that
# includes the transaction: a checkpoint updated in place during the estimate may be a fresh storage slot when
# mined (about 20k gas each, several per transfer or delegation). Unused gas is not charged, so be generous.
_GAS_MARGIN = 1.25
_GAS_HEADROOM = 100_000
# A transaction the node has neither pending nor mined for this long is reported as dropped.
DROP_GRACE = 3.0


class Chain:
    """A connection to one chain: plain JSON-RPC for the fast read paths, web3 (made on first use) for the rest.

    Give `rpc_url` for a node over HTTP(S), or a ready `w3` (an embedded chain, or brownie's connection).
    """

    def __init__(
        self,
        w3: Web3 | None = None,
        *,
        rpc_url: str | None = None,
        timeout: float = 30.0,
        embedded: bool = False,
        dev_keys: list[str] | None = None,
    ):
        if w3 is None and rpc_url is None:
            raise ValueError("a chain needs a web3 connection or an RPC URL")
        self._w3 = w3
        self.rpc_url = rpc_url
        self.timeout = timeout
        self.embedded = embedded
        #: Private keys of the accounts an embedded chain funds at genesis (empty for RPC chains).
        self.dev_keys = dev_keys or []
        self.rpc = JsonRpc(rpc_url, timeout=timeout) if rpc_url and w3 is None else None
        self._chain_id: int | None = None

    def __repr__(self) -> str:
        return f"Chain({self.rpc_url or ('embedded' if self.embedded else 'web3')})"

    @property
    def w3(self) -> Web3:
        """The web3 connection (imported and made on first use for an RPC URL)."""
        if self._w3 is None:
            from web3 import HTTPProvider, Web3

            assert self.rpc_url is not None
            # web3 checks the chain id before every call; it cannot change under a connection, so ask once.
            provider = HTTPProvider(
                self.rpc_url,
                request_kwargs={"timeout": self.timeout},
                cache_allowed_requests=True,
                cacheable_requests={"eth_chainId"},  # type: ignore[arg-type]
            )
            self._w3 = Web3(provider)
        return self._w3

    def request(self, method: str, params: list[Any] | None = None) -> Any:
        """The result of one JSON-RPC request (through web3's provider when there is no plain client)."""
        if self.rpc is not None:
            return self.rpc.request(method, params)
        answer: dict[str, Any] = dict(self.w3.provider.make_request(method, params or []))  # type: ignore[arg-type]
        if answer.get("error"):
            raise RpcError(method, answer["error"])
        return answer.get("result")

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """Results of many JSON-RPC requests in one round trip (an RpcError in place of a failed one)."""
        if self.rpc is not None:
            return self.rpc.batch(calls)
        results: list[Any] = []
        for method, params in calls:
            try:
                results.append(self.request(method, params))
            except RpcError as exc:
                results.append(exc)
        return results

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self.w3.eth.chain_id) if self.rpc is None else int(self.request("eth_chainId"), 16)
        return self._chain_id

    def block_number(self) -> int:
        """The latest block's number."""
        if self.rpc is None:
            return int(self.w3.eth.block_number)
        return int(self.request("eth_blockNumber"), 16)

    def contract(self, name: str, address: str) -> Any:
        """A web3 contract object for shipped contract `name` at `address`."""
        from .contracts import artifact

        return self.w3.eth.contract(address=self.w3.to_checksum_address(address), abi=artifact(name).abi)

    def timestamp(self) -> int:
        """Timestamp of the latest block (the governor's clock)."""
        return int(self.w3.eth.get_block("latest")["timestamp"])


@dataclass(frozen=True)
class TxResult:
    """What a mined transaction returned."""

    tx_hash: str
    receipt: Any
    gas_used: int

    @property
    def block_number(self) -> int:
        return int(self.receipt["blockNumber"])


def connect(rpc_url: str | None = None, *, timeout: float = 30.0) -> Chain:
    """Connect to `rpc_url` (HTTP), or start an embedded in-process chain when it is None."""
    if rpc_url is None:
        return embedded_chain()
    chain = Chain(rpc_url=rpc_url, timeout=timeout)
    try:
        _ = chain.chain_id  # also proves the node is there
    except (ValueError, TypeError):
        raise ChainError(f"the RPC node at {rpc_url} sent a malformed chain id") from None
    return chain


def embedded_chain() -> Chain:
    """A fresh in-process chain (py-evm) with ten funded development accounts."""
    try:
        from eth_tester import EthereumTester, PyEVMBackend
        from web3 import EthereumTesterProvider, Web3
    except ImportError:
        raise ChainError("the embedded chain needs the 'embedded' extra: pip install 'deai-gov[embedded]'") from None
    backend = PyEVMBackend(genesis_parameters=PyEVMBackend.generate_genesis_params({"gas_limit": 30_000_000}))
    backend.chain.gas_estimator = staticmethod(_two_run_gas_estimate)
    tester = EthereumTester(backend)
    w3 = Web3(EthereumTesterProvider(tester))
    keys = [k.to_hex() for k in backend.account_keys]
    return Chain(w3, embedded=True, dev_keys=keys)


def _two_run_gas_estimate(state: Any, transaction: Any) -> int:
    """Gas estimate for the embedded chain in two EVM runs instead of py-evm's ~13-step binary search.

    Run once with the block gas limit to measure the gas used, then confirm that limit suffices (calls keep
    1/64 of the gas back, so it may not); fall back to py-evm's binary search when it does not.
    """
    from eth.estimators.gas import binary_gas_search_intrinsic_tolerance
    from eth.vm.spoof import SpoofTransaction

    def run(gas: int) -> Any:
        snapshot = state.snapshot()
        try:
            return state.apply_transaction(SpoofTransaction(transaction, gas=gas, gas_price=0))
        finally:
            state.revert(snapshot)

    full = run(state.gas_limit)
    if full.is_error:
        raise full.error
    estimate = min(state.gas_limit, transaction.intrinsic_gas + full.get_gas_used())
    if run(estimate).is_error:
        return int(binary_gas_search_intrinsic_tolerance(state, transaction))
    return int(estimate)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def _revert_data(exc: BaseException) -> str | None:
    """The revert payload carried by a web3 exception, if any."""
    data = getattr(exc, "data", None)
    if isinstance(data, str) and data.startswith("0x"):
        return data
    if isinstance(data, dict):  # some nodes nest it: {"data": "0x..."}
        inner = data.get("data")
        if isinstance(inner, str) and inner.startswith("0x"):
            return inner
    # eth-tester (embedded chain) raises TransactionFailed with the payload's repr in its message.
    first = exc.args[0] if exc.args else None
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


def explain_call_failure(exc: BaseException) -> TransactionError:
    """Turn an exception raised by eth_call / eth_estimateGas into a TransactionError."""
    from web3.exceptions import ContractLogicError

    data = _revert_data(exc)
    if data is not None:
        return revert_error(data)
    if isinstance(exc, ContractLogicError):
        message = getattr(exc, "message", None) or str(exc)
        return TransactionError(message.removeprefix("execution reverted: ").strip() or "reverted without a reason")
    return TransactionError(f"the node refused the transaction: {_first_line(exc)}")


def fee_fields(w3: Web3, block: Any = None) -> dict[str, int]:
    """EIP-1559 fee fields: priority fee suggested by the node, max fee covering a doubled base fee."""
    block = block or w3.eth.get_block("latest")
    base_fee = block.get("baseFeePerGas")
    if base_fee is None:  # pre-London chain
        return {"gasPrice": int(w3.eth.gas_price)}
    try:
        priority = int(w3.eth.max_priority_fee)
    except Exception:
        priority = _FALLBACK_PRIORITY_FEE
    return {"maxPriorityFeePerGas": priority, "maxFeePerGas": 2 * int(base_fee) + priority}


def raw_calls(chain: Chain, requests: list[tuple[str, bytes]], *, batch_size: int = 1_000) -> list[bytes]:
    """`eth_call` results for many (address, calldata) pairs: JSON-RPC batches on a node, one by one in-process.

    The fast path for long lists: no ABI lookup per call, one round trip per `batch_size` calls. A call that
    reverts raises its decoded error.
    """
    if chain.embedded:
        return [_raw_call(chain, to, data) for to, data in requests]
    results: list[bytes] = []
    for start in range(0, len(requests), batch_size):
        chunk = requests[start : start + batch_size]
        answers = chain.batch([("eth_call", [{"to": to, "data": "0x" + data.hex()}, "latest"]) for to, data in chunk])
        for answer in answers:
            if isinstance(answer, RpcError):
                raise _call_error(answer)
            results.append(bytes.fromhex(str(answer).removeprefix("0x")))
    return results


def _call_error(error: RpcError) -> TransactionError:
    """The TransactionError of an `eth_call` the node answered with an error (a revert, usually)."""
    data = error.data.get("data") if isinstance(error.data, dict) else error.data
    if isinstance(data, str) and data.startswith("0x") and len(data) > 2:
        return revert_error(data)
    return TransactionError(error.message.removeprefix("execution reverted: ").strip() or "reverted without a reason")


def _raw_call(chain: Chain, to: str, data: bytes) -> bytes:
    try:
        return bytes(chain.w3.eth.call({"to": to, "data": data}))  # type: ignore[typeddict-item]
    except Exception as exc:
        raise explain_call_failure(exc) from None


@dataclass(frozen=True)
class ReadCall:
    """A read-only call of a shipped contract's function, encoded from its ABI alone (no web3 contract object)."""

    address: str
    contract: str
    function: str
    args: tuple[Any, ...] = ()

    def calldata(self) -> bytes:
        from eth_abi import encode

        selector, inputs, _ = _call_shape(self.contract, self.function)
        return selector + encode(list(inputs), list(self.args))

    def decode(self, answer: bytes) -> Any:
        from eth_abi import decode

        values = decode(list(_call_shape(self.contract, self.function)[2]), answer)
        return values[0] if len(values) == 1 else values


@functools.cache
def _call_shape(contract: str, function: str) -> tuple[bytes, tuple[str, ...], tuple[str, ...]]:
    """(selector, input types, output types) of a shipped contract's function: worked out once, not per call."""
    from eth_utils import function_abi_to_4byte_selector
    from eth_utils.abi import collapse_if_tuple

    from .contracts import function_abi

    abi = function_abi(contract, function)
    inputs = tuple(collapse_if_tuple(dict(item)) for item in abi["inputs"])
    outputs = tuple(collapse_if_tuple(dict(item)) for item in abi["outputs"])
    return bytes(function_abi_to_4byte_selector(abi)), inputs, outputs  # type: ignore[arg-type]


def call_many(chain: Chain, calls: list[ReadCall], *, batch_size: int = 1_000) -> list[Any]:
    """The decoded results of many read-only calls, read with `raw_calls` (JSON-RPC batches, no web3).

    Decoded with eth-abi and not normalised by web3: addresses come back in lower case, a struct as a tuple.
    """
    answers = raw_calls(chain, [(call.address, call.calldata()) for call in calls], batch_size=batch_size)
    return [call.decode(answer) for call, answer in zip(calls, answers, strict=True)]


def read(chain: Chain, call: ReadCall) -> Any:
    """The decoded result of one read-only call (a revert raises its decoded TransactionError)."""
    return call_many(chain, [call])[0]


def simulate(chain: Chain, sender: str, call: ContractFunction, *, value: int = 0) -> int:
    """Estimate the gas `call` needs when sent by `sender`; raise TransactionError if it would revert."""
    try:
        return int(call.estimate_gas({"from": sender, "value": value}))  # type: ignore[arg-type]
    except Exception as exc:
        raise explain_call_failure(exc) from None


def send(
    chain: Chain,
    account: LocalAccount,
    call: ContractFunction | None = None,
    *,
    deploy_data: str | None = None,
    value: int = 0,
    timeout: float = DEFAULT_TIMEOUT,
    confirmations: int = 0,
    on_submitted: Callable[[str], None] | None = None,
) -> TxResult:
    """Sign and send `call` (or a contract creation with `deploy_data`) from `account`; wait for its receipt.

    Reverts are detected by the gas estimate before anything is signed, so a failing call sends nothing.
    """
    w3 = chain.w3
    tx: dict[str, Any] = {"from": account.address, "value": value, "chainId": chain.chain_id}
    if call is not None:
        tx["to"] = call.address
        tx["data"] = call._encode_transaction_data()
    elif deploy_data is not None:
        tx["data"] = deploy_data
    else:
        raise ValueError("send needs a call or deploy_data")
    try:
        estimate = int(w3.eth.estimate_gas(tx))  # type: ignore[arg-type]
    except Exception as exc:
        raise explain_call_failure(exc) from None
    latest = w3.eth.get_block("latest")
    tx["gas"] = min(int(estimate * _GAS_MARGIN) + _GAS_HEADROOM, int(latest["gasLimit"]))
    tx["nonce"] = _next_nonce(chain, account.address)
    tx.update(fee_fields(w3, latest))
    signed = account.sign_transaction(tx)
    try:
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction).to_0x_hex()
    except Exception as exc:
        raise explain_call_failure(exc) from None
    if on_submitted:
        on_submitted(tx_hash)
    receipt = wait_for_receipt(
        chain, tx_hash, timeout=timeout, confirmations=confirmations, sender=account.address, nonce=tx["nonce"]
    )
    if receipt["status"] != 1:
        raise _mined_revert(chain, tx, receipt)
    return TxResult(tx_hash, receipt, int(receipt["gasUsed"]))


def _next_nonce(chain: Chain, address: str) -> int:
    """The nonce for a new transaction; TransactionError if earlier ones from `address` still wait in the pool.

    Sending behind a transaction that is not mined (a time-out, a nonce gap, a stuck fee) would queue a second
    action blindly; the user decides instead: wait for it, or replace it from their wallet.
    """
    mined = int(chain.w3.eth.get_transaction_count(address, "latest"))  # type: ignore[arg-type]
    pending = int(chain.w3.eth.get_transaction_count(address, "pending"))  # type: ignore[arg-type]
    if pending > mined:
        waiting = pending - mined
        raise TransactionError(
            f"{address} has {waiting} transaction{'s' if waiting > 1 else ''} not yet mined (nonce {mined}"
            f"{f'-{pending - 1}' if waiting > 1 else ''}); nothing was sent: wait for "
            f"{'them' if waiting > 1 else 'it'} to be mined, or replace {'them' if waiting > 1 else 'it'}, then retry"
        )
    return mined


def wait_for_receipt(
    chain: Chain,
    tx_hash: str,
    *,
    timeout: float,
    confirmations: int = 0,
    sender: str | None = None,
    nonce: int | None = None,
    poll: float = 0.1,
    drop_grace: float = DROP_GRACE,
) -> TxReceipt:
    """Wait for a receipt (and `confirmations` blocks on top); never resends anything.

    Knowing the `sender` and `nonce`, a transaction that another one with the same nonce replaced is named as
    such at once; one the node forgot (neither pending nor mined for `drop_grace` seconds) as dropped.
    """
    import time

    from web3.exceptions import TransactionNotFound

    w3 = chain.w3
    deadline = time.monotonic() + timeout
    unknown_since: float | None = None
    receipt: Any = None
    try:
        while receipt is None:
            try:
                receipt = w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
                break
            except TransactionNotFound:
                pass
            if sender is not None and nonce is not None and w3.eth.get_transaction_count(sender, "latest") > nonce:  # type: ignore[arg-type]
                try:
                    receipt = w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]  # mined meanwhile?
                    break
                except TransactionNotFound:
                    raise TransactionError(
                        f"transaction {tx_hash} was replaced: another transaction used nonce {nonce} of {sender}; "
                        "nothing was resent"
                    ) from None
            try:
                w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
                unknown_since = None
            except TransactionNotFound:
                unknown_since = unknown_since or time.monotonic()
                if time.monotonic() - unknown_since >= drop_grace:
                    raise TransactionError(
                        f"transaction {tx_hash} was dropped: the node no longer has it, pending or mined; "
                        "nothing was resent"
                    ) from None
            if time.monotonic() > deadline:
                raise TransactionError(
                    f"transaction {tx_hash} got no receipt within {timeout:.0f} s; it was not resent — check it on "
                    "the node before trying again"
                )
            time.sleep(poll)
        while confirmations and w3.eth.block_number - receipt["blockNumber"] < confirmations:
            if time.monotonic() > deadline:
                raise TransactionError(f"transaction {tx_hash} was mined but got no {confirmations} confirmations")
            time.sleep(0.5)
    except OSError as exc:  # requests' connection errors: the node went away while we waited
        raise ChainError(
            f"lost the RPC node while waiting for transaction {tx_hash} ({_first_line(exc)}); it may still be "
            "mined: check it before trying again"
        ) from None
    return receipt


def _mined_revert(chain: Chain, tx: dict[str, Any], receipt: Any) -> TransactionError:
    """Replay a reverted transaction as a call at its block to recover the reason."""
    replay = {k: tx[k] for k in ("from", "to", "data", "value") if k in tx}
    try:
        chain.w3.eth.call(replay, receipt["blockNumber"] - 1)  # type: ignore[arg-type]
    except Exception as exc:
        error = explain_call_failure(exc)
        return TransactionError(
            f"transaction reverted: {error}", error_name=error.error_name, error_args=error.error_args
        )
    return TransactionError(f"transaction {receipt['transactionHash'].to_0x_hex()} reverted (out of gas?)")
