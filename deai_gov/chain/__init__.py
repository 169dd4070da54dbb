"""Talking to an EVM chain: the JSON-RPC transport (`rpc`), the embedded py-evm chain behind the same interface
(`embedded`), `client.Chain` with one way to read (`ReadCall`) and one way to send (`PreparedTx`, `send`), event
logs that survive providers' limits (`logs`) and their local index (`logindex`), and anvil processes (`anvil`).

Knows the shipped contracts' ABIs (to decode reverts) but nothing of what a DAO is.
"""
