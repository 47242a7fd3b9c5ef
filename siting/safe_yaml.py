"""YAML read safely: no Python objects, bounded alias expansion, duplicate keys refused.

Configurations and rule catalogues are shared files. ``yaml.safe_load`` already refuses
``!!python/...`` tags, but it keeps the last of two equal keys silently (a ``threshold``
written twice changes a verdict unseen) and lets a 400-byte "billion laughs" document
expand to a structure whose size is exponential in its length. :func:`load_yaml` refuses
both, and tells an encoding other than UTF-8 (GBK from a Chinese Windows editor) by name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import SitingError

#: Most nodes a document may hold once its aliases are expanded (a large config has ~10³).
MAX_EXPANDED_NODES = 100_000


class YamlError(SitingError):
    """A YAML file cannot be read: not UTF-8, invalid YAML, duplicate keys, alias bomb."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader refusing duplicate mapping keys."""

    file_name = "yaml"

    def construct_mapping(self, node, deep=False):  # PyYAML's signature
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                continue  # PyYAML itself reports unhashable keys
            line = key_node.start_mark.line + 1
            if key in seen and key != "<<":
                raise YamlError(
                    f"{self.file_name}: {key}", key,
                    f"the key is given twice (lines {seen[key]} and {line}); the second would "
                    "silently replace the first",
                    "keep one of them")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _expanded_size(node: yaml.Node, limit: int) -> int:
    """Nodes in the document with every alias expanded, counted once per distinct node."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        if id(current) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(current, yaml.SequenceNode):
            children = list(current.value)
        elif isinstance(current, yaml.MappingNode):
            children = [n for pair in current.value for n in pair]
        if children_done or not children:
            total = 1 + sum(sizes.get(id(c), 0) for c in children)
            sizes[id(current)] = total
            if total > limit:
                return total
            continue
        stack.append((current, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(node)]


def load_yaml_text(text: str, name: str = "yaml") -> Any:
    """Parse YAML ``text`` safely (see the module notes); ``name`` is used in errors.

    Parameters
    ----------
    text
        The document.
    name
        File name shown in error messages.

    Returns
    -------
    object
        The parsed document (``None`` for an empty one).

    Raises
    ------
    YamlError
        Invalid YAML (with line and column), a key given twice, or aliases expanding to more
        than :data:`MAX_EXPANDED_NODES` nodes.

    Examples
    --------
    >>> load_yaml_text("rules: [GB50180-KG]")
    {'rules': ['GB50180-KG']}
    """
    loader = _StrictLoader(text)
    loader.file_name = name
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size = _expanded_size(node, MAX_EXPANDED_NODES)
        if size > MAX_EXPANDED_NODES:
            raise YamlError(name, f"more than {MAX_EXPANDED_NODES:,} nodes",
                            "its aliases (&anchor / *alias) expand to a huge document "
                            "(an alias bomb)", "write the values out instead of nesting aliases")
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise YamlError(name, None, f"not valid YAML{where}: {getattr(exc, 'problem', exc)}",
                        "fix the indentation or quoting there") from exc
    finally:
        loader.dispose()


def load_yaml(path: str | Path) -> Any:
    """Read a YAML file safely: UTF-8 (with or without BOM) only, see :func:`load_yaml_text`.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    object
        The parsed document.

    Raises
    ------
    YamlError
        Not a file, not UTF-8 (GBK and GB18030 are recognised and named), or
        :func:`load_yaml_text` refuses it.

    Examples
    --------
    >>> load_yaml("examples/town.yaml")["title"]  # doctest: +SKIP
    'Example town'
    """
    path = Path(path)
    if path.is_dir():
        raise YamlError("config", str(path), "is a folder, not a file",
                        "give the path of the .yaml file inside it")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise YamlError("config", str(path), f"cannot be read ({exc.strerror})",
                        "check the path and its permissions") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        guess = ""
        try:
            data.decode("gb18030")
            guess = " (it reads as GBK/GB18030, as Chinese Windows editors save)"
        except UnicodeDecodeError:
            pass
        raise YamlError(path.name, f"byte {exc.start}", f"the file is not UTF-8{guess}",
                        "save it as UTF-8 (in Notepad: Save as → Encoding: UTF-8)") from None
    return load_yaml_text(text, path.name)


__all__ = ["MAX_EXPANDED_NODES", "YamlError", "load_yaml", "load_yaml_text"]
