"""A YAML reader for rule files: safe types only, no aliases, no duplicate keys, line numbers.

- Built on yaml.SafeLoader, so no tag can construct a Python object or run code.
- Anchors and aliases are refused: rules never need them, and they are how a "billion laughs"
  file blows up memory.
- A key given twice in one mapping is an error: a later entry must not silently replace one.
- yes/no/on/off stay strings (YAML 1.2 booleans are only true/false), because "yes" and "no" are
  answer values in the rules and must never turn into booleans.
- Mappings come back as LineDict, which remembers the line of the mapping and of each key so that
  error messages can point at them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node

from neckcheck.errors import RulesError


class LineDict(dict[str, Any]):
    """A dict read from YAML, with the 1-based line of the mapping and of each of its keys."""

    line: int | None = None
    key_lines: dict[str, int]

    def line_of(self, key: object) -> int | None:
        lines = getattr(self, "key_lines", {})
        return lines.get(key, self.line) if isinstance(key, str) else self.line


class _RulesLoader(yaml.SafeLoader):
    pass


# Replace the YAML 1.1 boolean resolver (yes/no/on/off) with YAML 1.2's true/false only.
_RulesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_RulesLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _compose_node(self: _RulesLoader, parent: Node | None, index: object) -> Node:
    event = self.peek_event()  # type: ignore[no-untyped-call]
    if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
        raise yaml.composer.ComposerError(
            None, None, "anchors and aliases (&name, *name) are not allowed in rule files",
            event.start_mark,
        )  # fmt: skip
    node = yaml.composer.Composer.compose_node(self, parent, index)  # type: ignore[arg-type]
    assert node is not None  # only None at the end of the stream, which is handled above
    return node


_RulesLoader.compose_node = _compose_node  # type: ignore[method-assign,assignment]


def _construct_mapping(loader: _RulesLoader, node: MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise yaml.constructor.ConstructorError(
                None, None, f"keys must be text, found {key!r}", key_node.start_mark
            )
        if key in data:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is given twice in one mapping", key_node.start_mark
            )
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_node.start_mark.line + 1
    return data


_RulesLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def load_yaml(path: Path) -> Any:
    """Read one rule file; any problem becomes a RulesError naming the file and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesError([f"{path}: file is missing"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError([f"{path}: cannot be read: {exc}"]) from None
    try:
        return yaml.load(text, Loader=_RulesLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = exc.problem or exc.context or "not valid YAML"
        raise RulesError([f"{where}: {problem}"]) from None
    except yaml.YAMLError as exc:
        raise RulesError([f"{path}: not valid YAML: {exc}"]) from None
    except RecursionError:
        raise RulesError([f"{path}: nested too deeply"]) from None
