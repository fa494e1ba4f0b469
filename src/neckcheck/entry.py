"""The `neckcheck` command's front door.

Scripts start neckcheck once per answer set, so the scripted JSON paths (`screen ... --json`
with answers given or piped, and `batch`) are served here from the core alone: no typer, rich,
questionary, pydantic or PyYAML is imported for them. Everything else (the interview, text
output, help, the rules commands, any option this door does not know, an option given twice)
goes to the typer CLI, which handles it fully; both call the same core and edge functions.
"""

from __future__ import annotations

import sys


def _screen_json_args(args: list[str]) -> tuple[bool, str | None]:
    """(served, the --answers value): served is True only when `args` are exactly what the fast
    screen path handles; anything else goes to the full command line."""
    from neckcheck.edge import stdin_is_terminal

    answers: str | None = None
    seen_json = False
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--json" and not seen_json:
            seen_json = True
        elif arg in ("--answers", "-a") and rest and answers is None:
            answers = rest.pop(0)
        elif arg.startswith("--answers=") and answers is None:
            answers = arg.split("=", 1)[1]
        else:
            return False, None
    if not seen_json or (answers is None and stdin_is_terminal()):
        return False, None
    return True, answers


def _fast_screen(answers: str | None) -> int:
    from neckcheck import edge
    from neckcheck.answers import parse_json
    from neckcheck.engine import decide
    from neckcheck.rulebook import load_rulebook

    book = load_rulebook()
    data, source = edge.read_document(answers, must_be_given=True)
    checked, _ = edge.answers_of_document(parse_json(data, source), book, source)
    decision = decide(checked, book)
    edge.write_out(edge.json_bytes(decision.to_dict()))
    return decision.exit_code


def _fast_batch(file: str | None) -> int:
    from neckcheck.batch import run_batch
    from neckcheck.rulebook import load_rulebook

    summary = run_batch(file, load_rulebook())
    return 2 if summary.errors else 0


def main() -> None:
    from neckcheck.edge import run

    args = sys.argv[1:]
    if args[:1] == ["screen"]:
        served, answers = _screen_json_args(args[1:])
        if served:
            run(lambda: _fast_screen(answers))
    elif args[:1] == ["batch"] and len(args) <= 2:
        file = args[1] if len(args) == 2 else None
        if file is None or file == "-" or not file.startswith("-"):
            run(lambda: _fast_batch(file))
    from neckcheck.cli import main as full_main

    full_main()
