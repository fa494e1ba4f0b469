"""Writing and proving rules (the `rules` extra: PyYAML and z3): the safe YAML reader
(`yamlsafe`), validation with pydantic into the core's records (`validation`), the proofs of
the safety properties (`verify`), the rule files' JSON Schemas (`rules_schema`), the rules
report, graph and reference (`traceability`) and the generator of the shipped rules' code
(`rulecode`)."""
