"""The rules at run time: finding and loading a rules folder and deciding whether to trust it
(`load`), the structural checks every rulebook passes (`rulecheck`), reading and writing rule
files (`rulefiles`), and the code generated from the shipped rules (`_shipped_rules`, used only
while `generated` finds it intact and current). Screening with the shipped rules needs nothing
else."""
