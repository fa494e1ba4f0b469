"""The command line: a typer app (commands, options, help, shell completion) whose commands read
their options, call the core, render, and return an exit code.

Thin on purpose: no clinical logic lives here. Every module a command needs is imported inside
it, so that a scripted JSON screening imports neither the interview's prompt library nor the
rules' authoring tools, and the interview's first question comes up as soon as it can.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING

import click
import typer
from typer.core import TyperCommand

if TYPE_CHECKING:
    from collections.abc import Mapping

    from neckcheck.cli.interview import InterviewResult
    from neckcheck.core.model import Rulebook


class Parsed:
    """What the command line asked of one command: its path ("neckcheck screen"), its option
    values by name (None: not given) and its argument."""

    __slots__ = ("argument", "path", "values")

    def __init__(
        self, path: str, values: dict[str, str | bool | None], argument: str | None = None
    ) -> None:
        self.path = path
        self.values = values
        self.argument = argument

    def flag(self, dest: str) -> bool:
        return self.values.get(dest) is True

    def text(self, dest: str) -> str | None:
        value = self.values.get(dest)
        return value if isinstance(value, str) else None


RULES_ENV = "NECKCHECK_RULES"


def _rules_folder(parsed: Parsed) -> str | None:
    """The rules folder asked for: --rules (or the DIR argument of `rules ...`), else
    NECKCHECK_RULES when set and not empty, else None (the shipped rules)."""
    folder_argument = (
        parsed.path.startswith("neckcheck rules ") and parsed.path not in _CASES_ARGUMENT
    )
    given = parsed.text("rules") or (parsed.argument if folder_argument else None)
    return given or os.environ.get(RULES_ENV) or None


# `rules` commands whose argument is not a rules folder (their rules come with --rules).
_CASES_ARGUMENT = ("neckcheck rules evaluate",)


def _book(parsed: Parsed) -> Rulebook:
    """The one trust rule for every command whose output a person or a clinic relies on (the
    decision, the batch results, the answer schema, the FHIR form, the answer reference, the
    rules report and graph): the rules are used only when their safety properties are proved
    (the shipped rules: their stored proof is current; another folder: proved afresh), else
    UnprovedRulesError (exit 2, one line). With --allow-unproved-rules they are used, and the
    rulebook carries a warning that the command shows: in each result (screen, batch, the
    Questionnaire) and on stderr."""
    from neckcheck.rulebook.load import load_rulebook

    allow = parsed.flag("allow_unproved_rules")
    book = load_rulebook(_rules_folder(parsed), allow_unproved=allow)
    if book.warning and parsed.path not in _WARNS_IN_EACH_RESULT:
        from neckcheck.cli import edge

        edge.say(f"WARNING: {book.warning}")
    return book


# Commands that put the warning of unproved rules in every result they print already.
_WARNS_IN_EACH_RESULT = ("neckcheck screen", "neckcheck batch")


def _rules_as_they_are(parsed: Parsed) -> Rulebook:
    """The rules for the authoring tools only (`rules check`, which proves them, and `rules
    schemas`, the editors' schemas of the rule files): the folder as it is, proved or not
    (invalid YAML is still refused), so that rules being edited can be checked."""
    from neckcheck.rulebook.load import load_rulebook

    return load_rulebook(_rules_folder(parsed), allow_unproved=True)


def _print(text: str) -> None:
    from neckcheck.cli import edge

    edge.write_out(text.encode("utf-8"))


# ---- screen ----


class Terminated(Exception):
    """SIGTERM arrived during the interview."""


def _plain(parsed: Parsed) -> bool:
    """Plain lines, no escape sequence at all: asked for, or a terminal that takes none."""
    return parsed.flag("plain") or os.environ.get("TERM", "") == "dumb"


def _interview(
    book: Rulebook, plain: bool, last_time: Mapping[str, str] | None = None
) -> InterviewResult | int:
    """Run the interview in this terminal: its result, or the exit code when Ctrl-C, Ctrl-D or
    SIGTERM ended it with nothing decided and nothing written."""
    import signal

    from neckcheck.cli import edge
    from neckcheck.cli.interview import PlainPrompter, Prompter, QuestionaryPrompter, run_interview

    def raise_terminated(signum: int, frame: object) -> None:
        # An exception, so that the prompt library leaves the terminal as it found it.
        raise Terminated

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        prompter: Prompter = PlainPrompter(book) if plain else QuestionaryPrompter(book)
        return run_interview(book, prompter, last_time)
    except (KeyboardInterrupt, EOFError):
        print("\nneckcheck: cancelled, nothing saved", file=sys.stderr)
        return edge.EXIT_INTERRUPTED
    except Terminated:
        print("\nneckcheck: stopped (SIGTERM), nothing saved", file=sys.stderr)
        return edge.EXIT_TERMINATED
    finally:
        signal.signal(signal.SIGTERM, previous)


def screen(parsed: Parsed) -> int:
    from neckcheck.cli import edge
    from neckcheck.core.answers import parse_json
    from neckcheck.core.engine import decide
    from neckcheck.core.errors import UsageProblem

    answers = parsed.text("answers")
    save, report = parsed.text("save"), parsed.text("report")
    if parsed.flag("fhir") and (parsed.flag("json") or parsed.flag("explain")):
        other = "--json" if parsed.flag("json") else "--explain"
        raise UsageProblem(
            f"--fhir prints the decision as FHIR; it cannot be combined with {other}"
        )
    if save and report and edge.same_file(save, report):
        raise UsageProblem("--save and --report name the same file; give each its own")
    force = parsed.flag("force")
    for target, option in ((save, "--save"), (report, "--report")):
        if target:  # before anything is asked or read: usage errors (exit 2, nothing on stdout)
            edge.refuse_overwriting_input(target, option, answers)
            edge.refuse_read_only(target, option, force)
    book = _book(parsed)
    since = parsed.text("since")
    # Before anything is asked or read: a file that cannot be compared is a usage error.
    previous = edge.read_since(since, book) if since is not None else None
    interactive = answers is None and edge.stdin_is_terminal()
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
        result = _interview(book, _plain(parsed), hints)
        if isinstance(result, int):
            return result
        ended_early = result.ended_early
        given: object = edge.saved_interview(
            result.answers, ended_early, edge.now_iso(), book.version
        )
        checked, _ = edge.answers_of_document(given, book, "interview")
    else:
        data, source = edge.read_document(answers, must_be_given=True)
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
        import json

        from neckcheck.formats.saved import document_to_save

        kept = document_to_save(given, ended_early, edge.now_iso(), book.version)
        text = json.dumps(kept, indent=2) + "\n"
        _write_file(save, "--save", text, force, "answers saved", "the answers were not saved")
    if report is not None:
        import datetime

        from neckcheck.formats.report import markdown_report

        when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        text = markdown_report(decision, checked.facts, book, when, ended_early)
        _write_file(report, "--report", text, force, "report written",
                    "the report was not written")  # fmt: skip

    trace = None
    if parsed.flag("explain"):
        from neckcheck.core.explain import explain

        trace = explain(checked, book)
    if parsed.flag("fhir"):
        from neckcheck.formats.fhir_decision import response_reference, risk_assessment

        edge.write_out(edge.json_bytes(risk_assessment(decision, book, response_reference(given))))
    elif parsed.flag("json"):
        data_out = decision.to_dict()
        if trace is not None:
            data_out["explain"] = [t.to_dict() for t in trace]
        edge.write_out(edge.json_bytes(data_out))
    else:
        from neckcheck.cli.render import (
            make_console,
            render_since,
            render_since_rise,
            render_text,
        )

        plain = _plain(parsed)
        console = make_console(plain=plain)
        with contextlib.ExitStack() as held:
            # Plain: the text is held and written without the spaces that pad a table's
            # lines to its width (a braille display shows every one of them).
            captured = held.enter_context(console.capture()) if plain else None
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
            _print("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
    return 0 if parsed.flag("exit_zero") else decision.exit_code


def _write_file(path: str, option: str, text: str, force: bool, done: str, lost: str) -> None:
    """Write one requested file; a failure is one line on stderr naming the file and what was
    not written, and the file is left as it was."""
    from neckcheck.cli import edge
    from neckcheck.core.errors import InputError

    try:
        edge.write_private(path, text, option, force)
    except InputError as exc:
        why = "; ".join(str(p) for p in exc.problems)
        edge.say(f"{exc.source}: {lost} ({why}); the file is left as it was, and the decision "
                 "is on standard output")  # fmt: skip
        return
    edge.say(f"{done} to {path}")


# ---- the other commands ----


def batch(parsed: Parsed) -> int:
    from neckcheck.cli.batch import run_batch

    book = _book(parsed)
    summary = run_batch(parsed.argument, book, parsed.text("output"), parsed.flag("quiet"),
                        parsed.flag("force"))  # fmt: skip
    return 2 if summary.errors else 0


def schema(parsed: Parsed) -> int:
    from neckcheck.cli import edge
    from neckcheck.formats.schema import answer_schema, decision_schema

    make = decision_schema if parsed.flag("decision") else answer_schema
    edge.write_out(edge.json_bytes(make(_book(parsed))))
    return 0


def export_fhir(parsed: Parsed) -> int:
    from neckcheck.cli import edge

    book = _book(parsed)
    response = parsed.text("response")
    if response is None:
        from neckcheck.formats.fhir_export import questionnaire

        edge.write_out(edge.json_bytes(questionnaire(book)))
        return 0
    from neckcheck.core.answers import parse_json
    from neckcheck.formats.fhir_export import response_for

    data, source = edge.read_document(response, must_be_given=True)
    checked, ended_early = edge.answers_of_document(parse_json(data, source), book, source)
    edge.write_out(edge.json_bytes(response_for(checked, ended_early, book, source)))
    return 0


def rules_check(parsed: Parsed) -> int:
    import json

    from neckcheck.authoring.verify import DEFAULT_TIMEOUT_MS, verify

    # Exactly what `screen` would use: the compiled copy when it is current and valid.
    book = _rules_as_they_are(parsed)
    out = [
        f"{book.source}: valid: {len(book.questions)} questions, {len(book.rules)} rules, "
        f"{len(book.cautions)} cautions (rules version {book.version})"
    ]
    _print(out[0] + "\n")
    timeout = os.environ.get("NECKCHECK_VERIFY_TIMEOUT_MS", "").strip()
    rlimit = os.environ.get("NECKCHECK_VERIFY_RLIMIT", "").strip()  # deterministic, for tests
    report = verify(
        book,
        timeout_ms=max(1, int(timeout)) if timeout.isdigit() else DEFAULT_TIMEOUT_MS,
        rlimit=int(rlimit) if rlimit.isdigit() else None,
    )
    if report.interrupted:  # half a proof is none: one line, and no verdict at all
        from neckcheck.cli import edge

        edge.say("interrupted: the safety properties were not proved")
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
    _print("\n".join(out) + "\n")
    return 0 if report.holds else 1


def rules_evaluate(parsed: Parsed) -> int:
    from neckcheck.cli.evaluate import run_evaluate

    book = _book(parsed)
    against = parsed.text("against")
    other = None
    if against is not None:
        from neckcheck.cli import edge
        from neckcheck.rulebook.load import load_rulebook

        other_book = load_rulebook(against, allow_unproved=parsed.flag("allow_unproved_rules"))
        if other_book.warning:
            edge.say(f"WARNING: {other_book.warning}")
        other = (against, other_book)
    return run_evaluate(parsed.argument, book, other, parsed.flag("json"))


def rules_report(parsed: Parsed) -> int:
    from pathlib import Path

    from neckcheck.authoring.traceability import rules_report as report

    tests = Path(parsed.text("tests") or "tests")
    _print(report(_book(parsed), tests))
    return 0


def rules_graph(parsed: Parsed) -> int:
    from neckcheck.authoring.traceability import mermaid

    _print(mermaid(_book(parsed)))
    return 0


def rules_reference(parsed: Parsed) -> int:
    from neckcheck.authoring.traceability import answer_reference, red_flag_reference

    book = _book(parsed)
    _print(red_flag_reference(book) if parsed.flag("red_flags") else answer_reference(book))
    return 0


def rules_compile(parsed: Parsed) -> int:
    from neckcheck.rulebook.load import compile_and_verify, default_rules_dir

    target, report = compile_and_verify(_rules_folder(parsed) or default_rules_dir())
    _print(f"wrote {target}\n")
    if not report.holds:
        problems = [*report.failed, *report.unproved]
        _print(f"not proved: {', '.join(problems)}; run `neckcheck rules check` for details\n")
        return 1
    return 0


def rules_schemas(parsed: Parsed) -> int:
    from pathlib import Path

    from neckcheck.rulebook.load import write_schemas

    out = parsed.text("out")
    for path in write_schemas(_rules_as_they_are(parsed), Path(out) if out else None):
        _print(f"wrote {path}\n")
    return 0


def version_text() -> str:
    from neckcheck import __version__
    from neckcheck.core.model import CONTRACT_VERSION
    from neckcheck.rulebook.load import load_rulebook

    book = load_rulebook(allow_unproved=True)
    proved = "shipped" if book.warning is None else "shipped, UNPROVED"
    return (
        f"neckcheck {__version__}\nrules {book.version} ({proved})\n"
        f"answer and decision contract version {CONTRACT_VERSION}\n"
    )


# ---- the command line ----

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
    ("130", "interrupted (Ctrl-C, Ctrl-D); nothing saved"),
    ("141", "the reader of the output went away"),
    ("143", "stopped by SIGTERM"),
    ("1", "a bug in neckcheck (please report it)"),
)


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


class _Command(TyperCommand):
    """A command that refuses what click would let through: an option given twice (click keeps
    the last value, so a later one would silently hide an earlier one) and an empty value."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not ctx.resilient_parsing:  # completion reads half-typed lines: nothing to refuse
            _refuse_repeats_and_empties(self, ctx, args)
        return super().parse_args(ctx, args)


def _refuse_repeats_and_empties(command: TyperCommand, ctx: click.Context, args: list[str]) -> None:
    from click.exceptions import UsageError

    try:
        values, _, order = command.make_parser(ctx).parse_args(args=list(args))
    except UsageError as exc:
        exc.ctx = exc.ctx or ctx  # so that the message points at this command's help
        raise
    seen: set[str] = set()
    for param in order:
        name = param.name or ""
        if param.param_type_name == "option" and name in seen:
            raise UsageError(f"option {param.opts[-1]} is given more than once", ctx)
        seen.add(name)
    names = {name for param in command.get_params(ctx) for name in param.opts}
    for param in command.get_params(ctx):
        value = values.get(param.name or "")
        if param.param_type_name == "option" and value in names:  # `--answers --json`
            raise UsageError(f"option {param.opts[-1]} needs a value ({param.metavar})", ctx)
        if value != "":
            continue
        if param.param_type_name == "argument":
            raise UsageError(f"{(param.metavar or str(param.name)).strip('[]')} is empty", ctx)
        raise UsageError(
            f"option {param.opts[-1]} needs a value ({param.metavar}), not an empty one", ctx
        )


class _Escaped(Exception):
    """Carries an exception from a command past click, which would turn Ctrl-C, a broken pipe
    or an end of input into exit codes of its own; `edge.run` maps them (README "Exit codes")."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


def _run(path: str, argument: str | None = None, **values: str | bool | None) -> None:
    """Run a command with what the command line gave it; its exit code ends the program."""
    try:
        code = COMMANDS[path](Parsed(path, values, argument))
    except (Exception, KeyboardInterrupt) as exc:
        raise _Escaped(exc) from None
    raise typer.Exit(code)


app = typer.Typer(
    name="neckcheck",
    help="Safety screening for a sore neck after a fall or an accident.\n\n"
    "A screening aid, not a diagnosis: red flags always win, and doubtful cases go to a "
    "clinician.\n\nTo start, run: neckcheck screen",
    no_args_is_help=True,
    rich_markup_mode=None,
    suggest_commands=False,  # click suggests already
    pretty_exceptions_enable=False,
    context_settings={
        "help_option_names": ["-h", "--help"],
        "max_content_width": WIDTH,
        "terminal_width": WIDTH,
    },
)
rules_app = typer.Typer(
    help="Check, prove, compile and document a rules folder.",
    no_args_is_help=True,
    rich_markup_mode=None,
    suggest_commands=False,  # click suggests already
)
export_app = typer.Typer(
    help="Export the questions in other formats (FHIR).",
    no_args_is_help=True,
    rich_markup_mode=None,
    suggest_commands=False,  # click suggests already
)
app.add_typer(rules_app, name="rules")
app.add_typer(export_app, name="export")


def _show_version(value: bool) -> None:
    if value:
        _print(version_text())
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "-V",
        "--version",
        help="Show the program, rules and answer-contract versions.",
        is_eager=True,
        callback=_show_version,
    ),
) -> None:
    """Safety screening for a sore neck after a fall or an accident."""


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
CONTRACT_POINTERS = (
    "The answer keys, their values and when each is asked: `neckcheck rules reference` (Markdown) "
    "and `neckcheck schema` (JSON Schema). The decision's JSON: `neckcheck schema --decision`."
)


def _flag(*names: str, help: str) -> bool:
    flag: bool = typer.Option(False, *names, help=help, show_default=False)
    return flag


def _file(*names: str, help: str, metavar: str = "FILE") -> str | None:
    value: str | None = typer.Option(None, *names, help=help, metavar=metavar, show_default=False)
    return value


def _dir_argument() -> str | None:
    value: str | None = typer.Argument(
        None, help=RULES_DIR_HELP, metavar="[DIR]", show_default=False
    )
    return value


@app.command(
    "screen",
    cls=_Command,
    short_help="Ask the questions, or read the answers, and print the decision.",
    epilog=_epilog(
        ("Exit codes", EXIT_CODES),
        (
            "Examples",
            (
                ("neckcheck screen", "the interview"),
                ("neckcheck screen --plain", "the interview as plain lines of text"),
                ("neckcheck screen --answers answers.json --json", "from a script"),
            ),
        ),
    ),
    help="Ask the questions, or read the answers, and print the decision.\n\n"
    "In a terminal, with no answers given, it asks the questions one by one; nothing is ever "
    "chosen for you. From a script, give the answers as one JSON object with --answers, or pipe "
    "them in. A FHIR QuestionnaireResponse to `neckcheck export fhir` is read too.\n\n"
    "Files (--save, --report): what is wrong with one before anything is asked or read (a "
    "read-only file without --force, the answers file itself, one file for both) is a usage "
    "error: exit 2, nothing on stdout. A file that cannot be written once the screening is done "
    "(a full disk, a quota, an I/O error, a missing folder) never costs the decision: it is "
    "printed all the same, the exit code is still its own (0, 3, 4, 5 or 6), one line on stderr "
    "names the file and what was not written, and the file is left as it was, never "
    "half-written.\n\n" + CONTRACT_POINTERS,
)
def _screen(
    answers: str | None = _file(
        "-a",
        "--answers",
        help="Read the answers from this JSON file ('-': standard input) instead of asking. JSON "
        "piped into the command is read without this option.",
    ),
    json: bool = _flag(
        "--json", help="Print the decision as JSON (`neckcheck schema --decision`)."
    ),
    plain: bool = _flag(
        "--plain",
        help="Ask the questions as plain lines: the answers numbered, one typed as its number "
        "(or the first words of it) and Enter. No cursor movement, colour or other escape "
        "sequence, in the questions or the result: for screen readers, braille displays "
        "and simple terminals. Used by itself when TERM is dumb.",
    ),
    fhir: bool = _flag(
        "--fhir",
        help="Print the decision as a FHIR R4 RiskAssessment, for a record system to store.",
    ),
    explain: bool = _flag(
        "--explain", help="Also show every rule, whether it fired and which answers made it fire."
    ),
    save: str | None = _file(
        "--save",
        help="Also write the answers to this JSON file (readable by you only), with when they "
        "were given and the rules version, to replay them later with --answers or to compare "
        "with them next time with --since. Nothing is written without this option.",
    ),
    since: str | None = _file(
        "--since",
        help="Compare with an earlier screening: FILE is what --save wrote then. Each question "
        'shows the earlier answer (nothing is chosen for you), and the result adds "Since last '
        'time": what changed, the level of care then and now, and first of all whether it '
        'rose (JSON: a "since" object). A FILE that is missing, unreadable, not a saved '
        "answer set or saved under another answer contract is a usage error (exit 2).",
    ),
    report: str | None = _file(
        "--report",
        help="Also write a Markdown summary to bring to a clinician (readable by you only). "
        "Nothing is written without this option.",
    ),
    force: bool = _flag("--force", help=FORCE_HELP),
    exit_zero: bool = _flag(
        "--exit-zero",
        help="Exit 0 for every completed screening, whatever the decision (for scripts that "
        "treat any other code as a failure; the decision is still in the output). Input errors "
        "still exit 2.",
    ),
    rules: str | None = _file("--rules", help=RULES_HELP, metavar="DIR"),
    allow_unproved_rules: bool = _flag("--allow-unproved-rules", help=ALLOW_UNPROVED_HELP),
) -> None:
    _run("neckcheck screen", **locals())


@app.command(
    "batch",
    cls=_Command,
    short_help="Screen many answer sets: JSON Lines in, one JSON line out for each.",
    epilog=_epilog(("Example", (("neckcheck batch intake.jsonl > decisions.jsonl", ""),))),
    help="Screen many answer sets: JSON Lines in, one JSON line out for each.\n\n"
    'Each output line has its 1-based "line"; an invalid line gives {"line": N, "error": '
    "{...}} and the stream goes on, in the same order. A summary goes to stderr. Exit 0 when "
    "every line was screened, 2 if any line was invalid (or the input could not be read).\n\n"
    "If the --output file cannot be written (a full disk, a quota, an I/O error, a missing "
    "folder, a device), no result is "
    "lost: one line on stderr names the file, every result goes to standard output instead, "
    "the file is left as it was, and the exit code is the same as without the file. A read-only "
    "--output file is refused before any line is read (exit 2) unless --force is given.",
)
def _batch(
    file: str | None = typer.Argument(
        None,
        help="A JSON Lines file of answer sets ('-' or nothing: standard input).",
        metavar="[FILE]",
        show_default=False,
    ),
    output: str | None = _file(
        "-o",
        "--output",
        help="Write the results to this file instead of standard output, all at once: the file "
        "appears only when every line is done (readable by you only).",
    ),
    quiet: bool = _flag(
        "-q", "--quiet", help="No progress and no summary on stderr (errors are still said)."
    ),
    force: bool = _flag("--force", help=FORCE_HELP),
    rules: str | None = _file("--rules", help=RULES_HELP, metavar="DIR"),
    allow_unproved_rules: bool = _flag("--allow-unproved-rules", help=ALLOW_UNPROVED_HELP),
) -> None:
    values = locals()
    _run("neckcheck batch", values.pop("file"), **values)


@app.command(
    "schema",
    cls=_Command,
    short_help="Print the JSON Schema of an answer set, or of a decision.",
    epilog=_epilog(("Example", (("neckcheck schema > answers.schema.json", ""),))),
    help="Print the JSON Schema of an answer set, or of a decision.\n\n"
    "Generated from the rules (JSON Schema 2020-12). Without options: the answer set that "
    "`screen` and `batch` read. With --decision: the JSON that `screen --json` prints.",
)
def _schema(
    decision: bool = _flag(
        "--decision", help="The schema of a decision (`screen --json`), not of the answers."
    ),
    rules: str | None = _file("--rules", help=RULES_HELP, metavar="DIR"),
    allow_unproved_rules: bool = _flag("--allow-unproved-rules", help=ALLOW_UNPROVED_OUTPUT_HELP),
) -> None:
    _run("neckcheck schema", **locals())


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
    help="Print the questions as a FHIR R4 SDC Questionnaire, for form renderers.\n\n"
    "The linkId of each question is its answer key; the parts are groups, and notices show "
    "when the answers call for emergency or urgent care. A QuestionnaireResponse to it can be "
    "screened with `neckcheck screen --answers`. With --response, an answer set is printed as "
    "such a QuestionnaireResponse instead, after being checked as `screen` checks it.",
)
def _export_fhir(
    response: str | None = _file(
        "--response",
        help="Print this answer set (a JSON file, '-': standard input) as a "
        "QuestionnaireResponse to the Questionnaire.",
    ),
    rules: str | None = _file("--rules", help=RULES_HELP, metavar="DIR"),
    allow_unproved_rules: bool = _flag("--allow-unproved-rules", help=ALLOW_UNPROVED_OUTPUT_HELP),
) -> None:
    _run("neckcheck export fhir", **locals())


@rules_app.command(
    "check",
    cls=_Command,
    short_help="Validate a rules folder and prove its safety properties.",
    help="Validate a rules folder and prove its safety properties.\n\n"
    "The properties are proved over every possible answer set (z3; needs `pip install "
    "'neckcheck[rules]'`). Exit 0 when every property is proved; 1 when one fails (with a "
    "counterexample answer set that `neckcheck screen --answers` reproduces) or is left unproved "
    "(the solver timed out or gave up: NECKCHECK_VERIFY_TIMEOUT_MS bounds each solver call, "
    "default 60000); 2 when the folder does not load; 130 when interrupted.",
)
def _rules_check(folder: str | None = _dir_argument()) -> None:
    _run("neckcheck rules check", folder)


@rules_app.command(
    "compile",
    cls=_Command,
    short_help="Validate and prove a rules folder, and store both as rulebook.compiled.json.",
    help="Validate and prove a rules folder, and store both as rulebook.compiled.json.\n\n"
    "Screening uses only rules whose stored proof is current. Exit 0 when every property is "
    "proved; 1 when one failed or is unproved (the copy is written all the same, and screening "
    "refuses it without --allow-unproved-rules). Needs `pip install 'neckcheck[rules]'`.",
)
def _rules_compile(folder: str | None = _dir_argument()) -> None:
    _run("neckcheck rules compile", folder)


@rules_app.command(
    "reference",
    cls=_Command,
    short_help="Print the answer-set contract in Markdown.",
    help="Print the answer-set contract in Markdown.\n\n"
    "Every answer key with its type, its values and when it is asked; the outcomes with their "
    "exit codes; the cautions. With --red-flags: every red flag for clinicians instead.",
)
def _rules_reference(
    folder: str | None = _dir_argument(),
    red_flags: bool = _flag(
        "--red-flags",
        help="Print every red flag instead, for clinicians: its level of care and exit code, when "
        "it fires, what the person is told and its source; then the patterns.",
    ),
    allow_unproved_rules: bool = _flag("--allow-unproved-rules", help=ALLOW_UNPROVED_OUTPUT_HELP),
) -> None:
    _run("neckcheck rules reference", folder, red_flags=red_flags,
         allow_unproved_rules=allow_unproved_rules)  # fmt: skip


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
    help="Screen clinical cases and report the under- and over-triaged ones.\n\n"
    'CASES is JSON Lines, one case a line: {"id": ..., "answers": {...}, "acceptable": '
    '[dispositions], "source": ..., "note": ...} (source and note optional). A case is '
    "under-triaged when its disposition is less urgent than every acceptable one, over-triaged "
    "when more urgent than every acceptable one. Prints the dispositions given against those "
    "acceptable, the counts, each under- and over-triaged case with the rules that fired, and "
    "the share of the cases needing care today that were sent there.\n\n"
    "Exit 0 when no case is under-triaged (by either folder, with --against); 1 when any is; 2 "
    "on an input error, naming the line and the key.",
)
def _rules_evaluate(
    cases: str | None = typer.Argument(
        None,
        help="The cases, a JSON Lines file ('-': standard input; default: the shipped cases, "
        "cases/vignettes.jsonl).",
        metavar="[CASES]",
        show_default=False,
    ),
    rules: str | None = _file("--rules", help=RULES_HELP, metavar="DIR"),
    against: str | None = _file(
        "--against",
        help="Also screen every case with the rules in this folder, and list each case whose "
        "disposition they change, safer or less safe.",
        metavar="DIR",
    ),
    json: bool = _flag("--json", help="Print the result as one JSON object."),
    allow_unproved_rules: bool = _flag("--allow-unproved-rules", help=ALLOW_UNPROVED_OUTPUT_HELP),
) -> None:
    values = locals()
    _run("neckcheck rules evaluate", values.pop("cases"), **values)


@rules_app.command(
    "report",
    cls=_Command,
    short_help="Print a Markdown table of the rules and the tests that exercise each.",
    help="Print a Markdown table of the rules and the tests that exercise each.\n\n"
    "Columns: id, outcome, disposition, reason, source, tests.",
)
def _rules_report(
    folder: str | None = _dir_argument(),
    tests: str | None = _file(
        "--tests", help="The tests folder to search (default: ./tests).", metavar="DIR"
    ),
    allow_unproved_rules: bool = _flag("--allow-unproved-rules", help=ALLOW_UNPROVED_OUTPUT_HELP),
) -> None:
    _run("neckcheck rules report", folder, tests=tests, allow_unproved_rules=allow_unproved_rules)


@rules_app.command(
    "graph",
    cls=_Command,
    short_help="Print a Mermaid flowchart of the decision.",
    help="Print a Mermaid flowchart of the decision.",
)
def _rules_graph(
    folder: str | None = _dir_argument(),
    allow_unproved_rules: bool = _flag("--allow-unproved-rules", help=ALLOW_UNPROVED_OUTPUT_HELP),
) -> None:
    _run("neckcheck rules graph", folder, allow_unproved_rules=allow_unproved_rules)


@rules_app.command(
    "schemas",
    cls=_Command,
    short_help="Write a JSON Schema for each rules file, for editors.",
    help="Write a JSON Schema for each rules file, for editors.",
)
def _rules_schemas(
    folder: str | None = _dir_argument(),
    out: str | None = _file(
        "--out", help="Where to write them (default: the rules folder's schemas/).", metavar="DIR"
    ),
) -> None:
    _run("neckcheck rules schemas", folder, out=out)


COMMANDS = {
    "neckcheck screen": screen,
    "neckcheck batch": batch,
    "neckcheck schema": schema,
    "neckcheck export fhir": export_fhir,
    "neckcheck rules check": rules_check,
    "neckcheck rules evaluate": rules_evaluate,
    "neckcheck rules report": rules_report,
    "neckcheck rules graph": rules_graph,
    "neckcheck rules reference": rules_reference,
    "neckcheck rules compile": rules_compile,
    "neckcheck rules schemas": rules_schemas,
}


def click_command() -> typer.core.TyperGroup:
    """The app as the click command tree it is (for the help reference and the tests)."""
    command = typer.main.get_command(app)
    assert isinstance(command, typer.core.TyperGroup)
    return command


def _has_control_characters(arg: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in arg)


def run_command_line(args: list[str]) -> int:
    """Run the command line; return its exit code. A usage error is one line on stderr (exit 2),
    `neckcheck` or a group alone prints its help (exit 0)."""
    from click.exceptions import NoArgsIsHelpError, NoSuchOption, UsageError

    from neckcheck.cli import edge

    for arg in args:
        if _has_control_characters(arg):
            edge.say(f"usage error: an argument holds control characters: {arg!r}; "
                     "see `neckcheck -h`")  # fmt: skip
            return edge.EXIT_USAGE
    try:
        code = click_command().main(args=args, prog_name="neckcheck", standalone_mode=False)
    except _Escaped as escaped:
        raise escaped.error from None
    except NoArgsIsHelpError as exc:  # `neckcheck`, `neckcheck rules`: how to go on
        _print(exc.ctx.get_help() + "\n" if exc.ctx is not None else "")
        return 0
    except NoSuchOption as exc:  # click lists close names; one suggestion reads better
        where = exc.ctx.command_path if exc.ctx is not None else "neckcheck"
        close = f". Did you mean {exc.possibilities[0]}?" if exc.possibilities else ""
        edge.say(f"usage error: No such option: {exc.option_name}{close}; see `{where} -h`")
        return edge.EXIT_USAGE
    except UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "neckcheck"
        message = " ".join(exc.format_message().split()).rstrip(".")
        edge.say(f"usage error: {message}; see `{where} -h`")
        return edge.EXIT_USAGE
    return code if isinstance(code, int) else 0


def check_command_line(args: list[str]) -> None:
    """Read a command line as `neckcheck` reads it, without running anything (for the manual's
    tests): click's UsageError, or neckcheck's own, for a line it would refuse."""
    from click.exceptions import Exit, UsageError

    if any(_has_control_characters(arg) for arg in args):
        raise UsageError("an argument holds control characters")
    command: click.Command = click_command()
    try:
        ctx = command.make_context("neckcheck", list(args))
        while isinstance(command, click.Group):
            rest = [*ctx._protected_args, *ctx.args]
            if not rest:
                return
            name, sub, rest = command.resolve_command(ctx, rest)
            assert sub is not None
            assert name is not None
            command = sub
            ctx = command.make_context(name, rest, parent=ctx)
    except Exit:  # --help, --version: accepted (they print, and end the line there)
        return


def main() -> None:
    """The `neckcheck` command."""
    from neckcheck.cli import edge

    edge.run(lambda: run_command_line(sys.argv[1:]))


if __name__ == "__main__":
    main()
