"""A chain: one JSON-RPC transport for every read, and one `send` for every transaction.

Reads go through a transport that speaks JSON-RPC: plain HTTP for a node (`deai_gov.chain.rpc`, no web3), or the
embedded in-process chain answering in the same form (`deai_gov.chain.embedded`). Every view call is a `ReadCall`
encoded from the shipped ABIs and sent in batches (`call_many`). web3 is kept for what it does well: signing
and sending transactions, and running the embedded chain; it is imported on first use only.

Every transaction is a `PreparedTx` (the call, what it does in words, how to read its result from the
receipt) made by the library (`governance.vote`, `registry.suspend`, `token.delegate`...), simulated with
`simulate` and sent with `send`: the CLI, scripts, the demo, benchmarks and tests all take this one path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..contracts.abi import decode_result, encode_call
from ..contracts.reverts import revert_data_of, revert_error
from ..errors import ChainError, RpcError, TransactionError
from .embedded import EmbeddedTransport, start_embedded
from .rpc import JsonRpc, redacted

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3 import Web3
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
#: How long a transaction's nonce must stay used by another one before it is named replaced (a busy node can make
#: a mined transaction's receipt readable a moment after its sender's nonce moved on).
REPLACED_GRACE = 1.0


class LogSource(Protocol):
    """What answers a chain's log queries instead of the node (`logindex.LogIndex`, a local file)."""

    def logs(self, address: str, topics: list[Any], from_block: int, to_block: int) -> Iterator[dict[str, Any]]:
        """The logs of `address` matching `topics` from `from_block` to `to_block`, oldest first, as JSON-RPC gives
        them."""
        ...

    def discard(self) -> None:
        """Forget everything kept: the next query reads the node again (what was kept did not hold up)."""
        ...


class Transport(Protocol):
    """Where JSON-RPC requests go: a node over HTTP, or the embedded chain."""

    def request(self, method: str, params: list[Any] | None = None) -> Any:
        """The `result` of one request; RpcError when the node answers with an error."""
        ...

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """One answer per call, in order: its `result`, or an RpcError instance for a call that failed."""
        ...


class Chain:
    """A connection to one chain: a JSON-RPC transport for reads, web3 (made on first use) to send.

    Give `rpc_url` for a node over HTTP(S), or a ready `w3`: an embedded chain (`embedded=True`), or a web3
    connected over HTTP (brownie's), whose endpoint then serves the reads too.
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
        self.timeout = timeout
        self.embedded = embedded
        #: Private keys of the accounts an embedded chain funds at genesis (empty for RPC chains).
        self.dev_keys = dev_keys or []
        self.transport: Transport
        if embedded:
            assert w3 is not None
            self.transport = EmbeddedTransport(w3)
        else:
            url = rpc_url or getattr(getattr(w3, "provider", None), "endpoint_uri", None)
            if not url:
                raise ValueError("a chain needs an HTTP endpoint for its reads (or embedded=True)")

            self.transport = JsonRpc(str(url), timeout=timeout)
        self.rpc_url = None if embedded else getattr(self.transport, "url", None)
        self._chain_id: int | None = None
        #: Blocks one eth_getLogs spans: what last worked with this node (see `logs.fetch_logs`).
        self.log_range = 10_000
        #: The index that answers log queries from a local file, once `logindex.enable` chose one.
        self.log_index: LogSource | None = None

    def __repr__(self) -> str:
        return f"Chain({redacted(self.rpc_url) if self.rpc_url else 'embedded'})"

    @property
    def w3(self) -> Web3:
        """The web3 connection used to sign and send (imported and made on first use for an RPC URL)."""
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
        """The result of one JSON-RPC request."""
        return self.transport.request(method, params)

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """Results of many JSON-RPC requests in one round trip (an RpcError in place of a failed one)."""
        return self.transport.batch(calls)

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self.request("eth_chainId"), 16)
        return self._chain_id

    def block_number(self) -> int:
        """The latest block's number."""
        return int(self.request("eth_blockNumber"), 16)

    def block_timestamp(self, block: int | str = "latest") -> int:
        """Timestamp of a block (the latest by default): the governor's clock."""
        tag = hex(block) if isinstance(block, int) else block
        found = self.request("eth_getBlockByNumber", [tag, False])
        if not isinstance(found, dict):
            raise ChainError(f"the RPC node has no block {block}")
        return int(found["timestamp"], 16)

    def timestamp(self) -> int:
        """Timestamp of the latest block."""
        return self.block_timestamp("latest")

    def now(self) -> float:
        """What "now" is for this chain: the wall clock, or the latest block's time when a dev chain has travelled
        ahead of it (the next block cannot be earlier than either)."""
        import time

        return max(time.time(), float(self.timestamp()))

    def balance(self, address: str) -> int:
        """Native balance of `address`, in wei."""
        return int(self.request("eth_getBalance", [address, "latest"]), 16)

    def receipt(self, tx_hash: str) -> dict[str, Any]:
        """The receipt of a mined transaction, as JSON-RPC gives it (hex quantities)."""
        found = self.request("eth_getTransactionReceipt", [tx_hash])
        if not isinstance(found, dict):
            raise ChainError(f"the RPC node has no receipt for transaction {tx_hash}")
        return found

    def get_logs(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """`eth_getLogs` as the node answers it."""
        found = self.request("eth_getLogs", [query])
        if not isinstance(found, list):
            raise ChainError("the RPC node answered eth_getLogs with something other than a list")
        return found


@dataclass(frozen=True)
class PreparedTx:
    """A transaction ready to simulate, confirm and send, made by a library function.

    `to` is None for a contract creation. `read_outcome` turns the mined receipt into the transaction's result
    (the new proposal's id, say); it is None when there is nothing to read.
    """

    to: str | None
    data: bytes
    description: str
    value: int = 0
    read_outcome: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class TxResult:
    """What a mined transaction returned: its hash, receipt, gas and outcome (see `PreparedTx.read_outcome`)."""

    tx_hash: str
    receipt: Any
    gas_used: int
    outcome: Any = None

    @property
    def block_number(self) -> int:
        return int(self.receipt["blockNumber"])


def connect(rpc_url: str | None = None, *, timeout: float = 30.0) -> Chain:
    """Connect to `rpc_url` (HTTP), or start an embedded in-process chain when it is None.

    Args:
        rpc_url: A node's JSON-RPC endpoint (`http://` or `https://`); None for a fresh embedded chain (py-evm, in
            this process, ten funded accounts in `Chain.dev_keys`; needs the `embedded` extra).
        timeout: Seconds each request to the node may take.

    Returns:
        The connection, its chain id already read: the node answered once.

    Raises:
        ChainError: The node cannot be reached, answers with an error or with something malformed; or the
            embedded chain is not installed.
    """
    if rpc_url is None:
        return embedded_chain()
    chain = Chain(rpc_url=rpc_url, timeout=timeout)
    try:
        _ = chain.chain_id  # also proves the node is there
    except (ValueError, TypeError, AttributeError):
        raise ChainError(f"the RPC node at {redacted(rpc_url)} sent a malformed chain id") from None
    return chain


def embedded_chain() -> Chain:
    """A fresh in-process chain (py-evm) with ten funded development accounts."""

    w3, keys = start_embedded()
    return Chain(w3, embedded=True, dev_keys=keys)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def explain_call_failure(exc: BaseException) -> TransactionError:
    """Turn an exception raised by eth_call / eth_estimateGas into a TransactionError."""
    from web3.exceptions import ContractLogicError

    data = revert_data_of(exc)
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
    except Exception:  # a node without eth_maxPriorityFeePerGas: web3 raises whatever its provider gives
        priority = _FALLBACK_PRIORITY_FEE
    return {"maxPriorityFeePerGas": priority, "maxFeePerGas": 2 * int(base_fee) + priority}


def eth_calls(
    chain: Chain,
    requests: list[tuple[str, bytes]],
    *,
    sender: str | None = None,
    values: list[int] | None = None,
    batch_size: int = 1_000,
) -> list[bytes | TransactionError]:
    """`eth_call` results for many (address, calldata) pairs (from `sender`, with `values` in wei), in JSON-RPC
    batches of `batch_size`: the bytes returned, or the decoded TransactionError of a call that reverted."""
    results: list[bytes | TransactionError] = []
    for start in range(0, len(requests), batch_size):
        calls = []
        for index in range(start, min(start + batch_size, len(requests))):
            to, data = requests[index]
            call = {"to": to, "data": "0x" + data.hex()}
            if sender is not None:
                call["from"] = sender
            if values and values[index]:
                call["value"] = hex(values[index])
            calls.append(("eth_call", [call, "latest"]))
        for answer in chain.batch(calls):
            if isinstance(answer, RpcError):
                results.append(_call_error(answer))
                continue
            if not isinstance(answer, str):
                raise ChainError("the RPC node answered eth_call with something other than hex data")
            results.append(bytes.fromhex(answer.removeprefix("0x")))
    return results


def _call_error(error: RpcError) -> TransactionError:
    """The TransactionError of an `eth_call` the node answered with an error (a revert, usually)."""
    data = error.data.get("data") if isinstance(error.data, dict) else error.data
    if isinstance(data, str) and data.startswith("0x") and len(data) > 2:
        return revert_error(data)
    return TransactionError(error.message.removeprefix("execution reverted: ").strip() or "reverted without a reason")


@dataclass(frozen=True)
class ReadCall:
    """A read-only call of a shipped contract's function, encoded from its ABI alone (no web3 contract object)."""

    address: str
    contract: str
    function: str
    args: tuple[Any, ...] = ()

    def calldata(self) -> bytes:

        return encode_call(self.contract, self.function, self.args)

    def decode(self, answer: bytes) -> Any:

        return decode_result(self.contract, self.function, len(self.args), answer)


def call_many(chain: Chain, calls: list[ReadCall], *, batch_size: int = 1_000) -> list[Any]:
    """The decoded results of many read-only calls, sent as JSON-RPC batches; a call that reverts raises its
    decoded TransactionError. Addresses come back checksummed, a struct as a tuple."""
    answers = eth_calls(chain, [(call.address, call.calldata()) for call in calls], batch_size=batch_size)
    decoded = []
    for call, answer in zip(calls, answers, strict=True):
        if isinstance(answer, TransactionError):
            raise answer
        decoded.append(call.decode(answer))
    return decoded


def read(chain: Chain, call: ReadCall) -> Any:
    """The decoded result of one read-only call (a revert raises its decoded TransactionError)."""
    return call_many(chain, [call])[0]


def _transaction(sender: str, tx: PreparedTx) -> dict[str, Any]:
    fields: dict[str, Any] = {"from": sender, "value": tx.value, "data": "0x" + tx.data.hex()}
    if tx.to is not None:
        fields["to"] = tx.to
    return fields


def simulate(chain: Chain, sender: str, tx: PreparedTx, *, fees: dict[str, int] | None = None) -> int:
    """Estimate the gas `tx` needs when sent by `sender`; raise TransactionError if it would revert.

    Nothing is signed or sent: use it to check a transaction, or to show its cost, before `send`.

    Args:
        chain: The chain to run it on (its latest state).
        sender: The address the transaction would come from.
        tx: A transaction prepared by the library (`governance.vote(...)`, `token.delegate(...)`...).
        fees: Fee fields (`fee_fields`) to estimate with, as the transaction will be sent; without them the node
            estimates at a gas price of 0, which a contract can tell from a real transaction.

    Returns:
        The gas estimate.

    Raises:
        TransactionError: It would revert; the message is the decoded reason in words (`error_name` and
            `error_args` hold the contract's custom error).
        ChainError: The node could not be reached.
    """
    try:
        return int(chain.w3.eth.estimate_gas(_transaction(sender, tx) | (fees or {})))  # type: ignore[arg-type]
    except Exception as exc:  # web3's family (ContractLogicError, Web3RPCError...) and requests': sorted below
        raise explain_call_failure(exc) from None


def send(
    chain: Chain,
    account: LocalAccount,
    tx: PreparedTx,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    confirmations: int = 0,
    on_submitted: Callable[[str], None] | None = None,
    check_gas: Callable[[int], None] | None = None,
    poll: float = 0.1,
) -> TxResult:
    """Sign and send `tx` from `account`, wait for its receipt and read its outcome.

    Reverts are detected by the gas estimate before anything is signed, so a failing call sends nothing.

    Args:
        chain: The chain to send on.
        account: The signer, a decrypted key (`deai_gov.home.accounts.load`, or `eth_account.Account.from_key`).
        tx: A transaction prepared by the library.
        timeout: Seconds to wait for the receipt (and the confirmations); the transaction is never resent.
        confirmations: Blocks to wait for on top of the one that includes it.
        on_submitted: Called with the transaction hash once the node accepted it, before waiting.
        check_gas: Called with the gas estimate before anything is signed; what it raises stops the sending there
            (a relayer's budget, say).
        poll: Seconds between two requests for the receipt (a relayer sending many polls more often).

    Returns:
        The mined transaction: its hash, receipt and gas used, and in `outcome` what `tx.read_outcome` reads from
        the receipt (the new proposal's id for `governance.propose`; None when there is nothing to read).

    Raises:
        TransactionError: It would revert (nothing sent) or did; the account still has a transaction waiting in
            the node's pool (nothing sent); or it was replaced, dropped, or got no receipt in `timeout`.
        ChainError: The node could not be reached, or was lost while waiting (the transaction may still be mined).
    """
    w3 = chain.w3
    fields = _transaction(account.address, tx) | {"chainId": chain.chain_id}
    try:
        estimate = int(w3.eth.estimate_gas(fields))  # type: ignore[arg-type]
    except Exception as exc:  # web3's family (ContractLogicError, Web3RPCError...) and requests': sorted below
        raise explain_call_failure(exc) from None
    if check_gas is not None:
        check_gas(estimate)
    latest = w3.eth.get_block("latest")
    fields["gas"] = min(int(estimate * _GAS_MARGIN) + _GAS_HEADROOM, int(latest["gasLimit"]))
    fields["nonce"] = _next_nonce(chain, account.address)
    fields.update(fee_fields(w3, latest))
    signed = account.sign_transaction(fields)
    try:
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction).to_0x_hex()
    except Exception as exc:  # web3's family and requests': explain_call_failure sorts them
        raise explain_call_failure(exc) from None
    if on_submitted:
        on_submitted(tx_hash)
    receipt = wait_for_receipt(
        chain,
        tx_hash,
        timeout=timeout,
        confirmations=confirmations,
        sender=account.address,
        nonce=fields["nonce"],
        poll=poll,
    )
    if receipt["status"] != 1:
        raise _mined_revert(chain, fields, receipt)
    outcome = tx.read_outcome(receipt) if tx.read_outcome is not None else None
    return TxResult(tx_hash, receipt, int(receipt["gasUsed"]), outcome)


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
    such (once that has held for `REPLACED_GRACE`); one the node forgot (neither pending nor mined for
    `drop_grace` seconds) as dropped.
    """
    import time

    from web3.exceptions import TransactionNotFound

    w3 = chain.w3
    deadline = time.monotonic() + timeout
    unknown_since: float | None = None
    nonce_used_since: float | None = None
    receipt: Any = None
    try:
        while receipt is None:
            try:
                receipt = w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
                break
            except TransactionNotFound:
                pass
            # A used nonce: by this transaction if the node has it in a block (a busy node may index the receipt a
            # moment after the state moved on): keep polling. Otherwise by another one, once that persists.
            if _nonce_used_by_another(w3, tx_hash, sender, nonce):
                nonce_used_since = nonce_used_since or time.monotonic()
                if time.monotonic() - nonce_used_since >= REPLACED_GRACE:
                    raise TransactionError(
                        f"transaction {tx_hash} was replaced: another transaction used nonce {nonce} of {sender}; "
                        "nothing was resent"
                    )
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


def _nonce_used_by_another(w3: Any, tx_hash: str, sender: str | None, nonce: int | None) -> bool:
    """Whether `sender`'s `nonce` is used while the node does not have `tx_hash` in a block (False when the
    sender or nonce is unknown)."""
    from web3.exceptions import TransactionNotFound

    if sender is None or nonce is None or w3.eth.get_transaction_count(sender, "latest") <= nonce:
        return False
    try:
        return w3.eth.get_transaction(tx_hash).get("blockNumber") is None
    except TransactionNotFound:
        return True


def _mined_revert(chain: Chain, tx: dict[str, Any], receipt: Any) -> TransactionError:
    """Replay a reverted transaction as a call at its block to recover the reason."""
    replay = {k: tx[k] for k in ("from", "to", "data", "value") if k in tx}
    try:
        chain.w3.eth.call(replay, receipt["blockNumber"] - 1)  # type: ignore[arg-type]
    except Exception as exc:  # the expected revert, in whichever of web3's exceptions the provider gives
        error = explain_call_failure(exc)
        return TransactionError(
            f"transaction reverted: {error}", error_name=error.error_name, error_args=error.error_args
        )
    return TransactionError(f"transaction {receipt['transactionHash'].to_0x_hex()} reverted (out of gas?)")
