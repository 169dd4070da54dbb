"""The contracts this package ships, offline: their ABIs and bytecode (`artifacts`), their enums (`states`), the
ABI codec for calls, results and logs (`abi`), and revert data explained in words (`reverts`).

Nothing here touches a network.
"""
