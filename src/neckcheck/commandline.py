"""The command line's one definition: every command with its options, arguments and help, as
data; one parser reads the arguments with it and one renderer prints its help.

Standard library only and cheap to import, so that every path starts fast: the interview, the
scripted JSON paths and the help screens all go through this one parser (there is no second,
lean door beside it that could accept what this one refuses). It knows nothing of what the
commands do.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: it costs a start-up for nothing
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

WIDTH = 79  # help is wrapped to this width, whatever the terminal


class Option:
    """`--name VALUE` (metavar set) or a flag `--name` (metavar None)."""

    __slots__ = ("dest", "help", "metavar", "names")

    def __init__(self, names: tuple[str, ...], help: str, metavar: str | None = None) -> None:
        self.names = names
        self.help = help
        self.metavar = metavar
        self.dest = names[-1].lstrip("-").replace("-", "_")


class Argument:
    """A positional argument that may be left out."""

    __slots__ = ("help", "metavar")

    def __init__(self, metavar: str, help: str) -> None:
        self.metavar = metavar
        self.help = help


class Command:
    __slots__ = ("argument", "options", "path", "sections", "subcommands", "summary", "text")

    def __init__(
        self,
        path: str,
        summary: str,
        text: str = "",
        options: Sequence[Option] = (),
        argument: Argument | None = None,
        sections: Sequence[tuple[str, Sequence[tuple[str, str]]]] = (),
        subcommands: Sequence[Command] = (),
    ) -> None:
        self.path = path  # "neckcheck rules check"
        self.summary = summary  # one line, shown in the list of commands
        self.text = text  # paragraphs of the help screen, after the summary
        self.options = (*options, HELP)
        self.argument = argument
        self.sections = sections  # extra (title, [(term, text)]) tables: exit codes, examples
        self.subcommands = {c.path.rsplit(" ", 1)[1]: c for c in subcommands}

    @property
    def name(self) -> str:
        return self.path.rsplit(" ", 1)[-1]

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if name in o.names), None)


HELP = Option(("-h", "--help"), "Show this help and exit.")
VERSION = Option(("-V", "--version"), "Show the program, rules and answer-contract versions.")

RULES = Option(
    ("--rules",),
    "Use the rules in this folder instead of the shipped ones (also: the NECKCHECK_RULES "
    "environment variable; this option wins over it). Another folder's safety properties are "
    "proved afresh when it is loaded, which needs `pip install 'neckcheck[rules]'`.",
    "DIR",
)
ALLOW_UNPROVED = Option(
    ("--allow-unproved-rules",),
    "Screen with a rules folder whose safety properties are not proved (failed, or changed "
    "since `neckcheck rules compile`); every result then carries a warning.",
)
ALLOW_UNPROVED_OUTPUT = Option(
    ("--allow-unproved-rules",),
    "Use a rules folder whose safety properties are not proved (failed, or changed since "
    "`neckcheck rules compile`), as screen does; a warning then says so on stderr. Without it "
    "such rules are refused (exit 2).",
)
RULES_DIR = Argument("DIR", "The rules folder (default: NECKCHECK_RULES, else the shipped rules).")

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

FORCE = Option(
    ("--force",),
    "Replace an existing file even when it is read-only (without this option such a file is "
    "refused, as the shell's > refuses it; a writable one is replaced either way).",
)

CONTRACT_POINTERS = (
    "The answer keys, their values and when each is asked: `neckcheck rules reference` (Markdown) "
    "and `neckcheck schema` (JSON Schema). The decision's JSON: `neckcheck schema --decision`."
)

SCREEN = Command(
    "neckcheck screen",
    "Ask the questions, or read the answers, and print the decision.",
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
    options=(
        Option(
            ("-a", "--answers"),
            "Read the answers from this JSON file ('-': standard input) instead of asking. JSON "
            "piped into the command is read without this option.",
            "FILE",
        ),
        Option(("--json",), "Print the decision as JSON (`neckcheck schema --decision`)."),
        Option(
            ("--plain",),
            "Ask the questions as plain lines: the answers numbered, one typed as its number "
            "(or the first words of it) and Enter. No cursor movement, colour or other escape "
            "sequence, in the questions or the result: for screen readers, braille displays "
            "and simple terminals. Used by itself when TERM is dumb.",
        ),
        Option(
            ("--fhir",),
            "Print the decision as a FHIR R4 RiskAssessment, for a record system to store.",
        ),
        Option(
            ("--explain",),
            "Also show every rule, whether it fired and which answers made it fire.",
        ),
        Option(
            ("--save",),
            "Also write the answers to this JSON file (readable by you only), to replay them "
            "later with --answers. Nothing is written without this option.",
            "FILE",
        ),
        Option(
            ("--report",),
            "Also write a Markdown summary to bring to a clinician (readable by you only). "
            "Nothing is written without this option.",
            "FILE",
        ),
        FORCE,
        Option(
            ("--exit-zero",),
            "Exit 0 for every completed screening, whatever the decision (for scripts that treat "
            "any other code as a failure; the decision is still in the output). Input errors "
            "still exit 2.",
        ),
        RULES,
        ALLOW_UNPROVED,
    ),
    sections=(
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
)

BATCH = Command(
    "neckcheck batch",
    "Screen many answer sets: JSON Lines in, one JSON line out for each.",
    'Each output line has its 1-based "line"; an invalid line gives {"line": N, "error": '
    "{...}} and the stream goes on, in the same order. A summary goes to stderr. Exit 0 when "
    "every line was screened, 2 if any line was invalid (or the input could not be read).\n\n"
    "If the --output file cannot be written (a full disk, a quota, an I/O error), no result is "
    "lost: one line on stderr names the file, every result goes to standard output instead, "
    "the file is left as it was, and the exit code is the same as without the file. A read-only "
    "--output file is refused before any line is read (exit 2) unless --force is given.",
    options=(
        Option(
            ("-o", "--output"),
            "Write the results to this file instead of standard output, all at once: the file "
            "appears only when every line is done (readable by you only).",
            "FILE",
        ),
        Option(("-q", "--quiet"), "No progress and no summary on stderr (errors are still said)."),
        FORCE,
        RULES,
        ALLOW_UNPROVED,
    ),
    argument=Argument("FILE", "A JSON Lines file of answer sets ('-' or nothing: standard input)."),
    sections=(("Example", (("neckcheck batch intake.jsonl > decisions.jsonl", ""),)),),
)

SCHEMA = Command(
    "neckcheck schema",
    "Print the JSON Schema of an answer set, or of a decision.",
    "Generated from the rules (JSON Schema 2020-12). Without options: the answer set that "
    "`screen` and `batch` read. With --decision: the JSON that `screen --json` prints.",
    options=(
        Option(("--decision",), "The schema of a decision (`screen --json`), not of the answers."),
        RULES,
        ALLOW_UNPROVED_OUTPUT,
    ),
    sections=(("Example", (("neckcheck schema > answers.schema.json", ""),)),),
)

EXPORT_FHIR = Command(
    "neckcheck export fhir",
    "Print the questions as a FHIR R4 SDC Questionnaire, for form renderers.",
    "The linkId of each question is its answer key; the parts are groups, and notices show "
    "when the answers call for emergency or urgent care. A QuestionnaireResponse to it can be "
    "screened with `neckcheck screen --answers`. With --response, an answer set is printed as "
    "such a QuestionnaireResponse instead, after being checked as `screen` checks it.",
    options=(
        Option(
            ("--response",),
            "Print this answer set (a JSON file, '-': standard input) as a QuestionnaireResponse "
            "to the Questionnaire.",
            "FILE",
        ),
        RULES,
        ALLOW_UNPROVED_OUTPUT,
    ),
    sections=(
        (
            "Examples",
            (
                ("neckcheck export fhir > questionnaire.json", ""),
                ("neckcheck export fhir --response answers.json > response.json", ""),
            ),
        ),
    ),
)

EXPORT = Command(
    "neckcheck export",
    "Export the questions in other formats (FHIR).",
    subcommands=(EXPORT_FHIR,),
)

RULES_CHECK = Command(
    "neckcheck rules check",
    "Validate a rules folder and prove its safety properties.",
    "The properties are proved over every possible answer set (z3; needs `pip install "
    "'neckcheck[rules]'`). Exit 0 when every property is proved; 1 when one fails (with a "
    "counterexample answer set that `neckcheck screen --answers` reproduces) or is left unproved "
    "(the solver timed out or gave up: NECKCHECK_VERIFY_TIMEOUT_MS bounds each solver call, "
    "default 60000); 2 when the folder does not load; 130 when interrupted.",
    argument=RULES_DIR,
)
RULES_REPORT = Command(
    "neckcheck rules report",
    "Print a Markdown table of the rules and the tests that exercise each.",
    "Columns: id, outcome, disposition, reason, source, tests.",
    options=(
        Option(("--tests",), "The tests folder to search (default: ./tests).", "DIR"),
        ALLOW_UNPROVED_OUTPUT,
    ),
    argument=RULES_DIR,
)
RULES_GRAPH = Command(
    "neckcheck rules graph",
    "Print a Mermaid flowchart of the decision.",
    options=(ALLOW_UNPROVED_OUTPUT,),
    argument=RULES_DIR,
)
RULES_REFERENCE = Command(
    "neckcheck rules reference",
    "Print the answer-set contract in Markdown.",
    "Every answer key with its type, its values and when it is asked; the outcomes with their "
    "exit codes; the cautions. With --red-flags: every red flag for clinicians instead.",
    options=(
        Option(
            ("--red-flags",),
            "Print every red flag instead, for clinicians: its level of care and exit code, when "
            "it fires, what the person is told and its source; then the patterns.",
        ),
        ALLOW_UNPROVED_OUTPUT,
    ),
    argument=RULES_DIR,
)
RULES_COMPILE = Command(
    "neckcheck rules compile",
    "Validate and prove a rules folder, and store both as rulebook.compiled.json.",
    "Screening uses only rules whose stored proof is current. Exit 0 when every property is "
    "proved; 1 when one failed or is unproved (the copy is written all the same, and screening "
    "refuses it without --allow-unproved-rules). Needs `pip install 'neckcheck[rules]'`.",
    argument=RULES_DIR,
)
RULES_SCHEMAS = Command(
    "neckcheck rules schemas",
    "Write a JSON Schema for each rules file, for editors.",
    options=(
        Option(("--out",), "Where to write them (default: the rules folder's schemas/).", "DIR"),
    ),
    argument=RULES_DIR,
)
RULES_GROUP = Command(
    "neckcheck rules",
    "Check, prove, compile and document a rules folder.",
    subcommands=(
        RULES_CHECK,
        RULES_COMPILE,
        RULES_REFERENCE,
        RULES_REPORT,
        RULES_GRAPH,
        RULES_SCHEMAS,
    ),
)

ROOT = Command(
    "neckcheck",
    "Safety screening for a sore neck after a fall or an accident.",
    "A screening aid, not a diagnosis: red flags always win, and doubtful cases go to a "
    "clinician.\n\nTo start, run:  neckcheck screen",
    options=(VERSION,),
    subcommands=(SCREEN, BATCH, SCHEMA, EXPORT, RULES_GROUP),
)


class UsageError(Exception):
    """A command line that cannot be read; `command` is where reading stopped (for its help)."""

    def __init__(self, message: str, command: Command) -> None:
        super().__init__(message)
        self.command = command


class Parsed:
    """What the arguments asked for: a command with its option values and its argument, or
    its help (`wants_help`), or the version (`wants_version`)."""

    __slots__ = ("argument", "command", "values", "wants_help", "wants_version")

    def __init__(self, command: Command) -> None:
        self.command = command
        self.values: dict[str, str | bool] = {}
        self.argument: str | None = None
        self.wants_help = False
        self.wants_version = False

    def flag(self, dest: str) -> bool:
        return self.values.get(dest) is True

    def text(self, dest: str) -> str | None:
        value = self.values.get(dest)
        return value if isinstance(value, str) else None


def parse(args: Sequence[str]) -> Parsed:
    """Read the arguments against the definition above. Refused (UsageError): an unknown command
    or option, an option given twice (the last must not silently win), a value missing or given
    to a flag, an argument too many, and control characters anywhere."""
    for arg in args:
        if any(ord(c) < 32 or ord(c) == 127 for c in arg):
            raise UsageError(f"an argument holds control characters: {_shown(arg)}", ROOT)
    parsed = Parsed(ROOT)
    rest = list(args)
    options_ended = False
    while rest:
        arg = rest.pop(0)
        command = parsed.command
        if not options_ended and arg == "--":
            options_ended = True
        elif not options_ended and arg.startswith("-") and arg != "-":
            _read_option(parsed, arg, rest)
            if parsed.wants_help or parsed.wants_version:
                return parsed
        elif command.subcommands and parsed.argument is None:
            sub = command.subcommands.get(arg)
            if sub is None:
                hint = _suggest(arg, command.subcommands)
                raise UsageError(f"unknown command {_shown(arg)}{hint}", command)
            parsed.command = sub
        elif command.argument is not None and parsed.argument is None:
            if arg == "":
                raise UsageError(f"{command.argument.metavar} is empty", command)
            parsed.argument = arg
        else:
            raise UsageError(f"unexpected argument {_shown(arg)}", command)
    return parsed


def _read_option(parsed: Parsed, arg: str, rest: list[str]) -> None:
    command = parsed.command
    name, has_value, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
    option = command.option(name)
    if option is None:
        names = {n: None for o in command.options for n in o.names if n.startswith("--")}
        raise UsageError(f"unknown option {_shown(name)}{_suggest(name, names)}", command)
    if option.metavar is None:
        if has_value:
            raise UsageError(f"option {name} takes no value", command)
        if option is HELP:
            parsed.wants_help = True
            return
        if option is VERSION:
            parsed.wants_version = True
            return
        value: str | bool = True
    elif has_value:
        value = inline
    elif rest and (rest[0] == "-" or not rest[0].startswith("-")):
        value = rest.pop(0)
    else:
        raise UsageError(f"option {name} needs a value ({option.metavar})", command)
    if value == "":
        raise UsageError(f"option {name} needs a value ({option.metavar}), not an empty one",
                         command)  # fmt: skip
    if option.dest in parsed.values:
        raise UsageError(f"option {option.names[-1]} is given more than once", command)
    parsed.values[option.dest] = value


def _shown(arg: str) -> str:
    return repr(arg) if any(ord(c) < 32 or ord(c) == 127 for c in arg) else f"'{arg}'"


def _suggest(word: str, choices: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


# ---- help ----


def help_text(command: Command) -> str:
    """The help screen of a command, wrapped to WIDTH columns."""
    usage = [command.path]
    if command.subcommands:
        usage.append("COMMAND")
    if len(command.options) > 1 or not command.subcommands:
        usage.append("[OPTIONS]")
    if command.argument is not None:
        usage.append(f"[{command.argument.metavar}]")
    out = [f"Usage: {' '.join(usage)}", ""]
    out += _wrap(command.summary, "")
    for paragraph in command.text.split("\n\n") if command.text else ():
        out += ["", *_wrap(paragraph, "")]
    if command.subcommands:
        out += ["", "Commands:"]
        out += _table([(name, sub.summary) for name, sub in command.subcommands.items()])
    if command.argument is not None:
        out += ["", "Argument:"]
        out += _table([(command.argument.metavar, command.argument.help)])
    out += ["", "Options:"]
    out += _table([(_option_term(o), o.help) for o in command.options])
    for title, rows in command.sections:
        out += ["", f"{title}:"]
        out += _table(list(rows))
    if command.subcommands:
        out += ["", f"Run `{command.path} COMMAND -h` for the options of a command."]
    return "\n".join(out) + "\n"


def _option_term(option: Option) -> str:
    short = next((n for n in option.names if not n.startswith("--")), None)
    long = next(n for n in option.names if n.startswith("--"))
    term = f"{short}, {long}" if short else f"    {long}"
    return f"{term} {option.metavar}" if option.metavar else term


def _table(rows: list[tuple[str, str]]) -> list[str]:
    if all(not text for _, text in rows):  # examples without a comment
        return [f"  {term}" for term, _ in rows]
    width = min(max(len(term) for term, _ in rows), 24)
    out: list[str] = []
    for term, text in rows:
        indent = " " * (width + 4)
        if len(term) > width:
            out.append(f"  {term}")
            out += _wrap(text, indent)
        else:
            lines = _wrap(text, indent)
            out.append(f"  {term.ljust(width)}  {lines[0].lstrip()}" if lines else f"  {term}")
            out += lines[1:]
    return out


def _wrap(text: str, indent: str) -> list[str]:
    lines: list[str] = []
    line = indent
    for word in text.split():
        if line.strip() and len(line) + 1 + len(word) > WIDTH:
            lines.append(line)
            line = indent
        line = f"{line} {word}" if line.strip() else indent + word
    if line.strip():
        lines.append(line)
    return lines


def reference() -> str:
    """Every help screen in one Markdown page (docs/cli.md), generated so it cannot drift:
    `python -m neckcheck.commandline > docs/cli.md`."""
    out = [
        "# The command line",
        "",
        "Generated from the definition in `src/neckcheck/commandline.py` by",
        "`python -m neckcheck.commandline > docs/cli.md`; a test keeps it current.",
    ]
    pending = [ROOT]
    while pending:
        command = pending.pop(0)
        out += ["", f"## `{command.path}`", "", "```text", help_text(command).rstrip(), "```"]
        pending += list(command.subcommands.values())
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(reference())
