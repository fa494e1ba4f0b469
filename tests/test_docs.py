"""The README is the front door and the manual (docs/, built with MkDocs) holds the rest. These
tests keep both honest: the README stays short and opens with its two commands, the manual builds
with `mkdocs build --strict`, its generated pages are current, and every `neckcheck` command shown
in a shell block is one the program accepts (a renamed option or command fails here) and runs
with its documented input without a usage error."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from neckcheck.authoring.traceability import red_flag_reference
from neckcheck.cli.commands import EXIT_CODES, CommandLineError
from neckcheck.cli.commands import check_command_line as parse
from neckcheck.core.model import OUTCOME_EXIT_CODES, Rulebook
from tests.cli import invoke
from tests.conftest import REPO, RULES
from tests.spec import BASELINE

DOCS = REPO / "docs"
PAGES = sorted(DOCS.glob("*.md"))
README = REPO / "README.md"
SHELL_BLOCK = re.compile(r"^```(sh|console)\n(.*?)^```", re.M | re.S)
# Between commands on one line; `(` and `)` open and close a subshell.
SEPARATORS = {"|", "||", "&&", ";", "(", ")", "&"}


def test_readme_is_at_most_150_lines() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150, f"README.md has {len(lines)} lines; move the detail to docs/"


def test_readme_keeps_the_safety_note_and_what_a_questionnaire_cannot_catch() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "## What it is not" in readme
    section = readme.split("## What a questionnaire cannot catch\n", 1)[1].split("\n## ", 1)[0]
    for words in ("deep", "abscess", "swallowing", "Canadian C-Spine Rule", "under 65",
                  "disclaimer", "warning signs", "whatever the result says"):  # fmt: skip
        assert words in section, words


def test_readme_links_into_the_manual() -> None:
    readme = README.read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(docs/([\w.-]+\.md)\)", readme))
    assert {"interview.md", "scripting.md", "batch.md", "fhir.md", "rules.md", "clinicians.md",
            "cli.md", "performance.md", "code-layout.md"} <= linked  # fmt: skip
    for name in linked:
        assert (DOCS / name).is_file(), name


def mkdocs_missing() -> str | None:
    try:
        import material  # noqa: F401
        import mkdocs  # noqa: F401
    except ImportError:
        return "mkdocs and mkdocs-material come with the docs extra (in the test extra)"
    return None


@pytest.mark.skipif(mkdocs_missing() is not None, reason=str(mkdocs_missing()))
def test_the_manual_builds_strictly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # Every page is built, the changelog page holds CHANGELOG.md, and the repository is untouched.
    for page in PAGES:
        built = site / ("index.html" if page.stem == "index" else f"{page.stem}/index.html")
        assert built.is_file(), page.name
    changelog = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    first = next(
        line for line in (REPO / "CHANGELOG.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    )  # fmt: skip
    assert first[3:].split(" ")[0] in changelog
    assert not (REPO / "site").exists()


def test_neckcheck_does_not_need_mkdocs_at_run_time() -> None:
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if "mkdocs" in d]
    assert [d for d in project["optional-dependencies"]["docs"] if d.startswith("mkdocs")]
    for path in (REPO / "src" / "neckcheck").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from) (mkdocs|material|pymdownx)\b", text, re.M), path


def test_every_page_is_in_the_nav() -> None:
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    named = set(re.findall(r":\s+([\w-]+\.md)$", config, re.M))
    assert named == {page.name for page in PAGES}


def test_the_changelog_page_includes_the_changelog() -> None:
    text = (DOCS / "changelog.md").read_text(encoding="utf-8")
    assert '--8<-- "CHANGELOG.md"' in text.splitlines()


def test_the_clinicians_page_is_generated_from_the_rules(book: Rulebook) -> None:
    shown = (DOCS / "clinicians.md").read_text(encoding="utf-8")
    assert shown == red_flag_reference(book), (
        "run `neckcheck rules reference --red-flags rules > docs/clinicians.md`"
    )
    done = invoke(["rules", "reference", "--red-flags"], cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout == shown


def test_the_clinicians_page_lists_every_red_flag_with_its_disposition_and_source(
    book: Rulebook,
) -> None:
    shown = (DOCS / "clinicians.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", shown, flags=re.M)
    for rule in (*book.red_flags, *book.patterns, book.otherwise):
        rows = [line for line in shown.splitlines()
                if line.startswith(f'| <span class="whole-name">`{rule.id}`</span> |')]  # fmt: skip
        assert len(rows) == 1, rule.id
        assert rule.source.replace("|", "\\|") in rows[0]
        if rule in book.red_flags:
            section = next(s for s in sections if rows[0] in s)
            code = OUTCOME_EXIT_CODES[("red_flag", rule.disposition)]
            assert f"Disposition `{rule.disposition}`, exit code {code}," in section, rule.id


def test_the_exit_code_table_is_the_contracts() -> None:
    page = (DOCS / "scripting.md").read_text(encoding="utf-8")
    table = page.split("## Exit codes\n", 1)[1].split("\n\n## ", 1)[0]
    rows = dict(re.findall(r"^\| (\d+) \| (.*) \|$", table, re.M))
    assert set(rows) == {code for code, _ in EXIT_CODES}  # the table `-h` shows
    assert "--output" in rows["7"]
    for (outcome, disposition), code in OUTCOME_EXIT_CODES.items():
        assert f"`{outcome}`" in rows[str(code)] or outcome == "red_flag", (outcome, code)
        if outcome == "red_flag":
            assert f"`{disposition}`" in rows[str(code)], (disposition, code)


def test_the_rule_for_files_that_cannot_be_written_is_in_the_manual() -> None:
    page = (DOCS / "scripting.md").read_text(encoding="utf-8")
    rule = page.split("## Files written on request\n", 1)[1].split("\n## ", 1)[0]
    rule = " ".join(rule.split())
    for words in ("is a usage error: 2, nothing on stdout", "costs nothing but the file",
                  "a red flag's is never lost", "one line on stderr names the file",
                  "never half-written", "checks that the file exists afterwards",
                  "`batch` exits 7 when its `--output` file was not written",
                  "an invalid line's 2 wins over 7"):  # fmt: skip
        assert words in rule, words


def test_the_performance_page_shows_a_run_of_bench_py() -> None:
    page = (DOCS / "performance.md").read_text(encoding="utf-8")
    bench = (REPO / "benchmarks" / "bench.py").read_text(encoding="utf-8")
    figures = page.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    assert figures[0].startswith("neckcheck benchmarks, ")
    assert figures[1].startswith("machine: ")
    labels = [m.group(1) for line in figures for m in [re.match(r"  ([^:]+): .* vs ", line)] if m]
    assert len(labels) >= 4
    # Each measured line is one bench.py prints: a label written out, or one its f-strings make
    # ("1 unknown key a line" from f"{unknown} unknown key...").
    made = [
        ".*".join(re.escape(part) for part in re.split(r"\{[^}]*\}", template))
        for template in re.findall(r'f"([^"]*)"', bench)
    ]
    for label in labels:
        written = f'"{label}"' in bench
        assert written or any(re.fullmatch(pattern, label) for pattern in made), label


# ---- the commands shown ----


@dataclass(frozen=True)
class Shown:
    where: str
    line: str
    args: tuple[str, ...]
    stdin: str | None  # the documented input: a here-document or an `echo ... |`
    stdin_file: str | None  # or a `< FILE`
    output: tuple[str, ...]  # in a console block, the lines shown after the command


def shown_commands(path: Path) -> list[Shown]:
    """Every `neckcheck` command in the ```sh and ```console blocks of a page, with its input."""
    found: list[Shown] = []
    text = path.read_text(encoding="utf-8")
    for kind, block in SHELL_BLOCK.findall(text):
        lines = block.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            i += 1
            if kind == "console":
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            heredoc = None
            output: list[str] = []
            if kind == "console":
                while i < len(lines) and not lines[i].startswith("$ "):
                    if lines[i] != "...":
                        output.append(lines[i])
                    i += 1
            if "<<'" in line:
                end = line.split("<<'", 1)[1].split("'", 1)[0]
                body = []
                while lines[i] != end:
                    body.append(lines[i])
                    i += 1
                i += 1
                heredoc = "\n".join(body) + "\n"
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            tokens = list(lexer)
            segments: list[list[str]] = [[]]
            for token in tokens:
                if token in SEPARATORS:
                    segments.append([])
                else:
                    segments[-1].append(token)
            for n, segment in enumerate(segments):
                if not segment or segment[0] != "neckcheck":
                    continue
                args: list[str] = []
                stdin, stdin_file = heredoc, None
                words = iter(segment[1:])
                for word in words:
                    if word == "<":
                        stdin_file = next(words)
                    elif word in (">", ">>", "2>", "<<"):  # an output file, a here-document
                        next(words)
                    else:
                        args.append(word)
                before = segments[n - 1] if n else []
                if before[:1] == ["echo"]:
                    stdin = " ".join(before[1:]) + "\n"
                found.append(Shown(f"{path.name}: {line}", line, tuple(args), stdin, stdin_file,
                                   tuple(output)))  # fmt: skip
    return found


ALL_SHOWN = [shown for page in [README, *PAGES] for shown in shown_commands(page)]
SHOWN_IDS = [f"{s.where.split(':')[0]}: neckcheck {' '.join(s.args)}" for s in ALL_SHOWN]


def test_the_pages_show_commands() -> None:
    pages = {shown.where.split(":")[0] for shown in ALL_SHOWN}
    assert {"README.md", "interview.md", "scripting.md", "batch.md", "rules.md"} <= pages
    assert len(ALL_SHOWN) >= 15


def test_a_renamed_option_would_be_caught() -> None:
    # The check below is the command line's own parser: a renamed option or command fails it.
    for args in (["screen", "--jsn"], ["bach"], ["rules", "reference", "--red-flag"]):
        with pytest.raises(CommandLineError):
            parse(args)


@pytest.mark.parametrize("shown", ALL_SHOWN, ids=SHOWN_IDS)
def test_every_command_shown_is_accepted(shown: Shown) -> None:
    try:
        parse(shown.args)
    except CommandLineError as error:
        pytest.fail(f"{shown.where}: {error}")


def workplace(tmp_path: Path) -> Path:
    """A folder with the files the manual's commands name: answers, a JSON Lines intake, a copy
    of the rules (some commands write into it) and the tests folder for `rules report`."""
    (tmp_path / "answers.json").write_text(json.dumps(BASELINE), encoding="utf-8")
    lines = [json.dumps(BASELINE), json.dumps(BASELINE | {"sore_front": "yes"})]
    (tmp_path / "intake.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copytree(RULES, tmp_path / "rules")
    # evaluate.md: a copy with the new-headache red flag lowered on purpose, and a clinic's cases.
    from tests.test_since_cli import weaken

    shutil.copytree(RULES, tmp_path / "my-rules")
    weaken(tmp_path / "my-rules")
    shipped = (REPO / "cases" / "vignettes.jsonl").read_text(encoding="utf-8").splitlines()
    (tmp_path / "clinic-cases.jsonl").write_text("\n".join(shipped[:5]) + "\n", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    shutil.copy(REPO / "tests" / "rows.py", tmp_path / "tests" / "rows.py")
    return tmp_path


@pytest.mark.slow
@pytest.mark.parametrize("shown", ALL_SHOWN, ids=SHOWN_IDS)
def test_every_command_shown_runs_with_its_documented_input(shown: Shown, tmp_path: Path) -> None:
    """Run with the input the page gives (a here-document, `< FILE`, an `echo ... |`); a command
    given no input (the interview) is given a complete answer set on standard input."""
    cwd = workplace(tmp_path)
    if shown.stdin_file is not None:
        stdin = (cwd / shown.stdin_file).read_text(encoding="utf-8")
    else:
        stdin = shown.stdin if shown.stdin is not None else json.dumps(BASELINE)
    done = invoke(shown.args, stdin=stdin, cwd=cwd)
    assert "usage error" not in done.stderr, done.stderr
    assert done.returncode != 1, done.stderr  # 1 is a bug, whatever the command
    for line in shown.output:  # what the page says it prints
        assert line in done.stdout.splitlines() + done.stderr.splitlines(), line
    # Exit 2 only where the page shows the input errors it prints.
    assert done.returncode != 2 or shown.output, f"{shown.where}: exit 2\n{done.stderr}"
