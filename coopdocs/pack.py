"""Where a rule pack's data lives: its schema, rules, citations, clause libraries and layouts.

The data ships inside the wheel (``coopdocs/schemas``, ``coopdocs/templates``); in a source checkout
it is read from the repository's top-level ``schemas/`` and ``templates/``.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML

from coopdocs.errors import PackError, TemplateError

PACKAGE_DIR = Path(__file__).resolve().parent


def data_root() -> Path:
    """The folder that holds ``schemas/`` and ``templates/``."""
    if (PACKAGE_DIR / "schemas").is_dir():
        return PACKAGE_DIR
    return PACKAGE_DIR.parent


@cache
def read_yaml(path: Path) -> Any:
    """Read a trusted data file of the pack (safe loading, cached).

    The pack's own files are parsed with libyaml (PyYAML's C loader), about 14 times faster than
    the pure-Python parser; user input always goes through ruamel.yaml (YAML 1.2, positions). A
    test checks that both parsers read every pack file identically."""
    try:
        with path.open(encoding="utf-8") as handle:
            if _FAST_LOADER is not None:
                return yaml.load(handle, Loader=_FAST_LOADER)  # noqa: S506 - a safe loader
            return YAML(typ="safe", pure=True).load(handle)
    except (OSError, ValueError) as exc:
        raise PackError(f"cannot read pack data {path}: {exc}") from exc
    except Exception as exc:  # both parsers raise their own YAMLError subclasses
        raise PackError(f"cannot parse pack data {path}: {exc}") from exc


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a text or a number"


@dataclass(frozen=True)
class Pack:
    """One jurisdiction and legal form, e.g. ``kz/consumer_cooperative``.

    ``overrides`` are a law firm's template folders (``--templates``, ``COOPDOCS_TEMPLATES``), most
    specific first; each mirrors the layout of the package's ``templates/`` folder, and a file
    found there wins over the package's own."""

    jurisdiction: str
    form: str
    overrides: tuple[str, ...] = ()

    def template_roots(self) -> tuple[Path, ...]:
        return (*(Path(d) for d in self.overrides), data_root() / "templates")

    def is_override(self, path: Path | str) -> bool:
        return any(Path(path).is_relative_to(Path(d)) for d in self.overrides)

    def template_candidates(self, rel: str) -> list[Path]:
        """Every existing file for ``rel`` along the search path, the winner first."""
        return [self.checked(root / rel) for root in self.template_roots() if self.checked(root / rel).is_file()]

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
        """A data file on the search path; a user's broken file is the user's error (exit 1)."""
        path = self.checked(path)
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

    def find_template(self, rel: str) -> Path:
        found = self.template_candidates(rel)
        if not found:
            raise PackError(f"no template {rel!r} in {', '.join(str(r) for r in self.template_roots())}")
        return found[0]

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

    @property
    def key(self) -> str:
        return f"{self.jurisdiction}/{self.form}"

    @property
    def schema_dir(self) -> Path:
        return data_root() / "schemas" / self.jurisdiction / self.form

    def template_dirs(self, library: str) -> list[Path]:
        return [data_root() / "templates" / library / self.jurisdiction / self.form]

    @property
    def base(self) -> Pack:
        """The same pack without overrides (for data that overrides cannot change)."""
        return Pack(self.jurisdiction, self.form)

    @property
    def meta(self) -> dict[str, Any]:
        return dict(read_yaml(self.schema_dir / "pack.yaml"))

    @property
    def edition(self) -> str:
        return str(self.meta.get("edition", "unknown"))

    def input_schema(self) -> dict[str, Any]:
        return dict(read_yaml(self.schema_dir / "input.yaml"))


def example_path() -> Path:
    """The contract example (``examples/bereke.yaml``), shipped with the package."""
    return data_root() / "examples" / "bereke.yaml"


def available_packs() -> list[Pack]:
    root = data_root() / "schemas"
    return sorted(
        (Pack(p.parent.name, p.name) for p in root.glob("*/*") if (p / "input.yaml").is_file()),
        key=lambda pack: pack.key,
    )


def find_pack(jurisdiction: str, form: str) -> Pack | None:
    pack = Pack(jurisdiction, form)
    return pack if (pack.schema_dir / "input.yaml").is_file() else None


DEFAULT_PACK = Pack("kz", "consumer_cooperative")
