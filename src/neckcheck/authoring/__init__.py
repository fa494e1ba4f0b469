"""Writing and proving rules (the `rules` extra: PyYAML and z3): the safe YAML reader
(`yamlsafe`), validation with pydantic into the core's records (`validation`), the proofs of
the safety properties (`verify`), the tools loading hands down (`prover`), compiling a folder
(`compiler`), the pin of the shipped compiled copy (`pin`), the rule files' JSON Schemas
(`rules_schema`), and the rules report, graph and reference (`traceability`). Imports only the
core, the rules at run time and the formats."""
