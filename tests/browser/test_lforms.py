"""The exported Questionnaire in a real form renderer: LHC-Forms (npm `lforms`) in headless Debian
chromium, driven by puppeteer-core (tests/browser/render.mjs). For every clinical case, an empty
form and forms filled half-way: the questions shown are the ones neckcheck asks, the emergency
and urgent notices show exactly when the answers so far make the decision an emergency or urgent,
and the renderer's own QuestionnaireResponse screens to the same outcome, disposition and exit
code as the plain answers. Several cases are filled by clicking and typing.

Skipped (with the reason) when chromium or node_modules is missing, except under CI=true, where
that is a failure. Run `npm ci` in tests/browser first; `pytest -m "not browser"` leaves it out."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from neckcheck.cli import edge
from neckcheck.core.answers import progress
from neckcheck.core.engine import decide
from neckcheck.core.errors import InputError
from neckcheck.core.model import Rulebook
from neckcheck.formats.fhir import questionnaire, response_from_answers
from tests.conftest import neckcheck_command

pytestmark = pytest.mark.browser

HERE = Path(__file__).parent
CHROMIUM = Path("/usr/bin/chromium")
CASES = sorted((HERE.parent / "cases").glob("*.json"))
# Filled by clicks and typing, as a person would (the rest are loaded as a response).
CLICKED = (
    "rear_end_car_crash",
    "dizzy_after_massage",
    "boundary_rotation_asked_yes",
    "tingling_getting_worse_onset_unsure",
)
# Every HALF_EVERY-th case is also filled half-way (each form takes about a second to render).
HALF_EVERY = 4
# lforms says this whenever a form is shown without a FHIR server; it is not about the form.
NO_SERVER = "loadFHIRResources() was called before LForms.Util.setFHIRContext()"


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if shutil.which("node") is None:
        return "node is missing"
    if not (HERE / "node_modules" / "lforms" / "dist").is_dir():
        return "tests/browser/node_modules is missing (run npm ci in tests/browser)"
    return None


def require_browser() -> None:
    """Skip, saying why, when the tier cannot run; under CI=true that is a failure instead."""
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser tier cannot run in CI: {reason}")
        pytest.skip(reason)


def test_a_missing_browser_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(f"{__name__}.CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI"):
        require_browser()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="chromium is missing"):
        require_browser()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    root = os.environ.get("NECKCHECK_ARTIFACTS", tempfile.gettempdir())
    folder = Path(root) / "neckcheck-browser"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"browser test artifacts in {folder}")
    return folder


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """tests/browser over HTTP on localhost (the page and the lforms files), for this module."""
    handler = functools.partial(_QuietHandler, directory=str(HERE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/page.html"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def expected(given: dict[str, Any], book: Rulebook) -> tuple[list[str], bool, bool]:
    """What the form must show for these answers so far, from neckcheck's own progress (as the
    interview): the questions asked for certain, and whether an emergency / urgent rule holds
    whatever the rest will be."""
    state = progress(book, given)

    def certain(disposition: str) -> bool:
        return any(
            r.disposition == disposition
            and r.when is not None
            and r.when.settled(state.facts, state.settled) is True
            for r in book.red_flags
        )

    shown = [
        q.id
        for q in book.questions
        if q.asked_when is None or q.asked_when.settled(state.facts, state.settled) is True
    ]
    emergency = certain("emergency")
    return shown, emergency, certain("urgent") and not emergency


def asked_in_order(answers: dict[str, Any], book: Rulebook) -> list[tuple[str, Any]]:
    """The answers a person can give in the form: those of asked questions, in question order."""
    state = progress(book, answers)
    return [(q.id, state.facts[q.id]) for q in book.questions if q.id in state.facts]


def outcome_of(document: object, book: Rulebook) -> tuple[str, str, int] | tuple[str, list[str]]:
    try:
        checked, _ = edge.answers_of_document(document, book, "form")
    except InputError as exc:
        return "error", sorted({p.key for p in exc.problems})
    decision = decide(checked, book)
    return decision.outcome, decision.disposition, decision.exit_code


def _jobs(book: Rulebook, artifacts: Path) -> list[dict[str, Any]]:
    empty = {"name": "empty", "mode": "load", "response": None, "given": {},
             "screenshot": str(artifacts / "empty.png")}  # fmt: skip
    # A person who answers yes to the first urgent sign: the emergency notice shows at once (the
    # screenshot in docs/ for the manual's FHIR page).
    sign = {"age": 45, "injury": "none", "vascular_signs": "yes"}
    notice = {"name": "emergency sign (half)", "mode": "click", "steps": list(sign.items()),
              "given": sign, "screenshot": str(artifacts / "emergency.png"),
              "fullPage": False}  # fmt: skip
    jobs: list[dict[str, Any]] = [empty, notice]
    for n, path in enumerate(CASES):
        answers = json.loads(path.read_text(encoding="utf-8"))["answers"]
        steps = asked_in_order(answers, book)
        job: dict[str, Any] = {"name": path.stem, "given": answers}
        if path.stem in CLICKED:
            job |= {"mode": "click", "steps": steps}
            if path.stem == CLICKED[0]:
                job["screenshot"] = str(artifacts / "filled.png")
        else:
            job |= {"mode": "load", "response": response_from_answers(answers, book)}
        jobs.append(job)
        if n % HALF_EVERY:
            continue
        # The same case filled half-way (the first half of the questions it answers).
        half = dict(steps[: len(steps) // 2])
        jobs.append({"name": f"{path.stem} (half)", "mode": "load", "given": half,
                     "response": response_from_answers(half, book)})  # fmt: skip
    return jobs


@pytest.fixture(scope="module")
def rendered(
    book: Rulebook, served: str, artifacts: Path
) -> tuple[list[dict[str, Any]], dict[str, Any], float]:
    require_browser()
    jobs = _jobs(book, artifacts)
    with tempfile.TemporaryDirectory() as scratch:
        job_file = Path(scratch) / "job.json"
        job_file.write_text(json.dumps({
            "page": served, "chromium": str(CHROMIUM),
            "userDataDir": str(Path(scratch) / "profile"),
            "questionnaire": questionnaire(book),
            "cases": [{k: v for k, v in j.items() if k != "given"} for j in jobs],
        }), encoding="utf-8")  # fmt: skip
        start = time.monotonic()
        done = subprocess.run(["node", str(HERE / "render.mjs"), str(job_file)], cwd=HERE,
                              capture_output=True, text=True, timeout=900, check=False,
                              env=os.environ | {"PUPPETEER_SKIP_DOWNLOAD": "1"})  # fmt: skip
        seconds = time.monotonic() - start
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout)
    (artifacts / "result.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"lforms: {len(jobs)} forms rendered and read in {seconds:.1f} s")
    return jobs, result, seconds


def test_the_form_loads_without_warnings(rendered: Any) -> None:
    _, result, _ = rendered
    bad = [m for m in result["console"]
           if m["type"] in ("warn", "warning", "error", "pageerror", "requestfailed", "assert")
           or ("warn" in m["text"].lower() and NO_SERVER not in m["text"])]  # fmt: skip
    assert bad == []


def test_shown_questions_and_notices_match_neckcheck(book: Rulebook, rendered: Any) -> None:
    jobs, result, _ = rendered
    questions = {q.id for q in book.questions}
    groups = [g.id for g in book.groups]
    assert len(result["cases"]) == len(jobs) > len(CASES) + len(CASES) // HALF_EVERY
    emergencies = urgents = 0
    for job, seen in zip(jobs, result["cases"], strict=True):
        assert seen["name"] == job["name"]
        shown, emergency, urgent = expected(job["given"], book)
        assert [s for s in seen["shown"] if s in questions] == shown, job["name"]
        # A part shows when one of its questions does (a part of skipped questions is hidden,
        # title and notices too); every part shown carries the notices.
        parts = [g for g in groups if any(book.question(k).group == g for k in shown)]
        assert [s.removeprefix("part.") for s in seen["shown"] if s.startswith("part.")] == parts
        notices = seen["notices"]
        want = {f"notice.emergency.{g}" for g in parts if emergency}
        want |= {f"notice.urgent.{g}" for g in parts if urgent}
        assert set(notices) == want, job["name"]
        if emergency:
            assert all("EMERGENCY" in notices[f"notice.emergency.{g}"] for g in parts)
        emergencies += emergency
        urgents += urgent
        if "(half)" not in job["name"] and job["name"] != "empty":
            decision = decide(edge.answers_of_document(job["given"], book, "case")[0], book)
            assert emergency == (decision.disposition == "emergency"), job["name"]
            assert urgent == (decision.disposition == "urgent"), job["name"]
    # The comparison is not vacuous: both notices were shown, and hidden, on some forms.
    assert 0 < emergencies < len(jobs)
    assert 0 < urgents < len(jobs)


def test_the_renderers_response_screens_to_the_same_decision(book: Rulebook, rendered: Any) -> None:
    jobs, result, _ = rendered
    for job, seen in zip(jobs, result["cases"], strict=True):
        response = seen["response"]
        assert response["questionnaire"] == f"{questionnaire(book)['url']}|{book.version}"
        assert outcome_of(response, book) == outcome_of(job["given"], book), job["name"]


@pytest.mark.parametrize("name", CLICKED)
def test_clicked_forms_screen_the_same_through_the_command(
    book: Rulebook, rendered: Any, name: str, tmp_path: Path
) -> None:
    jobs, result, _ = rendered
    index = next(n for n, j in enumerate(jobs) if j["name"] == name)
    codes = []
    for n, document in enumerate((jobs[index]["given"], result["cases"][index]["response"])):
        path = tmp_path / f"{n}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        done = subprocess.run([*neckcheck_command(), "screen", "--answers", str(path), "--json"],
                              capture_output=True, text=True, check=False)  # fmt: skip
        data = json.loads(done.stdout)
        codes.append((done.returncode, data["outcome"], data["disposition"]))
    assert codes[0] == codes[1]


def test_screenshots_were_saved(rendered: Any, artifacts: Path) -> None:
    for name in ("empty.png", "filled.png", "emergency.png"):
        assert (artifacts / name).stat().st_size > 10_000
