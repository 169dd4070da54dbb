"""The embedded in-process chain (py-evm through eth-tester, the `embedded` extra) behind the JSON-RPC interface.

eth-tester's provider hands back Python objects and takes Python arguments; `EmbeddedTransport` answers the
read requests the package makes (`eth_call`, `eth_getLogs`, blocks, receipts, code, balances...) in JSON-RPC
form instead, hex quantities and data, so every read path runs the same code on a node and in-process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..contracts.reverts import revert_data_of
from ..errors import ChainError, RpcError

if TYPE_CHECKING:
    from web3 import Web3


def to_json_rpc(value: Any) -> Any:
    """`value` (web3's formatted answer) as a JSON-RPC node would send it: quantities and bytes as 0x-hex."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return hex(value)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return [to_json_rpc(v) for v in value]
    if hasattr(value, "items"):
        return {k: to_json_rpc(v) for k, v in value.items()}
    return value


def _block(tag: Any) -> Any:
    return int(tag, 16) if isinstance(tag, str) and tag.startswith("0x") else tag


class EmbeddedTransport:
    """JSON-RPC requests answered by an eth-tester web3 connection."""

    def __init__(self, w3: Web3):
        self.w3 = w3
        eth = w3.eth
        self._handlers: dict[str, Callable[..., Any]] = {
            "eth_chainId": lambda: eth.chain_id,
            "eth_blockNumber": lambda: eth.block_number,
            "eth_getBlockByNumber": lambda tag, _full=False: eth.get_block(_block(tag)),
            "eth_getCode": lambda address, tag="latest": eth.get_code(address, _block(tag)),
            "eth_getBalance": lambda address, tag="latest": eth.get_balance(address, _block(tag)),
            "eth_getLogs": lambda query: eth.get_logs(query),
            "eth_getTransactionReceipt": self._receipt,
            "eth_call": self._call,
        }

    def _receipt(self, tx_hash: str) -> Any:
        from web3.exceptions import TransactionNotFound

        try:
            return self.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return None

    def _call(self, call: dict[str, Any], tag: Any = "latest") -> Any:
        request = {key: value for key, value in call.items() if key in ("from", "to", "data", "value")}
        try:
            return self.w3.eth.call(request, _block(tag))  # type: ignore[arg-type]
        except Exception as exc:  # eth-tester raises py-evm's and its own errors for a revert: sorted below
            data = revert_data_of(exc)
            if data is None:
                raise RpcError("eth_call", {"code": -32000, "message": str(exc).splitlines()[0][:200]}) from None
            raise RpcError("eth_call", {"code": 3, "message": "execution reverted", "data": data}) from None

    def request(self, method: str, params: list[Any] | None = None) -> Any:
        handler = self._handlers.get(method)
        if handler is None:
            raise RpcError(method, {"code": -32601, "message": f"the embedded chain does not serve {method}"})
        return to_json_rpc(handler(*(params or [])))

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        results: list[Any] = []
        for method, params in calls:
            try:
                results.append(self.request(method, params))
            except RpcError as exc:
                results.append(exc)
        return results


def start_embedded() -> tuple[Web3, list[str]]:
    """A fresh in-process chain (py-evm) and the private keys of its ten funded development accounts."""
    try:
        from eth_tester import EthereumTester, PyEVMBackend
        from web3 import EthereumTesterProvider, Web3
    except ImportError:
        raise ChainError("the embedded chain needs the 'embedded' extra: pip install 'deai-gov[embedded]'") from None
    backend = PyEVMBackend(genesis_parameters=PyEVMBackend.generate_genesis_params({"gas_limit": 30_000_000}))
    backend.chain.gas_estimator = staticmethod(_two_run_gas_estimate)
    tester = EthereumTester(backend)
    w3 = Web3(EthereumTesterProvider(tester))
    return w3, [k.to_hex() for k in backend.account_keys]


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
