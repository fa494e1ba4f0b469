"""The command line: a typer app whose commands are typed functions (their options declared with
`Annotated`, the shared ones once), each of which reads its options, calls the core, renders
through the run's Environment, and returns an exit code; and the console script's `main`.

Thin on purpose: no clinical logic lives here. Every module a command needs is imported inside
it, so that a scripted JSON screening imports neither the interview's prompt library nor the
rules' authoring tools, and the interview's first question comes up as soon as it can.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec

import typer
from typer.core import TyperCommand, TyperGroup

from neckcheck.cli.environment import Environment

if TYPE_CHECKING:
    from collections.abc import Mapping

    from neckcheck.cli.interview import InterviewResult
    from neckcheck.core.model import Rulebook

P = ParamSpec("P")

RULES_ENV = "NECKCHECK_RULES"
WIDTH = 79  # help is wrapped to this width, whatever the terminal

# The outcomes' exit codes are the rules' (a test checks that these lines match them); the rest
# are the program's own.
EXIT_CODES = (
    ("0", "the self-care technique suits the answers"),
    ("3", "not this technique: it may set you back (release the front of the body instead)"),
    ("4", "see a clinician in the next few days, before any self-treatment"),
    ("5", "EMERGENCY: get emergency care now"),
    ("6", "URGENT: see a doctor today, within hours"),
    ("2", "the input or the command line is wrong (the message is on stderr, nothing on stdout)"),
    ("7", "batch: every line was screened, but the --output file could not be written (every "
          "result is on stdout instead; 2 wins when a line was invalid as well)"),
    ("8", "the rules are not shown safe: rules evaluate found a case under-triaged, or rules "
          "check / rules compile found a safety property that fails or is unproved"),
    ("130", "interrupted (Ctrl-C, Ctrl-D); nothing saved"),
    ("141", "the reader of the output went away"),
    ("143", "stopped by SIGTERM"),
    ("1", "a bug in neckcheck (please report it)"),
)  # fmt: skip
EXIT_OUTPUT_NOT_WRITTEN = 7

RULES_HELP = (
    "Use the rules in this folder instead of the shipped ones (also: the NECKCHECK_RULES "
    "environment variable; this option wins over it). Another folder's safety properties are "
    "proved afresh when it is loaded, which needs `pip install 'neckcheck[rules]'`."
)
ALLOW_UNPROVED_HELP = (
    "Screen with a rules folder whose safety properties are not proved (failed, or changed "
    "since `neckcheck rules compile`); every result then carries a warning."
)
ALLOW_UNPROVED_OUTPUT_HELP = (
    "Use a rules folder whose safety properties are not proved (failed, or changed since "
    "`neckcheck rules compile`), as screen does; a warning then says so on stderr. Without it "
    "such rules are refused (exit 2)."
)
FORCE_HELP = (
    "Replace an existing file even when it is read-only (without this option such a file is "
    "refused, as the shell's > refuses it; a writable one is replaced either way)."
)
RULES_DIR_HELP = "The rules folder (default: NECKCHECK_RULES, else the shipped rules)."

# ---- the options several commands share, declared once ----

RulesOption = Annotated[
    str | None, typer.Option("--rules", help=RULES_HELP, metavar="DIR", show_default=False)
]
AllowUnproved = Annotated[
    bool, typer.Option("--allow-unproved-rules", help=ALLOW_UNPROVED_HELP, show_default=False)
]
AllowUnprovedOutput = Annotated[
    bool,
    typer.Option("--allow-unproved-rules", help=ALLOW_UNPROVED_OUTPUT_HELP, show_default=False),
]
Force = Annotated[bool, typer.Option("--force", help=FORCE_HELP, show_default=False)]
RulesDir = Annotated[
    str | None, typer.Argument(help=RULES_DIR_HELP, metavar="DIR", show_default=False)
]


def _section(title: str, rows: tuple[tuple[str, str], ...]) -> str:
    """A titled table for an epilog, laid out here (click keeps a block that starts with \\b as
    it is, indented by two spaces): terms in a column, texts wrapped beside them."""
    import textwrap

    width = max(len(term) for term, _ in rows)
    lines = ["\b", f"{title}:"]
    for term, text in rows:
        if not text:
            lines.append(term)
            continue
        wrapped = textwrap.wrap(text, WIDTH - 2 - width - 2)
        lines.append(f"{term.ljust(width)}  {wrapped[0]}")
        lines += [" " * (width + 2) + more for more in wrapped[1:]]
    return "\n".join(lines)


def _epilog(*sections: tuple[str, tuple[tuple[str, str], ...]]) -> str:
    return "\n\n".join(_section(title, rows) for title, rows in sections)


# ---- usage errors: one line on stderr, exit 2 ----


class CommandLineError(Exception):
    """A command line that neckcheck refuses: an option given twice (click would keep the last
    value, so a later one would silently hide an earlier one), an empty value, an option name
    given as a value. Carries what typer's own usage errors carry (`exit_code`, `ctx`,
    `format_message`), so that both are said the same way."""

    exit_code = 2

    def __init__(self, message: str, ctx: typer.Context | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.ctx = ctx

    def format_message(self) -> str:
        return self.message


def _is_usage_error(exc: BaseException) -> bool:
    """A usage error of typer's parser, known by its public attributes."""
    return getattr(exc, "exit_code", None) == 2 and callable(getattr(exc, "format_message", None))


def _usage_line(exc: BaseException) -> str:
    ctx = getattr(exc, "ctx", None)
    where = getattr(ctx, "command_path", None) or "neckcheck"
    option = getattr(exc, "option_name", None)
    if hasattr(exc, "possibilities"):  # no such option: typer lists every close name; one
        close = exc.possibilities  # suggestion reads better
        hint = f". Did you mean {next(iter(close))}?" if close else ""
        message = f"No such option: {option}{hint}"
    else:
        formatted: Callable[[], str] = getattr(exc, "format_message")  # noqa: B009 - duck-typed
        message = " ".join(formatted().split()).rstrip(".")
    return f"usage error: {message}; see `{where} -h`"


def _refuse_repeats_and_empties(
    command: typer.core.TyperCommand, ctx: typer.Context, args: list[str]
) -> None:
    """Read the line as the parser will, through the options' public attributes: an option
    given twice, an empty value, or an option name where a value belongs is refused. What this
    does not understand is left to the parser, which says what is wrong with it."""
    params = command.get_params(ctx)
    options = {
        name: param
        for param in params
        if param.param_type_name == "option"
        for name in (*param.opts, *param.secondary_opts)
    }
    seen: set[str] = set()
    positional: list[str] = []
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            positional += rest
            break
        name, given, attached = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name not in options and arg[:2] in options and not arg.startswith("--"):
            name, given, attached = arg[:2], "=", arg[2:]  # `-oFILE`
        param = options.get(name)
        if param is None:
            if not arg.startswith("-") or arg == "-":
                positional.append(arg)
            continue
        if param.name in seen:
            raise CommandLineError(f"option {param.opts[-1]} is given more than once", ctx)
        seen.add(param.name or name)
        if getattr(param, "is_flag", False) or not (given or rest):
            continue
        value = attached if given else rest.pop(0)
        needs = f"option {param.opts[-1]} needs a value ({param.metavar})"
        if value in options:  # `--answers --json`
            raise CommandLineError(needs, ctx)
        if value == "":
            raise CommandLineError(f"{needs}, not an empty one", ctx)
    if "" in positional:
        for param in params:
            if param.param_type_name == "argument":
                name = (param.metavar or str(param.name)).strip("[]")
                raise CommandLineError(f"{name} is empty", ctx)


def _help_through_environment(option: Any) -> Any:
    """The -h/--help option, its help written through the run's Environment like every other
    result: typer's own writer drops the text without a word when stdout is closed (exit 0),
    where every other result is a failure to write (exit 2, one line on stderr)."""
    if option is not None:
        option.callback = _show_help
    return option


def _show_help(ctx: typer.Context, param: object, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        _environment(ctx).print(ctx.get_help() + "\n")
        raise typer.Exit(0)


class _Command(TyperCommand):
    """A command that refuses what typer would let through (see _refuse_repeats_and_empties)."""

    def get_help_option(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        return _help_through_environment(super().get_help_option(ctx))

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if not ctx.resilient_parsing:  # completion reads half-typed lines: nothing to refuse
            _refuse_repeats_and_empties(self, ctx, args)
        try:
            return super().parse_args(ctx, args)
        except Exception as exc:
            if _is_usage_error(exc) and getattr(exc, "ctx", None) is None:
                exc.ctx = ctx  # type: ignore[attr-defined]  # so that it points at this command's help
            raise


def _has_control_characters(arg: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in arg)


class _Group(TyperGroup):
    """A group of commands whose help is written as every result is (_help_through_environment)."""

    def get_help_option(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        return _help_through_environment(super().get_help_option(ctx))


class _App(_Group):
    """The app's command tree, run so that a usage error is one line on stderr (exit 2) and every
    other failure is its own exit code, in a process or in typer's CliRunner alike."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        line = list(sys.argv[1:] if args is None else args)
        env = extra.get("obj")
        env = env if isinstance(env, Environment) else Environment.current()
        code = _exit_code_of_line(
            env,
            line,
            lambda: super(_App, self).main(
                line, prog_name or "neckcheck", complete_var, False, windows_expand_args, **extra
            ),
        )
        if standalone_mode:
            sys.exit(code)
        return code


def _exit_code_of_line(env: Environment, line: list[str], run: Callable[[], Any]) -> int:
    for arg in line:
        if _has_control_characters(arg):
            env.say(f"usage error: an argument holds control characters: {arg!r}; "
                    "see `neckcheck -h`")  # fmt: skip
            return 2
    try:
        code = run()
    except typer.Abort:  # an end of input while typer itself read
        env.say("cancelled")
        return 130
    except Exception as exc:
        if not _is_usage_error(exc):
            raise
        env.say(_usage_line(exc))
        return 2
    return code if isinstance(code, int) else 0


def _exits(command: Callable[P, int]) -> Callable[P, None]:
    """A command that returns its exit code, as typer runs it: every failure mapped to its exit
    code and a message on stderr (edge.exit_code), and the code ends the program."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        import neckcheck.cli.edge as edge

        raise typer.Exit(edge.exit_code(lambda: command(*args, **kwargs)))

    return run


def _environment(ctx: typer.Context) -> Environment:
    """The run's environment: one a caller gave (`obj`), else the process's own."""
    obj = ctx.find_object(Environment)
    return obj if obj is not None else Environment.current()


# ---- the app ----

app = typer.Typer(
    name="neckcheck",
    cls=_App,
    help="Safety screening for a sore neck after a fall or an accident.\n\n"
    "A screening aid, not a diagnosis: red flags always win, and doubtful cases go to a "
    "clinician.\n\nTo start, run: neckcheck screen",
    invoke_without_command=True,
    rich_markup_mode=None,
    suggest_commands=True,
    pretty_exceptions_enable=False,
    context_settings={
        "help_option_names": ["-h", "--help"],
        "max_content_width": WIDTH,
        "terminal_width": WIDTH,
    },
)
rules_app = typer.Typer(
    cls=_Group,
    help="Check, prove, compile and document a rules folder.",
    invoke_without_command=True,
    rich_markup_mode=None,
    suggest_commands=True,
)
export_app = typer.Typer(
    cls=_Group,
    help="Export the questions in other formats (FHIR).",
    invoke_without_command=True,
    rich_markup_mode=None,
    suggest_commands=True,
)
app.add_typer(rules_app, name="rules")
app.add_typer(export_app, name="export")


def _help_when_alone(ctx: typer.Context) -> None:
    """`neckcheck`, `neckcheck rules` alone: the help, which says how to go on (exit 0)."""
    if ctx.invoked_subcommand is None:
        _environment(ctx).print(ctx.get_help() + "\n")
        raise typer.Exit(0)


def _show_version(ctx: typer.Context, value: bool) -> None:
    if value:
        _environment(ctx).print(version_text())
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "-V",
            "--version",
            help="Show the program, rules and answer-contract versions.",
            is_eager=True,
            callback=_show_version,
        ),
    ] = False,
) -> None:
    """Safety screening for a sore neck after a fall or an accident."""
    _help_when_alone(ctx)


@rules_app.callback()
def rules_group(ctx: typer.Context) -> None:
    """Check, prove, compile and document a rules folder."""
    _help_when_alone(ctx)


@export_app.callback()
def export_group(ctx: typer.Context) -> None:
    """Export the questions in other formats (FHIR)."""
    _help_when_alone(ctx)


def version_text() -> str:
    from neckcheck import __version__
    from neckcheck.authoring.prover import Prover
    from neckcheck.core.model import CONTRACT_VERSION
    from neckcheck.rulebook.load import open_rulebook

    book = open_rulebook(None, Prover(), allow_unproved=True)
    proved = "shipped" if book.warning is None else "shipped, UNPROVED"
    return (
        f"neckcheck {__version__}\nrules {book.version} ({proved})\n"
        f"answer and decision contract version {CONTRACT_VERSION}\n"
    )


# ---- the rules a command uses ----


def _rules_folder(env: Environment, given: str | None) -> str | None:
    """The rules folder asked for: --rules (or the DIR argument of `rules ...`), else
    NECKCHECK_RULES when set and not empty, else None (the shipped rules)."""
    return given or env.environ.get(RULES_ENV) or None


def _book(
    env: Environment, folder: str | None, allow_unproved: bool, warns: bool = True
) -> Rulebook:
    """The one trust rule for every command whose output a person or a clinic relies on (the
    decision, the batch results, the answer schema, the FHIR form, the answer reference, the
    rules report and graph): the rules are used only when their safety properties are proved
    (the shipped rules: their stored proof is current; another folder: proved afresh), else
    UnprovedRulesError (exit 2, one line). With --allow-unproved-rules they are used, and the
    rulebook carries a warning that the command shows: in each result (screen, batch: `warns`
    False, the Questionnaire) and on stderr."""
    import neckcheck.cli.edge as edge
    from neckcheck.authoring.prover import Prover
    from neckcheck.rulebook.load import open_rulebook

    prover = Prover(edge.sigint_cancels)
    book = open_rulebook(_rules_folder(env, folder), prover, allow_unproved=allow_unproved)
    if book.warning and warns:
        env.say(f"WARNING: {book.warning}")
    return book


def _rules_as_they_are(env: Environment, folder: str | None) -> Rulebook:
    """The rules for the authoring tools only (`rules check`, which proves them, and `rules
    schemas`, the editors' schemas of the rule files): the folder as it is, proved or not
    (invalid YAML is still refused), so that rules being edited can be checked."""
    import neckcheck.cli.edge as edge
    from neckcheck.authoring.prover import Prover
    from neckcheck.rulebook.load import open_rulebook

    prover = Prover(edge.sigint_cancels)
    return open_rulebook(_rules_folder(env, folder), prover, allow_unproved=True)


# ---- screen ----


class Terminated(Exception):
    """SIGTERM arrived during the interview."""


def _plain(env: Environment, plain: bool) -> bool:
    """Plain lines, no escape sequence at all: asked for, or a terminal that takes none."""
    return plain or env.environ.get("TERM", "") == "dumb"


def _interview(
    env: Environment, book: Rulebook, plain: bool, last_time: Mapping[str, str] | None = None
) -> InterviewResult | int:
    """Run the interview in this terminal: its result, or the exit code when Ctrl-C, Ctrl-D or
    SIGTERM ended it with nothing decided and nothing written."""
    import signal

    import neckcheck.cli.edge as edge
    from neckcheck.cli.interview import PlainPrompter, Prompter, QuestionaryPrompter, run_interview

    def raise_terminated(signum: int, frame: object) -> None:
        # An exception, so that the prompt library leaves the terminal as it found it.
        raise Terminated

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        prompter: Prompter = PlainPrompter(book) if plain else QuestionaryPrompter(book)
        return run_interview(book, prompter, last_time)
    except (KeyboardInterrupt, EOFError):
        _stderr_line(env, "\nneckcheck: cancelled, nothing saved")
        return edge.EXIT_INTERRUPTED
    except Terminated:
        _stderr_line(env, "\nneckcheck: stopped (SIGTERM), nothing saved")
        return edge.EXIT_TERMINATED
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stderr_line(env: Environment, text: str) -> None:
    """A line of our own words on stderr, as it is (after a prompt the cursor may be mid-line)."""
    if env.stderr is not None:
        with contextlib.suppress(OSError, ValueError):
            print(text, file=env.stderr, flush=True)


@app.command(
    "screen",
    cls=_Command,
    short_help="Ask the questions, or read the answers, and print the decision.",
    # What the command does and how it is used come first; what happens to a file that cannot
    # be written, and where the contract is described, come after the options.
    help="Ask the questions, or read the answers, and print the decision.\n\n"
    "In a terminal, with no answers given, it asks the questions one by one; nothing is ever "
    "chosen for you. From a script, give the answers as one JSON object with --answers, or pipe "
    "them in. A FHIR QuestionnaireResponse to `neckcheck export fhir` is read too.\n\n"
    + _section(
        "Examples",
        (
            ("neckcheck screen", "the interview"),
            ("neckcheck screen --plain", "the interview as plain lines of text"),
            ("neckcheck screen --answers answers.json --json", "from a script"),
        ),
    ),
    epilog=_epilog(("Exit codes", tuple(row for row in EXIT_CODES if row[0] not in ("7", "8"))))
    + "\n\nFiles (--save, --report): a problem known before anything is asked (a read-only "
    "file without --force, the answers file itself, one file for both) is a usage error (exit "
    "2). A file that cannot be written later never costs the decision: it is printed, the exit "
    "code is its own, one line on stderr names the file, and the file is left as it was.\n\n"
    "The answer keys, their values and when each is asked: `neckcheck rules reference` "
    "(Markdown) and `neckcheck schema` (JSON Schema). The decision's JSON: `neckcheck schema "
    "--decision`.",
)
@_exits
def screen(
    ctx: typer.Context,
    answers: Annotated[
        str | None,
        typer.Option(
            "-a",
            "--answers",
            help="Read the answers from this JSON file ('-': standard input) instead of asking. "
            "JSON piped into the command is read without this option.",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print the decision as JSON (`neckcheck schema --decision`).",
            show_default=False,
        ),
    ] = False,
    plain: Annotated[
        bool,
        typer.Option(
            "--plain",
            help="Ask the questions as plain lines: the answers numbered, one typed as its "
            "number (or the first words of it) and Enter. No cursor movement, colour or other "
            "escape sequence, in the questions or the result: for screen readers, braille "
            "displays and simple terminals. Used by itself when TERM is dumb.",
            show_default=False,
        ),
    ] = False,
    fhir: Annotated[
        bool,
        typer.Option(
            "--fhir",
            help="Print the decision as a FHIR R4 RiskAssessment, for a record system to store.",
            show_default=False,
        ),
    ] = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Also show every rule, whether it fired and which answers made it fire.",
            show_default=False,
        ),
    ] = False,
    save: Annotated[
        str | None,
        typer.Option(
            "--save",
            help="Also write the answers to this JSON file (readable by you only), with when "
            "they were given and the rules version, to replay them later with --answers or to "
            "compare with them next time with --since. Nothing is written without this option.",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Compare with an earlier screening: FILE is what --save wrote then. Each "
            "question shows the earlier answer (nothing is chosen for you), and the result adds "
            '"Since last time": what changed, the level of care then and now, and first of all '
            'whether it rose (JSON: a "since" object). A FILE that is missing, unreadable, not '
            "a saved answer set or saved under another answer contract is a usage error "
            "(exit 2).",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    report: Annotated[
        str | None,
        typer.Option(
            "--report",
            help="Also write a Markdown summary to bring to a clinician (readable by you only). "
            "Nothing is written without this option.",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    force: Force = False,
    exit_zero: Annotated[
        bool,
        typer.Option(
            "--exit-zero",
            help="Exit 0 for every completed screening, whatever the decision (for scripts that "
            "treat any other code as a failure; the decision is still in the output). Input "
            "errors still exit 2.",
            show_default=False,
        ),
    ] = False,
    rules: RulesOption = None,
    allow_unproved_rules: AllowUnproved = False,
) -> int:
    """Ask the questions, or read the answers, and print the decision (help: above)."""
    import neckcheck.cli.edge as edge
    from neckcheck.core.answers import parse_json
    from neckcheck.core.engine import decide
    from neckcheck.core.errors import UsageProblem

    env = _environment(ctx)
    if fhir and (json or explain):
        other = "--json" if json else "--explain"
        raise UsageProblem(
            f"--fhir prints the decision as FHIR; it cannot be combined with {other}"
        )
    if fhir and since is not None:  # a RiskAssessment has no place for the comparison
        raise UsageProblem(
            "--fhir prints the decision as FHIR, which cannot carry the comparison of --since; "
            "use --json or the text"
        )
    if save and report and edge.same_file(save, report):
        raise UsageProblem("--save and --report name the same file; give each its own")
    for target, option in ((save, "--save"), (report, "--report")):
        if target:  # before anything is asked or read: usage errors (exit 2, nothing on stdout)
            edge.refuse_overwriting_input(target, option, answers)
            edge.refuse_read_only(target, option, force)
    book = _book(env, rules, allow_unproved_rules, warns=False)  # the warning is in the result
    # Before anything is asked or read: a file that cannot be compared is a usage error.
    previous = edge.read_since(since, book) if since is not None else None
    interactive = answers is None and env.stdin_is_terminal()
    if interactive:  # before anything is asked, so that no answer is typed in vain
        for target, option in ((save, "--save"), (report, "--report")):
            if target:
                edge.check_target(target, option, force)
    # From a script the answers are already there: a target that cannot take the file is
    # reported after screening (below), never at the cost of the result.
    ended_early = False
    if interactive:
        hints = None
        if previous is not None:
            import datetime

            from neckcheck.formats.since import last_time_hints

            hints = last_time_hints(previous, book, datetime.date.today())
        result = _interview(env, book, _plain(env, plain), hints)
        if isinstance(result, int):
            return result
        ended_early = result.ended_early
        given: object = edge.saved_interview(
            result.answers, ended_early, edge.now_iso(), book.version
        )
        checked, _ = edge.answers_of_document(given, book, "interview")
    else:
        data, source = edge.read_document(answers, must_be_given=True, stdin=env.stdin)
        given = parse_json(data, source)
        checked, ended_early = edge.answers_of_document(given, book, source)
    decision = decide(checked, book)
    if previous is not None:
        from neckcheck.formats.since import with_comparison

        decision = with_comparison(decision, checked, previous, book)

    # Files first: they are written even when the reader of stdout has gone away. A file that
    # cannot be written costs nothing else: one line on stderr says so, the decision is still
    # printed, and the exit code is still the decision's (README "Exit codes").
    if save is not None:
        import json as json_text

        from neckcheck.formats.saved import document_to_save

        kept = document_to_save(given, ended_early, edge.now_iso(), book.version)
        text = json_text.dumps(kept, indent=2) + "\n"
        _write_file(env, save, "--save", text, force, "answers saved",
                    "the answers were not saved")  # fmt: skip
    if report is not None:
        import datetime

        from neckcheck.formats.report import markdown_report

        when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        text = markdown_report(decision, checked.facts, book, when, ended_early)
        _write_file(env, report, "--report", text, force, "report written",
                    "the report was not written")  # fmt: skip

    trace = None
    if explain:
        from neckcheck.core.explain import explain as explain_rules

        trace = explain_rules(checked, book)
    if fhir:
        from neckcheck.formats.fhir_decision import response_reference, risk_assessment

        env.write_out(edge.json_bytes(risk_assessment(decision, book, response_reference(given))))
    elif json:
        data_out = decision.to_dict()
        if trace is not None:
            data_out["explain"] = [t.to_dict() for t in trace]
        env.write_out(edge.json_bytes(data_out))
    else:
        from neckcheck.cli.render import render_since, render_since_rise, render_text

        is_plain = _plain(env, plain)
        console = env.console(plain=is_plain)
        with contextlib.ExitStack() as held:
            # Plain: the text is held and written without the spaces that pad a table's
            # lines to its width (a braille display shows every one of them).
            captured = held.enter_context(console.capture()) if is_plain else None
            if interactive:
                console.print()
            render_since_rise(decision, book, console)  # a rise in the level of care comes first
            if ended_early:
                console.print(
                    "The interview stopped early: your answers already call for emergency care."
                )
            render_text(decision, console)
            render_since(decision, book, console)
            if trace is not None:
                from neckcheck.cli.render import render_trace

                render_trace(trace, console)
        if captured is not None:
            env.print("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
    return 0 if exit_zero else decision.exit_code


def _write_file(
    env: Environment, path: str, option: str, text: str, force: bool, done: str, lost: str
) -> bool:
    """Write one requested file; a failure is one line on stderr naming the file and what was
    not written, and the file is left as it was. Whether it was written."""
    import neckcheck.cli.edge as edge
    from neckcheck.core.errors import InputError

    try:
        edge.write_private(path, text, option, force)
    except InputError as exc:
        why = "; ".join(str(p) for p in exc.problems)
        env.say(f"{exc.source}: {lost} ({why}); the file is left as it was, and the decision "
                "is on standard output")  # fmt: skip
        return False
    env.say(f"{done} to {path}")
    return True


# ---- the other commands ----


@app.command(
    "batch",
    cls=_Command,
    short_help="Screen many answer sets: JSON Lines in, one JSON line out for each.",
    epilog=_epilog(
        (
            "Exit codes",
            (
                ("0", "every line was screened (and the --output file, if any, written)"),
                ("2", "a line was invalid, or the input could not be read"),
                (
                    "7",
                    "every line was screened, but the --output file could not be written: "
                    "every result is on standard output instead",
                ),
            ),
        ),
        ("Example", (("neckcheck batch intake.jsonl > decisions.jsonl", ""),)),
    ),
)
@_exits
def batch(
    ctx: typer.Context,
    file: Annotated[
        str | None,
        typer.Argument(
            help="A JSON Lines file of answer sets ('-' or nothing: standard input).",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="Write the results to this file instead of standard output, all at once: the "
            "file appears only when every line is done (readable by you only).",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "-q",
            "--quiet",
            help="No progress and no summary on stderr (errors are still said).",
            show_default=False,
        ),
    ] = False,
    force: Force = False,
    rules: RulesOption = None,
    allow_unproved_rules: AllowUnproved = False,
) -> int:
    """Screen many answer sets: JSON Lines in, one JSON line out for each.

    Each output line has its 1-based "line"; an invalid line gives {"line": N, "error": {...}}
    and the stream goes on, in the same order. A summary goes to stderr. Exit 0 when every line
    was screened, 2 if any line was invalid (or the input could not be read).

    If the --output file cannot be written (a full disk, a quota, an I/O error, a missing
    folder, a device), no result is lost: one line on stderr names the file, every result goes
    to standard output instead, the file is left as it was, and the exit code is 7 (2 when a
    line was invalid as well: an invalid line is said first). A read-only --output file is
    refused before any line is read (exit 2) unless --force is given.
    """
    from neckcheck.cli.batch import run_batch

    env = _environment(ctx)
    book = _book(env, rules, allow_unproved_rules, warns=False)  # the warning is in each line
    summary = run_batch(file, book, output, quiet, force)
    if summary.errors:
        return 2
    return EXIT_OUTPUT_NOT_WRITTEN if summary.output_lost else 0


@app.command(
    "schema",
    cls=_Command,
    epilog=_epilog(("Example", (("neckcheck schema > answers.schema.json", ""),))),
)
@_exits
def schema(
    ctx: typer.Context,
    decision: Annotated[
        bool,
        typer.Option(
            "--decision",
            help="The schema of a decision (`screen --json`), not of the answers.",
            show_default=False,
        ),
    ] = False,
    rules: RulesOption = None,
    allow_unproved_rules: AllowUnprovedOutput = False,
) -> int:
    """Print the JSON Schema of an answer set, or of a decision.

    Generated from the rules (JSON Schema 2020-12). Without options: the answer set that
    `screen` and `batch` read. With --decision: the JSON that `screen --json` prints.
    """
    import neckcheck.cli.edge as edge
    from neckcheck.formats.schema import answer_schema, decision_schema

    env = _environment(ctx)
    make = decision_schema if decision else answer_schema
    env.write_out(edge.json_bytes(make(_book(env, rules, allow_unproved_rules))))
    return 0


@export_app.command(
    "fhir",
    cls=_Command,
    short_help="Print the questions as a FHIR R4 SDC Questionnaire, for form renderers.",
    epilog=_epilog(
        (
            "Examples",
            (
                ("neckcheck export fhir > questionnaire.json", ""),
                ("neckcheck export fhir --response answers.json > response.json", ""),
            ),
        ),
    ),
)
@_exits
def export_fhir(
    ctx: typer.Context,
    response: Annotated[
        str | None,
        typer.Option(
            "--response",
            help="Print this answer set (a JSON file, '-': standard input) as a "
            "QuestionnaireResponse to the Questionnaire.",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    rules: RulesOption = None,
    allow_unproved_rules: AllowUnprovedOutput = False,
) -> int:
    """Print the questions as a FHIR R4 SDC Questionnaire, for form renderers.

    The linkId of each question is its answer key; the parts are groups, and notices show when
    the answers call for emergency or urgent care. A QuestionnaireResponse to it can be
    screened with `neckcheck screen --answers`. With --response, an answer set is printed as
    such a QuestionnaireResponse instead, after being checked as `screen` checks it.
    """
    import neckcheck.cli.edge as edge

    env = _environment(ctx)
    book = _book(env, rules, allow_unproved_rules)
    if response is None:
        from neckcheck.formats.fhir_export import questionnaire

        env.write_out(edge.json_bytes(questionnaire(book)))
        return 0
    from neckcheck.core.answers import parse_json
    from neckcheck.formats.fhir_export import response_for

    data, source = edge.read_document(response, must_be_given=True, stdin=env.stdin)
    checked, ended_early = edge.answers_of_document(parse_json(data, source), book, source)
    env.write_out(edge.json_bytes(response_for(checked, ended_early, book, source)))
    return 0


@rules_app.command(
    "check",
    cls=_Command,
    short_help="Validate a rules folder and prove its safety properties.",
)
@_exits
def rules_check(ctx: typer.Context, folder: RulesDir = None) -> int:
    """Validate a rules folder and prove its safety properties.

    The properties are proved over every possible answer set (z3; needs `pip install
    'neckcheck[rules]'`). Exit 0 when every property is proved; 8 when one fails (with a
    counterexample answer set that `neckcheck screen --answers` reproduces) or is left unproved
    (the solver timed out or gave up: NECKCHECK_VERIFY_TIMEOUT_MS bounds each solver call,
    default 60000); 2 when the folder does not load; 130 when interrupted (not 1, which is kept
    for a bug).
    """
    import json

    import neckcheck.cli.edge as edge
    from neckcheck.authoring.verify import DEFAULT_TIMEOUT_MS, verify
    from neckcheck.cli.settings import number_from_environment

    env = _environment(ctx)
    # Refused before anything is printed: a bad limit is a usage error, never guessed.
    timeout_ms = number_from_environment("NECKCHECK_VERIFY_TIMEOUT_MS", env.environ)
    rlimit = number_from_environment("NECKCHECK_VERIFY_RLIMIT", env.environ)  # for tests
    # Exactly what `screen` would use: the compiled copy when it is current and valid.
    book = _rules_as_they_are(env, folder)
    env.print(
        f"{book.source}: valid: {len(book.questions)} questions, {len(book.rules)} rules, "
        f"{len(book.cautions)} cautions (rules version {book.version})\n"
    )
    report = verify(book, timeout_ms=timeout_ms or DEFAULT_TIMEOUT_MS, rlimit=rlimit,
                    watch=edge.sigint_cancels)  # fmt: skip
    if report.interrupted:  # half a proof is none: one line, and no verdict at all
        env.say("interrupted: the safety properties were not proved")
        return edge.EXIT_INTERRUPTED
    out = ["Proved over the whole answer space (z3):"]
    marks = {"proved": "ok  ", "FAIL": "FAIL", "unproved": "UNPROVED"}
    for result in report.results:
        count = f"{result.proved} of {result.checked} proved"
        out.append(f"  {marks[result.status]} {result.name} ({count})")
        for finding in result.findings:
            out.append(f"       {finding.text}")
            if finding.example is not None:
                out.append("       counterexample (neckcheck screen --answers FILE):")
                out.append("       " + json.dumps(finding.example))
        out += [f"       unproved: {reason}" for reason in result.unproved]
    verdict = [f"{len(report.failed)} properties FAIL"] if report.failed else []
    if report.unproved:
        verdict.append(f"{len(report.unproved)} unproved: {', '.join(report.unproved)}")
    out.append(f"{'; '.join(verdict) or 'every property holds'} ({report.seconds:.2f} s)")
    env.print("\n".join(out) + "\n")
    return 0 if report.holds else edge.EXIT_NOT_SHOWN_SAFE


@rules_app.command(
    "compile",
    cls=_Command,
    short_help="Validate and prove a rules folder, and store both as rulebook.compiled.json.",
)
@_exits
def rules_compile(ctx: typer.Context, folder: RulesDir = None) -> int:
    """Validate and prove a rules folder, and store both as rulebook.compiled.json.

    Screening uses only rules whose stored proof is current. Exit 0 when every property is
    proved; 8 when one failed or is unproved (the copy is written all the same, and screening
    refuses it without --allow-unproved-rules); 2 when the folder does not load; 130 when
    interrupted (not 1, which is kept for a bug). Needs `pip install 'neckcheck[rules]'`.
    """
    import neckcheck.cli.edge as edge
    from neckcheck.authoring.compiler import compile_and_verify
    from neckcheck.rulebook.load import default_rules_dir

    env = _environment(ctx)
    chosen = _rules_folder(env, folder) or default_rules_dir()
    target, report = compile_and_verify(chosen, watch=edge.sigint_cancels)
    env.print(f"wrote {target}\n")
    if not report.holds:
        problems = [*report.failed, *report.unproved]
        env.print(f"not proved: {', '.join(problems)}; run `neckcheck rules check` for details\n")
        return edge.EXIT_NOT_SHOWN_SAFE
    return 0


@rules_app.command("reference", cls=_Command)
@_exits
def rules_reference(
    ctx: typer.Context,
    folder: RulesDir = None,
    red_flags: Annotated[
        bool,
        typer.Option(
            "--red-flags",
            help="Print every red flag instead, for clinicians: its level of care and exit "
            "code, when it fires, what the person is told and its source; then the patterns.",
            show_default=False,
        ),
    ] = False,
    allow_unproved_rules: AllowUnprovedOutput = False,
) -> int:
    """Print the answer-set contract in Markdown.

    Every answer key with its type, its values and when it is asked; the outcomes with their
    exit codes; the cautions. With --red-flags: every red flag for clinicians instead.
    """
    from neckcheck.authoring.traceability import answer_reference, red_flag_reference

    env = _environment(ctx)
    book = _book(env, folder, allow_unproved_rules)
    env.print(red_flag_reference(book) if red_flags else answer_reference(book))
    return 0


@rules_app.command(
    "report",
    cls=_Command,
    short_help="Print a Markdown table of the rules and the tests that exercise each.",
)
@_exits
def rules_report(
    ctx: typer.Context,
    folder: RulesDir = None,
    tests: Annotated[
        str | None,
        typer.Option(
            "--tests",
            help="The tests folder to search (default: ./tests).",
            metavar="DIR",
            show_default=False,
        ),
    ] = None,
    allow_unproved_rules: AllowUnprovedOutput = False,
) -> int:
    """Print a Markdown table of the rules and the tests that exercise each.

    Columns: id, outcome, disposition, reason, source, tests.
    """
    from pathlib import Path

    from neckcheck.authoring.traceability import rules_report as report

    env = _environment(ctx)
    env.print(report(_book(env, folder, allow_unproved_rules), Path(tests or "tests")))
    return 0


@rules_app.command(
    "evaluate",
    cls=_Command,
    short_help="Screen clinical cases and report the under- and over-triaged ones.",
    epilog=_epilog(
        (
            "Examples",
            (
                ("neckcheck rules evaluate", "the shipped cases, the shipped rules"),
                ("neckcheck rules evaluate cases.jsonl --rules my-rules", "your cases and rules"),
                ("neckcheck rules evaluate --against my-rules", "what a rule change moves"),
            ),
        ),
    ),
)
@_exits
def rules_evaluate(
    ctx: typer.Context,
    cases: Annotated[
        str | None,
        typer.Argument(
            help="The cases, a JSON Lines file ('-': standard input; default: the shipped "
            "cases, cases/vignettes.jsonl).",
            metavar="CASES",
            show_default=False,
        ),
    ] = None,
    rules: RulesOption = None,
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            help="Also screen every case with the rules in this folder, and list each case "
            "whose disposition they change, safer or less safe.",
            metavar="DIR",
            show_default=False,
        ),
    ] = None,
    json: Annotated[
        bool,
        typer.Option("--json", help="Print the result as one JSON object.", show_default=False),
    ] = False,
    allow_unproved_rules: AllowUnprovedOutput = False,
) -> int:
    """Screen clinical cases and report the under- and over-triaged ones.

    CASES is JSON Lines, one case a line: {"id": ..., "answers": {...}, "acceptable":
    [dispositions], "source": ..., "note": ...} (source and note optional). A case is
    under-triaged when its disposition is less urgent than every acceptable one, over-triaged
    when more urgent than every acceptable one. Prints the dispositions given against those
    acceptable, the counts, each under- and over-triaged case with the rules that fired, and the
    share of the cases needing care today that were sent there.

    Exit 0 when no case is under-triaged (by either folder, with --against); 8 when any is (not
    1, which is kept for a bug); 2 on an input error, naming the line and the key.
    """
    from neckcheck.cli.evaluate import run_evaluate

    env = _environment(ctx)
    book = _book(env, rules, allow_unproved_rules)
    other = None
    if against is not None:
        other = (against, _book(env, against, allow_unproved_rules))
    return run_evaluate(env, cases, book, other, json)


@rules_app.command("graph", cls=_Command)
@_exits
def rules_graph(
    ctx: typer.Context, folder: RulesDir = None, allow_unproved_rules: AllowUnprovedOutput = False
) -> int:
    """Print a Mermaid flowchart of the decision."""
    from neckcheck.authoring.traceability import mermaid

    env = _environment(ctx)
    env.print(mermaid(_book(env, folder, allow_unproved_rules)))
    return 0


@rules_app.command("schemas", cls=_Command)
@_exits
def rules_schemas(
    ctx: typer.Context,
    folder: RulesDir = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            help="Where to write them (default: the rules folder's schemas/).",
            metavar="DIR",
            show_default=False,
        ),
    ] = None,
) -> int:
    """Write a JSON Schema for each rules file, for editors."""
    from pathlib import Path

    from neckcheck.authoring.rules_schema import write_schemas

    env = _environment(ctx)
    for path in write_schemas(_rules_as_they_are(env, folder), Path(out) if out else None):
        env.print(f"wrote {path}\n")
    return 0


# ---- running the command line ----


def command_tree() -> TyperGroup:
    """The app as the command tree it is (for the help reference and the tests)."""
    command = typer.main.get_command(app)
    assert isinstance(command, TyperGroup)
    return command


def run_command_line(args: list[str], env: Environment | None = None) -> int:
    """Run the command line in this process; return its exit code. A usage error is one line on
    stderr (exit 2), `neckcheck` or a group alone prints its help (exit 0)."""
    code: int = command_tree().main(
        args, "neckcheck", standalone_mode=False, obj=env or Environment.current()
    )
    return code


def check_command_line(args: list[str]) -> None:
    """Read a command line as `neckcheck` reads it, without running anything (for the manual's
    tests): CommandLineError for a line it would refuse."""
    if any(_has_control_characters(arg) for arg in args):
        raise CommandLineError("an argument holds control characters")
    command: Any = command_tree()
    ctx = command.make_context("neckcheck", [], resilient_parsing=True)
    rest = list(args)
    try:
        while isinstance(command, TyperGroup):
            if not rest or rest[0] in ("-h", "--help", "-V", "--version"):
                return  # the help or the versions: accepted, and the line ends there
            name = rest.pop(0)
            sub = command.commands.get(name)
            if sub is None:
                raise CommandLineError(f"no such command or option: {name}")
            command, ctx = sub, sub.make_context(name, [], parent=ctx, resilient_parsing=True)
        ctx = command.make_context(ctx.info_name, rest, parent=ctx.parent)
    except typer.Exit:  # --help: accepted (it prints, and ends the line there)
        return
    except Exception as exc:
        if not _is_usage_error(exc):
            raise
        raise CommandLineError(_usage_line(exc)) from None


def main() -> NoReturn:
    """The `neckcheck` command: every failure mapped to its exit code, never a traceback."""
    import neckcheck.cli.edge as edge

    edge.run(lambda: run_command_line(sys.argv[1:]))


if __name__ == "__main__":
    main()
