"""The shell: the typer app and its commands (`commands`, `main`), the console script's entry
(`entry`), the run's streams and variables (`environment`), the interview (`interview`), rich
output (`render`), the batch command's streams and files (`batch`), where bytes come in and go
out with every failure mapped to an exit code (`edge`), and docs/cli.md from the app (`clidoc`).

`app` (the typer app) is imported on first use, so that importing a module of the shell does
not import typer before it is needed."""

# Neither `typing` nor `from __future__ import ...`: the console script imports this package
# before the entry's `main` can make Ctrl-C quiet, and importing typing (collections, functools,
# contextlib, re...) took 40 ms and more of that unguarded start-up, where a Ctrl-C printed a
# traceback (neckcheck.cli.entry).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from neckcheck.cli.commands import app as app


def __getattr__(name: str) -> "Any":
    if name == "app":
        from neckcheck.cli.commands import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
