"""The shell: the typer app and its commands (`commands`, the console script's `main`), the
interview (`interview`), rich output (`render`), the batch command's streams and files
(`batch`), where bytes come in and go out with every failure mapped to an exit code (`edge`),
and docs/cli.md from the app (`clidoc`)."""
