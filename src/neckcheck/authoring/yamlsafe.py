"""A YAML reader for rule files: safe types only, no aliases, no duplicate keys, line numbers.

- Built on yaml.SafeLoader, so no tag can construct a Python object or run code.
- Anchors and aliases are refused: rules never need them, and they are how a "billion laughs"
  file blows up memory.
- A key given twice in one mapping is an error: a later entry must not silently replace one.
- yes/no/on/off stay strings (YAML 1.2 booleans are only true/false), because "yes" and "no" are
  answer values in the rules and must never turn into booleans.
- Mappings come back as LineDict, which remembers the line of the mapping and of each key so that
  error messages can point at them.
- Files are read by `rulefiles.read_rule_file`: regular files only, 1 MiB at most, never a hang
  on a FIFO or a device.
- An error message says file:line: what kind of problem, and never echoes the file's content
  (a rule file may be a symbolic link to any file): PyYAML's snippets of the text are left out,
  and so is any quoted text in its messages but a token name or a punctuation mark.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from neckcheck.core.conditions import kind_of
from neckcheck.core.errors import MissingExtraError, RulesError
from neckcheck.rulebook.rulefiles import read_rule_file

try:  # PyYAML comes with the `rules` extra: screening with the shipped rules never reads YAML
    import yaml
    from yaml.nodes import MappingNode, Node
except ImportError:
    raise MissingExtraError("yaml") from None


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
                None, None, f"keys must be text, found {kind_of(key)}", key_node.start_mark
            )
        if key in data:
            raise yaml.constructor.ConstructorError(
                None, None, "a key is given twice in one mapping", key_node.start_mark
            )
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_node.start_mark.line + 1
    return data


_RulesLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


# Quoted text in a PyYAML message: kept only when it is a token name ('<block end>') or a single
# punctuation mark (':'), dropped otherwise (a tag, an anchor, a letter of the file's text).
_QUOTED = re.compile(r"""\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")
_SAFE_QUOTED = re.compile(r"""^['"](<[a-z ]+>|[^\w\s]|\\t)['"]$""")


def _without_content(message: str) -> str:
    if message.startswith("failed to "):  # base64 of !!binary: the decoder's own words follow
        return message.split(":", 1)[0]

    def keep(match: re.Match[str]) -> str:
        quoted = match.group(1)
        return match.group(0) if _SAFE_QUOTED.match(quoted) else ""

    return _QUOTED.sub(keep, message).strip() or "not valid YAML"


def _line_at(text: str, index: int) -> int:
    return text.count("\n", 0, max(0, index)) + 1


def load_yaml(path: Path) -> Any:
    """Read one rule file; any problem becomes a RulesError naming the file, the line where
    known, and the kind of problem (never the file's content)."""
    data = read_rule_file(str(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RulesError([f"{path}:{line}: cannot be read: not UTF-8 text"]) from None
    try:
        return yaml.load(text, Loader=_RulesLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = _without_content(exc.problem or exc.context or "not valid YAML")
        raise RulesError([f"{where}: {problem}"]) from None
    except yaml.reader.ReaderError as exc:
        where = f"{path}:{_line_at(text, exc.position)}"
        raise RulesError([f"{where}: a control character that YAML does not allow"]) from None
    except yaml.YAMLError:
        raise RulesError([f"{path}: not valid YAML"]) from None
    except RecursionError:
        raise RulesError([f"{path}: nested too deeply"]) from None
    except Exception:  # e.g. `!!int text`, an impossible date: PyYAML lets ValueError through
        raise RulesError(
            [f"{path}: a value cannot be read (a tag such as !!int on the wrong kind of value, "
             "or an impossible date?)"]
        ) from None  # fmt: skip
