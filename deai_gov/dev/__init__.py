"""Local development: an anvil devnet, a persistent local chain and IPFS node (`deai-gov node`), the js-ipfs
runner, and the embedded demo. Nothing here is needed to govern a DAO on a real network."""
