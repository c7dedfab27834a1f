"""The stages in order, for one input file: load -> schema -> legal rules."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from coopdocs import diagnostics
from coopdocs.diagnostics import Diagnostic
from coopdocs.inputs.loader import load_file
from coopdocs.inputs.model import Cooperative
from coopdocs.inputs.schema import validate_input
from coopdocs.packs.pack import Pack, select_pack


@dataclass(frozen=True)
class Checked:
    file: str
    cooperative: Cooperative | None  # None when the input did not pass the schema
    diagnostics: list[Diagnostic]
    pack: Pack | None = None  # the pack the input chose (None: it names one that is not installed)

    @property
    def blocking(self) -> bool:
        return any(d.blocking for d in self.diagnostics)

    @property
    def counts(self) -> dict[str, int]:
        return diagnostics.summary(self.diagnostics)


def check_file(path: str | Path, *, strict: bool = False, default_pack: Pack | None = None) -> Checked:
    """Validate one file. Legal rules run only on input that passed the schema. The input's keys
    choose its pack; ``default_pack`` (the command line's) stands in for keys it leaves out."""
    return check_loaded(load_file(path), strict=strict, file=str(path), default_pack=default_pack)


def check_loaded(
    loaded: Any, *, strict: bool = False, file: str | None = None, default_pack: Pack | None = None
) -> Checked:
    """Validate an input already loaded (e.g. one composed in memory by ``amend --old-charter``)."""
    coop, found = validate_input(loaded, default_pack=default_pack)
    if coop is not None:
        from coopdocs.checking.rules import run_rules

        found = sorted([*found, *run_rules(coop)], key=diagnostics.sort_key)
    if strict:
        found = [replace(d, severity="error") if d.severity == "warning" else d for d in found]
    pack = select_pack(loaded.data, default_pack) if isinstance(loaded.data, dict) else default_pack
    return Checked(file or loaded.file, coop, found, pack)


@dataclass(frozen=True)
class Programmes:
    programs: list[dict[str, Any]] | None  # None when the programmes did not pass the schema
    diagnostics: list[Diagnostic]
    pack: Pack | None  # None when the file names a pack that is not installed


def programmes(path: str | Path, *, default_pack: Pack | None = None) -> Programmes:
    """The normalized programmes of a full input, or of a file holding only ``programs:``."""
    from coopdocs.inputs.schema import validate_programs

    checked = check_file(path, default_pack=default_pack)
    if checked.cooperative is not None:
        return Programmes(list(checked.cooperative.data["programs"]), checked.diagnostics, checked.cooperative.pack)
    loaded = load_file(path)
    programs, found, pack = validate_programs(loaded, default_pack=default_pack)
    if programs is None and loaded.data is not None and set(loaded.data) - {"programs"}:
        found = checked.diagnostics  # a full input with errors: report them, not the partial check's
    return Programmes(programs, found, pack)
