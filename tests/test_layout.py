"""The layout shows the design (docs/code-layout.md draws it): layers, each importing only from
itself and the layers below it, and no module importing another that imports it back, however
indirectly. Imports inside functions and under TYPE_CHECKING count too: a layer broken there is
still broken.

    core       -> core
    rulebook   -> core, rulebook
    formats    -> core, rulebook, formats
    authoring  -> core, rulebook, formats, authoring
    api        -> any layer but cli (neckcheck.api, and `neckcheck` itself, which re-exports it)
    cli        -> anything
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import neckcheck

SOURCE = Path(neckcheck.__file__).parent
SUBPACKAGES = ("core", "rulebook", "authoring", "formats", "cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(SOURCE.rglob("*.py"))}


def imports_in(tree: ast.AST, name: str, is_package: bool) -> set[str]:
    """The neckcheck modules a module's syntax tree imports, anywhere in it."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            # `from package import module` names a module; `from module import name` does not
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]  # fmt: skip
        else:
            continue
        found |= {t for t in targets if t in MODULES and t != name}
    return found


def imported_by(name: str) -> set[str]:
    """The neckcheck modules this module imports, anywhere in it."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    return imports_in(tree, name, MODULES[name].name == "__init__.py")


GRAPH = {name: imported_by(name) for name in MODULES}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_imports(name: str) -> None:
    if name.endswith("__main__"):
        return
    importlib.import_module(name)


def test_the_public_api_stays_where_it_was() -> None:
    for name in neckcheck.__all__:
        assert getattr(neckcheck, name) is not None, name


BELOW_CLI = {"core", "rulebook", "formats", "authoring", "api"}
MAY_IMPORT = {
    "core": {"core"},
    "rulebook": {"core", "rulebook"},
    "formats": {"core", "rulebook", "formats"},
    "authoring": {"core", "rulebook", "formats", "authoring"},
    "api": BELOW_CLI,
    "cli": {*BELOW_CLI, "cli"},
    "main": {"cli"},
}


def layer(name: str) -> str:
    if name in ("neckcheck", "neckcheck.api"):
        return "api"
    if name == "neckcheck.__main__":
        return "main"
    return name.split(".")[1]


def breaches(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Every import of a module from a layer its own layer may not import."""
    return {
        (name, target)
        for name, targets in graph.items()
        for target in targets
        if layer(target) not in MAY_IMPORT[layer(name)]
    }


def test_every_module_is_in_a_layer() -> None:
    assert {layer(name) for name in MODULES} == set(MAY_IMPORT)


@pytest.mark.parametrize("own", sorted(MAY_IMPORT))
def test_each_layer_imports_only_itself_and_the_layers_below(own: str) -> None:
    assert {(n, t) for n, t in breaches(GRAPH) if layer(n) == own} == set()


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("neckcheck.core.engine", "def f():\n    from neckcheck.rulebook import load\n"),
        ("neckcheck.rulebook.rulecheck", "if TYPE_CHECKING:\n    import neckcheck.authoring\n"),
        ("neckcheck.formats.report", "from neckcheck.cli.edge import safe_text\n"),
        ("neckcheck.authoring.verify", "def f():\n    import neckcheck.cli.edge\n"),
        ("neckcheck.api", "from neckcheck.cli import batch\n"),
        ("neckcheck.rulebook.load", "from neckcheck import screen\n"),
        ("neckcheck.formats.documents", "from ..authoring import verify\n"),
    ],
)  # fmt: skip
def test_the_layer_check_sees_an_import_wherever_it_is(module: str, source: str) -> None:
    # The guard itself: a breach hidden in a function, under TYPE_CHECKING, relative or through
    # the package's re-exports is found.
    found = imports_in(ast.parse(source), module, is_package=False)
    assert breaches({module: found}) != set()


def test_there_is_no_import_cycle_between_modules() -> None:
    # Every module whose package __init__ re-exports nothing is a plain node; a depth-first
    # search finds any cycle and names it.
    state: dict[str, int] = {}
    path: list[str] = []
    cycles: list[list[str]] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for target in sorted(GRAPH[name]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)
    assert cycles == []


def test_every_module_lives_in_a_subpackage() -> None:
    packages = {f"neckcheck.{name}" for name in SUBPACKAGES}
    top = {name for name in MODULES if name.count(".") == 1} - packages
    assert top == {"neckcheck.__main__", "neckcheck.api"}, top
    assert packages <= set(MODULES)
    assert "neckcheck.rules" not in MODULES  # the wheel puts the rule data there
