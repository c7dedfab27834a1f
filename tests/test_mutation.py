"""Every decision in the YAML shows in the documents: change one value, and the text changes.

Each leaf of the contract example is changed to another valid value (another allowed choice, a
number one higher, a flipped flag, a text with a letter added). The Russian text of every
document must then differ. The exceptions are listed with the reason: unlawful values that the
documents never write (the legal rules flag them instead) and keys that shape files, not text.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from coopdocs import build, clauses
from coopdocs.idnumbers import control_digit
from coopdocs.loader import Loaded, load_file
from coopdocs.pack import DEFAULT_PACK
from coopdocs.schema import _schema_at, validate_input
from tests.support import BEREKE

NOT_WRITTEN = {
    "layout": "chooses the file layout (separate or parallel), not wording",
    "membership.exit.conditions": "a payout condition is a pyramid indicator: never written, flagged as a red flag",
    "membership.exclusion.decided_by": "exclusion always belongs to the general meeting (Law 197 art. 16 p. 3); "
    "another body is an error",
    "governance.general_meeting.voting": "always one member, one vote; any other value is an error",
    "funds.share_fund": "the share fund always exists; false is an error",
    "income.use": "income always serves the charter purposes; anything else is a red flag",
    "income.distribution_to_members": "income is never distributed; true is a red flag",
    "disputes.court": "the right to go to court is never removed; false is an error",
}
LOCALIZED = {"ru", "kk", "en"}


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict) and value and not set(value) <= LOCALIZED:
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list) and value and isinstance(value[0], dict) and not set(value[0]) <= LOCALIZED:
        for i, item in enumerate(value):
            yield from leaves(item, (*path, i))
    else:
        yield path


def candidates(value: Any, rules: dict[str, Any], key: Any) -> Iterator[Any]:
    """Other valid-looking values for a leaf, most natural first."""
    if key in ("iin", "bin") and isinstance(value, str):
        serial = f"{(int(value[7:11]) + 1) % 10000:04d}"
        digit = control_digit(value[:7] + serial)
        yield value[:7] + serial + str(digit)
        return
    if key == "postal_code":
        yield f"{(int(value) + 1) % 1000000:06d}"
        return
    if key == "term":
        yield dt.date(2036, 12, 31)
        return
    if isinstance(value, dt.date):
        yield value + dt.timedelta(days=1)
        return
    if key == "other" and value == []:
        text = {"ru": "фонд обучения членов", "kk": "мүшелерді оқыту қоры"}
        yield [{"name": text, "purpose": text, "sources": ["income"]}]
        return
    if key == "programs" and value == []:
        yield [
            {
                "kind": "property_acquisition",
                "name": {"ru": "Программа приобретения", "kk": "Сатып алу бағдарламасы"},
                "member_savings_percent": 50,
                "funded_by": ["own_savings"],
                "queue": "by_application_date",
            }
        ]
        return
    if "allowed" in rules and not isinstance(value, list):
        yield from (a for a in rules["allowed"] if a != value)
        return
    if isinstance(value, bool):
        yield not value
    elif isinstance(value, int | float):
        yield value + 1
        yield value - 1
    elif isinstance(value, list):
        inner = rules.get("schema") or {}
        yield from ([*value, a] for a in inner.get("allowed", []) if a not in value)
        if len(value) > 1:
            yield value[:-1]
    elif isinstance(value, dict):
        yield {k: f"{v} Ж" if isinstance(v, str) else v for k, v in value.items()}
    elif isinstance(value, str):
        yield f"{value} Ж"


def package_text(coop: Any) -> str:
    parts = []
    for name in DEFAULT_PACK.meta["documents"]:
        (document,) = clauses.render_all(coop, name, ["ru"])
        parts.append(clauses.as_text(document))
        page = build.page(coop, document, build.Options())
        parts += page.closing
    return "\n".join(parts)


BASE = load_file(BEREKE)
SCHEMA = DEFAULT_PACK.input_schema()
# the format version and the rule pack have a single allowed value; a founder's kind cannot change
# without its IIN becoming a BIN
FIXED = {
    "coopdocs",
    "jurisdiction",
    "form",
    "kind",
    "currency",
    "country",
    "financial_year",
    "payout_basis",
    "frequency",
    "elected_by",
    "uses",
}
CASES = [p for p in leaves(BASE.data) if p[-1] not in FIXED]


@pytest.fixture(scope="module")
def original() -> str:
    coop, _ = validate_input(BASE)
    return package_text(coop)


@pytest.mark.parametrize("path", CASES, ids=lambda p: ".".join(map(str, p)))
def test_changing_a_value_changes_the_documents(path: tuple[Any, ...], original: str) -> None:
    dotted = ".".join(str(p) for p in path if isinstance(p, str))
    if dotted in NOT_WRITTEN:
        pytest.skip(f"by design: {NOT_WRITTEN[dotted]}")
    rules = dict(_schema_at(SCHEMA, path) or {})
    parent: Any = BASE.data
    for part in path[:-1]:
        parent = parent[part]
    tried = []
    for new in candidates(parent[path[-1]], rules, path[-1]):
        data = copy.deepcopy(BASE.data)
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = new
        coop, diags = validate_input(Loaded(BASE.file, data, BASE.positions, [], BASE.text))
        if coop is None:
            tried.append((new, [d.rule for d in diags if d.blocking]))
            continue
        assert package_text(coop) != original, f"changing {dotted} to {new!r} left every document unchanged"
        return
    pytest.fail(f"no valid neighbouring value for {dotted}: tried {tried}")
