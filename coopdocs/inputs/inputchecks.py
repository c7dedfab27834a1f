"""The cross-field checks of a pack's input, registered by name (like the rules' check functions).

A pack names the ones it runs in ``pack.yaml`` (``input_checks``); they run after the schema's field
checks, on the data as cerberus left it, and are defensive about types (they also run when the
schema failed). The checks below are those of the Kazakh packs: IIN/BIN and the founders' age and
share, indexes into the founders list, the persons named outside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from coopdocs import diagnostics
from coopdocs.diagnostics import Diagnostic, Localized, Word
from coopdocs.errors import PackError
from coopdocs.inputs import idnumbers
from coopdocs.inputs.loader import Loaded, PathT
from coopdocs.packs.pack import Pack

Check = Callable[[dict[str, Any], Loaded, Pack], Iterator[Diagnostic]]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register an input check under ``name`` (the name a pack's ``input_checks`` lists)."""

    def register(func: Check) -> Check:
        CHECKS[name] = func
        return func

    return register


def run(name: str, data: dict[str, Any], loaded: Loaded, pack: Pack) -> list[Diagnostic]:
    if name not in CHECKS:
        raise PackError(f"{pack.key}: pack.yaml input_checks names {name!r}, not one of: {', '.join(sorted(CHECKS))}")
    return list(CHECKS[name](data, loaded, pack))


@check("founders")
def check_founders(data: dict[str, Any], loaded: Loaded, pack: Pack) -> Iterator[Diagnostic]:
    """IIN/BIN, age and share checks. Defensive about types: it also runs when the schema failed."""
    founding: dict[str, Any] = data["founding"] if isinstance(data.get("founding"), dict) else {}
    founders: list[Any] = founding["founders"] if isinstance(founding.get("founders"), list) else []
    share = _dig(data, "membership", "contributions", "share", "amount")
    min_age = _dig(data, "membership", "eligibility", "min_age")
    min_age = min_age if isinstance(min_age, int) and not isinstance(min_age, bool) else 18
    meeting = founding.get("meeting_date")
    for i, founder in enumerate(founders):
        if not isinstance(founder, dict) or founder.get("kind") not in ("person", "legal_entity"):
            continue
        base: PathT = ("founding", "founders", i)
        key = "iin" if founder["kind"] == "person" else "bin"
        number = founder.get(key)
        if number is None:
            yield _found("input/id-missing", loaded, base, pack, kind=Word(founder["kind"]), key=key)
        elif isinstance(number, str):
            check = idnumbers.iin_problem if key == "iin" else idnumbers.bin_problem
            problem = check(number)
            birth = idnumbers.iin_birth_date(number) if key == "iin" and not problem else None
            if problem:
                yield diagnostics.make(
                    f"input/{key}",
                    path=(*base, key),
                    position=loaded.positions.of((*base, key)),
                    file=loaded.file,
                    pack=pack,
                    value=number,
                    reason=Localized.of(idnumbers.REASONS[problem]),
                )
            elif birth is not None and isinstance(meeting, dt.date) and idnumbers.age_on(birth, meeting) < min_age:
                yield diagnostics.make(
                    "input/founder-age",
                    path=(*base, key),
                    position=loaded.positions.of((*base, key)),
                    file=loaded.file,
                    pack=pack,
                    age=idnumbers.age_on(birth, meeting),
                    date=meeting.isoformat(),
                    min_age=min_age,
                )
        paid = founder.get("share_contribution")
        if _is_int(paid) and _is_int(share) and paid < share:
            path = (*base, "share_contribution")
            yield _found("input/founder-share", loaded, path, pack, value=paid, required=share)


def _found(code: str, loaded: Loaded, path: PathT, pack: Pack, **fields: Any) -> Diagnostic:
    """A diagnostic at ``path`` of the input file, placed at that value's line and column; its
    citation is the pack's."""
    position = loaded.positions.of(path)
    return diagnostics.make(code, path=path, position=position, file=loaded.file, pack=pack, **fields)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


@check("founder_indexes")
def check_indexes(data: dict[str, Any], loaded: Loaded, pack: Pack) -> Iterator[Diagnostic]:
    founders = _dig(data, "founding", "founders")
    if not isinstance(founders, list):
        return
    count = len(founders)
    refs: list[tuple[PathT, Any]] = [
        (("founding", "chair"), _dig(data, "founding", "chair")),
        (("founding", "secretary"), _dig(data, "founding", "secretary")),
    ]
    elected = _dig(data, "founding", "elected")
    if isinstance(elected, dict):
        refs.append((("founding", "elected", "chair"), elected.get("chair")))
        for group in ("board", "audit"):
            members = elected.get(group)
            refs += [
                (("founding", "elected", group, i), v)
                for i, v in enumerate(members if isinstance(members, list) else [])
            ]
    signers = _dig(data, "signatories", "charter")
    refs += [(("signatories", "charter", i), v) for i, v in enumerate(signers if isinstance(signers, list) else [])]
    for path, value in refs:
        if _is_int(value) and not 0 <= value < count:
            yield _found("input/founder-index", loaded, path, pack, value=value, count=count, last=count - 1)
    if isinstance(elected, dict) and isinstance(elected.get("board"), list) and isinstance(elected.get("audit"), list):
        board = {_identity(v, founders) for v in elected["board"]} - {None}
        for i, value in enumerate(elected["audit"]):
            if _identity(value, founders) in board:
                path = ("founding", "elected", "audit", i)
                shown = value if _is_int(value) else value.get("iin")
                yield _found("input/board-and-audit", loaded, path, pack, value=shown)


def _identity(value: Any, founders: list[Any]) -> Any:
    """Who an elected entry is: the IIN of a person (a founder's or one named in place), else the
    founder's index; None when it cannot be told."""
    if _is_int(value):
        founder = founders[value] if 0 <= value < len(founders) else None
        iin = founder.get("iin") if isinstance(founder, dict) and founder.get("kind") == "person" else None
        return iin if isinstance(iin, str) else ("founder", value)
    if isinstance(value, dict) and isinstance(value.get("iin"), str):
        return value["iin"]
    return None


def _people(data: dict[str, Any]) -> Iterator[tuple[PathT, dict[str, Any]]]:
    """The persons the input names outside the founders list: the elected ones given by name and
    the representatives of legal-entity founders."""
    elected = _dig(data, "founding", "elected")
    if isinstance(elected, dict):
        if isinstance(elected.get("chair"), dict):
            yield ("founding", "elected", "chair"), elected["chair"]
        for group in ("board", "audit"):
            members = elected.get(group)
            for i, value in enumerate(members if isinstance(members, list) else []):
                if isinstance(value, dict):
                    yield ("founding", "elected", group, i), value
    founders = _dig(data, "founding", "founders")
    for i, founder in enumerate(founders if isinstance(founders, list) else []):
        if isinstance(founder, dict) and isinstance(founder.get("representative"), dict):
            yield ("founding", "founders", i, "representative"), founder["representative"]


@check("persons")
def check_people(data: dict[str, Any], loaded: Loaded, pack: Pack) -> Iterator[Diagnostic]:
    """IINs of the persons named outside the founders list; whether the head and the representatives
    of legal-entity founders are named (the registration filing and the minutes need them)."""
    for base, person in _people(data):
        number = person.get("iin")
        problem = idnumbers.iin_problem(number) if isinstance(number, str) else None
        if problem:
            path = (*base, "iin")
            yield _found("input/iin", loaded, path, pack, value=number, reason=Localized.of(idnumbers.REASONS[problem]))
    founding = _dig(data, "founding")
    if not isinstance(founding, dict) or not isinstance(founding.get("founders"), list):
        return
    if founding.get("elected") is None:
        yield _found("input/head-not-elected", loaded, ("founding",), pack)
    for i, founder in enumerate(founding["founders"]):
        if isinstance(founder, dict) and founder.get("kind") == "legal_entity" and not founder.get("representative"):
            yield _found(
                "input/representative-missing", loaded, ("founding", "founders", i), pack, index=i, number=i + 1
            )
