"""Load a YAML input file into plain data, keeping the line and column of every value.

The file is only *composed* (parsed into nodes), never constructed by a general constructor:
every node is converted here, so tags such as ``!!python/object`` are refused before anything
could act on them, duplicate keys are caught with both lines, and positions are kept per path.

The limits on input (docs/guarantees.md, "Limits on input") are checked as early as each can be:
the kind and size of the file before it is read, depth, values and list length while the YAML is
composed (before a large structure exists), and every text as it is converted: characters that a
DOCX cannot hold are errors, bidirectional controls are warnings, and no text is longer than
``MAX_TEXT_CHARS`` (``MAX_TOTAL_CHARS`` for all of them), so that what ``validate`` accepts
``build`` can render in full.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from coopdocs import diagnostics
from coopdocs.diagnostics import Diagnostic, Word, YamlProblem

PathT = tuple[str | int, ...]
Position = tuple[int, int]
MAX_FILE_BYTES = 1 << 20  # 1 MiB: a cooperative's description is a few kilobytes
MAX_DEPTH = 50  # the input format is at most 7 levels deep
MAX_VALUES = 50_000  # values and keys, counted after aliases are expanded
MAX_LIST_ITEMS = 1_000
MAX_TEXT_CHARS = 10_000  # one text (the longest clause of any document is under 1 000)
MAX_TOTAL_CHARS = 1_000_000  # all texts together, after aliases are expanded

# XML 1.0 (and so a DOCX) cannot hold these: C0 controls other than tab, LF and CR, the
# non-characters U+FFFE and U+FFFF, and lone surrogates (a double-quoted "\ud800").
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Embeddings, overrides and isolates reorder the text that follows them on screen and in print
# ("Trojan Source", CVE-2021-42574). The marks U+200E, U+200F and U+061C are not reported: they
# only set the direction of the characters next to them.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

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
        super().__init__(diag.rule)
        self.diag = diag


class _Limit(Exception):
    """A limit on input that the composer hit: the message id, where, and its values."""

    def __init__(self, rule: str, mark: Any, **values: Any) -> None:
        super().__init__(rule)
        self.rule = rule
        self.position: Position = (mark.line + 1, mark.column + 1)
        self.values = values


class _LimitedComposer(Composer):
    """ruamel's composer, refusing a file as soon as it is nested too deep, has too many nodes or
    too long a list: before a large tree is built (and before deep nesting exhausts the stack)."""

    nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        mark = self.parser.peek_event().start_mark
        self.nodes += 1
        if self.nodes > MAX_VALUES:
            raise _Limit("yaml/too-large", mark, limit=MAX_VALUES)
        if self.depth >= MAX_DEPTH:
            raise _Limit("yaml/too-deep", mark, limit=MAX_DEPTH)
        if isinstance(parent, SequenceNode) and index >= MAX_LIST_ITEMS:
            raise _Limit("yaml/list-too-long", mark, limit=MAX_LIST_ITEMS)
        return super().compose_node(parent, index)


def _pos(node: Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, file: str, constructor: SafeConstructor) -> None:
        self.file = file
        self.positions = Positions()
        self.count = 0
        self.chars = 0
        self.constructor = constructor
        self.diagnostics: list[Diagnostic] = []

    def refuse(self, rule: str, node: Node, path: PathT, **values: Any) -> _Refused:
        if "tag" in values:
            values["tag"] = str(values["tag"]).replace("tag:yaml.org,2002:", "!!")
        return _Refused(
            diagnostics.make(rule, path=path, position=_pos(node), file=self.file, **values)
        )

    def build(self, node: Node, path: PathT) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise self.refuse("yaml/too-large", node, path, limit=MAX_VALUES)
        if len(path) >= MAX_DEPTH:  # aliases can nest deeper than the file's own text (even in a loop)
            raise self.refuse("yaml/too-deep", node, path, limit=MAX_DEPTH)
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
        if isinstance(value, str):
            self.check_text(value, node, path)
        return value

    def check_text(self, text: str, node: Node, path: PathT) -> None:
        """The limits on one text: length, characters a DOCX cannot hold, bidirectional controls."""
        self.chars += len(text)
        if self.chars > MAX_TOTAL_CHARS:
            raise self.refuse("text/too-much", node, path, limit=f"{MAX_TOTAL_CHARS:,}".replace(",", " "))
        if path and path[-1] == "<key>":
            path = path[:-1]
        where: dict[str, Any] = dict(path=path, position=_pos(node), file=self.file)
        if len(text) > MAX_TEXT_CHARS:
            limit = f"{MAX_TEXT_CHARS:,}".replace(",", " ")
            self.diagnostics.append(diagnostics.make("text/too-long", length=len(text), limit=limit, **where))
        for rule, pattern in (("text/control", _XML_FORBIDDEN), ("text/bidi", _BIDI_CONTROLS)):
            found = pattern.search(text)
            if found is not None:
                char = found.group()
                self.diagnostics.append(
                    diagnostics.make(
                        rule,
                        code=f"U+{ord(char):04X}",
                        name=unicodedata.name(char, "").lower() or "control",
                        offset=found.start() + 1,
                        count=len(pattern.findall(text)),
                        **where,
                    )
                )

    def mapping(self, node: MappingNode, path: PathT) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        first: dict[Any, Position] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                problem = YamlProblem("a key must be plain text")
                raise self.refuse("yaml/syntax", key_node, path, problem=problem)
            key = str(self.build(key_node, (*path, "<key>")))
            if key in first:
                self.diagnostics.append(
                    diagnostics.make(
                        "yaml/duplicate-key",
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


def load_text(text: str, file: str = "<input>") -> Loaded:
    """Parse YAML text into plain data with positions, or into diagnostics."""
    empty = Positions()
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)
    yaml.Composer = _LimitedComposer
    try:
        root = yaml.compose(text)
    except _Limit as limit:
        diag = diagnostics.make(limit.rule, position=limit.position, file=file, **limit.values)
        return Loaded(file, None, empty, [diag], text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = (mark.line + 1, mark.column + 1) if mark is not None else None
        said = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        diag = diagnostics.make("yaml/syntax", position=position, file=file, problem=YamlProblem(said))
        return Loaded(file, None, empty, [diag], text)
    except YAMLError as exc:
        problem = YamlProblem(str(exc).strip() or "invalid YAML")
        diag = diagnostics.make("yaml/syntax", file=file, problem=problem)
        return Loaded(file, None, empty, [diag], text)
    if root is None or (isinstance(root, ScalarNode) and root.tag == "tag:yaml.org,2002:null" and not root.value):
        return Loaded(file, None, empty, [diagnostics.make("yaml/empty", file=file)], text)
    builder = _Builder(file, yaml.constructor)
    try:
        data = builder.build(root, ())
    except _Refused as refused:
        return Loaded(file, None, empty, [*builder.diagnostics, refused.diag], text)
    if not isinstance(data, dict):
        kind = Word("list") if isinstance(data, list) else _scalar_kind(data)
        diag = diagnostics.make("yaml/not-mapping", position=_pos(root), file=file, kind=kind)
        return Loaded(file, None, builder.positions, [diag], text)
    return Loaded(file, data, builder.positions, builder.diagnostics, text)


def _scalar_kind(value: Any) -> Word:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", dt.date: "date"}
    kind = next((word for kind, word in names.items() if isinstance(value, kind)), "string")
    return Word("a_value", (("kind", Word(kind)),))


_KINDS = (
    (stat.S_ISDIR, "a_directory"),
    (stat.S_ISFIFO, "a_pipe"),
    (stat.S_ISCHR, "a_device"),
    (stat.S_ISBLK, "a_device"),
    (stat.S_ISSOCK, "a_socket"),
)


class _NotReadable(Exception):
    def __init__(self, rule: str, **values: Any) -> None:
        super().__init__(rule)
        self.rule = rule
        self.values = values


def _refuse_special(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = next((key for test, key in _KINDS if test(mode)), "a_special_file")
        raise _NotReadable("input/not-a-file", kind=Word(kind))


def _read_limited(path: str | Path) -> bytes:
    """The bytes of a regular file of at most ``MAX_FILE_BYTES``.

    A pipe, a device, a socket or a directory is refused from ``stat`` before it is opened (a pipe
    with no writer would block ``open``, ``/dev/zero`` never ends); the file is opened non-blocking
    and checked again in case it was replaced in between, and never read past the limit."""
    _refuse_special(os.stat(path).st_mode)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        _refuse_special(info.st_mode)
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES or info.st_size > MAX_FILE_BYTES:
        size = max(len(raw), info.st_size)
        raise _NotReadable("input/too-large", size=f"{size:,}".replace(",", " "), limit=MAX_FILE_BYTES // 1024)
    return raw


def load_file(path: str | Path) -> Loaded:
    """Read a file as UTF-8 and parse it; unreadable, special, too large or non-UTF-8 files become
    diagnostics."""
    name = str(path)
    try:
        raw = _read_limited(path)
    except _NotReadable as refused:
        diag = diagnostics.make(refused.rule, file=name, **refused.values)
        return Loaded(name, None, Positions(), [diag])
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return Loaded(
            name,
            None,
            Positions(),
            [diagnostics.make("input/unreadable", file=name, reason=reason)],
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        diag = diagnostics.make("yaml/encoding", position=(line, column), file=name, offset=exc.start + 1)
        return Loaded(name, None, Positions(), [diag])
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return Loaded(name, None, Positions(), [diagnostics.make("yaml/empty", file=name)], text)
    return load_text(text, name)
