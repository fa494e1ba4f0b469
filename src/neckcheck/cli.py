"""The command line: parse options, call the core, render, map errors to exit codes.

Thin on purpose: no clinical logic lives here. Heavy modules (rich, questionary) are imported
only by the commands that need them.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from neckcheck import __version__
from neckcheck.errors import NeckcheckError

if TYPE_CHECKING:
    from neckcheck.interview import InterviewResult
    from neckcheck.model import Rulebook

app = typer.Typer(
    name="neckcheck",
    help=(
        "Safety screening for a sore neck after a fall or an accident. A screening aid, not a "
        "diagnosis: it sends doubtful cases to a clinician."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
)
rules_app = typer.Typer(help="Work with a rules folder.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        help="Use the rules in this folder instead of the shipped ones.",
        file_okay=False,
        show_default=False,
    ),
]


AllowUnprovedOption = Annotated[
    bool,
    typer.Option(
        "--allow-unproved-rules",
        help="Screen with a rules folder whose safety properties are not proved (failed, or "
        "changed since `neckcheck rules compile`); every result then carries a warning.",
    ),
]


RulesDirArgument = Annotated[
    Path | None,
    typer.Argument(help="The rules folder (default: the shipped rules).", show_default=False),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"neckcheck {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Safety screening for a sore neck after a fall or an accident."""


class Terminated(Exception):
    """SIGTERM arrived during the interview."""


@contextlib.contextmanager
def terminated_as_exception() -> Iterator[None]:
    """Turn SIGTERM into an exception while prompting, so that prompt_toolkit leaves the
    terminal as it found it (not in raw mode) and the user is told that nothing was saved."""

    def raise_terminated(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interview(book: Rulebook) -> InterviewResult:
    """Run the interview in this terminal; Ctrl-C, Ctrl-D and SIGTERM end it with nothing
    decided and nothing written."""
    from neckcheck import edge
    from neckcheck.interview import QuestionaryPrompter, run_interview
    from neckcheck.render import make_console

    try:
        with terminated_as_exception():
            return run_interview(book, QuestionaryPrompter(book, make_console()))
    except (KeyboardInterrupt, EOFError):
        print("\nneckcheck: cancelled, nothing saved", file=sys.stderr)
        raise typer.Exit(edge.EXIT_INTERRUPTED) from None
    except Terminated:
        print("\nneckcheck: stopped (SIGTERM), nothing saved", file=sys.stderr)
        raise typer.Exit(edge.EXIT_TERMINATED) from None


@app.command()
def screen(
    answers: Annotated[
        str | None,
        typer.Option(
            "--answers",
            "-a",
            help="Read the answers from this JSON file ('-' for standard input) instead of "
            "asking. JSON piped into the command is read without this option.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the decision as JSON (SPEC.md section 4).")
    ] = False,
    as_fhir: Annotated[
        bool, typer.Option("--fhir", help="Print the decision as a FHIR R4 RiskAssessment.")
    ] = False,
    save: Annotated[
        Path | None,
        typer.Option(
            "--save",
            help="Also write the answers to this JSON file (readable by you only), to replay "
            "them later with --answers. Nothing is written without this option.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Also write a Markdown summary to bring to a clinician (readable by you only). "
            "Nothing is written without this option.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    show_rules: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Also show every rule, whether it fired and which answers made it fire.",
        ),
    ] = False,
    rules: RulesOption = None,
    allow_unproved: AllowUnprovedOption = False,
) -> None:
    """Screen one answer set and print the decision.

    In a terminal, with no answers given, it asks the questions one by one.

    Example: neckcheck screen --answers answers.json --json
    """
    from neckcheck import edge
    from neckcheck.answers import parse_json
    from neckcheck.engine import decide
    from neckcheck.rulebook import load_rulebook

    if as_json and as_fhir:
        raise UsageProblem("--json and --fhir each print the decision; give one of them")
    targets = [(str(t), option) for t, option in ((save, "--save"), (report, "--report")) if t]
    if len(targets) == 2 and _same_file(targets[0][0], targets[1][0]):
        raise UsageProblem("--save and --report name the same file; give each its own")
    book = load_rulebook(rules, allow_unproved=allow_unproved)
    interactive = answers is None and edge.stdin_is_terminal()
    if interactive:  # before anything is asked, so that no answer is typed in vain
        for target, option in targets:
            edge.check_target(target, option)
    # From a script the answers are already there: a target that cannot take the file is
    # reported after screening (below), never at the cost of the result.
    ended_early = False
    if interactive:
        result = _interview(book)
        ended_early = result.ended_early
        given: object = edge.saved_interview(result.answers, ended_early)
        checked, _ = edge.answers_of_document(given, book, "interview")
    else:
        data, source = edge.read_document(answers, must_be_given=True)
        given = parse_json(data, source)
        checked, ended_early = edge.answers_of_document(given, book, source)
    decision = decide(checked, book)

    # Files first: they are written even when the reader of stdout has gone away, and a failure
    # is reported without losing the decision (a red flag's exit code stands).
    failed = False
    if save is not None:
        failed |= not _write_file(str(save), "--save", json.dumps(given, indent=2) + "\n",
                                  "answers saved")  # fmt: skip
    if report is not None:
        import datetime

        from neckcheck.report import markdown_report

        when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        text = markdown_report(decision, checked.facts, book, when, ended_early)
        failed |= not _write_file(str(report), "--report", text, "report written")

    trace = None
    if show_rules:
        from neckcheck.explain import explain

        trace = explain(checked, book)
    if as_fhir:
        from neckcheck.fhir_decision import response_reference, risk_assessment

        edge.write_out(edge.json_bytes(risk_assessment(decision, book, response_reference(given))))
    elif as_json:
        data_out = decision.to_dict()
        if trace is not None:
            data_out["explain"] = [t.to_dict() for t in trace]
        edge.write_out(edge.json_bytes(data_out))
    else:
        from neckcheck.render import make_console, render_text

        console = make_console()
        if interactive:
            console.print()
        if ended_early:
            console.print(
                "The interview stopped early: your answers already call for emergency care."
            )
        render_text(decision, console)
        if trace is not None:
            from neckcheck.render import render_trace

            render_trace(trace, console)
    if failed and decision.exit_code not in RED_FLAG_CODES:
        raise typer.Exit(edge.EXIT_USAGE)
    raise typer.Exit(decision.exit_code)


def _same_file(first: str, second: str) -> bool:
    """Whether two paths name one file: the same path, or links to one file."""
    if os.path.realpath(first) == os.path.realpath(second):
        return True
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


# A failure beside the result (a file that could not be written) never hides a red flag: these
# exit codes stand; any other becomes 2.
RED_FLAG_CODES = (4, 5, 6)


def _write_file(path: str, option: str, text: str, done: str) -> bool:
    from neckcheck import edge
    from neckcheck.errors import InputError

    try:
        edge.write_private(path, text, option)
    except InputError as exc:
        for line in exc.lines():
            edge.say(line)
        return False
    edge.say(f"{done} to {path}")
    return True


@app.command()
def batch(
    file: Annotated[
        str | None,
        typer.Argument(
            help="A JSON Lines file of answer sets ('-' or nothing: standard input).",
            show_default=False,
        ),
    ] = None,
    rules: RulesOption = None,
    allow_unproved: AllowUnprovedOption = False,
) -> None:
    """Screen many answer sets: JSON Lines in, one JSON line out for each, in the same order.

    Each output line has its 1-based "line"; an invalid line gives {"line": N, "error": {...}}
    and the stream goes on. A summary goes to stderr. Exit 2 if any line was invalid.

    Example: neckcheck batch intake.jsonl > decisions.jsonl
    """
    from neckcheck.batch import run_batch
    from neckcheck.rulebook import load_rulebook

    summary = run_batch(file, load_rulebook(rules, allow_unproved=allow_unproved))
    raise typer.Exit(2 if summary.errors else 0)


export_app = typer.Typer(help="Export the questions in other formats.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("fhir")
def export_fhir(
    rules: RulesOption = None,
    response: Annotated[
        str | None,
        typer.Option(
            "--response",
            help="Instead, print this answer set (a JSON file, '-' for standard input) as a "
            "QuestionnaireResponse to the Questionnaire, after checking it as screen does.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the questions as a FHIR R4 Questionnaire (linkId = the answer key). A
    QuestionnaireResponse to it can be screened with `neckcheck screen --answers`.

    Example: neckcheck export fhir > questionnaire.json
    """
    from neckcheck import edge
    from neckcheck.fhir import questionnaire
    from neckcheck.rulebook import load_rulebook

    book = load_rulebook(rules, allow_unproved=True)
    if response is None:
        edge.write_out(edge.json_bytes(questionnaire(book)))
        return
    from neckcheck.answers import parse_json
    from neckcheck.fhir_export import response_for

    data, source = edge.read_document(response, must_be_given=True)
    checked, ended_early = edge.answers_of_document(parse_json(data, source), book, source)
    edge.write_out(edge.json_bytes(response_for(checked, ended_early, book, source)))


@app.command()
def schema(rules: RulesOption = None) -> None:
    """Print the JSON Schema (2020-12) of an answer set, generated from the rules.

    Example: neckcheck schema > answers.schema.json
    """
    from neckcheck import edge
    from neckcheck.rulebook import load_rulebook
    from neckcheck.schema import answer_schema

    edge.write_out(edge.json_bytes(answer_schema(load_rulebook(rules, allow_unproved=True))))


@rules_app.command("check")
def rules_check(directory: RulesDirArgument = None) -> None:
    """Validate a rules folder, then prove its safety properties over every possible answer set.

    Exit 0 when every property is proved, 1 when one fails (with a counterexample answer set
    that `neckcheck screen --answers` reproduces) or is left unproved (the solver timed out or
    gave up: NECKCHECK_VERIFY_TIMEOUT_MS bounds each solver call, default 60000), 2 when the
    folder does not load, 130 when interrupted.

    Example: neckcheck rules check ./rules
    """
    from neckcheck.rulebook import load_rulebook
    from neckcheck.verify import DEFAULT_TIMEOUT_MS, verify

    # Exactly what `screen` would use: the compiled copy when it is current and valid.
    book = load_rulebook(directory, allow_unproved=True)
    typer.echo(
        f"{book.source}: valid: {len(book.questions)} questions, {len(book.rules)} rules, "
        f"{len(book.cautions)} cautions (rules version {book.version})"
    )
    timeout = os.environ.get("NECKCHECK_VERIFY_TIMEOUT_MS", "").strip()
    rlimit = os.environ.get("NECKCHECK_VERIFY_RLIMIT", "").strip()  # deterministic, for tests
    report = verify(
        book,
        timeout_ms=max(1, int(timeout)) if timeout.isdigit() else DEFAULT_TIMEOUT_MS,
        rlimit=int(rlimit) if rlimit.isdigit() else None,
    )
    typer.echo("Proved over the whole answer space (z3):")
    marks = {"proved": "ok  ", "FAIL": "FAIL", "unproved": "UNPROVED"}
    for result in report.results:
        count = f"{result.proved} of {result.checked} proved"
        typer.echo(f"  {marks[result.status]} {result.name} ({count})")
        for finding in result.findings:
            typer.echo(f"       {finding.text}")
            if finding.example is not None:
                typer.echo("       counterexample (neckcheck screen --answers FILE):")
                typer.echo("       " + json.dumps(finding.example))
        for reason in result.unproved:
            typer.echo(f"       unproved: {reason}")
    verdict = [f"{len(report.failed)} properties FAIL"] if report.failed else []
    if report.unproved:
        verdict.append(f"{len(report.unproved)} unproved: {', '.join(report.unproved)}")
    typer.echo(f"{'; '.join(verdict) or 'every property holds'} ({report.seconds:.2f} s)")
    raise typer.Exit(130 if report.interrupted else 0 if report.holds else 1)


@rules_app.command("report")
def rules_report(
    directory: RulesDirArgument = None,
    tests: Annotated[
        Path | None,
        typer.Option(
            help="The tests folder to search for each rule id (default: ./tests).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print a Markdown table of the rules: id, outcome, disposition, reason, source, and the
    tests that exercise each one.

    Example: neckcheck rules report > RULES.md
    """
    from neckcheck.rulebook import load_rulebook
    from neckcheck.traceability import rules_report as report

    sys.stdout.write(report(load_rulebook(directory, allow_unproved=True), tests or Path("tests")))


@rules_app.command("graph")
def rules_graph(directory: RulesDirArgument = None) -> None:
    """Print a Mermaid flowchart of the decision (renders on code-hosting sites).

    Example: neckcheck rules graph
    """
    from neckcheck.rulebook import load_rulebook
    from neckcheck.traceability import mermaid

    sys.stdout.write(mermaid(load_rulebook(directory, allow_unproved=True)))


@rules_app.command("reference")
def rules_reference(directory: RulesDirArgument = None) -> None:
    """Print the answer-set contract in Markdown: every answer key with its type, values and
    when it is asked, the outcomes with their exit codes, and the cautions (docs/answers.md).

    Example: neckcheck rules reference > answers.md
    """
    from neckcheck.rulebook import load_rulebook
    from neckcheck.traceability import answer_reference

    sys.stdout.write(answer_reference(load_rulebook(directory, allow_unproved=True)))


@rules_app.command("compile")
def rules_compile(directory: RulesDirArgument = None) -> None:
    """Validate a rules folder, prove its safety properties, and store both as
    rulebook.compiled.json: screening uses only rules whose stored proof is current.

    Exit 0 when every property is proved, 1 when one failed or is unproved (the copy is written
    all the same, and screening refuses it without --allow-unproved-rules).

    Example: neckcheck rules compile ./rules
    """
    from neckcheck.rulebook import compile_and_verify, default_rules_dir

    target, report = compile_and_verify(directory or default_rules_dir())
    typer.echo(f"wrote {target}")
    if not report.holds:
        problems = [*report.failed, *report.unproved]
        typer.echo(f"not proved: {', '.join(problems)}; run `neckcheck rules check` for details")
        raise typer.Exit(1)


@rules_app.command("schemas")
def rules_schemas(
    directory: RulesDirArgument = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the schemas (default: the rules folder's schemas/).",
            show_default=False,
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Write a JSON Schema for each rule file, for editors (yaml-language-server).

    Example: neckcheck rules schemas ./rules
    """
    from neckcheck.rulebook import load_rulebook, write_schemas

    for path in write_schemas(load_rulebook(directory, allow_unproved=True), out):
        typer.echo(f"wrote {path}")


class UsageProblem(NeckcheckError):
    """A command line that says two things at once (exit 2, like typer's own usage errors)."""

    def lines(self) -> list[str]:
        return [f"usage error: {self}"]


def _repeated_option(args: list[str]) -> str | None:
    """The first option given twice on the command line (typer would keep the last silently,
    and `--answers a --answers b` must not quietly screen b)."""
    command: Any = typer.main.get_command(app)
    seen: set[str] = set()
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            break
        subcommands = getattr(command, "commands", None) or {}
        if arg in subcommands:
            command, seen = subcommands[arg], set()
            continue
        if not arg.startswith("-") or arg == "-":
            continue
        flag = arg.split("=", 1)[0]
        option = next((p for p in command.params
                       if flag in (*getattr(p, "opts", ()), *getattr(p, "secondary_opts", ()))
                       and getattr(p, "param_type_name", "") == "option"), None)  # fmt: skip
        if option is None:
            continue
        if not getattr(option, "is_flag", False) and "=" not in arg and rest:
            rest.pop(0)  # its value
        name = option.name or flag
        if name in seen:
            return flag
        seen.add(name)
    return None


def main() -> None:
    """The full command line (typer). `neckcheck.entry.main` sends the scripted JSON paths
    around it; everything else arrives here."""
    from neckcheck import edge

    def run() -> int:
        # typer echoes arguments in its usage errors, unescaped: refuse control characters in
        # the command line here, shown escaped, before anything can echo them.
        for arg in sys.argv[1:]:
            if edge.safe_text(arg) != arg:
                raise UsageProblem(f"argument {edge.safe_text(arg)} holds control characters")
        repeated = _repeated_option(sys.argv[1:])
        if repeated is not None:
            raise UsageProblem(f"option {repeated} is given more than once")
        app()  # exits by itself: a command's code, usage errors (2), Ctrl-C (130)
        return 0

    edge.run(run)


if __name__ == "__main__":
    main()
