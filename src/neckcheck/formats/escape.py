"""Text from the input or from a file (a key, a value, a path, a rule's words) made safe to show:
control characters and lone surrogates escaped, so that it cannot move the cursor, clear the
screen or fake a headline. Pure string work, used by the shell and by the report."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import re

# C0 and C1 controls (bar newline and tab), DEL, lone surrogates, and the bidirectional
# overrides that can make text read backwards.
_UNSAFE = r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
# In one line of stderr, also what breaks or hides a line: newline, tab, the line and paragraph
# separators, zero-width and direction marks (a key holding "\nneckcheck: answers saved"
# must not read as a line of its own).
_UNSAFE_IN_LINE = (
    r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069"
    r"\ufeff]"
)


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escaped(text: str, unsafe: str) -> str:
    if text.isprintable():  # every character either pattern names is unprintable
        return text
    import re  # only here: `re` (with `enum`) costs a scripted screening's start-up

    return re.sub(unsafe, _escape_char, text)


def safe_text(text: str) -> str:
    """Text that can be shown on a terminal as it is: controls and lone surrogates escaped."""
    return _escaped(text, _UNSAFE)


def one_line(text: str) -> str:
    """Text shown as one line: safe_text, and nothing that breaks or hides a line either."""
    return _escaped(text, _UNSAFE_IN_LINE)
