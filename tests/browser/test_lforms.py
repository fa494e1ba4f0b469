"""The exported Questionnaire in a real form renderer: LHC-Forms (npm `lforms`) in headless Debian
chromium, driven by puppeteer-core (tests/browser/render.mjs). The clinical cases are filled by
clicking and typing only the questions neckcheck asks for them (enough cases that every answer given
in any case, and every notice, is clicked; the others are loaded as their QuestionnaireResponse),
with an empty form and forms loaded half-filled: the questions shown are the ones neckcheck asks,
the emergency and urgent notices show exactly when the answers so far make the decision an emergency
or urgent (and every emergency and urgent rule is among them), and what a clinic's software reads
agrees too: lforms' own validity (LForms.Util.checkValidity: a filled form is valid, a half-filled
one lacks exactly the asked questions still open), the items its model counts as enabled (exactly
the asked questions), no value held by a disabled item, and its QuestionnaireResponse (exactly the
asked answers, screening to the same decision through the reader and the commands).

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
from neckcheck.core.engine import decide
from neckcheck.core.errors import InputError
from neckcheck.core.model import Decision, Rulebook
from neckcheck.core.progress import progress
from neckcheck.formats.fhir import questionnaire, response_from_answers
from tests.cli import neckcheck_command
from tests.rows import ROWS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("terminal")]

HERE = Path(__file__).parent
CHROMIUM = Path("/usr/bin/chromium")
CASES = sorted((HERE.parent / "cases").glob("*.json"))
# Cases also screened through `neckcheck screen --fhir` one by one (every case goes through
# `neckcheck batch`).
CLICKED = (
    "rear_end_car_crash",
    "dizzy_after_massage",
    "boundary_rotation_asked_yes",
    "tingling_getting_worse_onset_unsure",
)
# Every HALF_EVERY-th case is also loaded half-filled (a loaded form renders in about 0.3 s here).
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


NOTICE_LEVELS = ("emergency", "urgent")


def _decision(answers: dict[str, Any], book: Rulebook) -> Decision:
    return decide(edge.answers_of_document(answers, book, "case")[0], book)


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
        # Filled by clicks and typing, as a person would, answering only what is asked (or
        # loaded, see _load_what_clicks_cover).
        job: dict[str, Any] = {"name": path.stem, "given": answers, "mode": "click",
                               "steps": steps, "full": True}  # fmt: skip
        if path.stem == CLICKED[0]:
            job["screenshot"] = str(artifacts / "filled.png")
        jobs.append(job)
        if n % HALF_EVERY:
            continue
        # The same case filled half-way (the first half of the questions it answers).
        half = dict(steps[: len(steps) // 2])
        jobs.append({"name": f"{path.stem} (half)", "mode": "load", "given": half,
                     "response": response_from_answers(half, book)})  # fmt: skip
    # An emergency or urgent rule that no case fires: the first row of the contract's table
    # for it (tests/rows.py), filled by clicks too, so that every such rule's notice is seen.
    notices = {r.id: r.disposition for r in book.red_flags if r.disposition in NOTICE_LEVELS}
    fired = set()
    for job in jobs:
        if job.get("full"):
            decision = _decision(job["given"], book)
            fired |= {r.rule for r in decision.reasons if r.disposition == decision.disposition}
    for rule, base, change, _, disposition in ROWS:
        if rule in fired or rule not in notices or disposition != notices[rule]:
            continue
        fired.add(rule)
        answers = base | change
        jobs.append({"name": f"row {rule}", "given": answers, "mode": "click", "full": True,
                     "steps": asked_in_order(answers, book)})  # fmt: skip
    _load_what_clicks_cover(jobs, book)
    return jobs


def _reached(job: dict[str, Any], book: Rulebook) -> set[tuple[str, object]]:
    """What filling a form by clicks reaches: each answer given (a code, or typing a number)
    and each emergency / urgent rule whose notice the answers make show."""
    reached: set[tuple[str, object]] = {
        (link, "typed" if type(value) is int else value) for link, value in job["steps"]
    }
    decision = _decision(job["given"], book)
    for reason in decision.reasons:
        if reason.disposition == decision.disposition in NOTICE_LEVELS:
            reached.add(("notice", reason.rule))
    return reached


def _load_what_clicks_cover(jobs: list[dict[str, Any]], book: Rulebook) -> None:
    """Each click in lforms reruns every notice expression (about a tenth of a second here), so
    not every case is filled by clicks: the cases in CLICKED, the rows and then, case by case,
    the one that reaches most of what no clicked form has reached yet, until every answer given
    in any case and every notice shown on any filled form is reached by clicks. The other filled
    cases are loaded as their QuestionnaireResponse; every form gets the same checks."""
    full = [j for j in jobs if j.get("full")]
    clicked = [j for j in full if j["name"] in CLICKED or j["name"].startswith("row ")]
    reached = {j["name"]: _reached(j, book) for j in full}
    wanted = set().union(*reached.values())
    done = set().union(*(reached[j["name"]] for j in clicked))
    while wanted - done:
        best = max(full, key=lambda j: (len(reached[j["name"]] - done), -len(j["steps"])))
        clicked.append(best)
        done |= reached[best["name"]]
    names = {j["name"] for j in clicked}
    for job in full:
        if job["name"] not in names:
            job["mode"] = "load"
            job["response"] = response_from_answers(dict(job["steps"]), book)


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
    spent = ", ".join(f"{phase} {ms / 1000:.1f} s" for phase, ms in result["spent"].items())
    print(f"lforms: {len(jobs)} forms rendered and read in {seconds:.1f} s ({spent})")
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
            decision = _decision(job["given"], book)
            assert emergency == (decision.disposition == "emergency"), job["name"]
            assert urgent == (decision.disposition == "urgent"), job["name"]
    # The comparison is not vacuous: both notices were shown, and hidden, on some forms.
    assert 0 < emergencies < len(jobs)
    assert 0 < urgents < len(jobs)


def test_the_renderers_response_screens_to_the_same_decision(book: Rulebook, rendered: Any) -> None:
    jobs, result, _ = rendered
    canonical = f"{questionnaire(book)['url']}|{book.version}"
    for job, seen in zip(jobs, result["cases"], strict=True):
        response = seen["response"]
        assert response["questionnaire"] == canonical
        assert outcome_of(response, book) == outcome_of(job["given"], book), job["name"]


def answered(response: dict[str, Any]) -> dict[str, Any]:
    """The answers a QuestionnaireResponse carries, at any depth, by linkId (as given)."""
    found: dict[str, Any] = {}
    pending = list(response.get("item", []))
    while pending:
        item = pending.pop(0)
        pending += item.get("item", [])
        for answer in item.get("answer", []):
            pending += answer.get("item", [])
            value = answer.get("valueInteger", answer.get("valueCoding", {}).get("code"))
            assert item["linkId"] not in found, item["linkId"]
            found[item["linkId"]] = value
    return found


def test_what_a_clinics_software_reads_matches_neckcheck(book: Rulebook, rendered: Any) -> None:
    """lforms' model, not only the page: on every form, the items it counts as enabled are the
    asked questions (and the ones on screen), no disabled item holds a value, its validity lists
    exactly the asked questions still open (none once a case is filled), and its response holds
    exactly the answers given to asked questions."""
    jobs, result, _ = rendered
    questions = {q.id for q in book.questions}
    by_text = {q.prompt: q.id for q in book.questions}
    filled = 0
    for job, seen in zip(jobs, result["cases"], strict=True):
        name = job["name"]
        asked = set(expected(job["given"], book)[0])
        enabled = {e for e in seen["enabled"] if e in questions}
        assert enabled == asked, name
        assert enabled == {s for s in seen["shown"] if s in questions}, name
        assert {v for v in seen["values"] if v in questions} <= enabled, name
        given = dict(asked_in_order(job["given"], book))
        assert answered(seen["response"]) == {k: as_given(v) for k, v in given.items()}, name
        errors = seen["errors"] or []
        open_ = {by_text[text] for e in errors for text in by_text if e.startswith(text + " ")}
        assert len(open_) == len(errors), (name, errors)  # each error names one question
        assert open_ == asked - set(given), name
        assert all("requires a value" in e for e in errors), name
        if job.get("full"):
            assert seen["errors"] is None, name
            filled += 1
    assert filled >= len(CASES)
    print(
        f"lforms model: {filled} filled forms valid, {len(jobs)} forms with the enabled items "
        "and the response matching neckcheck"
    )


def as_given(value: object) -> object:
    """A value as the form gives it (a tri JSON true/false as its code)."""
    return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value


def test_every_emergency_and_urgent_rule_shows_its_notice(book: Rulebook, rendered: Any) -> None:
    """The notices' conditions are generated from the red-flag rules: each emergency and urgent
    rule (the v3 ones too: chest symptoms, a sudden onset, recent vascular signs or headache)
    fires on some form, and there the notice of its level shows."""
    jobs, result, _ = rendered
    shown_for: set[str] = set()
    for job, seen in zip(jobs, result["cases"], strict=True):
        if not job.get("full"):
            continue
        decision = _decision(job["given"], book)
        for reason in decision.reasons:
            if reason.disposition == decision.disposition in NOTICE_LEVELS:
                level = decision.disposition
                assert any(n.startswith(f"notice.{level}.") for n in seen["notices"]), job["name"]
                shown_for.add(reason.rule)
    rules = {r.id for r in book.red_flags if r.disposition in NOTICE_LEVELS}
    assert rules - shown_for == set()
    assert {"emergency.chest_symptoms", "emergency.sudden_onset", "emergency.vascular"} <= rules


def _run(args: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*neckcheck_command(), *args], input=stdin, capture_output=True,
                          text=True, check=False)  # fmt: skip


def test_every_filled_form_screens_the_same_through_batch(book: Rulebook, rendered: Any) -> None:
    """`neckcheck batch` on the renderer's QuestionnaireResponses and on the cases' own answers:
    line by line the same decision."""
    jobs, result, _ = rendered
    pairs = [(j["given"], r["response"]) for j, r in zip(jobs, result["cases"], strict=True)
             if j.get("full")]  # fmt: skip
    assert len(pairs) >= len(CASES)
    lines = []
    for documents in zip(*pairs, strict=True):
        done = _run(["batch", "-"], "".join(json.dumps(d) + "\n" for d in documents))
        assert done.returncode in (0, 3, 4, 5, 6), done.stderr
        lines.append([json.loads(line) for line in done.stdout.splitlines()])
    plain, forms = lines
    assert len(plain) == len(forms) == len(pairs)
    for a, b in zip(plain, forms, strict=True):
        assert "error" not in b, b
        assert (b["outcome"], b["disposition"], b["exit_code"], b["reasons"]) == (
            a["outcome"], a["disposition"], a["exit_code"], a["reasons"])  # fmt: skip


@pytest.mark.parametrize("name", CLICKED)
def test_clicked_forms_screen_the_same_through_the_command(
    book: Rulebook, rendered: Any, name: str
) -> None:
    jobs, result, _ = rendered
    index = next(n for n, j in enumerate(jobs) if j["name"] == name)
    seen = []
    for document in (jobs[index]["given"], result["cases"][index]["response"]):
        text = json.dumps(document)
        done = _run(["screen", "--answers", "-", "--json"], text)
        data = json.loads(done.stdout)
        risk = _run(["screen", "--answers", "-", "--fhir"], text)
        assessment = json.loads(risk.stdout)
        assert risk.returncode == done.returncode
        seen.append((done.returncode, data["outcome"], data["disposition"],
                     assessment["code"], assessment["prediction"]))  # fmt: skip
    assert seen[0] == seen[1]


def test_screenshots_were_saved(rendered: Any, artifacts: Path) -> None:
    for name in ("empty.png", "filled.png", "emergency.png"):
        assert (artifacts / name).stat().st_size > 10_000
