"""The functional core: the typed records (`model`), the condition language (`conditions`), the
strict answer check and skip logic (`answers`), the decision (`engine`), why a decision came out
as it did (`explain`) and the typed errors (`errors`). Pure, and it imports nothing from the
other sub-packages: it knows no terminal, file, rule file or document format."""
