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

from coopdocs.commands import build
from coopdocs.compose import clauses
from coopdocs.inputs.idnumbers import control_digit
from coopdocs.inputs.loader import Loaded, load_file
from coopdocs.inputs.schema import schema_at, validate_input
from tests.support import EXAMPLES

# Every pack's example (pack.yaml `example`), each with what its documents never write.
NOT_WRITTEN_CONSUMER = {
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
NOT_WRITTEN_AGRICULTURAL = {
    **{k: v for k, v in NOT_WRITTEN_CONSUMER.items() if not k.startswith("income.")},
    "membership.exclusion.decided_by": "exclusion always belongs to the general meeting; another body is an error",
    "membership.associated.vote": "an associated member's vote is advisory by the Law; deciding is an error",
    "membership.associated.forms": "an associated member pays in money by the Law; other forms are an error",
    "membership.associated.losses": "an associated member risks only the contribution by the Law; more is an error",
}
BASES = {
    "bereke": NOT_WRITTEN_CONSUMER,
    "agri-supply-marketing": NOT_WRITTEN_AGRICULTURAL,
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
    if key == "programmes" and isinstance(value, list):
        yield [*value, {"ru": "субсидирование ставки по кредиту", "kk": "несие мөлшерлемесін субсидиялау"}]
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
    for name in coop.pack.meta["documents"]:
        (document,) = clauses.render_all(coop, name, ["ru"])
        parts.append(clauses.as_text(document))
        page = build.page(coop, document, build.Options())
        parts += page.closing
    return "\n".join(parts)


LOADED = {name: load_file(EXAMPLES / f"{name}.yaml") for name in BASES}


def schema_of(name: str) -> dict[str, Any]:
    coop, _ = validate_input(LOADED[name])
    assert coop is not None
    return coop.pack.input_schema()


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
CASES = [(name, p) for name in BASES for p in leaves(LOADED[name].data) if p[-1] not in FIXED]
_ORIGINAL: dict[str, str] = {}


def original(name: str) -> str:
    if name not in _ORIGINAL:
        coop, _ = validate_input(LOADED[name])
        _ORIGINAL[name] = package_text(coop)
    return _ORIGINAL[name]


@pytest.mark.parametrize(("name", "path"), CASES, ids=lambda v: ".".join(map(str, v)) if isinstance(v, tuple) else v)
def test_changing_a_value_changes_the_documents(name: str, path: tuple[Any, ...]) -> None:
    dotted = ".".join(str(p) for p in path if isinstance(p, str))
    if dotted in BASES[name]:
        pytest.skip(f"by design: {BASES[name][dotted]}")
    base = LOADED[name]
    rules = dict(schema_at(schema_of(name), path) or {})
    parent: Any = base.data
    for part in path[:-1]:
        parent = parent[part]
    tried = []
    for new in candidates(parent[path[-1]], rules, path[-1]):
        data = copy.deepcopy(base.data)
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = new
        coop, diags = validate_input(Loaded(base.file, data, base.positions, [], base.text))
        if coop is None:
            tried.append((new, [d.rule for d in diags if d.blocking]))
            continue
        assert package_text(coop) != original(name), f"changing {dotted} to {new!r} left every document unchanged"
        return
    pytest.fail(f"no valid neighbouring value for {dotted}: tried {tried}")
