"""The loader: positions, duplicate keys, refused tags, syntax errors, encodings, aliases."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from coopdocs.compose.messages import worded
from coopdocs.inputs.loader import MAX_VALUES, Positions, load_file, load_text

NESTED = """\
cooperative:
  name: {ru: Береке, kk: Береке}
  purpose:
    - first
    - ru: второй
      kk: екінші
founding:
  founders:
    - kind: person
      iin: "850214300129"
    - kind: legal_entity
"""


def rules(loaded: object) -> list[str]:
    return [d.rule for d in loaded.diagnostics]  # type: ignore[attr-defined]


# --- positions ------------------------------------------------------------------------------------


def test_positions_of_nested_values() -> None:
    loaded = load_text(NESTED)
    values = loaded.positions.values
    assert values[("cooperative",)] == (2, 3)
    assert values[("cooperative", "name")] == (2, 9)
    assert values[("cooperative", "name", "kk")] == (2, 26)
    assert values[("founding", "founders", 0, "iin")] == (10, 12)


def test_positions_of_list_items() -> None:
    loaded = load_text(NESTED)
    values = loaded.positions.values
    assert values[("cooperative", "purpose", 0)] == (4, 7)
    assert values[("cooperative", "purpose", 1)] == (5, 7)
    assert values[("cooperative", "purpose", 1, "kk")] == (6, 11)
    assert values[("founding", "founders", 1)] == (11, 7)
    assert values[("founding", "founders", 1, "kind")] == (11, 13)


def test_positions_of_keys() -> None:
    loaded = load_text(NESTED)
    assert loaded.positions.keys[("cooperative", "purpose")] == (3, 3)
    assert loaded.positions.of_key(("founding", "founders", 0, "iin")) == (10, 7)


def test_position_of_a_missing_path_falls_back_to_its_nearest_ancestor() -> None:
    loaded = load_text(NESTED)
    assert loaded.positions.of(("founding", "founders", 1, "bin")) == (11, 7)
    assert loaded.positions.of_key(("founding", "meeting_date")) == loaded.positions.of(("founding",))
    assert Positions().of(("anything",)) is None


def test_plain_data_is_returned() -> None:
    loaded = load_text(NESTED)
    assert loaded.diagnostics == []
    assert loaded.data == {
        "cooperative": {
            "name": {"ru": "Береке", "kk": "Береке"},
            "purpose": ["first", {"ru": "второй", "kk": "екінші"}],
        },
        "founding": {"founders": [{"kind": "person", "iin": "850214300129"}, {"kind": "legal_entity"}]},
    }


def test_yaml_1_2_scalars() -> None:
    loaded = load_text("a: yes\nb: NO\nc: 2026-03-01\nd: ~\ne: 0.1\nf: 1_000\n")
    # YAML 1.2: yes/no stay text; a date without a time is a date.
    assert loaded.data == {"a": "yes", "b": "NO", "c": dt.date(2026, 3, 1), "d": None, "e": 0.1, "f": 1000}


# --- duplicate keys -------------------------------------------------------------------------------


def test_duplicate_key_reports_the_second_line() -> None:
    loaded = load_text("a: 1\nb:\n  c: 2\n  d: 3\n  c: 4\n", file="coop.yaml")
    [diag] = loaded.diagnostics
    assert (diag.rule, diag.severity, diag.path) == ("yaml/duplicate-key", "error", "b.c")
    assert (diag.file, diag.line, diag.column) == ("coop.yaml", 5, 3)
    assert "first at line 3" in worded(diag, "en").message


def test_duplicate_key_in_a_flow_mapping() -> None:
    loaded = load_text("name: {ru: A, kk: B, ru: C}\n")
    [diag] = loaded.diagnostics
    assert (diag.rule, diag.path, diag.line, diag.column) == ("yaml/duplicate-key", "name.ru", 1, 22)


# --- tags -----------------------------------------------------------------------------------------


def test_python_tag_is_refused_and_nothing_is_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    source = tmp_path / "evil.yaml"
    source.write_text(
        f'coopdocs: 1\nx: !!python/object/apply:os.system ["touch {marker}"]\n', encoding="utf-8"
    )
    loaded = load_file(source)
    assert not marker.exists()
    assert loaded.data is None
    [diag] = loaded.diagnostics
    assert (diag.rule, diag.path, diag.line, diag.column) == ("yaml/tag", "x", 2, 4)
    assert "!!python/object/apply:os.system" in worded(diag, "en").message


def test_nested_python_tags_that_would_create_a_file_are_refused(tmp_path: Path) -> None:
    marker = tmp_path / "created.txt"
    touch = "!!python/object/apply:pathlib.Path.touch"
    text = f"a:\n  b: {touch} [!!python/object/apply:pathlib.Path ['{marker}']]\n"
    loaded = load_text(text)
    assert not marker.exists()
    assert rules(loaded) == ["yaml/tag"]
    assert loaded.diagnostics[0].path == "a.b"


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: !!python/name:os.system\n", "!!python/name:os.system"),
        ("a: !!python/object:collections.OrderedDict {}\n", "!!python/object:collections.OrderedDict"),
        ("a: !!binary aGVsbG8=\n", "!!binary"),
        ("a: !!set {x, y}\n", "!!set"),
        ("a: !!omap [x: 1]\n", "!!omap"),
        ("a: !custom value\n", "!custom"),
        ("a: [1, !custom 2]\n", "!custom"),
    ],
)
def test_tags_are_refused(text: str, tag: str) -> None:
    loaded = load_text(text)
    assert loaded.data is None
    [diag] = loaded.diagnostics
    assert diag.rule == "yaml/tag"
    assert f"the tag {tag} is not allowed" in worded(diag, "en").message


def test_standard_tags_for_plain_scalars_are_accepted() -> None:
    loaded = load_text('a: !!str 123\nb: !!int "7"\n')
    assert loaded.diagnostics == []
    assert loaded.data == {"a": "123", "b": 7}


# --- syntax errors --------------------------------------------------------------------------------


def test_syntax_error_position() -> None:
    loaded = load_text("a: 1\nb: c: d\n", file="coop.yaml")
    [diag] = loaded.diagnostics
    assert (diag.rule, diag.file, diag.line, diag.column) == ("yaml/syntax", "coop.yaml", 2, 5)
    assert worded(diag, "en").message == "YAML syntax error: mapping values are not allowed here"
    assert loaded.data is None


def test_unclosed_flow_mapping_is_a_syntax_error() -> None:
    loaded = load_text("name: {ru: A, kk: B\nnext: 1\n")
    assert rules(loaded) == ["yaml/syntax"]
    assert loaded.diagnostics[0].line is not None


def test_tab_indentation_is_a_syntax_error() -> None:
    loaded = load_text("a:\n\tb: 1\n")
    [diag] = loaded.diagnostics
    assert (diag.rule, diag.line, diag.column) == ("yaml/syntax", 2, 1)


def test_impossible_date_is_reported_at_its_value() -> None:
    loaded = load_text("a:\n  date: 2026-02-30\n")
    [diag] = loaded.diagnostics
    assert (diag.rule, diag.path, diag.line, diag.column) == ("yaml/date", "a.date", 2, 9)


def test_a_key_that_is_not_plain_text_is_refused() -> None:
    loaded = load_text("? [a, b]\n: 1\n")
    assert rules(loaded) == ["yaml/syntax"]


# --- whole-file problems --------------------------------------------------------------------------


def test_bom_is_skipped(tmp_path: Path) -> None:
    source = tmp_path / "bom.yaml"
    source.write_bytes("\ufeffname: Береке\nterm: indefinite\n".encode())
    loaded = load_file(source)
    assert loaded.diagnostics == []
    assert loaded.data == {"name": "Береке", "term": "indefinite"}
    assert loaded.positions.values[("name",)] == (1, 7)
    assert loaded.positions.values[("term",)] == (2, 7)


def test_not_utf8_reports_the_byte_offset_and_position(tmp_path: Path) -> None:
    source = tmp_path / "cp1251.yaml"
    prefix = b"a: 1\nname: "
    source.write_bytes(prefix + "Береке\n".encode("cp1251"))
    loaded = load_file(source)
    assert loaded.data is None
    [diag] = loaded.diagnostics
    assert (diag.rule, diag.line, diag.column) == ("yaml/encoding", 2, 7)
    assert worded(diag, "en").message == f"the file is not valid UTF-8 (byte {len(prefix) + 1} of the file)"


def test_not_utf8_after_multibyte_text(tmp_path: Path) -> None:
    source = tmp_path / "mixed.yaml"
    source.write_bytes("a: Қ\n".encode() + b"b: \xff\n")
    [diag] = load_file(source).diagnostics
    assert (diag.rule, diag.line, diag.column) == ("yaml/encoding", 2, 4)
    assert "(byte 10 of the file)" in worded(diag, "en").message


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\n\n  \n",
        "\ufeff".encode(),
        b"# only a comment\n",
        b"---\n",
    ],
)
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    source = tmp_path / "empty.yaml"
    source.write_bytes(content)
    loaded = load_file(source)
    assert loaded.data is None
    assert rules(loaded) == ["yaml/empty"]


@pytest.mark.parametrize(("text", "kind"), [("- a\n- b\n", "a list"), ("just text\n", "a single value")])
def test_top_level_must_be_a_mapping(text: str, kind: str) -> None:
    loaded = load_text(text)
    assert loaded.data is None
    [diag] = loaded.diagnostics
    assert (diag.rule, diag.line, diag.column) == ("yaml/not-mapping", 1, 1)
    assert f"not {kind}" in worded(diag, "en").message


def test_unreadable_file(tmp_path: Path) -> None:
    loaded = load_file(tmp_path / "missing.yaml")
    assert loaded.data is None
    assert rules(loaded) == ["input/unreadable"]


# --- anchors and aliases --------------------------------------------------------------------------


def test_anchors_and_aliases_are_expanded() -> None:
    loaded = load_text("base: &addr {ru: Конаев, kk: Қонаев}\nplace: *addr\nlist: [&n 5, *n]\n")
    assert loaded.diagnostics == []
    assert loaded.data == {
        "base": {"ru": "Конаев", "kk": "Қонаев"},
        "place": {"ru": "Конаев", "kk": "Қонаев"},
        "list": [5, 5],
    }


def test_merge_key_never_merges_silently() -> None:
    # YAML 1.2 has no merge keys: `<<` is either refused or kept as a plain key, never merged.
    loaded = load_text("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n")
    if loaded.data is None:
        [diag] = loaded.diagnostics
        assert (diag.severity, diag.line, diag.column) == ("error", 3, 3)
    else:
        assert loaded.data["other"] == {"<<": {"x": 1}, "y": 2}


def test_alias_bomb_is_refused_by_the_size_limit() -> None:
    # Ten levels of ten aliases each would expand to 10**10 values.
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)]
    started = time.monotonic()
    loaded = load_text("\n".join(lines) + "\n")
    # Generous bound: the limit stops the expansion after MAX_VALUES values, long before 10**10.
    assert time.monotonic() - started < 30
    assert loaded.data is None
    [diag] = loaded.diagnostics
    assert diag.rule == "yaml/too-large"
    assert str(MAX_VALUES) in worded(diag, "en").message


def test_large_plain_document_under_the_limit_loads() -> None:
    text = "items:\n" + "".join(f"  - {i}\n" for i in range(1000))
    loaded = load_text(text)
    assert loaded.diagnostics == []
    assert loaded.data == {"items": list(range(1000))}
