"""Typed errors of the core. The CLI maps them to exit codes in one place."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_USAGE = 2  # SPEC.md section 5: usage or input error


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an answer set, tied to the key it concerns."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}" if self.key else self.message


class NeckcheckError(Exception):
    """Base of every error the CLI turns into a message and an exit code instead of a traceback."""

    exit_code = EXIT_USAGE
    code = "error"

    def lines(self) -> list[str]:
        return [str(self)]


# At most this many unknown keys of one answer set are listed; any more are counted in a last
# problem that says how many (so that a hostile line costs its reader, and the error's reader, no
# more than a few problems do). Every problem with a question's answer (a bad value, a missing
# answer) is listed, as the contract asks: there is at most one per question.
MAX_UNKNOWN_KEYS_LISTED = 20
# A cap on any one error, far above what an answer set of the shipped rules can give (one
# problem per question, the unknown keys above, and the count of the rest).
MAX_PROBLEMS_LISTED = 200


def more_problems(count: int) -> Problem:
    """The last problem of a list that was cut: how many more there are."""
    return Problem("", f"and {count} more problem{'s' if count != 1 else ''}, not listed")


class InputError(NeckcheckError):
    """An answer set that cannot be screened: every problem is listed, each naming its key (at
    most MAX_PROBLEMS_LISTED, then one that says how many more there are).

    Held as (key, message) pairs: a batch line whose every value is wrong has a problem per
    question, and `formats.batch_lines` writes them as JSON without a Problem object each
    (`problems` makes those the first time it is read)."""

    code = "invalid_answers"

    def __init__(self, problems: list[Problem], source: str = "answers") -> None:
        self._setup([(p.key, p.message) for p in problems], source)

    @classmethod
    def of_pairs(cls, pairs: list[tuple[str, str]], source: str = "answers") -> InputError:
        """The error of these problems, given as (key, message) pairs."""
        error = cls.__new__(cls)
        error._setup(pairs, source)
        return error

    def _setup(self, pairs: list[tuple[str, str]], source: str) -> None:
        if len(pairs) > MAX_PROBLEMS_LISTED + 1:
            more = more_problems(len(pairs) - MAX_PROBLEMS_LISTED)
            pairs = [*pairs[:MAX_PROBLEMS_LISTED], (more.key, more.message)]
        self.pairs = pairs
        self.source = source
        self._problems: list[Problem] | None = None
        super().__init__("; ".join([f"{k}: {m}" if k else m for k, m in pairs]))

    @property
    def problems(self) -> list[Problem]:
        if self._problems is None:
            self._problems = [Problem(k, m) for k, m in self.pairs]
        return self._problems

    def lines(self) -> list[str]:
        return [f"{self.source}: {p}" for p in self.problems]

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": str(self),
            "problems": [{"key": k, "message": m} for k, m in self.pairs],
        }


class UsageProblem(NeckcheckError):
    """A command line that says two things at once, such as one file for two purposes."""

    code = "usage"

    def lines(self) -> list[str]:
        return [f"usage error: {self}"]


class SinceError(NeckcheckError):
    """An earlier screening given to compare with (`screen --since FILE`) that cannot be
    compared: missing, unreadable, not a saved answer set, or saved under an answer contract
    whose questions differ. A usage error: exit 2, one line."""

    code = "invalid_since"

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")

    def lines(self) -> list[str]:
        return [f"usage error: --since {self.source}: {self.reason}"]


class RulesError(NeckcheckError):
    """A rules folder that does not load: each message names the file, the line and the id."""

    code = "invalid_rules"

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))

    def lines(self) -> list[str]:
        return [f"rules error: {m}" for m in self.messages]


class UnprovedRulesError(RulesError):
    """A rules folder that loads, but whose safety properties are not proved for what it holds
    now: some property failed or was left unproved, or the files changed since they were last
    proved (`neckcheck rules compile` proves them and stores the proof)."""

    code = "unproved_rules"

    def __init__(
        self,
        folder: str,
        reason: str,
        failed: tuple[str, ...] = (),
        unproved: tuple[str, ...] = (),
    ) -> None:
        self.folder = folder
        self.reason = reason
        self.failed = failed
        self.unproved = unproved
        super().__init__(
            [
                f"{folder}: the rules are not proved: {reason}. To prove them and store the "
                f"proof, run `neckcheck rules compile {_quoted(folder)}`; to use them anyway, "
                "pass --allow-unproved-rules"
            ]
        )


# What each optional module is for, and the distribution that provides it.
_EXTRAS = {
    "z3": ("z3-solver", "proving the rules' safety properties"),
    "yaml": ("PyYAML", "reading rule files written in YAML"),
}
RULES_EXTRA = "pip install 'neckcheck[rules]'"


class MissingExtraError(NeckcheckError):
    """A module of an optional extra is not installed. Screening with the shipped rules needs
    none; proving rules (`rules check`, `rules compile`), loading another rules folder from its
    YAML and writing the rule-file schemas need the `rules` extra."""

    code = "missing_extra"

    def __init__(self, module: str) -> None:
        self.module = module
        package, purpose = _EXTRAS.get(module, (module, "this command"))
        self.package = package
        super().__init__(
            f"{purpose} needs {package}, which is not installed; to install it, run: {RULES_EXTRA}"
        )


def require_extra(module: str) -> None:
    """Import an optional module (one of the `rules` extra), or raise MissingExtraError saying
    what to install."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(module) from None


def _quoted(path: str) -> str:
    import shlex

    return shlex.quote(path)
