"""Read a YAML file that someone else wrote, without letting it take the machine.

PyYAML's safe loader runs no code, but it still expands aliases: a 1.4 KB scenario.yaml of nested aliases
("billion laughs") stands for billions of values, and whatever walks the parsed settings (validation,
messages, a copy) then grows past several gigabytes. Here a file is parsed only when it is at most
MAX_BYTES long and its values, counted with every alias expanded, number at most MAX_VALUES; an alias that
refers to the value it sits in is refused too. A refusal is a `YamlRefused` naming the line.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_BYTES = 1_000_000
MAX_VALUES = 100_000


class YamlRefused(yaml.YAMLError):
    """A YAML file too large, or too large once its aliases are expanded. `line` is 1-based (or None),
    `message` and `fix` are plain sentences."""

    def __init__(self, line: int | None, message: str, fix: str):
        super().__init__(message)
        self.line, self.message, self.fix = line, message, fix


def _expanded_size(root: Node) -> int:
    """How many values the document stands for with every alias expanded; stops counting past MAX_VALUES.
    Each node is measured once (aliases share nodes), so this costs time in proportion to the file."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise YamlRefused(node.start_mark.line + 1, "an alias here refers to the value it is part of",
                              "write the value out in full instead of the alias (*name)")
        open_nodes.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            children = node.value
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > MAX_VALUES:
                raise YamlRefused(node.start_mark.line + 1,
                                  f"this value stands for more than {MAX_VALUES:,} values (aliases *name "
                                  "counted in full)", "write the settings out without nested aliases")
        open_nodes.discard(key)
        sizes[key] = total
        return total

    return size(root)


def parse_yaml(text: str) -> tuple[Node | None, object]:
    """The document's node tree (for line numbers) and its Python value, as `yaml.compose` and
    `yaml.safe_load` give them (no tags that run code), within the limits above. Raises YamlRefused for a
    file beyond them, yaml.YAMLError for a malformed one."""
    if len(text) > MAX_BYTES:
        raise YamlRefused(None, f"is {len(text) / 1e6:.1f} MB; a settings file is at most {MAX_BYTES / 1e6:.0f} MB",
                          "keep only the settings in it (tables belong in the CSV files)")
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        _expanded_size(root)
        return root, loader.construct_document(root)
    except RecursionError:
        raise YamlRefused(None, "is nested too deeply to be settings", "write the settings out flat, as in "
                                                                        "scenarios/tutorial/scenario.yaml") from None
    finally:
        loader.dispose()


def read_yaml_file(path: str | Path) -> tuple[Node | None, object]:
    """`parse_yaml` of a UTF-8 file (node tree and value), refusing one over MAX_BYTES before reading it.
    Raises OSError (a missing or unreadable file), UnicodeDecodeError, YamlRefused or yaml.YAMLError."""
    path = Path(path)
    if path.stat().st_size > MAX_BYTES:
        raise YamlRefused(None, f"is {path.stat().st_size / 1e6:.1f} MB; a settings file is at most "
                                f"{MAX_BYTES / 1e6:.0f} MB", "keep only the settings in it")
    return parse_yaml(path.read_text(encoding="utf-8-sig"))


def load_yaml_file(path: str | Path) -> object:
    """The value of a YAML file, as `read_yaml_file` reads it."""
    return read_yaml_file(path)[1]
