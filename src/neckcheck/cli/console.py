"""The `neckcheck` console script. Before anything else is imported, a warning of any library
is made one that is shown, never one that ends the command: PYTHONWARNINGS=error (or -W error)
would otherwise turn a library's deprecation notice into a traceback and exit code 1, which the
exit codes keep for neckcheck's own bugs. Then the command line runs (`commands.main`)."""

from __future__ import annotations

import warnings


def warnings_never_raise() -> None:
    """Every filter that would raise a warning as an error shows it instead (once per place, as
    the "default" action does); the other filters are kept as they are, in their order."""
    kept = list(warnings.filters)
    if not any(action == "error" for action, *_ in kept):
        return
    warnings.resetwarnings()
    for action, message, category, module, lineno in kept:
        # A filter's message and module are kept compiled, or as text when set at start-up.
        warnings.filterwarnings(
            "default" if action == "error" else action,  # type: ignore[arg-type]
            str(getattr(message, "pattern", message) or ""),
            category if isinstance(category, type) else Warning,
            str(getattr(module, "pattern", module) or ""),
            lineno,
            append=True,
        )


def main() -> None:
    """The `neckcheck` command."""
    warnings_never_raise()
    from neckcheck.cli.commands import main as run_command_line

    run_command_line()


if __name__ == "__main__":
    main()
