"""The shell: the typer app and its commands (`commands`, `main`), the console script's entry
(`entry`), the run's streams and variables (`environment`), the interview (`interview`), rich
output (`render`), the batch command's streams and files (`batch`), where bytes come in and go
out with every failure mapped to an exit code (`edge`), and docs/cli.md from the app (`clidoc`).

`app` (the typer app) is imported on first use, so that importing a module of the shell does
not import typer before it is needed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from neckcheck.cli.commands import app as app


def __getattr__(name: str) -> Any:
    if name == "app":
        from neckcheck.cli.commands import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
