"""The layout shows the design: the functional core (`neckcheck.core`) imports nothing from the
other sub-packages, and no module imports another that imports it back, however indirectly
(imports inside functions and under TYPE_CHECKING count too: a cycle there is still a cycle of
the design)."""

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


def imported_by(name: str) -> set[str]:
    """The neckcheck modules this module imports, anywhere in it."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
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


GRAPH = {name: imported_by(name) for name in MODULES}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_imports(name: str) -> None:
    if name.endswith("__main__"):
        return
    importlib.import_module(name)


def test_the_public_api_stays_where_it_was() -> None:
    for name in neckcheck.__all__:
        assert getattr(neckcheck, name) is not None, name


def test_the_core_imports_nothing_from_the_other_subpackages() -> None:
    outside = {
        (name, target)
        for name, targets in GRAPH.items()
        if name.startswith("neckcheck.core.")
        for target in targets
        if not target.startswith("neckcheck.core")
    }
    assert outside == set()


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
    assert top == {"neckcheck.__main__"}, top
    assert packages <= set(MODULES)
    assert "neckcheck.rules" not in MODULES  # the wheel puts the rule data there
