"""The commands: read the parsed command line, call the core, render, and return an exit code.

Thin on purpose: no clinical logic lives here, and the command line's definition lives in
`commandline`. Every module a command needs is imported inside it, so that a scripted JSON
screening imports neither the interview's prompt library nor the rules' authoring tools, and the
interview's first question comes up as soon as it can.
"""

from __future__ import annotations

import contextlib
import os
import sys

from neckcheck.commandline import Parsed

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from neckcheck.interview import InterviewResult
    from neckcheck.model import Rulebook

RULES_ENV = "NECKCHECK_RULES"


def _rules_folder(parsed: Parsed) -> str | None:
    """The rules folder asked for: --rules (or the DIR argument of `rules ...`), else
    NECKCHECK_RULES when set and not empty, else None (the shipped rules)."""
    given = parsed.text("rules") or (
        parsed.argument if parsed.command.path.startswith("neckcheck rules ") else None
    )
    return given or os.environ.get(RULES_ENV) or None


def _book(parsed: Parsed) -> Rulebook:
    """The one trust rule for every command whose output a person or a clinic relies on (the
    decision, the batch results, the answer schema, the FHIR form, the answer reference, the
    rules report and graph): the rules are used only when their safety properties are proved
    (the shipped rules: their stored proof is current; another folder: proved afresh), else
    UnprovedRulesError (exit 2, one line). With --allow-unproved-rules they are used, and the
    rulebook carries a warning that the command shows: in each result (screen, batch, the
    Questionnaire) and on stderr."""
    from neckcheck.rulebook import load_rulebook

    allow = parsed.flag("allow_unproved_rules")
    book = load_rulebook(_rules_folder(parsed), allow_unproved=allow)
    if book.warning and parsed.command.path not in _WARNS_IN_EACH_RESULT:
        from neckcheck import edge

        edge.say(f"WARNING: {book.warning}")
    return book


# Commands that put the warning of unproved rules in every result they print already.
_WARNS_IN_EACH_RESULT = ("neckcheck screen", "neckcheck batch")


def _rules_as_they_are(parsed: Parsed) -> Rulebook:
    """The rules for the authoring tools only (`rules check`, which proves them, and `rules
    schemas`, the editors' schemas of the rule files): the folder as it is, proved or not
    (invalid YAML is still refused), so that rules being edited can be checked."""
    from neckcheck.rulebook import load_rulebook

    return load_rulebook(_rules_folder(parsed), allow_unproved=True)


def _print(text: str) -> None:
    from neckcheck import edge

    edge.write_out(text.encode("utf-8"))


# ---- screen ----


class Terminated(Exception):
    """SIGTERM arrived during the interview."""


def _plain(parsed: Parsed) -> bool:
    """Plain lines, no escape sequence at all: asked for, or a terminal that takes none."""
    return parsed.flag("plain") or os.environ.get("TERM", "") == "dumb"


def _interview(book: Rulebook, plain: bool) -> InterviewResult | int:
    """Run the interview in this terminal: its result, or the exit code when Ctrl-C, Ctrl-D or
    SIGTERM ended it with nothing decided and nothing written."""
    import signal

    from neckcheck import edge
    from neckcheck.interview import PlainPrompter, Prompter, QuestionaryPrompter, run_interview

    def raise_terminated(signum: int, frame: object) -> None:
        # An exception, so that the prompt library leaves the terminal as it found it.
        raise Terminated

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        prompter: Prompter = PlainPrompter(book) if plain else QuestionaryPrompter(book)
        return run_interview(book, prompter)
    except (KeyboardInterrupt, EOFError):
        print("\nneckcheck: cancelled, nothing saved", file=sys.stderr)
        return edge.EXIT_INTERRUPTED
    except Terminated:
        print("\nneckcheck: stopped (SIGTERM), nothing saved", file=sys.stderr)
        return edge.EXIT_TERMINATED
    finally:
        signal.signal(signal.SIGTERM, previous)


def screen(parsed: Parsed) -> int:
    from neckcheck import edge
    from neckcheck.answers import parse_json
    from neckcheck.engine import decide
    from neckcheck.errors import UsageProblem

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
    interactive = answers is None and edge.stdin_is_terminal()
    if interactive:  # before anything is asked, so that no answer is typed in vain
        for target, option in ((save, "--save"), (report, "--report")):
            if target:
                edge.check_target(target, option, force)
    # From a script the answers are already there: a target that cannot take the file is
    # reported after screening (below), never at the cost of the result.
    ended_early = False
    if interactive:
        result = _interview(book, _plain(parsed))
        if isinstance(result, int):
            return result
        ended_early = result.ended_early
        given: object = edge.saved_interview(result.answers, ended_early)
        checked, _ = edge.answers_of_document(given, book, "interview")
    else:
        data, source = edge.read_document(answers, must_be_given=True)
        given = parse_json(data, source)
        checked, ended_early = edge.answers_of_document(given, book, source)
    decision = decide(checked, book)

    # Files first: they are written even when the reader of stdout has gone away. A file that
    # cannot be written costs nothing else: one line on stderr says so, the decision is still
    # printed, and the exit code is still the decision's (README "Exit codes").
    if save is not None:
        import json

        text = json.dumps(given, indent=2) + "\n"
        _write_file(save, "--save", text, force, "answers saved", "the answers were not saved")
    if report is not None:
        import datetime

        from neckcheck.report import markdown_report

        when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        text = markdown_report(decision, checked.facts, book, when, ended_early)
        _write_file(report, "--report", text, force, "report written",
                    "the report was not written")  # fmt: skip

    trace = None
    if parsed.flag("explain"):
        from neckcheck.explain import explain

        trace = explain(checked, book)
    if parsed.flag("fhir"):
        from neckcheck.fhir_decision import response_reference, risk_assessment

        edge.write_out(edge.json_bytes(risk_assessment(decision, book, response_reference(given))))
    elif parsed.flag("json"):
        data_out = decision.to_dict()
        if trace is not None:
            data_out["explain"] = [t.to_dict() for t in trace]
        edge.write_out(edge.json_bytes(data_out))
    else:
        from neckcheck.render import make_console, render_text

        plain = _plain(parsed)
        console = make_console(plain=plain)
        with contextlib.ExitStack() as held:
            # Plain: the text is held and written without the spaces that pad a table's
            # lines to its width (a braille display shows every one of them).
            captured = held.enter_context(console.capture()) if plain else None
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
        if captured is not None:
            _print("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
    return 0 if parsed.flag("exit_zero") else decision.exit_code


def _write_file(path: str, option: str, text: str, force: bool, done: str, lost: str) -> None:
    """Write one requested file; a failure is one line on stderr naming the file and what was
    not written, and the file is left as it was."""
    from neckcheck import edge
    from neckcheck.errors import InputError

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
    from neckcheck.batch import run_batch

    book = _book(parsed)
    summary = run_batch(parsed.argument, book, parsed.text("output"), parsed.flag("quiet"),
                        parsed.flag("force"))  # fmt: skip
    return 2 if summary.errors else 0


def schema(parsed: Parsed) -> int:
    from neckcheck import edge
    from neckcheck.schema import answer_schema, decision_schema

    make = decision_schema if parsed.flag("decision") else answer_schema
    edge.write_out(edge.json_bytes(make(_book(parsed))))
    return 0


def export_fhir(parsed: Parsed) -> int:
    from neckcheck import edge

    book = _book(parsed)
    response = parsed.text("response")
    if response is None:
        from neckcheck.fhir_export import questionnaire

        edge.write_out(edge.json_bytes(questionnaire(book)))
        return 0
    from neckcheck.answers import parse_json
    from neckcheck.fhir_export import response_for

    data, source = edge.read_document(response, must_be_given=True)
    checked, ended_early = edge.answers_of_document(parse_json(data, source), book, source)
    edge.write_out(edge.json_bytes(response_for(checked, ended_early, book, source)))
    return 0


def rules_check(parsed: Parsed) -> int:
    import json

    from neckcheck.verify import DEFAULT_TIMEOUT_MS, verify

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
        from neckcheck import edge

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


def rules_report(parsed: Parsed) -> int:
    from pathlib import Path

    from neckcheck.traceability import rules_report as report

    tests = Path(parsed.text("tests") or "tests")
    _print(report(_book(parsed), tests))
    return 0


def rules_graph(parsed: Parsed) -> int:
    from neckcheck.traceability import mermaid

    _print(mermaid(_book(parsed)))
    return 0


def rules_reference(parsed: Parsed) -> int:
    from neckcheck.traceability import answer_reference, red_flag_reference

    book = _book(parsed)
    _print(red_flag_reference(book) if parsed.flag("red_flags") else answer_reference(book))
    return 0


def rules_compile(parsed: Parsed) -> int:
    from neckcheck.rulebook import compile_and_verify, default_rules_dir

    target, report = compile_and_verify(_rules_folder(parsed) or default_rules_dir())
    _print(f"wrote {target}\n")
    if not report.holds:
        problems = [*report.failed, *report.unproved]
        _print(f"not proved: {', '.join(problems)}; run `neckcheck rules check` for details\n")
        return 1
    return 0


def rules_schemas(parsed: Parsed) -> int:
    from pathlib import Path

    from neckcheck.rulebook import write_schemas

    out = parsed.text("out")
    for path in write_schemas(_rules_as_they_are(parsed), Path(out) if out else None):
        _print(f"wrote {path}\n")
    return 0


COMMANDS: dict[str, Callable[[Parsed], int]] = {
    "neckcheck screen": screen,
    "neckcheck batch": batch,
    "neckcheck schema": schema,
    "neckcheck export fhir": export_fhir,
    "neckcheck rules check": rules_check,
    "neckcheck rules report": rules_report,
    "neckcheck rules graph": rules_graph,
    "neckcheck rules reference": rules_reference,
    "neckcheck rules compile": rules_compile,
    "neckcheck rules schemas": rules_schemas,
}


def version_text() -> str:
    from neckcheck import __version__
    from neckcheck.model import CONTRACT_VERSION
    from neckcheck.rulebook import load_rulebook

    book = load_rulebook(allow_unproved=True)
    proved = "shipped" if book.warning is None else "shipped, UNPROVED"
    return (
        f"neckcheck {__version__}\nrules {book.version} ({proved})\n"
        f"answer and decision contract version {CONTRACT_VERSION}\n"
    )


def run_command_line(args: list[str]) -> int:
    from neckcheck import commandline, edge

    try:
        parsed = commandline.parse(args)
    except commandline.UsageError as exc:
        edge.say(f"usage error: {exc}; see `{exc.command.path} -h`")
        return edge.EXIT_USAGE
    if parsed.wants_version:
        _print(version_text())
        return 0
    command = COMMANDS.get(parsed.command.path)
    if parsed.wants_help or command is None:  # a group alone (`neckcheck`): how to go on
        _print(commandline.help_text(parsed.command))
        return 0
    return command(parsed)


def main() -> None:
    """The `neckcheck` command."""
    from neckcheck import edge

    edge.run(lambda: run_command_line(sys.argv[1:]))


if __name__ == "__main__":
    main()
