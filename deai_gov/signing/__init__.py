"""OpenSSF model signing for deai-gov versions (`model-signing` 1.1.1, the sigstore/model-transparency format).

A maintainer signs a version's folder with an EC key; the bundle travels inside the published folder as
`model.sig`; the manifest records the signer's public key, its fingerprint and the bundle's root digest; the
registry keeps, per model, the fingerprints the DAO trusts. `bundle` reads a bundle without trusting it, `keys`
identifies keys and checks a statement's signature, `folder` signs and verifies folders with the upstream library.
Checking a version needs its manifest and bundle only: the manifest's file digests are what pulls check every
file against.
"""
