"""Content on IPFS: CIDs, UnixFS blocks, the importer, CAR streams, block stores (embedded, node, gateway),
manifests, and publishing, pulling and verifying by CID.

This layer knows nothing of the chain: it imports only `deai_gov.errors` and `deai_gov.names` from outside
itself (a test checks it), so it can be used, and tested, without web3 or a DAO.
"""
