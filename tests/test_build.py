"""`coopdocs build`: outputs, refusal of bad input, atomic writing, safe names, manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdocs.cli import main
from coopdocs.writers import render
from coopdocs.writers.manifest import slug
from tests.support import BEREKE, write_patched


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_build_writes_every_document_and_manifest(tmp_path: Path) -> None:
    code, out, err = invoke("build", str(BEREKE), "--out", str(tmp_path))
    assert code == 0, err
    folder = tmp_path / "bereke"
    names = sorted(p.name for p in folder.iterdir())
    docs = ("charter", "membership", "disputes", "commentary", "minutes", "application", "compliance")
    expected = sorted(f"{d}.{lang}.docx" for d in docs for lang in ("ru", "kk"))
    assert names == sorted([*expected, "coopdocs-manifest.json"])
    manifest = json.loads((folder / "coopdocs-manifest.json").read_text(encoding="utf-8"))
    assert manifest["input"]["sha256"] == hashlib.sha256(BEREKE.read_bytes()).hexdigest()
    assert manifest["rule_pack"]["id"] == "kz/consumer_cooperative"
    for entry in manifest["outputs"]:
        assert hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_build_refuses_input_with_errors(tmp_path: Path) -> None:
    bad = write_patched(tmp_path, {"membership.exit.payout_days": -1})
    code, _, err = invoke("build", str(bad), "--out", str(tmp_path / "out"))
    assert code == 1
    assert "error[schema/min]" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_failed_build_leaves_no_partial_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = render.render_docx
    calls = {"n": 0}

    def flaky(*args: object, **kwargs: object) -> bytes:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "render_docx", flaky)
    code, _, err = invoke("build", str(BEREKE), "--out", str(tmp_path))
    assert code == 123
    assert list(tmp_path.iterdir()) == []


def test_rebuild_replaces_the_folder(tmp_path: Path) -> None:
    assert invoke("build", str(BEREKE), "--out", str(tmp_path))[0] == 0
    assert invoke("build", str(BEREKE), "--out", str(tmp_path), "--docs", "charter", "--lang", "ru")[0] == 0
    names = sorted(p.name for p in (tmp_path / "bereke").iterdir())
    assert names == ["charter.ru.docx", "coopdocs-manifest.json"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("Береке", "bereke"),
        ("Қайнар-Әділет", "qainar-adilet"),
        ("...", "cooperative"),
        ("{{ 7*7 }}", "7-7"),
    ],
)
def test_slugs_are_safe(name: str, expected: str) -> None:
    assert slug(name) == expected


def test_output_folder_name_cannot_escape(tmp_path: Path) -> None:
    evil = {"ru": "../../escape", "kk": "../../escape", "en": "../../escape"}
    path = write_patched(tmp_path, {"cooperative.name": evil, "cooperative.short_name": None})
    out = tmp_path / "out"
    code, _, err = invoke("build", str(path), "--out", str(out), "--docs", "charter")
    assert code == 0, err
    assert [p.name for p in out.iterdir()] == ["escape"]


def test_lang_must_be_among_input_languages(tmp_path: Path) -> None:
    code, _, err = invoke("build", str(BEREKE), "--out", str(tmp_path), "--lang", "en")
    assert code == 2
    assert "--lang en is not among the input's languages (ru, kk)" in err
