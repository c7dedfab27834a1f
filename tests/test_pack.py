"""The pack as a value: one search path, one merge rule, a record of the files it read, packs of
other distributions (entry points)."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdocs.cli import main
from coopdocs.compose.messages import worded
from coopdocs.errors import TemplateError
from coopdocs.packs import pack as packs
from coopdocs.packs.pack import Pack, merge
from tests.support import BEREKE, DEFAULT_PACK

COMMON = "common/kz/consumer_cooperative"


def test_merge_is_key_by_key_and_replaces_anything_else() -> None:
    base = {"a": {"ru": "x", "kk": "y"}, "b": [1, 2], "c": "z"}
    assert merge(base, {"a": {"ru": "X"}, "b": [3]}) == {"a": {"ru": "X", "kk": "y"}, "b": [3], "c": "z"}
    assert base["a"] == {"ru": "x", "kk": "y"}  # the pack's data is not changed


def test_search_path_user_folders_first_legal_files_never_from_them(tmp_path: Path) -> None:
    pack = Pack("kz", "consumer_cooperative", (str(tmp_path / "a"), str(tmp_path / "b")))
    path = pack.search_path(f"templates/{COMMON}/facts.yaml")
    assert path[:2] == [tmp_path / "a" / COMMON / "facts.yaml", tmp_path / "b" / COMMON / "facts.yaml"]
    assert path[2] == packs.data_root() / "templates" / COMMON / "facts.yaml"
    assert pack.search_path("schemas/messages.yaml")[0] == tmp_path / "a" / "messages.yaml"
    rules = pack.search_path(pack.schema_rel("rules.yaml"))
    assert rules == [packs.data_root() / "schemas" / "kz" / "consumer_cooperative" / "rules.yaml"]


def test_a_users_file_merges_over_the_packs_and_is_recorded(tmp_path: Path) -> None:
    firm = tmp_path / "firm"
    (firm / COMMON).mkdir(parents=True)
    (firm / COMMON / "amendments.yaml").write_text("no_difference:\n  ru: Без изменений (фирма).\n", encoding="utf-8")
    pack = Pack("kz", "consumer_cooperative", (str(firm),))
    words = pack.read(pack.common_rel("amendments.yaml"))
    assert words["no_difference"]["ru"] == "Без изменений (фирма)."
    assert words["no_difference"]["kk"] == DEFAULT_PACK.read(DEFAULT_PACK.common_rel("amendments.yaml"))[
        "no_difference"
    ]["kk"]
    assert "signatures" in words  # the rest of the pack's file stays
    assert pack.used_overrides() == [(firm, firm / COMMON / "amendments.yaml")]
    assert packs.data_root() / "templates" / COMMON / "amendments.yaml" in pack.used()


def test_a_users_file_must_keep_the_packs_shape(tmp_path: Path) -> None:
    firm = tmp_path / "firm"
    (firm / COMMON).mkdir(parents=True)
    (firm / COMMON / "questions.yaml").write_text("messages: just a text\n", encoding="utf-8")
    pack = Pack("kz", "consumer_cooperative", (str(firm),))
    with pytest.raises(TemplateError, match="messages must be a mapping"):
        pack.read(pack.common_rel("questions.yaml"))


def test_the_manifest_lists_the_users_files_the_pack_read(tmp_path: Path) -> None:
    firm = tmp_path / "firm"
    (firm / COMMON).mkdir(parents=True)
    (firm / COMMON / "facts.yaml").write_text("{}\n", encoding="utf-8")
    (firm / "layouts").mkdir()
    (firm / "layouts" / "words.yaml").write_text("{}\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["build", str(BEREKE), "--out", str(tmp_path / "out"), "--docs", "charter", "--templates", str(firm)]
    )
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / "bereke" / "coopdocs-manifest.json").read_text(encoding="utf-8"))
    assert [t["file"] for t in manifest["templates"]] == [f"firm/{COMMON}/facts.yaml", "firm/layouts/words.yaml"]


class _EntryPoint:
    def __init__(self, name: str, value: object) -> None:
        self.name, self.value, self._value = name, "dummy_pack:root", value

    def load(self) -> object:
        return self._value


def test_packs_of_other_distributions_come_from_entry_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "dist"
    own = packs.data_root() / "schemas" / "kz" / "consumer_cooperative"
    folder = root / "schemas" / "xx" / "test_cooperative"
    folder.mkdir(parents=True)
    for name in ("input.yaml", "citations.yaml"):
        (folder / name).write_text((own / name).read_text(encoding="utf-8"), encoding="utf-8")
    meta = "id: xx/test_cooperative\nedition: '2027-01-01'\ndocuments: {}\n"
    (folder / "pack.yaml").write_text(meta, encoding="utf-8")

    def entry_points(group: str) -> list[_EntryPoint]:
        assert group == "coopdocs.packs"
        return [_EntryPoint("xx", lambda: str(root))]

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    packs.available_packs.cache_clear()
    try:
        found = packs.find_pack("xx", "test_cooperative")
        assert found is not None and found.data_root == root.resolve()
        assert found.edition == "2027-01-01"
        assert {"kz/consumer_cooperative", "xx/test_cooperative"} <= {p.key for p in packs.available_packs()}
        # shared files (layouts, messages) come from coopdocs' own root after the pack's
        assert found.candidates("templates/layouts/words.yaml") == [packs.data_root() / "templates/layouts/words.yaml"]
    finally:
        packs.available_packs.cache_clear()


def test_languages_documents_and_the_parallel_pair_are_the_packs_data() -> None:
    meta = packs.read_yaml(packs.data_root() / "schemas/kz/consumer_cooperative/pack.yaml")
    assert DEFAULT_PACK.languages == tuple(meta["languages"]) == ("ru", "kk", "en")
    assert DEFAULT_PACK.parallel == ("kk", "ru")
    assert DEFAULT_PACK.documents == tuple(meta["documents"])
    assert DEFAULT_PACK.outputs[0] == "charter" and "compliance" in DEFAULT_PACK.outputs


def test_docs_option_offers_what_the_installed_packs_write() -> None:
    result = CliRunner().invoke(main, ["build", str(BEREKE), "--docs", "nonsense"])
    assert result.exit_code == 2
    offered = result.stderr.split("choose from ", 1)[1].split(")", 1)[0]
    assert set(DEFAULT_PACK.outputs) <= {name.strip(" '\n.") for name in offered.split(",")}


def test_input_checks_are_the_packs_registered_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from coopdocs.errors import PackError
    from coopdocs.inputs import inputchecks
    from coopdocs.inputs.loader import load_file
    from coopdocs.inputs.schema import validate_input

    assert set(DEFAULT_PACK.input_checks) <= set(inputchecks.CHECKS)
    text = BEREKE.read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    iin = "850214300129"  # the first founder's
    assert iin in text
    bad.write_text(text.replace(iin, iin[:-1] + "8", 1), encoding="utf-8")
    _, found = validate_input(load_file(bad))
    assert "input/iin" in {d.rule for d in found}
    iin = next(d for d in found if d.rule == "input/iin")
    assert worded(iin, "en").citation is not None  # cited from the input's pack
    monkeypatch.setattr(Pack, "input_checks", property(lambda self: ()))
    _, found = validate_input(load_file(bad))
    assert "input/iin" not in {d.rule for d in found}
    monkeypatch.setattr(Pack, "input_checks", property(lambda self: ("no_such_check",)))
    with pytest.raises(PackError, match="no_such_check"):
        validate_input(load_file(bad))


def test_the_input_chooses_its_pack_and_the_command_line_only_defaults(tmp_path: Path) -> None:
    from coopdocs.checking.pipeline import check_file
    from coopdocs.inputs.loader import load_file
    from coopdocs.inputs.schema import validate_input

    text = BEREKE.read_text(encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text(text.replace("form: consumer_cooperative", "form: no_such_form", 1), encoding="utf-8")
    checked = check_file(other, default_pack=DEFAULT_PACK)
    assert checked.cooperative is None and [d.rule for d in checked.diagnostics if d.blocking] == ["pack/unknown"]
    assert "kz/consumer_cooperative" in worded(checked.diagnostics[-1], "en").message
    assert check_file(BEREKE).cooperative is not None  # the input names its pack: no default needed
    nameless = tmp_path / "nameless.yaml"
    nameless.write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith(("jurisdiction:", "form:"))),
        encoding="utf-8",
    )
    assert [d.rule for d in validate_input(load_file(nameless))[1]] == ["pack/unknown"]
    coop, found = validate_input(load_file(nameless), default_pack=DEFAULT_PACK)
    assert {d.rule for d in found if d.blocking} == {"schema/required"}  # the default's contract asks for them


def test_packs_command_and_pack_option() -> None:
    result = CliRunner().invoke(main, ["packs", "--format", "json"])
    assert result.exit_code == 0
    rows = {row["pack"]: row for row in json.loads(result.stdout)}
    assert rows["kz/consumer_cooperative"]["default"] is True
    assert rows["kz/consumer_cooperative"]["edition"] == DEFAULT_PACK.edition
    result = CliRunner().invoke(main, ["rules", "--pack", "kz/consumer_cooperative", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)
    result = CliRunner().invoke(main, ["rules", "--pack", "xx/none"])
    assert result.exit_code == 2 and "not an installed pack" in result.stderr
    result = CliRunner().invoke(main, ["explain", "KZ-PC-EXIT-PAYOUT-PERIOD", "--lang", "en"])
    assert result.exit_code == 0 and result.stdout.startswith("KZ-PC-EXIT-PAYOUT-PERIOD")


def test_no_module_reaches_into_another_modules_private_names() -> None:
    import ast

    def private(name: str) -> bool:
        return name.startswith("_") and not name.startswith("__")

    def is_module(package: str, name: str) -> bool:
        folder = packs.PACKAGE_DIR.joinpath(*package.split(".")[1:], name)
        return folder.with_suffix(".py").is_file() or (folder / "__init__.py").is_file()

    reached = []
    for path in sorted(packs.PACKAGE_DIR.rglob("*.py")):  # every module of every stage's package
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("coopdocs"):
                modules |= {a.asname or a.name for a in node.names if is_module(node.module, a.name)}
                reached += [f"{path.name}: from {node.module} import {a.name}" for a in node.names if private(a.name)]
            if isinstance(node, ast.Import):
                modules |= {a.asname for a in node.names if a.asname and a.name.startswith("coopdocs.")}
        reached += [
            f"{path.name}: {node.value.id}.{node.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            if node.value.id in modules and private(node.attr)
        ]
    assert reached == []


def test_no_default_pack_below_the_command_line() -> None:
    """Every stage receives its pack: only the command line (cli.py) and the web server's app factory
    (an entry point like it) pick the default pack; no module names a pack or a jurisdiction of its own."""
    import ast

    picked = []
    for path in sorted(packs.PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(packs.PACKAGE_DIR).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "DEFAULT_PACK":
                picked.append(f"{rel}:{node.lineno}: DEFAULT_PACK")
            called = getattr(node.func, "id", getattr(node.func, "attr", "")) if isinstance(node, ast.Call) else ""
            if called == "default_pack":
                picked.append(f"{rel}:{node.lineno}: default_pack()")
            if isinstance(node, ast.Constant) and node.value in ("consumer_cooperative", "agricultural_cooperative"):
                picked.append(f"{rel}:{node.lineno}: {node.value!r}")
            if isinstance(node, ast.arguments):  # a jurisdiction as a parameter's default (`jurisdiction="kz"`)
                defaults = [*node.defaults, *(d for d in node.kw_defaults if d is not None)]
                kz = [d for d in defaults if isinstance(d, ast.Constant) and d.value == "kz"]
                picked += [f"{rel}:{d.lineno}: {d.value!r}" for d in kz]
    allowed = [p for p in picked if p.startswith(("cli.py:", "commands/serve.py:"))]
    assert sorted(set(picked) - set(allowed)) == []
    assert any("cli.py" in p and "'consumer_cooperative'" in p for p in allowed)  # cli.DEFAULT_PACK_KEY
    serve = [p for p in allowed if p.startswith("commands/serve.py")]
    assert serve == [p for p in serve if "default_pack()" in p] and len(serve) == 1  # create_app's
