"""The schema stage: the input contract (cerberus), cross-field checks, and its JSON Schema form."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from cerberus import TypeDefinition, Validator
from cerberus.errors import ValidationError
from cerberus.schema import DefinitionSchema

from coopdocs import diagnostics
from coopdocs.diagnostics import Diagnostic, Either, Word
from coopdocs.inputs import inputchecks
from coopdocs.inputs.loader import MAX_TEXT_CHARS, Loaded, PathT
from coopdocs.inputs.model import Cooperative
from coopdocs.packs.pack import Pack, available_packs, select_pack


class InputValidator(Validator):
    """Cerberus with the contract's own types: ``localized`` and ``date``."""

    types_mapping = {
        **Validator.types_mapping,
        "localized": TypeDefinition("localized", (str, dict), ()),
    }

    def _normalize_coerce_date(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
        return value

    def _normalize_coerce_date_or_keyword(self, value: Any) -> Any:
        return self._normalize_coerce_date(value)

    def _validate_max_chars(self, constraint: int, field: str, value: Any) -> None:
        """A text (or each language's text) of at most ``constraint`` characters.

        The rule's arguments are validated against this schema:
        {'type': 'integer', 'min': 1}
        """
        texts = value.items() if isinstance(value, dict) else [(None, value)]
        for language, text in texts:
            if isinstance(text, str) and len(text) > constraint:
                self._error(field, f"max_chars:{language or ''}:{len(text)}:{constraint}")

    def _check_with_term(self, field: str, value: Any) -> None:
        if isinstance(value, str) and value != "indefinite":
            self._error(field, "term")

    def _check_with_choice_or_other(self, field: str, value: Any) -> None:
        """One of the rule's ``meta.choices``, or ``{other: localized text}``."""
        choices = ((self.schema or {}).get(field) or {}).get("meta", {}).get("choices") or ()
        if isinstance(value, str) and value not in choices:
            self._error(field, "choice_or_other")
        if isinstance(value, dict) and (set(value) != {"other"} or not isinstance(value["other"], str | dict)):
            self._error(field, "choice_or_other")


def _expected(schema: Mapping[str, Any], path: PathT) -> Word | None:
    """What a field's format is, in words: the schema's ``meta.expected`` (a ``_words`` entry of the
    messages, with its values), e.g. ``{word: digits, n: 12}``."""
    spec = ((schema_at(schema, path) or {}).get("meta") or {}).get("expected")
    if not isinstance(spec, Mapping):
        return None
    return Word(str(spec["word"]), tuple((str(k), v) for k, v in spec.items() if k != "word"))


def _leaf_errors(errors: list[ValidationError]) -> Iterator[ValidationError]:
    for error in errors:
        if error.is_group_error:
            yield from _leaf_errors(error.child_errors or [])
        else:
            yield error


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def schema_at(schema: Mapping[str, Any], path: PathT) -> Mapping[str, Any] | None:
    """The rules that apply at ``path`` (list indexes step into ``schema`` of the list)."""
    rules: Mapping[str, Any] | None = {"type": "dict", "schema": schema}
    for part in path:
        if rules is None:
            return None
        inner = rules.get("schema")
        if not isinstance(inner, Mapping):
            return None
        rules = inner if isinstance(part, int) else inner.get(part)
    return rules


def _convert(error: ValidationError, schema: Mapping[str, Any], loaded: Loaded) -> Diagnostic:
    path: PathT = tuple(error.document_path)
    where: dict[str, Any] = dict(path=path, file=loaded.file)
    rule = error.rule
    value = error.value
    if error.code == 0x03:  # unknown field
        siblings = schema_at(schema, path[:-1]) or {}
        known = list((siblings.get("schema") or {}).keys()) if isinstance(siblings.get("schema"), Mapping) else []
        close = difflib.get_close_matches(str(path[-1]), known, n=1)
        suggestion: Word | str = Word("did_you_mean", (("key", close[0]),)) if close else ""
        return diagnostics.make(
            "schema/unknown-key",
            position=loaded.positions.of_key(path),
            key=path[-1],
            suggestion=suggestion,
            **where,
        )
    position = loaded.positions.of(path)
    if rule == "required":
        parent = loaded.positions.keys.get(path[:-1]) or position
        excludes = (schema_at(schema, path) or {}).get("excludes")
        if excludes:  # required, but excluding another key: exactly one of them (reported once, on the parent)
            keys = sorted([str(path[-1]), *_as_list(excludes)])
            where["path"] = path[:-1]
            return diagnostics.make("schema/one-of", position=parent, keys=f"'{keys[0]}' / '{keys[1]}'", **where)
        return diagnostics.make("schema/required", position=parent, key=path[-1], **where)
    if rule == "excludes":
        keys = sorted([str(path[-1]), *_as_list(error.constraint)])
        return diagnostics.make("schema/exclusive", position=position, keys=f"'{keys[0]}' / '{keys[1]}'", **where)
    if rule in ("type", "nullable"):
        types = error.constraint if rule == "type" else (schema_type(schema_at(schema, path)),)
        named = tuple(Word(str(t)) for t in _as_list(types))
        expected = named[0] if len(named) == 1 else Either(named)  # one word: the same argument as below
        actual = Word(_type_name(value))
        raw = _raw_token(loaded, position)
        if "string" in _as_list(types) and isinstance(value, int | float) and raw and raw.isdigit():
            return diagnostics.make(
                "schema/type-quote", position=position, expected=expected, actual=actual, raw=raw, **where
            )
        shown = "" if value is None or isinstance(value, dict | list) else f" ({_show(value)})"
        return diagnostics.make(
            "schema/type", position=position, expected=expected, actual=actual, value=shown, **where
        )
    if rule == "allowed":
        allowed = ", ".join(str(a) for a in error.constraint)
        shown = _show(value if not isinstance(value, list) else [v for v in value if v not in error.constraint])
        return diagnostics.make("schema/allowed", position=position, value=shown, allowed=allowed, **where)
    if rule in ("min", "max"):
        return diagnostics.make(
            f"schema/{rule}", position=position, value=_show(value), limit=error.constraint, **where
        )
    if rule in ("minlength", "maxlength"):
        return diagnostics.make(
            f"schema/{rule}",
            position=position,
            limit=error.constraint,
            length=len(value) if hasattr(value, "__len__") else "?",
            **where,
        )
    if rule == "regex":
        pattern = _expected(schema, path) or f"/{error.constraint}/"
        return diagnostics.make("schema/format", position=position, value=_show(value), expected=pattern, **where)
    if rule == "check_with":
        format_word = _expected(schema, path) or Word(str(error.info[0]) if error.info else "term")
        return diagnostics.make("schema/format", position=position, value=_show(value), expected=format_word, **where)
    if rule == "empty":
        return diagnostics.make("schema/empty", position=position, **where)
    if rule is None and error.info and str(error.info[0]).startswith("max_chars:"):
        _, language, length, limit = str(error.info[0]).split(":")
        if language:
            path = (*path, language)
            where["path"] = path
        return diagnostics.make(
            "text/name-too-long", position=loaded.positions.of(path), length=length, limit=limit, **where
        )
    return diagnostics.make("schema/invalid", position=position, detail=f"{rule}: {_show(value)}", **where)


def _raw_token(loaded: Loaded, position: tuple[int, int] | None) -> str:
    """The value as written in the file (digits keep their leading zeros)."""
    if position is None or not loaded.text:
        return ""
    lines = loaded.text.splitlines()
    if not 0 < position[0] <= len(lines):
        return ""
    rest = lines[position[0] - 1][position[1] - 1 :]
    return rest.split("#", 1)[0].strip().rstrip(",]}").strip()


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dt.date):
        return "date"
    return "string"


def schema_type(rules: Mapping[str, Any] | None) -> str:
    if not rules:
        return "string"
    kind = rules.get("type", "string")
    return kind[0] if isinstance(kind, list) else kind


# --- cross-field checks ---------------------------------------------------------------------------


def localized_paths(schema: Mapping[str, Any], data: Any, path: PathT = ()) -> Iterator[tuple[PathT, Any]]:
    """Every value in ``data`` that the schema types as localized text."""
    for key, rules in schema.items():
        if not isinstance(data, dict) or key not in data or data[key] is None:
            continue
        yield from _localized_value(rules, data[key], (*path, key))


def _localized_value(rules: Mapping[str, Any], value: Any, path: PathT) -> Iterator[tuple[PathT, Any]]:
    types = _as_list(rules.get("type"))
    if "localized" in types and not isinstance(value, int | bool):
        yield path, value
    elif "dict" in types and isinstance(value, dict) and isinstance(rules.get("schema"), Mapping):
        yield from localized_paths(rules["schema"], value, path)
    elif "list" in types and isinstance(value, list) and isinstance(rules.get("schema"), Mapping):
        for i, item in enumerate(value):
            yield from _localized_value(rules["schema"], item, (*path, i))
    if rules.get("check_with") == "choice_or_other" and isinstance(value, dict) and "other" in value:
        yield (*path, "other"), value["other"]


def prose_fields(schema: Mapping[str, Any], data: Any) -> Iterator[tuple[PathT, Any]]:
    """Every localized text of ``data`` that is prose: not marked ``meta: {prose: false}`` in the
    schema (addresses, places and people's names are not read for pyramid language)."""
    for path, value in localized_paths(schema, data):
        rules = schema_at(schema, path[:-1] if path[-1:] == ("other",) else path) or {}
        if (rules.get("meta") or {}).get("prose", True):
            yield path, value


def _check_localized(
    schema: Mapping[str, Any], data: dict[str, Any], loaded: Loaded, langs: tuple[str, ...]
) -> Iterator[Diagnostic]:
    """Localized texts: a text per language of the pack (``langs``), or one text for one language."""
    raw = data.get("languages")
    languages = [x for x in raw if isinstance(x, str) and x in langs] if isinstance(raw, list) else []
    listed = ", ".join(languages)
    for path, value in localized_paths(schema, data):
        where: dict[str, Any] = dict(path=path, file=loaded.file)
        if isinstance(value, str):
            if not value.strip():
                yield diagnostics.make("schema/empty", position=loaded.positions.of(path), **where)
            elif len(languages) > 1:
                example = "{" + ", ".join(f"{x}: ..." for x in languages) + "}"
                yield diagnostics.make(
                    "schema/localized-plain",
                    position=loaded.positions.of(path),
                    languages=listed,
                    example=example,
                    **where,
                )
            continue
        if not isinstance(value, dict):
            continue
        for key, text in value.items():
            sub = (*path, key)
            if key not in langs:
                yield diagnostics.make(
                    "schema/localized-language",
                    position=loaded.positions.of_key(sub),
                    key=key,
                    path=sub,
                    file=loaded.file,
                )
            elif not isinstance(text, str):
                yield _found(
                    "schema/type",
                    loaded,
                    sub,
                    expected=Word("string"),
                    actual=Word(_type_name(text)),
                    value="",
                )
            elif not text.strip():
                yield _found("schema/empty", loaded, sub)
        for language in languages:
            if language not in value:
                yield diagnostics.make(
                    "schema/localized-missing",
                    position=loaded.positions.of(path),
                    language=Word(language),
                    code=language,
                    languages=listed,
                    **where,
                )


def _found(code: str, loaded: Loaded, path: PathT, **fields: Any) -> Diagnostic:
    """A diagnostic at ``path`` of the input file, placed at that value's line and column."""
    return diagnostics.make(code, path=path, position=loaded.positions.of(path), file=loaded.file, **fields)


def _fill_absent(schema: Mapping[str, Any], data: dict[str, Any]) -> None:
    """Give every key of the contract a value, so that templates can test optional keys."""
    for key, rules in schema.items():
        if key not in data:
            data[key] = None
            continue
        value = data[key]
        inner = rules.get("schema")
        if isinstance(value, dict) and isinstance(inner, Mapping) and "dict" in _as_list(rules.get("type")):
            _fill_absent(inner, value)
        elif isinstance(value, list) and isinstance(inner, Mapping) and isinstance(inner.get("schema"), Mapping):
            for item in value:
                if isinstance(item, dict):
                    _fill_absent(inner["schema"], item)


class _TestedSchema(DefinitionSchema):
    """A pack's input schema as cerberus uses it, without cerberus checking the schema itself.

    That check (every rule of the schema validated against cerberus's own schema) cost more than
    validating an input: about half of a cold ``coopdocs validate``. A pack's schema is data that
    ships with coopdocs and that no option replaces, so it is checked once, by the test suite
    (``tests/test_schema.py`` builds an ``InputValidator`` from every pack's schema with the check on)."""

    def validate(self, schema: Any = None) -> None:
        return None


@cache
def _validator(pack: Pack, *, purge: bool) -> InputValidator:
    """One validator per pack and mode (normalizing, or reporting unknown keys)."""
    options = {"purge_unknown": True} if purge else {"allow_unknown": False}
    validator = InputValidator(None, **options)
    validator.schema = _TestedSchema(validator, pack.base.input_schema())
    return validator


def validate_input(
    loaded: Loaded, *, default_pack: Pack | None = None
) -> tuple[Cooperative | None, list[Diagnostic]]:
    """Run the schema and the pack's input checks. Returns the model only when there is no error.

    The input's ``jurisdiction:`` and ``form:`` choose the pack (``default_pack`` stands in for keys it
    leaves out); a pack that is not installed is the one error reported."""
    if loaded.data is None:
        return None, list(loaded.diagnostics)
    pack = select_pack(loaded.data, default_pack)
    if pack is None:
        return None, _unique([*loaded.diagnostics, _unknown_pack(loaded)])
    schema = pack.input_schema()
    found: list[Diagnostic] = list(loaded.diagnostics)
    validator = _validator(pack, purge=False)
    validator.validate(loaded.data)
    found += [_convert(e, schema, loaded) for e in _leaf_errors(list(validator._errors))]
    document = validator.document if isinstance(validator.document, dict) else loaded.data
    found += _check_localized(schema, document, loaded, pack.languages)
    for check in pack.input_checks:
        found += inputchecks.run(check, document, loaded, pack)
    if any(d.blocking for d in found):
        return None, _unique(found)
    normalized = _validator(pack, purge=True).normalized(loaded.data)
    _fill_absent(schema, normalized)
    digest = hashlib.sha256(loaded.text.encode("utf-8")).hexdigest()
    return Cooperative(loaded.file, normalized, loaded.positions, pack, digest), _unique(found)


def _unknown_pack(loaded: Loaded) -> Diagnostic:
    data = loaded.data or {}
    return diagnostics.make(
        "pack/unknown",
        path=("jurisdiction",),
        position=loaded.positions.of(("jurisdiction",)),
        file=loaded.file,
        jurisdiction=data.get("jurisdiction"),
        form=data.get("form"),
        available=", ".join(p.key for p in available_packs()),
    )


def validate_programs(
    loaded: Loaded, *, default_pack: Pack | None = None
) -> tuple[list[dict[str, Any]] | None, list[Diagnostic], Pack | None]:
    """Only the ``programs`` list of a file (the terms of a scheme, for ``coopdocs stress``)."""
    if loaded.data is None:
        return None, list(loaded.diagnostics), default_pack
    pack = select_pack(loaded.data, default_pack)
    if pack is None:
        return None, _unique([*loaded.diagnostics, _unknown_pack(loaded)]), None
    schema = {"programs": {**pack.input_schema()["programs"], "required": True}}
    validator = InputValidator(None, allow_unknown=True)
    validator.schema = _TestedSchema(validator, schema)
    validator.validate(loaded.data)
    found = list(loaded.diagnostics) + [
        _convert(e, schema, loaded) for e in _leaf_errors(list(validator._errors))
    ]
    document = validator.document if isinstance(validator.document, dict) else loaded.data
    found += _check_localized(schema, document, loaded, pack.languages)
    if any(d.blocking for d in found):
        return None, _unique(found), pack
    normalized = validator.normalized({"programs": loaded.data["programs"]}) or {}
    _fill_absent(schema, normalized)
    return list(normalized["programs"]), _unique(found), pack


def _unique(diags: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for d in diags:
        key = d.same
        if key not in seen:
            seen.add(key)
            out.append(d)
    return sorted(out, key=diagnostics.sort_key)


# --- JSON Schema ---------------------------------------------------------------------------------

_JSON_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "dict": "object",
    "list": "array",
}


# A date: a string YYYY-MM-DD as YAML 1.2 loaders (editors) give it, or the date object a YAML 1.1
# loader (PyYAML, ruamel's "safe" in 1.1 mode) makes of an unquoted date. No "type": "string", so
# that the object passes ("format" and "pattern" apply to strings only); "not" still refuses a
# number, a boolean, a list, a mapping or null.
DATE_JSON: dict[str, Any] = {
    "format": "date",
    "pattern": r"^\d{4}-\d{2}-\d{2}$",
    "not": {"type": ["number", "boolean", "array", "object", "null"]},
}


def _localized_json(limit: int, langs: tuple[str, ...]) -> dict[str, Any]:
    text = {"type": "string", "minLength": 1, "maxLength": limit}
    return {
        "oneOf": [
            text,
            {
                "type": "object",
                "properties": {lang: dict(text) for lang in langs},
                "additionalProperties": False,
                "minProperties": 1,
            },
        ]
    }


def _rule_json(rules: Mapping[str, Any], langs: tuple[str, ...]) -> dict[str, Any]:
    variants = []
    for kind in _as_list(rules.get("type", "string")):
        if kind == "localized":
            variants.append(_localized_json(rules.get("max_chars", MAX_TEXT_CHARS), langs))
        elif kind == "date":
            variants.append(DATE_JSON)
        elif kind == "dict":
            variants.append(
                _object_json(rules["schema"], langs) if isinstance(rules.get("schema"), Mapping) else {"type": "object"}
            )
        elif kind == "list":
            entry: dict[str, Any] = {"type": "array"}
            if isinstance(rules.get("schema"), Mapping):
                entry["items"] = _rule_json(rules["schema"], langs)
            if "minlength" in rules:
                entry["minItems"] = rules["minlength"]
            if "maxlength" in rules:
                entry["maxItems"] = rules["maxlength"]
            variants.append(entry)
        else:
            entry = {"type": _JSON_TYPES[kind]}
            if "allowed" in rules:
                entry["enum"] = list(rules["allowed"])
            if "min" in rules:
                entry["minimum"] = rules["min"]
            if "max" in rules:
                entry["maximum"] = rules["max"]
            if "regex" in rules:
                entry["pattern"] = f"^{rules['regex']}$"
            variants.append(entry)
    out: dict[str, Any] = variants[0] if len(variants) == 1 else {"anyOf": variants}
    if rules.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    description = (rules.get("meta") or {}).get("description")
    if description:
        out = {"description": description, **out}
    if "default" in rules and not isinstance(rules["default"], dt.date):
        out["default"] = rules["default"]
    return out


def _object_json(schema: Mapping[str, Any], langs: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": {key: _rule_json(rules, langs) for key, rules in schema.items()},
        "required": [key for key, rules in schema.items() if rules.get("required") and not rules.get("excludes")],
        "additionalProperties": False,
    }
    # required keys that exclude each other (qualified: fraction or percent): exactly one of them
    either = [key for key, rules in schema.items() if rules.get("required") and rules.get("excludes")]
    if either:
        out["oneOf"] = [{"required": [key]} for key in either]
    return out


def json_schema(pack: Pack) -> dict[str, Any]:
    """The input contract as JSON Schema (draft 2020-12), generated from the cerberus schema."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://coopdocs.invalid/schema/{pack.key}.json",
        "title": f"coopdocs input: {pack.key}",
        **_object_json(pack.input_schema(), pack.languages),
    }
