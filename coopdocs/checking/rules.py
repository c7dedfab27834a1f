"""Legal rules as data: load ``rules.yaml`` of a pack and run its checks.

Every rule names a check function (``coopdocs.checking.checks``) with its parameters, a citation id of the
pack's ``citations.yaml``, and its wording in ru, kk and en. Nothing legal is written here, and nothing is
worded: a finding becomes a diagnostic with the rule's id and the finding's values, worded where it is
shown (``coopdocs.compose.messages``); `coopdocs rules` and `explain` word the rules
(``coopdocs.commands.explaining``).
"""

from __future__ import annotations

import copy
import difflib
import inspect
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ruamel.yaml import YAML

from coopdocs import MESSAGE_LANGUAGES
from coopdocs.checking.checks import CHECKS, Finding
from coopdocs.diagnostics import SEVERITIES, Diagnostic
from coopdocs.errors import PackError
from coopdocs.inputs.model import Cooperative, split_path
from coopdocs.packs.citations import citation_ids
from coopdocs.packs.pack import Pack

_ID = re.compile(r"^[A-Z]{2}-[A-Z0-9]+(-[A-Z0-9]+)+$")
_TEXTS = ("message", "hint", "protects")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    paths: tuple[str, ...]
    fn: str
    params: Mapping[str, Any]
    citation: str
    also: tuple[str, ...]
    message: Mapping[str, str]
    hint: Mapping[str, str]
    protects: Mapping[str, str]
    examples: Mapping[str, Any]

    @property
    def fail_at(self) -> str:
        """The path at which the rule's failing example is reported."""
        return str(self.examples.get("at") or self.paths[0])

    def findings(self, data: Mapping[str, Any], pack: Pack) -> list[Finding]:
        """The rule's findings in ``data``; a check that reads a file of the pack (the pyramid-language
        lexicon) receives the pack."""
        fn = CHECKS[self.fn]
        return list(fn(data, **self.params, **({"pack": pack} if _takes_pack(fn) else {})))


def _takes_pack(fn: Any) -> bool:
    return "pack" in inspect.signature(fn).parameters


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    findings: tuple[Finding, ...]

    @property
    def passed(self) -> bool:
        return not self.findings


# --- loading -----------------------------------------------------------------------------------


def load_rules(pack: Pack) -> tuple[Rule, ...]:
    """The pack's rules, validated. Malformed data raises ``PackError``."""
    return _load(pack)


@cache
def _load(pack: Pack) -> tuple[Rule, ...]:
    source = pack.schema_rel("rules.yaml")
    raw = pack.read(source, required=False)
    if raw is None:
        return ()
    return parse_rules(raw, set(citation_ids(pack)), source)


def parse_rules(raw: Any, known_citations: set[str], source: str = "rules.yaml") -> tuple[Rule, ...]:
    """Validate raw rule data (a list, or a mapping with ``rules``) against the check registry and
    the citation ids; malformed data raises ``PackError``."""
    if isinstance(raw, Mapping):
        raw = raw.get("rules")
    if not isinstance(raw, list):
        raise PackError(f"{source}: expected a list of rules")
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        rule = _parse_rule(entry, f"{source}: rule {index + 1}", known_citations)
        if rule.id in seen:
            raise PackError(f"{source}: duplicate rule id {rule.id}")
        seen.add(rule.id)
        rules.append(rule)
    return tuple(rules)


def _parse_rule(entry: Any, where: str, known_citations: set[str]) -> Rule:
    if not isinstance(entry, Mapping):
        raise PackError(f"{where}: expected a mapping")
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise PackError(f"{where}: bad or missing id {rule_id!r}")
    where = f"{where} ({rule_id})"
    if entry.get("severity") not in SEVERITIES:
        raise PackError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    paths = entry.get("paths")
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
        raise PackError(f"{where}: paths must be a non-empty list of dotted paths")
    fn, params = _parse_check(entry.get("check"), where)
    citations = [entry.get("citation"), *(entry.get("also") or [])]
    for cid in citations:
        if cid not in known_citations:
            raise PackError(f"{where}: unknown citation id {cid!r} (not in citations.yaml)")
    texts = {name: _parse_texts(entry.get(name), f"{where}: {name}") for name in _TEXTS}
    examples = entry.get("examples")
    if not isinstance(examples, Mapping) or not all(isinstance(examples.get(k), Mapping) for k in ("fail", "pass")):
        raise PackError(f"{where}: examples must have a `fail` and a `pass` patch")
    return Rule(
        id=rule_id,
        severity=str(entry["severity"]),
        paths=tuple(paths),
        fn=fn,
        params=params,
        citation=str(entry["citation"]),
        also=tuple(str(c) for c in entry.get("also") or ()),
        message=texts["message"],
        hint=texts["hint"],
        protects=texts["protects"],
        examples=dict(examples),
    )


def _parse_check(spec: Any, where: str) -> tuple[str, dict[str, Any]]:
    if not isinstance(spec, Mapping) or not isinstance(spec.get("fn"), str):
        raise PackError(f"{where}: check must be {{fn: name, params: {{...}}}}")
    fn = spec["fn"]
    if fn not in CHECKS:
        close = difflib.get_close_matches(fn, list(CHECKS), n=1)
        suggestion = f" (did you mean {close[0]!r}?)" if close else ""
        raise PackError(f"{where}: unknown check function {fn!r}{suggestion}")
    params = spec.get("params") or {}
    if not isinstance(params, Mapping):
        raise PackError(f"{where}: check params must be a mapping")
    try:
        inspect.signature(CHECKS[fn]).bind({}, **params, **({"pack": None} if _takes_pack(CHECKS[fn]) else {}))
    except TypeError as exc:
        raise PackError(f"{where}: bad params for {fn}: {exc}") from exc
    return fn, dict(params)


def _parse_texts(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise PackError(f"{where}: expected a mapping with {', '.join(MESSAGE_LANGUAGES)}")
    for lang in MESSAGE_LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise PackError(f"{where}: missing language {lang}")
    return {lang: " ".join(str(value[lang]).split()) for lang in MESSAGE_LANGUAGES}


def get_rule(rule_id: str, pack: Pack) -> Rule:
    rules = {rule.id: rule for rule in load_rules(pack)}
    wanted = rule_id.strip().upper()
    if wanted in rules:
        return rules[wanted]
    raise KeyError(rule_id)


# --- running -------------------------------------------------------------------------------------


def evaluate(coop: Cooperative) -> list[RuleResult]:
    """Every rule of the cooperative's pack with its findings (none means the rule passed)."""
    return [RuleResult(rule, tuple(rule.findings(coop.data, coop.pack))) for rule in load_rules(coop.pack)]


def run_rules(coop: Cooperative) -> list[Diagnostic]:
    """The findings of every rule as diagnostics (worded where they are shown: ``compose.messages``)."""
    return [to_diagnostic(result.rule, finding, coop) for result in evaluate(coop) for finding in result.findings]


def to_diagnostic(rule: Rule, finding: Finding, coop: Cooperative) -> Diagnostic:
    """A finding of ``rule`` as a diagnostic: the rule's id and severity, the finding's place in the
    input file and its values as the message's arguments."""
    position = coop.positions.of(split_path(finding.path))
    return Diagnostic(
        rule=rule.id,
        severity=rule.severity,
        path=finding.path,
        line=position[0] if position else None,
        column=position[1] if position else None,
        args=dict(finding.values),
        pack=coop.pack,
        file=coop.file,
    )


# --- example patches -----------------------------------------------------------------------------


def apply_patch(data: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` with each dotted path of ``patch`` set to its value. A list index equal
    to the list's length appends; whole sub-trees may be given as values."""
    out = copy.deepcopy(dict(data))
    for dotted, value in patch.items():
        parts = split_path(str(dotted))
        target: Any = out
        for part, following in zip(parts, parts[1:], strict=False):
            target = _step(target, part, following)
        _assign(target, parts[-1], copy.deepcopy(value))
    return out


def _step(target: Any, part: str | int, following: str | int) -> Any:
    fresh: Any = [] if isinstance(following, int) else {}
    if isinstance(part, int):
        if part == len(target):
            target.append(fresh)
        return target[part]
    if target.get(part) is None:
        target[part] = fresh
    return target[part]


def _assign(target: Any, part: str | int, value: Any) -> None:
    if isinstance(part, int) and part == len(target):
        target.append(value)
    else:
        target[part] = value


def patch_yaml(patch: Mapping[str, Any]) -> str:
    """A patch shown as the YAML a user would write (list indexes become one-item lists)."""
    tree: dict[str, Any] = {}
    for dotted, value in patch.items():
        parts = split_path(str(dotted))
        target: Any = tree
        for part, following in zip(parts, parts[1:], strict=False):
            target = _snippet_step(target, part, following)
        if isinstance(parts[-1], int):
            target.append(value)
        else:
            target[parts[-1]] = value
    return dump_yaml(tree)


def _snippet_step(target: Any, part: str | int, following: str | int) -> Any:
    fresh: Any = [] if isinstance(following, int) else {}
    if isinstance(part, int):
        if not target:
            target.append(fresh)
        return target[-1]
    return target.setdefault(part, fresh)


def dump_yaml(data: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 100
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def rules_by_severity(rules: Sequence[Rule]) -> dict[str, int]:
    counts = {severity: 0 for severity in SEVERITIES}
    for rule in rules:
        counts[rule.severity] += 1
    return counts
