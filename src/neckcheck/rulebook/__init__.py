"""The rules at run time: finding and loading a rules folder and deciding whether to trust it
(`load`, which asks the caller for the authoring tools when a folder needs them), the digest of
the shipped compiled copy the package vouches for (`pinned`), the structural checks every
rulebook passes (`rulecheck`), and reading and writing rule files (`rulefiles`). Screening with
the shipped rules needs nothing else. Imports only the core."""
