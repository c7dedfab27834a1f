"""The package layout is the pipeline: a stage imports only the stages below it (docs/DESIGN.md,
"Packages"). An import that goes up is a design fault, not a filing one; the few left are listed
here by name, each with the reason, so that a new one fails and a fixed one must be removed."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support import ROOT

PACKAGE = ROOT / "coopdocs"
STAGES = ("packs", "inputs", "checking", "compose", "writers", "charters", "commands")
# (importing module, imported module): known upward imports, each a named debt.
KNOWN_UP = {
    # import renders the questionnaire's default cooperative (commands.init) to read charters against
    ("coopdocs.charters.importing", "coopdocs.commands.init"),
    # the import report names the fields it could not read in the member's words
    ("coopdocs.charters.importing", "coopdocs.commands.fieldnames"),
    # the pack warms the disk cache of its parsed YAML and compiled clause texts
    ("coopdocs.packs.pack", "coopdocs.compose.templatecache"),
}


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in STAGES else None


def imports(path: Path) -> set[str]:
    """The coopdocs modules a file imports (``from coopdocs.x import y`` counts ``coopdocs.x.y``
    when ``y`` is a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("coopdocs"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                is_module = (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).is_file()
                found.add(candidate if is_module else node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("coopdocs")}
    return found


def upward_imports() -> set[tuple[str, str]]:
    up = set()
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        own = stage_of(module)
        if own is None:
            continue
        for target in imports(path):
            theirs = stage_of(target)
            if theirs is not None and STAGES.index(theirs) > STAGES.index(own):
                up.add((module, target))
    return up


def test_no_stage_imports_a_stage_above_it() -> None:
    assert upward_imports() - KNOWN_UP == set()


def test_each_known_upward_import_still_exists() -> None:
    """A debt paid is struck off the list, so the list stays the truth."""
    assert KNOWN_UP - upward_imports() == set()


def test_every_module_sits_in_a_stage_or_is_shared() -> None:
    shared = {"__init__", "__main__", "cli", "errors", "diagnostics", "interrupts"}
    loose = {p.stem for p in PACKAGE.glob("*.py")} - shared
    assert loose == set(), f"put {sorted(loose)} into one of {STAGES}"


def test_shared_modules_import_no_stage_above_the_pack() -> None:
    for name in ("errors", "diagnostics", "interrupts"):
        above = {t for t in imports(PACKAGE / f"{name}.py") if stage_of(t) not in (None, "packs")}
        assert above == set(), (name, above)
