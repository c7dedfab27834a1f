"""Load a YAML input file into plain data, keeping the line and column of every value.

The file is only *composed* (parsed into nodes), never constructed by a general constructor:
every node is converted here, so tags such as ``!!python/object`` are refused before anything
could act on them, duplicate keys are caught with both lines, and positions are kept per path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from coopdocs import diagnostics
from coopdocs.diagnostics import Diagnostic

PathT = tuple[str | int, ...]
Position = tuple[int, int]
MAX_VALUES = 100_000

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


@dataclass(frozen=True)
class Positions:
    """Where each value (and each mapping key) of a document stands, 1-based."""

    values: dict[PathT, Position] = field(default_factory=dict)
    keys: dict[PathT, Position] = field(default_factory=dict)

    def of(self, path: PathT) -> Position | None:
        """The position of the value at ``path``, or of its nearest existing ancestor."""
        probe = tuple(path)
        while True:
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return None
            probe = probe[:-1]

    def of_key(self, path: PathT) -> Position | None:
        return self.keys.get(tuple(path)) or self.of(path)


@dataclass(frozen=True)
class Loaded:
    file: str
    data: dict[str, Any] | None
    positions: Positions
    diagnostics: list[Diagnostic]
    text: str = ""


class _Refused(Exception):
    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag


def _pos(node: Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, file: str, lang: str, constructor: SafeConstructor) -> None:
        self.file = file
        self.lang = lang
        self.positions = Positions()
        self.count = 0
        self.constructor = constructor
        self.diagnostics: list[Diagnostic] = []

    def refuse(self, rule: str, node: Node, path: PathT, **values: Any) -> _Refused:
        if "tag" in values:
            values["tag"] = str(values["tag"]).replace("tag:yaml.org,2002:", "!!")
        return _Refused(
            diagnostics.make(rule, lang=self.lang, path=path, position=_pos(node), file=self.file, **values)
        )

    def build(self, node: Node, path: PathT) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise self.refuse("yaml/too-large", node, path, limit=MAX_VALUES)
        self.positions.values.setdefault(path, _pos(node))
        if isinstance(node, MappingNode):
            if node.tag != _MAP_TAG:
                raise self.refuse("yaml/tag", node, path, tag=node.tag)
            return self.mapping(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ_TAG:
                raise self.refuse("yaml/tag", node, path, tag=node.tag)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        if node.tag == "tag:yaml.org,2002:merge":
            raise self.refuse("yaml/merge", node, path[:-1])
        if node.tag not in _PLAIN_TAGS:
            raise self.refuse("yaml/tag", node, path, tag=node.tag)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, TypeError, OverflowError, YAMLError) as exc:
            if node.tag == "tag:yaml.org,2002:timestamp":
                raise self.refuse("yaml/date", node, path, value=node.value, detail=str(exc)) from exc
            raise self.refuse("yaml/syntax", node, path, problem=f"{node.value!r}: {exc}") from exc
        if isinstance(value, dt.datetime) and value.time() == dt.time(0) and value.tzinfo is None:
            value = value.date()
        return value

    def mapping(self, node: MappingNode, path: PathT) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        first: dict[Any, Position] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise self.refuse("yaml/syntax", key_node, path, problem="a key must be plain text")
            key = str(self.build(key_node, (*path, "<key>")))
            if key in first:
                self.diagnostics.append(
                    diagnostics.make(
                        "yaml/duplicate-key",
                        lang=self.lang,
                        path=(*path, key),
                        position=_pos(key_node),
                        file=self.file,
                        key=key,
                        first_line=first[key][0],
                    )
                )
                continue
            first[key] = _pos(key_node)
            self.positions.keys[(*path, key)] = _pos(key_node)
            out[key] = self.build(value_node, (*path, key))
        return out


def load_text(text: str, file: str = "<input>", lang: str = "en") -> Loaded:
    """Parse YAML text into plain data with positions, or into diagnostics."""
    empty = Positions()
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = (mark.line + 1, mark.column + 1) if mark is not None else None
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        diag = diagnostics.make("yaml/syntax", lang=lang, position=position, file=file, problem=problem)
        return Loaded(file, None, empty, [diag], text)
    except YAMLError as exc:
        diag = diagnostics.make("yaml/syntax", lang=lang, file=file, problem=str(exc).strip() or "invalid YAML")
        return Loaded(file, None, empty, [diag], text)
    if root is None or (isinstance(root, ScalarNode) and root.tag == "tag:yaml.org,2002:null" and not root.value):
        return Loaded(file, None, empty, [diagnostics.make("yaml/empty", lang=lang, file=file)], text)
    builder = _Builder(file, lang, yaml.constructor)
    try:
        data = builder.build(root, ())
    except _Refused as refused:
        return Loaded(file, None, empty, [*builder.diagnostics, refused.diag], text)
    if not isinstance(data, dict):
        kind = diagnostics.word("list", lang) if isinstance(data, list) else _scalar_kind(data, lang)
        diag = diagnostics.make("yaml/not-mapping", lang=lang, position=_pos(root), file=file, kind=kind)
        return Loaded(file, None, builder.positions, [diag], text)
    return Loaded(file, data, builder.positions, builder.diagnostics, text)


def _scalar_kind(value: Any, lang: str) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", dt.date: "date"}
    kind = next((word for kind, word in names.items() if isinstance(value, kind)), "string")
    return diagnostics.word("a_value", lang).format(kind=diagnostics.word(kind, lang))


def load_file(path: str | Path, lang: str = "en") -> Loaded:
    """Read a file as UTF-8 and parse it; unreadable or non-UTF-8 files become diagnostics."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return Loaded(
            name,
            None,
            Positions(),
            [diagnostics.make("input/unreadable", lang=lang, file=name, reason=reason)],
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        diag = diagnostics.make("yaml/encoding", lang=lang, position=(line, column), file=name, offset=exc.start + 1)
        return Loaded(name, None, Positions(), [diag])
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return Loaded(name, None, Positions(), [diagnostics.make("yaml/empty", lang=lang, file=name)], text)
    return load_text(text, name, lang)
