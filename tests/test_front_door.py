"""The front door: the README's test command and CI install nothing over what a machine has and
pin browser-tier packages that run on the Node.js of Debian 12 (18) as on newer ones; the
manual's home page opens with a real interview, the technique page is the rules' own text, the
clinicians' page gives each question's wording, and completion is explained as it works."""

from __future__ import annotations

import json
import os
import re
import subprocess
from typing import Any

import pytest

from neckcheck.core.model import Rulebook
from tests.cli import neckcheck_command
from tests.conftest import REPO
from tests.spec import NO_INJURY

DOCS = REPO / "docs"
BROWSER = REPO / "tests" / "browser"
# Debian 12's own Node.js; NodeSource, nvm and later Debian releases bring newer ones.
OLDEST_NODE = 18


def readme_test_command() -> str:
    head = (REPO / "README.md").read_text(encoding="utf-8").split("```sh\n", 1)[1].split("```")[0]
    commands = [line for line in head.splitlines() if line and not line.startswith("#")]
    return commands[1]


def test_the_readme_installs_npm_and_chromium_only_when_missing() -> None:
    command = readme_test_command()
    installs = re.findall(r"apt-get install -y ([^;&|}]+)", command)
    assert installs, command
    for packages in installs:
        named = set(packages.split())
        if named & {"npm", "nodejs"}:
            # Debian's npm conflicts with a Node.js from elsewhere: only where there is none.
            assert f"command -v npm >/dev/null || sudo apt-get install -y {packages}" in command
        if "chromium" in named:
            assert f"[ -x /usr/bin/chromium ] || sudo apt-get install -y {packages}" in command
    assert "npm ci" in command


def test_ci_installs_npm_and_chromium_only_when_missing() -> None:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "command -v npm >/dev/null || missing+=(npm)" in script
    assert "[ -x /usr/bin/chromium ] || missing+=(chromium)" in script
    for line in script.splitlines():
        if "apt-get install" in line:
            assert not re.search(r"\b(npm|nodejs|chromium)\b", line), line


def lowest_node(engines: str) -> int:
    """The lowest Node.js major version an `engines.node` range accepts (its `>=` bound, or the
    smallest major of an `||` alternative)."""
    majors = [int(m) for m in re.findall(r"(?:>=\s*|\^|~|^|\|\|\s*)(\d+)", engines)]
    return min(majors) if majors else 0


def test_lowest_node_reads_engine_ranges() -> None:
    assert lowest_node(">=18") == 18
    assert lowest_node(">=22.12.0") == 22
    assert lowest_node("^20.19.0 || ^22.12.0 || >=24.0.0") == 20
    assert lowest_node(">= 14") == 14


def test_puppeteer_core_and_what_it_needs_run_on_node_18() -> None:
    """What runs in Node.js (puppeteer-core and its dependencies) accepts Node 18; lforms runs in
    the browser, so its Angular build's engines do not matter to Node."""
    manifest = json.loads((BROWSER / "package.json").read_text(encoding="utf-8"))
    for name, version in manifest["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} is not pinned: {version}"
    packages: dict[str, Any] = json.loads((BROWSER / "package-lock.json").read_text("utf-8"))[
        "packages"
    ]
    assert packages[""]["dependencies"] == manifest["dependencies"]

    def resolve(name: str, parent: str) -> str:
        # npm's lookup: a nested copy under the parent first, then upwards.
        base = parent
        while True:
            candidate = f"{base}/node_modules/{name}" if base else f"node_modules/{name}"
            if candidate in packages:
                return candidate
            if not base:
                raise AssertionError(f"{name} (needed by {parent}) is not in the lock")
            base = base.rsplit("/node_modules/", 1)[0] if "/node_modules/" in base else ""

    seen: set[str] = set()
    todo = ["node_modules/puppeteer-core"]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        entry = packages[path]
        engines = entry.get("engines", {}).get("node")
        if engines is not None:
            assert lowest_node(engines) <= OLDEST_NODE, f"{path} {entry['version']}: {engines}"
        todo += [resolve(dep, path) for dep in entry.get("dependencies", {})]
    assert len(seen) > 10  # the walk reached puppeteer-core's dependencies


def test_site_is_ignored() -> None:
    lines = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "site/" in lines


# ---- the manual's home page: a real interview ----


def transcript() -> list[str]:
    page = (DOCS / "index.md").read_text(encoding="utf-8")
    assert page.split("\n## ", 2)[1].startswith("A short interview\n"), "the page opens with it"
    block = page.split("``` { .text .transcript }\n", 1)[1].split("```", 1)[0]
    lines = block.splitlines()
    assert lines[0] == "$ neckcheck screen --plain"
    return lines


def test_the_home_page_interview_is_what_neckcheck_asks_and_answers(book: Rulebook) -> None:
    """Each question shown is a question of the rules, each answer typed is read back from the
    numbered list shown, and the result shown is what neckcheck prints for those answers."""
    lines = transcript()
    prompts = {q.prompt: q for q in book.questions}
    answers: dict[str, Any] = {}
    question = None
    listed: dict[str, str] = {}
    for line in lines:
        if line in prompts:
            question, listed = prompts[line], {}
        elif (item := re.fullmatch(r"(\d+)\. (.+)", line)) is not None:
            listed[item.group(1)] = item.group(2)
        elif (typed := re.search(r"press Enter: (.+)$", line)) is not None:
            if question is None:  # after the early stop: the result is chosen, nothing corrected
                assert listed[typed.group(1)].startswith("Show my result"), line
                continue
            if question.type == "int":
                answers[question.id] = int(typed.group(1))
            else:
                label = listed[typed.group(1)]
                (value,) = [
                    v for v in question.allowed_values() if book.answer_label(question, v) == label
                ]
                answers[question.id] = value
            question = None
    assert list(answers) == ["age", "injury", "sudden_onset"]
    result = lines[lines.index(next(x for x in lines if x.startswith("EMERGENCY:"))) :]
    exit_shown = result.index("$ echo $?")
    # The questions after the early stop were never asked: calm answers stand in for them, and
    # the result must not depend on them.
    done = subprocess.run(
        [*neckcheck_command(), "screen", "--plain"], input=json.dumps(NO_INJURY | answers),
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "COLUMNS": "80"},
    )  # fmt: skip
    assert str(done.returncode) == result[exit_shown + 1]
    printed = done.stdout.splitlines()
    assert printed[printed.index(result[0]) :] == result[:exit_shown]


# ---- the technique page ----


def test_the_technique_page_is_the_rules_own_text(book: Rulebook) -> None:
    page = (DOCS / "technique.md").read_text(encoding="utf-8")
    assert page.startswith("# The technique\n")
    assert book.technique.name in page
    steps = page.split("## The steps, as the person reads them\n", 1)[1].split("\n## ", 1)[0]
    numbered = re.findall(r"^(\d+)\. (.+)$", steps, re.M)
    assert numbered == [(str(n), s) for n, s in enumerate(book.technique.steps, start=1)]
    for see_also in book.technique.see_also:
        assert f"- {see_also}" in steps
    cautions = page.split("## Cautions, as the person reads them\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \| (.+?) \| (.+) \|$", cautions, re.M)
    assert [r[0] for r in rows] == [c.id for c in book.cautions]
    for (_, shown_with, when, says), caution in zip(rows, book.cautions, strict=True):
        assert shown_with == ", ".join(caution.applies_to)
        assert when == ("always" if caution.when is None else f"`{caution.when}`")
        assert says == caution.text
    who = page.split("## Who must not try it\n", 1)[1]
    assert "(clinicians.md)" in who
    for words in ("`emergency`", "`urgent`", "`clinician`", "`traditional_whiplash`",
                  "`unclear`"):  # fmt: skip
        assert words in who, words
    for front in book.text_for("traditional_whiplash", "avoid_technique").see_also:
        assert f"- {front}" in who


# ---- the clinicians' page ----


def test_the_clinicians_page_gives_each_questions_wording_beside_its_key(book: Rulebook) -> None:
    page = (DOCS / "clinicians.md").read_text(encoding="utf-8")
    questions = page.split("## The questions, as the person reads them\n", 1)[1]
    for q in book.questions:
        assert f'| <span class="whole-name">`{q.id}`</span> | {q.prompt} |' in questions, q.id
    # In each rule's row, every key it reads stands beside the question's short wording.
    for rule in book.red_flags:
        row = next(line for line in page.splitlines() if f"`{rule.id}`" in line)
        assert rule.when is not None
        for key in rule.when.reads:
            assert f"`{key}`: {book.question_read(key).label}" in row, (rule.id, key)


def test_rule_ids_are_kept_whole_in_the_manual() -> None:
    page = (DOCS / "clinicians.md").read_text(encoding="utf-8")
    assert re.search(r'^\| <span class="whole-name">`emergency\.\w+`</span> \|', page, re.M)
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    sheet = re.search(r"^extra_css:\n  - (\S+)$", config, re.M)
    assert sheet is not None
    css = (DOCS / sheet.group(1)).read_text(encoding="utf-8")
    rule = css.split(".md-typeset .whole-name code {", 1)[1].split("}", 1)[0]
    assert "white-space: nowrap;" in rule
    assert "overflow-wrap: normal;" in rule


# ---- completion ----


def completions(words: str) -> set[str]:
    """What the shell is offered after `words` (bash's protocol, as the installed script uses)."""
    env = {**os.environ, "_NECKCHECK_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()))}  # fmt: skip
    done = subprocess.run(neckcheck_command(), capture_output=True, text=True, env=env,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


@pytest.mark.parametrize(
    ("typed", "heading"),
    [
        ("neckcheck ", "**Commands**"),
        ("neckcheck rules ", "**Subcommands**"),
        ("neckcheck export ", "**Subcommands**"),
    ],
)
def test_the_completion_page_lists_what_completion_offers(typed: str, heading: str) -> None:
    page = (DOCS / "completion.md").read_text(encoding="utf-8")
    item = page.split(heading, 1)[1].split("\n- ", 1)[0]
    after = item.split(f"`{typed}`", 1)[1].split(";", 1)[0]
    listed = set(re.findall(r"`([a-z-]+)`", after))
    assert listed == completions(typed)


def test_the_completion_options_exist() -> None:
    wide = {**os.environ, "COLUMNS": "100"}
    done = subprocess.run([*neckcheck_command(), "--help"], capture_output=True, text=True,
                          timeout=60, check=False, env=wide)  # fmt: skip
    page = (DOCS / "completion.md").read_text(encoding="utf-8")
    for option in ("--install-completion", "--show-completion"):
        assert option in done.stdout
        assert f"neckcheck {option}" in page
    shown = subprocess.run([*neckcheck_command(), "--show-completion", "bash"],
                           capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert "complete -o default" in shown.stdout  # file names where nothing else is offered
    assert "the shell's own file-name completion" in page


def test_the_pages_are_in_the_manual() -> None:
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for name in ("technique.md", "completion.md"):
        assert f": {name}" in config
        assert f"]({name})" in index
