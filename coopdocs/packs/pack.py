"""A rule pack: one jurisdiction and legal form (``kz/consumer_cooperative``) and every file it reads.

A pack's data lives under a data root: ``schemas/<jurisdiction>/<form>/`` (the legal definitions:
input contract, rules, citations, audit and pyramid-language data) and ``templates/`` (clause
libraries, layouts and wording under ``common/<jurisdiction>/<form>/``). coopdocs' own root ships
inside the wheel (``coopdocs/schemas``, ``coopdocs/templates``); in a source checkout it is the
repository's top level. Another installed distribution may ship a pack under its own root (entry
point group ``coopdocs.packs``).

Every file of a pack is read through one search path (``Pack.search_path``): the user's template
folders (most specific first), the pack's root, then coopdocs' root (shared layouts and messages).
Data files found at several places merge with one rule (``merge``: mappings key by key, the more
specific file winning; anything else is replaced whole). Each file read is recorded (``Pack.used``);
the manifest lists the user's files from that record.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML

from coopdocs.errors import CoopdocsError, PackError, TemplateError

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the coopdocs package
ENTRY_POINT_GROUP = "coopdocs.packs"
# The pack's legal definitions: what the law requires and what coopdocs checks. A user's template
# folder changes wording and layout, never these (``Pack.search_path`` looks for them only in the
# pack's own folder).
LEGAL_FILES = ("input.yaml", "rules.yaml", "citations.yaml", "audit.yaml", "pyramid-language.yaml", "pack.yaml")


def data_root() -> Path:
    """coopdocs' own folder that holds ``schemas/`` and ``templates/``."""
    if (PACKAGE_DIR / "schemas").is_dir():
        return PACKAGE_DIR
    return PACKAGE_DIR.parent


@cache
def read_yaml(path: Path) -> Any:
    """Read a trusted data file of the pack (safe loading, cached).

    The pack's own files are parsed with libyaml (PyYAML's C loader), about 14 times faster than
    the pure-Python parser; user input always goes through ruamel.yaml (YAML 1.2, positions). A
    test checks that both parsers read every pack file identically. The parsed value is kept in the
    user cache for the next process (``templatecache.parsed``, keyed by the file's exact bytes)."""
    from coopdocs.compose import templatecache

    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        parser = "libyaml" if _FAST_LOADER is not None else "ruamel-pure"
        known, value = templatecache.parsed(raw, parser)  # parsed by an earlier process
        if known:
            return value
        if _FAST_LOADER is not None:
            value = yaml.load(text, Loader=_FAST_LOADER)  # noqa: S506 - a safe loader
        else:
            value = YAML(typ="safe", pure=True).load(text)
        templatecache.remember_parsed(raw, parser, value)
        return value
    except (OSError, ValueError) as exc:
        raise PackError(f"cannot read pack data {path}: {exc}") from exc
    except Exception as exc:  # both parsers raise their own YAMLError subclasses
        raise PackError(f"cannot parse pack data {path}: {exc}") from exc


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def merge(base: Any, patch: Any) -> Any:
    """The one merge rule of pack data: mappings merge key by key (``patch`` wins, recursively);
    anything else in ``patch`` replaces ``base`` whole."""
    if isinstance(base, Mapping) and isinstance(patch, Mapping):
        return {**base, **{k: merge(base.get(k), v) for k, v in patch.items()}}
    return patch


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a text or a number"


# Which files each pack (equal packs share one record) has read: the manifest lists the user's.
_USED: dict[Pack, dict[Path, None]] = {}


@dataclass(frozen=True)
class Pack:
    """One jurisdiction and legal form, e.g. ``kz/consumer_cooperative``.

    ``overrides`` are a law firm's template folders (``--templates``, ``COOPDOCS_TEMPLATES``), most
    specific first; each mirrors the layout of the package's ``templates/`` folder (and may hold
    ``messages.yaml``), and a file found there wins over the pack's own. ``root`` is the data root
    of a pack shipped by another distribution (empty: coopdocs' own)."""

    jurisdiction: str
    form: str
    overrides: tuple[str, ...] = ()
    root: str = ""

    # --- the search path -------------------------------------------------------------------------

    @property
    def data_root(self) -> Path:
        return Path(self.root) if self.root else data_root()

    def search_path(self, rel: str) -> list[Path]:
        """Where the file ``rel`` (relative to a data root, e.g. ``templates/layouts/words.yaml`` or
        ``schemas/kz/consumer_cooperative/rules.yaml``) is looked for, the most specific first."""
        places: list[Path] = []
        top, _, rest = rel.partition("/")
        if top == "templates":
            places += [Path(d) / rest for d in self.overrides]
        elif rel == "schemas/messages.yaml":
            places += [Path(d) / "messages.yaml" for d in self.overrides]
        places.append(self.data_root / rel)
        if self.root and Path(self.root) != data_root():
            places.append(data_root() / rel)
        return list(dict.fromkeys(places))

    def candidates(self, rel: str) -> list[Path]:
        """Every existing file for ``rel`` along the search path, the winner first."""
        return [path for path in map(self.checked, self.search_path(rel)) if path.is_file()]

    def read(self, rel: str, *, required: bool = True) -> Any:
        """The data of ``rel``: every file found along the search path, merged (``merge``), each
        recorded. A user's file must keep the shape of the pack's (``check_shape``)."""
        return _read_merged(self, rel, required)

    def read_file(self, path: Path, *, mapping: bool = True) -> Any:
        """One data file of the search path, recorded; a user's broken file is the user's error (exit 1)."""
        path = self.checked(path)
        self.record(path)
        if not self.is_override(path):
            return read_yaml(path)
        try:
            data = read_yaml(path)
        except PackError as exc:
            problem = " ".join(str(exc).split(f"{path}: ", 1)[-1].split())
            raise TemplateError.of("yaml", str(path), problem=problem) from exc
        if mapping and data is not None and not isinstance(data, dict):
            raise TemplateError.of(
                "yaml", str(path), problem=f"it must hold a mapping of keys, not {type(data).__name__}"
            )
        return data

    def files(self, folder: str, pattern: str) -> dict[str, Path]:
        """The files of ``folder`` (relative to a data root) matching ``pattern``, by name, sorted;
        a more specific folder's file replaces a less specific one of the same name."""
        found: dict[str, Path] = {}
        for place in reversed(self.search_path(folder)):
            for path in self.glob(place, pattern):
                found[path.name] = path
        return dict(sorted(found.items()))

    def find(self, rel: str) -> Path:
        """The winning file for ``rel`` (a layout, a stylesheet...), recorded."""
        found = self.candidates(rel)
        if not found:
            raise PackError(f"no file {rel!r} in {', '.join(str(p.parent) for p in self.search_path(rel))}")
        self.record(found[0])
        return found[0]

    def record(self, path: Path) -> None:
        _USED.setdefault(self, {})[Path(path)] = None

    def used(self) -> tuple[Path, ...]:
        """Every file this pack has read so far, in the order first read."""
        return tuple(_USED.get(self, {}))

    def used_overrides(self) -> list[tuple[Path, Path]]:
        """The user's files among ``used``, each with the override folder it is in."""
        out = []
        for path in sorted(self.used()):
            root = next((Path(d) for d in self.overrides if path.is_relative_to(Path(d))), None)
            if root is not None:
                out.append((root, path))
        return out

    # --- the template folders (``templates/``-relative names) ------------------------------------

    def template_roots(self) -> tuple[Path, ...]:
        roots = [*(Path(d) for d in self.overrides), self.data_root / "templates"]
        return tuple(dict.fromkeys([*roots, data_root() / "templates"]))

    def is_override(self, path: Path | str) -> bool:
        return any(Path(path).is_relative_to(Path(d)) for d in self.overrides)

    def template_candidates(self, rel: str) -> list[Path]:
        """Every existing file for ``templates/rel`` along the search path, the winner first."""
        return self.candidates(f"templates/{rel}")

    def checked(self, path: Path) -> Path:
        """``path``, refused if it is a user's override that is a symbolic link or not a regular
        file (a FIFO would hang the build, a device or a link could feed it anything)."""
        if not self.is_override(path):
            return path
        try:
            mode = path.lstat().st_mode
        except OSError:
            return path  # absent: the search path goes on to the next folder
        if stat.S_ISLNK(mode):
            raise TemplateError.of("link", str(path))
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            raise TemplateError.of("not_file", str(path))
        return path

    def glob(self, folder: Path, pattern: str) -> list[Path]:
        """The files in ``folder`` matching ``pattern``, sorted, each ``checked``."""
        return [self.checked(p) for p in sorted(folder.glob(pattern))]

    def read_data(self, path: Path, *, mapping: bool = True) -> Any:
        return self.read_file(path, mapping=mapping)

    def find_template(self, rel: str) -> Path:
        return self.find(f"templates/{rel}")

    def check_shape(self, path: Path, data: Any, base: Any, at: tuple[str, ...] = ()) -> None:
        """A user's data file must keep the shape of what it replaces: where the pack has a mapping
        (a text per language), the override has a mapping; where it has a text, a text. New keys are
        allowed (a new term for a new clause)."""
        if not self.is_override(path) or not isinstance(data, dict) or not isinstance(base, dict):
            return
        for key, value in data.items():
            if key not in base:
                continue
            where = ".".join((*at, str(key)))
            expected, found = _kind(base[key]), _kind(value)
            if expected != found and base[key] is not None:
                problem = f"{where} must be {expected} as in the pack's file, not {found}"
                raise TemplateError.of("structure", str(path), problem=problem)
            self.check_shape(path, value, base[key], (*at, str(key)))

    def pack_dir(self, library: str) -> str:
        """The relative folder of a library for this pack, e.g. ``common/kz/consumer_cooperative``."""
        return f"{library}/{self.jurisdiction}/{self.form}"

    # --- what the pack is ------------------------------------------------------------------------

    @property
    def key(self) -> str:
        return f"{self.jurisdiction}/{self.form}"

    @property
    def schema_dir(self) -> Path:
        return self.data_root / "schemas" / self.jurisdiction / self.form

    def schema_rel(self, name: str) -> str:
        """``schemas/<jurisdiction>/<form>/name``: a file of the pack's legal definitions."""
        return f"schemas/{self.key}/{name}"

    def common_rel(self, name: str) -> str:
        """``templates/common/<jurisdiction>/<form>/name``: a wording file of the pack."""
        return f"templates/{self.pack_dir('common')}/{name}"

    def document_rel(self, name: str) -> str:
        """The template folder of a document, e.g. ``charter/kz/consumer_cooperative/charter``."""
        documents = self.meta.get("documents") or {}
        if name not in documents:
            raise CoopdocsError(f"unknown document {name!r}", hint=f"use one of: {', '.join(documents)}")
        library, folder = str(documents[name]).split("/", 1)
        return f"{self.pack_dir(library)}/{folder}"

    def template_dirs(self, library: str) -> list[Path]:
        return [self.data_root / "templates" / library / self.jurisdiction / self.form]

    @property
    def base(self) -> Pack:
        """The same pack without overrides (for data that overrides cannot change)."""
        return Pack(self.jurisdiction, self.form, root=self.root)

    @property
    def meta(self) -> dict[str, Any]:
        return dict(self.read(self.schema_rel("pack.yaml")))

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages every text of the pack is written in (``pack.yaml`` ``languages``)."""
        return tuple(str(x) for x in self.meta.get("languages") or ())

    @property
    def parallel(self) -> tuple[str, str] | None:
        """The parallel layout's two languages, left then right (``pack.yaml`` ``parallel``)."""
        pair = self.meta.get("parallel")
        return (str(pair[0]), str(pair[1])) if isinstance(pair, list) and len(pair) == 2 else None

    @property
    def input_checks(self) -> tuple[str, ...]:
        """The cross-field input checks the pack runs, by name (``pack.yaml`` ``input_checks``;
        the functions are registered in ``coopdocs/inputs/inputchecks.py``)."""
        return tuple(str(x) for x in self.meta.get("input_checks") or ())

    @property
    def documents(self) -> tuple[str, ...]:
        """The pack's clause libraries (``pack.yaml`` ``documents``)."""
        return tuple(self.meta.get("documents") or {})

    @property
    def outputs(self) -> tuple[str, ...]:
        """What a build writes when no documents are named, in order (``pack.yaml`` ``outputs``)."""
        return tuple(str(x) for x in self.meta.get("outputs") or self.documents)

    @property
    def edition(self) -> str:
        return str(self.meta.get("edition", "unknown"))

    @property
    def example(self) -> Path:
        """The pack's example cooperative (``pack.yaml`` ``example``, under its data root): its rules'
        examples patch it, and `explain` words clauses with it when no input is given."""
        return self.data_root / str(self.meta["example"])

    def input_schema(self) -> dict[str, Any]:
        return dict(self.read(self.schema_rel("input.yaml")))


@cache
def _read_merged(pack: Pack, rel: str, required: bool) -> Any:
    found = pack.candidates(rel)
    if not found:
        if required:
            places = ", ".join(map(str, pack.search_path(rel)))
            raise PackError(f"{rel}: the pack's file is missing (looked in {places})")
        return None
    if Path(rel).name in LEGAL_FILES and rel.startswith("schemas/"):
        found = found[:1]  # the pack's own legal definitions, never merged with another root's
    merged: Any = None
    for path in reversed(found):
        data = pack.read_file(path)
        pack.check_shape(path, data, merged)
        merged = data if merged is None else merge(merged, data)
    return merged


def _roots() -> list[tuple[Path, str]]:
    """coopdocs' data root and those of the installed distributions' packs (entry points)."""
    roots = [(data_root(), "")]
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            value = entry.load()
            root = Path(value() if callable(value) else value)
        except Exception as exc:  # a broken third-party pack must not stop coopdocs
            raise PackError(f"the pack of entry point {entry.name!r} ({entry.value}) cannot be loaded: {exc}") from exc
        roots.append((root.resolve(), str(root.resolve())))
    return roots


@cache
def available_packs() -> list[Pack]:
    """Every installed pack: coopdocs' own and those of other distributions (``coopdocs.packs``)."""
    found: dict[str, Pack] = {}
    for root, name in _roots():
        for folder in sorted((root / "schemas").glob("*/*")):
            if (folder / "input.yaml").is_file() and f"{folder.parent.name}/{folder.name}" not in found:
                found[f"{folder.parent.name}/{folder.name}"] = Pack(folder.parent.name, folder.name, root=name)
    return sorted(found.values(), key=lambda pack: pack.key)


def available_languages() -> tuple[str, ...]:
    """Every language an installed pack writes its documents in (``Pack.languages``), in order."""
    return tuple(dict.fromkeys(lang for pack in available_packs() for lang in pack.languages))


def select_pack(data: Mapping[str, Any], default: Pack | None) -> Pack | None:
    """The installed pack an input names by its ``jurisdiction:`` and ``form:`` keys. A key the input
    leaves out is the ``default``'s (the command line's choice: ``cli.DEFAULT_PACK_KEY``); None when
    the pack it names is not installed, or it names none and there is no default."""
    jurisdiction = data.get("jurisdiction", default.jurisdiction if default else None)
    form = data.get("form", default.form if default else None)
    if not isinstance(jurisdiction, str) or not isinstance(form, str):
        return None
    if default is not None and (jurisdiction, form) == (default.jurisdiction, default.form):
        return default
    return find_pack(jurisdiction, form)


def find_pack(jurisdiction: str, form: str) -> Pack | None:
    return next((p for p in available_packs() if (p.jurisdiction, p.form) == (jurisdiction, form)), None)

