"""No telemetry: the answers neckcheck validates are seen by nothing installed beside it. A
pydantic plugin (any package with a `pydantic` entry point) is handed every value a validator
checks; the command line turns plugins off with pydantic's documented switch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.cli import process
from tests.spec import BASELINE

# A plugin that, when pydantic loads it, writes a file; and writes every value it is shown.
PLUGIN = """
import os
from pathlib import Path

SEEN = Path(os.environ["SPY_FILE"])
SEEN.write_text("loaded\\n")


class _Handler:
    def on_enter(self, value, *args, **kwargs):
        with SEEN.open("a") as out:
            out.write(repr(value) + "\\n")


class _Plugin:
    def new_schema_validator(self, *args, **kwargs):
        return _Handler(), None, None


plugin = _Plugin()
"""


def install_spy(folder: Path) -> None:
    """A package `spyplugin` with a `pydantic` entry point, found on PYTHONPATH."""
    (folder / "spyplugin.py").write_text(PLUGIN, encoding="utf-8")
    info = folder / "spyplugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: spyplugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pydantic]\nspy = spyplugin:plugin\n")


def test_no_pydantic_plugin_sees_the_answers(tmp_path: Path) -> None:
    install_spy(tmp_path)
    seen = tmp_path / "seen.txt"
    env = {"PYTHONPATH": str(tmp_path), "SPY_FILE": str(seen)}
    base = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}

    # The spy works: a program that validates with pydantic, in the same environment, feeds it.
    validate = "from pydantic import TypeAdapter; TypeAdapter(int).validate_python(7)"
    control = subprocess.run([sys.executable, "-c", validate], env={**base, **env},
                             capture_output=True, check=False, timeout=60)  # fmt: skip
    assert control.returncode == 0, control.stderr
    assert seen.read_text().splitlines() == ["loaded", "7"]
    seen.unlink()

    answers = json.dumps(BASELINE | {"chest_symptoms": "yes"})
    for args, code in ((["screen", "--json"], 5), (["batch"], 0)):
        done = process(args, answers, env=env)
        assert done.returncode == code, done.stderr
        assert json.loads(done.stdout)["disposition"] == "emergency"
        assert not seen.exists(), f"{args}: a pydantic plugin saw {seen.read_text()!r}"
