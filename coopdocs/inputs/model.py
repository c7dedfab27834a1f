"""The typed model: one cooperative's input after it passed the schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coopdocs.inputs.loader import Positions
from coopdocs.packs.pack import Pack


@dataclass(frozen=True)
class Cooperative:
    """A validated, normalized input. ``data`` holds every key of the contract (absent optional
    keys are None); localized texts are still mappings (or plain strings)."""

    file: str
    data: dict[str, Any]
    positions: Positions
    pack: Pack
    input_sha256: str
    # Values derived from ``data`` once per cooperative (e.g. the clause context per language);
    # a ``dataclasses.replace`` copy starts with an empty one.
    derived: dict[Any, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.data["languages"])

    def get(self, dotted: str) -> Any:
        """The value at a dotted path such as ``membership.exit.payout_days`` or ``programs[0].queue``."""
        value: Any = self.data
        for part in split_path(dotted):
            value = value[part]
        return value


def split_path(dotted: str) -> tuple[str | int, ...]:
    """``founding.founders[1].iin`` -> ``('founding', 'founders', 1, 'iin')``."""
    parts: list[str | int] = []
    for chunk in dotted.split("."):
        name, _, rest = chunk.partition("[")
        if name:
            parts.append(name)
        while rest:
            index, _, rest = rest.partition("]")
            parts.append(int(index))
            rest = rest.lstrip("[")
    return tuple(parts)
