"""The manual's Dask and Spark recipes (docs/batch.md) are the files in docs/recipes, and they
give exactly the records of `neckcheck batch` on the same file: ordinary lines, hostile ones, and
a red flag whose key is given twice (which `json.loads` would silently turn into a technique)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from neckcheck import screen
from neckcheck.core.model import Rulebook
from tests.cli import invoke
from tests.conftest import REPO
from tests.spec import BASELINE

RECIPES = REPO / "docs" / "recipes"
CASES = sorted((REPO / "tests" / "cases").glob("*.json"))


def test_the_manual_shows_the_recipe_files_verbatim() -> None:
    page = (REPO / "docs" / "batch.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL)
    for name in ("dask_screen.py", "spark_screen.py"):
        text = (RECIPES / name).read_text(encoding="utf-8")
        assert text in blocks, f"docs/batch.md must show docs/recipes/{name} as it is"
    assert "json.loads(line)" not in page


def duplicate_key_red_flag() -> str:
    """A red flag (stroke-like signs: yes) followed by the same key with "no": batch refuses it,
    where json.loads keeps the last value."""
    text = json.dumps({**BASELINE, "vascular_signs": "yes", "signs_recent": "yes"})
    return text[:-1] + ', "vascular_signs": "no"}'


def intake(path: Path) -> Path:
    lines: list[bytes] = []
    for case in CASES:
        lines.append(json.dumps(json.loads(case.read_text(encoding="utf-8"))["answers"]).encode())
    hostile = [
        b"",  # a blank line
        b"   ",
        b"not json",
        b"[1, 2]",
        b'{"age": 40, "age": 41}',
        b"\xef\xbb\xbf" + json.dumps(BASELINE).encode(),  # a byte order mark
        b"\xff\xfe not UTF-8",
        json.dumps(BASELINE).encode() + b"\r",  # a CRLF line end
        json.dumps({**BASELINE, "age": 40.5}).encode(),
        b"x" * (1024 * 1024 + 10),  # over the size limit
    ]
    for i, line in enumerate(hostile):
        lines.insert(7 * i + 3, line)
    lines.insert(len(lines) // 2, duplicate_key_red_flag().encode())
    lines.append(json.dumps(BASELINE).encode())  # the last line ends without a newline
    path.write_bytes(b"\n".join(lines))
    return path


def batch_records(path: Path) -> list[dict[str, Any]]:
    done = invoke(["batch", str(path)])
    assert done.returncode == 2, done.stderr  # some lines are invalid
    return [json.loads(line) for line in done.stdout.splitlines()]


def check_the_red_flag(records: list[dict[str, Any]], book: Rulebook, path: Path) -> None:
    line = duplicate_key_red_flag()
    number = path.read_bytes().split(b"\n").index(line.encode()) + 1
    assert records[number - 1]["line"] == number
    assert records[number - 1]["error"]["code"] == "invalid_answers"
    assert "given more than once" in records[number - 1]["error"]["message"]
    # What the old recipe did: json.loads keeps the last "no", and the red flag is gone.
    assert screen(json.loads(line), book).disposition == "technique"


@pytest.mark.slow
def test_the_dask_recipe_equals_batch_with_the_process_scheduler(
    tmp_path: Path, book: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("dask.bag", reason="dask[bag] is in the test extra")
    monkeypatch.syspath_prepend(str(RECIPES))
    # The worker processes import the recipe module by name, as they would a user's own module.
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(RECIPES), os.environ.get("PYTHONPATH", "")])
    )
    import dask_screen  # type: ignore[import-not-found]

    path = intake(tmp_path / "intake.jsonl")
    bag = dask_screen.screen_file(str(path), blocksize=4096)
    assert bag.npartitions >= 4
    records = bag.compute(scheduler="processes", num_workers=2)
    expected = batch_records(path)
    assert len(expected) == path.read_bytes().count(b"\n") + 1
    assert records == expected  # record for record, line numbers included
    check_the_red_flag(records, book, path)


def test_the_dask_recipe_splits_lines_as_batch_does() -> None:
    pytest.importorskip("dask.bag", reason="dask[bag] is in the test extra")
    sys.path.insert(0, str(RECIPES))
    try:
        import dask_screen
    finally:
        sys.path.remove(str(RECIPES))
    assert dask_screen.split_lines(b"") == []
    assert dask_screen.split_lines(b"\n") == [b""]
    assert dask_screen.split_lines(b"a\n\nb") == [b"a", b"", b"b"]
    assert dask_screen.split_lines(b"a\rb\n") == [b"a\rb"]
    records = dask_screen.screen_block(b"\n" + json.dumps(BASELINE).encode() + b"\n", 10)
    assert [r["line"] for r in records] == [10, 11]
    assert records[0]["error"]["code"] == "invalid_answers"
    assert records[1]["outcome"] == "reverse_whiplash"


def spark_missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (it is not in the test extra: about 450 MB)"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime for Spark"
    return None


@pytest.mark.slow
@pytest.mark.skipif(spark_missing() is not None, reason=str(spark_missing()))
def test_the_spark_recipe_equals_batch(
    tmp_path: Path, book: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(RECIPES))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(RECIPES), os.environ.get("PYTHONPATH", "")])
    )
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    monkeypatch.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
    import spark_screen  # type: ignore[import-not-found]
    from pyspark.sql import SparkSession

    path = intake(tmp_path / "intake.jsonl")
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("neckcheck-recipe-test")
        .config("spark.sql.files.maxPartitionBytes", "8192")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    try:
        rdd = spark_screen.screen_file(str(path), spark)
        assert rdd.getNumPartitions() >= 3
        records = rdd.collect()
    finally:
        spark.stop()
    expected = batch_records(path)
    # Spark decodes lines as UTF-8 text (see the recipe): the one line of bytes that are not
    # UTF-8 is the only one allowed to differ, and it must still be an error.
    bad = next(i for i, r in enumerate(expected) if "UTF-8" in json.dumps(r))
    assert "error" in records[bad]
    assert records[:bad] + records[bad + 1 :] == expected[:bad] + expected[bad + 1 :]
    check_the_red_flag(records, book, path)
