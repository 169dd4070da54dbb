"""Multi-step work on a user's behalf, on top of the DAO and IPFS: the approved version of a model and its
verified content (`approved`), the vote behind a version (`provenance`), drafting a lifecycle proposal
(`proposing`), a proposal in words (`describe`), a whole proposal played out on a fork (`simulation`), and the
DAO's events followed once each (`watch`).

The CLI, scripts, the demo and the tests call these same functions.
"""
