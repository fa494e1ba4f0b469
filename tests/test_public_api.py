"""`neckcheck.__all__` is exactly the public API: the names of the one API module, neckcheck.api,
plus __version__, each resolving to that module's object, and the names mypy sees (the
TYPE_CHECKING imports) are the same ones from the same module."""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest

import neckcheck
from tests.conftest import REPO


def test_all_is_exactly_the_lazy_exports() -> None:
    exports = neckcheck._API
    assert sorted(neckcheck.__all__) == sorted([*exports, "__version__"])
    assert len(set(neckcheck.__all__)) == len(neckcheck.__all__)
    api = importlib.import_module("neckcheck.api")
    for name in exports:
        assert getattr(neckcheck, name) is getattr(api, name)


def test_the_api_lives_in_one_module() -> None:
    api = importlib.import_module("neckcheck.api")
    assert sorted(api.__all__) == sorted(neckcheck._API)
    # The functions a caller calls are written there; the records and errors are the core's own.
    for name in ("load_rulebook", "screen", "screen_many", "screen_lines"):
        assert getattr(api, name).__module__ == "neckcheck.api", name


def test_the_errors_a_caller_must_catch_are_public() -> None:
    from neckcheck.core import errors

    public = {n for n, v in vars(errors).items() if inspect.isclass(v)}
    public = {n for n in public if issubclass(getattr(errors, n), errors.NeckcheckError)}
    command_line_only = {"UsageProblem"}  # raised by the command line, never by the API
    assert public - command_line_only - set(neckcheck.__all__) == set()


def test_type_checkers_see_the_same_names() -> None:
    tree = ast.parse((REPO / "src" / "neckcheck" / "__init__.py").read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
    )
    seen = {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert seen == dict.fromkeys(neckcheck._API, "neckcheck.api")


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        neckcheck.no_such_name  # type: ignore[attr-defined]  # noqa: B018
