"""docs/cli.md: every help screen of the typer app in one Markdown page, generated from the app
so it cannot drift (`python -m neckcheck.cli.clidoc > docs/cli.md`; a test keeps it current)."""

from __future__ import annotations

from typing import Any

from neckcheck.cli.commands import command_tree


def commands() -> list[tuple[str, Any]]:
    """Every command of the app with its path ("neckcheck rules check"), parents first."""
    found: list[tuple[str, Any]] = []
    pending: list[tuple[str, Any]] = [("neckcheck", command_tree())]
    while pending:
        path, command = pending.pop(0)
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            pending.append((f"{path} {name}", sub))
    return found


def help_of(path: str) -> str:
    """The help screen `PATH -h` prints (without its last newline)."""
    words = path.split()
    command: Any = command_tree()
    ctx = command.make_context(words[0], [], resilient_parsing=True)
    for word in words[1:]:
        command = command.commands[word]
        ctx = command.make_context(word, [], parent=ctx, resilient_parsing=True)
    text: str = command.get_help(ctx)
    return text


def reference() -> str:
    out = [
        "# The command line",
        "",
        "Generated from the typer app in `src/neckcheck/cli/commands.py` by",
        "`python -m neckcheck.cli.clidoc > docs/cli.md`; a test keeps it current.",
    ]
    for path, _ in commands():
        out += ["", f"## `{path}`", "", "```text", help_of(path).rstrip(), "```"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(reference())
