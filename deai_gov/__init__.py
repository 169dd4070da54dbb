"""deai-gov: DAO governance for the lifecycle of AI models whose artifacts live on IPFS."""

__version__ = "0.1.0"
