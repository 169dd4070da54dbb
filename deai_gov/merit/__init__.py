"""Merit: independent evaluations of model versions, recorded as Ethereum Attestation Service (EAS) attestations.

`eas` deploys and speaks to EAS's own contracts (its npm package's compiled artifacts); `evaluation` is the
evaluation schema, its encoding, and the checks that decide whether an attestation is bound to what a voter is
shown.
"""
