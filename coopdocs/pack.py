"""Where a rule pack's data lives: its schema, rules, citations, clause libraries and layouts.

The data ships inside the wheel (``coopdocs/schemas``, ``coopdocs/templates``); in a source checkout
it is read from the repository's top-level ``schemas/`` and ``templates/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from coopdocs.errors import PackError

PACKAGE_DIR = Path(__file__).resolve().parent


def data_root() -> Path:
    """The folder that holds ``schemas/`` and ``templates/``."""
    if (PACKAGE_DIR / "schemas").is_dir():
        return PACKAGE_DIR
    return PACKAGE_DIR.parent


@cache
def read_yaml(path: Path) -> Any:
    """Read a trusted data file of the pack (safe loader, cached)."""
    try:
        with path.open(encoding="utf-8") as handle:
            return YAML(typ="safe", pure=True).load(handle)
    except (OSError, ValueError) as exc:
        raise PackError(f"cannot read pack data {path}: {exc}") from exc
    except Exception as exc:  # ruamel raises its own YAMLError subclasses
        raise PackError(f"cannot parse pack data {path}: {exc}") from exc


@dataclass(frozen=True)
class Pack:
    """One jurisdiction and legal form, e.g. ``kz/consumer_cooperative``."""

    jurisdiction: str
    form: str

    @property
    def key(self) -> str:
        return f"{self.jurisdiction}/{self.form}"

    @property
    def schema_dir(self) -> Path:
        return data_root() / "schemas" / self.jurisdiction / self.form

    def template_dirs(self, library: str) -> list[Path]:
        return [data_root() / "templates" / library / self.jurisdiction / self.form]

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
