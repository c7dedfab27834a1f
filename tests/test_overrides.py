"""Law-firm overrides: one clause in one language, layouts, the sandbox, eject/which/check."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdocs.cli import main
from coopdocs.writers.render import docx_text
from tests.support import BEREKE

CHARTER = "charter/kz/consumer_cooperative/charter"
FIRM_TEXT = "Кооператив является юридическим лицом с момента государственной регистрации (редакция фирмы)."


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def override(folder: Path, text: str, name: str = "overrides.yaml") -> Path:
    target = folder / CHARTER
    target.mkdir(parents=True, exist_ok=True)
    (target / name).write_text(text, encoding="utf-8")
    return folder


def build_charter(out: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    code, _, err = invoke("build", str(BEREKE), "--out", str(out), "--docs", "charter", *extra, env=env)
    return code, err


def test_one_clause_override_changes_exactly_that_clause(tmp_path: Path) -> None:
    firm = override(tmp_path / "firm", f'clauses:\n  general.legal_entity:\n    text:\n      ru: "{FIRM_TEXT}"\n')
    assert build_charter(tmp_path / "plain")[0] == 0
    code, err = build_charter(tmp_path / "firm-out", "--templates", str(firm))
    assert code == 0, err
    plain = docx_text((tmp_path / "plain" / "bereke" / "charter.ru.docx").read_bytes())
    custom = docx_text((tmp_path / "firm-out" / "bereke" / "charter.ru.docx").read_bytes())
    changed = [(a, b) for a, b in zip(plain, custom, strict=True) if a != b]
    assert changed == [(next(p for p in plain if p.startswith("1.5. ")), f"1.5. {FIRM_TEXT}")]
    kk_plain = (tmp_path / "plain" / "bereke" / "charter.kk.docx").read_bytes()
    kk_custom = (tmp_path / "firm-out" / "bereke" / "charter.kk.docx").read_bytes()
    assert docx_text(kk_plain) == docx_text(kk_custom)
    manifest = json.loads((tmp_path / "firm-out" / "bereke" / "coopdocs-manifest.json").read_text(encoding="utf-8"))
    assert [t["file"] for t in manifest["templates"]] == [f"firm/{CHARTER}/overrides.yaml"]


def test_overrides_from_the_environment(tmp_path: Path) -> None:
    firm = override(tmp_path / "firm", f'clauses:\n  general.legal_entity:\n    text:\n      ru: "{FIRM_TEXT}"\n')
    code, err = build_charter(tmp_path / "out", env={"COOPDOCS_TEMPLATES": str(firm)})
    assert code == 0, err
    assert f"1.5. {FIRM_TEXT}" in docx_text((tmp_path / "out" / "bereke" / "charter.ru.docx").read_bytes())


def test_sandbox_blocks_attribute_escapes(tmp_path: Path) -> None:
    firm = override(
        tmp_path / "firm", "clauses:\n  general.status:\n    text:\n      ru: \"{{ ''.__class__.__mro__ }}\"\n"
    )
    code, err = build_charter(tmp_path / "out", "--templates", str(firm))
    assert code == 1
    assert "SecurityError: access to attribute '__class__' of 'str' object is unsafe" in err
    assert "overrides.yaml clause general.status [ru]" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_check_locates_every_problem(tmp_path: Path) -> None:
    firm = override(
        tmp_path / "firm",
        "clauses:\n"
        "  general.nonexistent:\n"
        "    text: {ru: x}\n"
        "  general.status:\n"
        "    text:\n"
        '      ru: "{{ membership.exit.payout_dayz }}"\n'
        '      kk: "{% if %}"\n',
    )
    target = tmp_path / "firm" / CHARTER / "99-firm.yaml"
    target.write_text(
        "id: firm\ntitle: {ru: Особые положения}\nclauses:\n  - id: firm.one\n    text: {ru: x, kk: y}\n",
        encoding="utf-8",
    )
    code, out, _ = invoke("templates", "check", str(firm))
    assert code == 1
    lines = out.splitlines()
    base = str(tmp_path / "firm" / CHARTER)
    assert f"{base}/overrides.yaml:2:3: error: unknown clause id 'general.nonexistent' in charter" in lines
    assert (
        f"{base}/overrides.yaml:6:11: error: the placeholder 'membership.exit.payout_dayz' is not in the input schema"
        in lines
    )
    assert any(line.startswith(f"{base}/overrides.yaml:7:11: error: Jinja syntax error") for line in lines)
    assert f"{base}/99-firm.yaml:5:11: error: text lacks the language(s) en" in lines


def test_layout_override_and_which(tmp_path: Path) -> None:
    code, out, _ = invoke("templates", "eject", "layouts", "--to", str(tmp_path / "firm"))
    assert code == 0
    assert (tmp_path / "firm" / "layouts" / "document.docx").is_file()
    code, out, _ = invoke("templates", "which", "layouts/document.docx", "--templates", str(tmp_path / "firm"))
    assert out.splitlines()[0].endswith("firm/layouts/document.docx  (used)")
    assert out.splitlines()[1].endswith("templates/layouts/document.docx  (shadowed)")
    words = tmp_path / "firm" / "layouts" / "words.yaml"
    words.write_text('signatures:\n  ru: "Подписи учредителей (форма фирмы):"\n', encoding="utf-8")
    code, err = build_charter(tmp_path / "out", "--templates", str(tmp_path / "firm"))
    assert code == 0, err
    text = docx_text((tmp_path / "out" / "bereke" / "charter.ru.docx").read_bytes())
    assert "Подписи учредителей (форма фирмы):" in text
    assert "Құрылтайшылардың қолдары:" in docx_text((tmp_path / "out" / "bereke" / "charter.kk.docx").read_bytes())


def test_eject_refuses_to_overwrite(tmp_path: Path) -> None:
    assert invoke("templates", "eject", "charter", "--to", str(tmp_path))[0] == 0
    code, _, err = invoke("templates", "eject", "charter", "--to", str(tmp_path))
    assert code == 2
    assert "already exist" in err
    shutil.rmtree(tmp_path / "charter")


# --- the sandbox: read-only context, limits, files that are not plain files (issue 13 item 8) ----

HOSTILE = {
    "update": ("{{ names.update({'full': 'HACKED'}) }}x", "access to attribute 'update' of 'dict' object is unsafe"),
    "append": ("{{ languages.append('xx') }}x", "access to attribute 'append' of 'list' object is unsafe"),
    "range": ("{% for i in range(10**7) %}{% endfor %}x", "range() of 10,000,000 items; the limit is 10,000"),
    "repeat": ("{{ 'A'*300000000 }}", "a repeated text or list would hold 300,000,000 characters"),
    "loops": (
        "{% for i in range(10000) %}{% for j in range(10000) %}x{% endfor %}{% endfor %}",
        "the rendered text is longer than 2,000,000 characters",
    ),
    "center": ("{{ 'x'|center(10**9) }}", "the center filter would hold 1,000,000,000 characters"),
    "format": ("{{ '{:>999999999}'.format(1) }}", "a format width would hold 999,999,999 characters"),
    "power": ("{{ 10**10**10 }}", "is too large a number for a template"),
}


def hostile(folder: Path, source: str) -> Path:
    quoted = source.replace('"', '\\"')
    return override(folder, f'clauses:\n  general.status:\n    text:\n      ru: "{quoted}"\n')


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_override_is_the_users_error(tmp_path: Path, case: str) -> None:
    source, problem = HOSTILE[case]
    firm = hostile(tmp_path / "firm", source)
    code, err = build_charter(tmp_path / "out", "--templates", str(firm))
    assert code == 1, err
    assert f"{firm / CHARTER}/overrides.yaml clause general.status [ru]: " in err
    assert problem in err
    assert "internal error" not in err
    assert not (tmp_path / "out" / "bereke").exists()


def test_an_override_cannot_change_what_other_clauses_and_documents_see(tmp_path: Path) -> None:
    """The sandbox refuses in every clause; even `{% set %}` only makes a local name."""
    firm = override(
        tmp_path / "firm",
        "clauses:\n  general.status:\n    text:\n      ru: \"{% set names = {'full': 'HACKED'} %}{{ names.full }}\"\n",
    )
    code, err = build_charter(tmp_path / "out", "--templates", str(firm))
    assert code == 0, err
    text = docx_text((tmp_path / "out" / "bereke" / "charter.ru.docx").read_bytes())
    assert "1.2. HACKED" in text or any(line.endswith("HACKED") for line in text)
    assert sum("HACKED" in line for line in text) == 1
    assert not any(
        "HACKED" in line for line in docx_text((tmp_path / "out" / "bereke" / "charter.kk.docx").read_bytes())
    )


def test_sandbox_messages_speak_the_users_language(tmp_path: Path) -> None:
    firm = hostile(tmp_path / "firm", HOSTILE["update"][0])
    code, err = build_charter(tmp_path / "out", "--templates", str(firm), "--messages", "kk")
    assert code == 1
    assert "үлгі кіріс деректерін оқи алады, бірақ оларды өзгерте алмайды" in err
    code, err = build_charter(tmp_path / "out", "--templates", str(firm), "--messages", "ru")
    assert "шаблон может читать входные данные, но не изменять их" in err


def test_a_symlinked_layout_or_terms_file_is_refused(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parent.parent / "templates"
    layouts = tmp_path / "links" / "layouts"
    layouts.mkdir(parents=True)
    (layouts / "document.docx").symlink_to(shipped / "layouts" / "document.docx")
    code, err = build_charter(tmp_path / "out", "--templates", str(tmp_path / "links"))
    assert code == 1, err
    assert f"{layouts / 'document.docx'} is a symbolic link" in err
    terms = tmp_path / "terms" / "common" / "kz" / "consumer_cooperative"
    terms.mkdir(parents=True)
    (terms / "terms.yaml").symlink_to("/etc/hostname")
    code, err = build_charter(tmp_path / "out", "--templates", str(tmp_path / "terms"))
    assert code == 1, err
    assert f"{terms / 'terms.yaml'} is a symbolic link" in err
    assert not (tmp_path / "out" / "bereke").exists()


def test_a_fifo_override_is_refused_without_reading_it(tmp_path: Path) -> None:
    terms = tmp_path / "firm" / "common" / "kz" / "consumer_cooperative"
    terms.mkdir(parents=True)
    os.mkfifo(terms / "terms.yaml")
    code, err = build_charter(tmp_path / "out", "--templates", str(tmp_path / "firm"))
    assert code == 1, err
    assert f"{terms / 'terms.yaml'} is not a regular file" in err


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"not a zip", "PackageNotFoundError"),
        (b"PK\x05\x06" + b"\x00" * 18, "the layout cannot be used"),  # an empty zip: no word/document.xml
    ],
)
def test_a_broken_layout_is_the_users_error(tmp_path: Path, content: bytes, problem: str) -> None:
    layouts = tmp_path / "firm" / "layouts"
    layouts.mkdir(parents=True)
    (layouts / "document.docx").write_bytes(content)
    code, err = build_charter(tmp_path / "out", "--templates", str(tmp_path / "firm"))
    assert code == 1, err
    assert f"{layouts / 'document.docx'}: the layout cannot be used: " in err
    assert problem in err


def test_a_broken_override_yaml_is_the_users_error(tmp_path: Path) -> None:
    terms = tmp_path / "firm" / "common" / "kz" / "consumer_cooperative"
    terms.mkdir(parents=True)
    (terms / "terms.yaml").write_text("a: [\n", encoding="utf-8")
    code, err = build_charter(tmp_path / "out", "--templates", str(tmp_path / "firm"))
    assert code == 1, err
    assert f"{terms / 'terms.yaml'}: the override cannot be read: " in err
    (terms / "terms.yaml").write_text("just a text\n", encoding="utf-8")
    code, err = build_charter(tmp_path / "out", "--templates", str(tmp_path / "firm"))
    assert code == 1, err
    assert "it must hold a mapping of keys, not str" in err


# --- templates check finds what build would refuse, and nothing on the untouched pack -------------


def test_check_reports_nothing_on_the_untouched_ejected_pack(tmp_path: Path) -> None:
    assert invoke("templates", "eject", "--to", str(tmp_path / "pack"))[0] == 0
    code, out, err = invoke("templates", "check", str(tmp_path / "pack"))
    assert out == ""
    assert (code, err.strip()) == (0, f"{tmp_path / 'pack'}: 0 problem(s), ok")


def test_check_understands_dates_and_item_names_but_not_typos(tmp_path: Path) -> None:
    firm = override(
        tmp_path / "firm",
        "clauses:\n  general.status:\n    text:\n"
        '      ru: "{{ founding.meeting_date.year }} {{ founding.meeting_date.isoformat() }}"\n'
        '      kk: "{{ founding.meeting_date.yeer }} {{ cooperative.name.upper() }}"\n',
    )
    code, out, _ = invoke("templates", "check", str(firm))
    assert code == 1
    where = f"{firm / CHARTER}/overrides.yaml"
    assert out.splitlines() == [
        f"{where}:5:11: error: the placeholder 'founding.meeting_date.yeer' is not in the input schema",
        f"{where} clause general.status [kk]: error: the template cannot be rendered: "
        "UndefinedError: 'datetime.date object' has no attribute 'yeer'",
    ]


@pytest.mark.parametrize("case", ["update", "append", "range", "repeat"])
def test_check_finds_what_build_would_refuse(tmp_path: Path, case: str) -> None:
    source, problem = HOSTILE[case]
    firm = hostile(tmp_path / "firm", source)
    code, out, err = invoke("templates", "check", str(firm))
    assert code == 1, err
    assert out.startswith(f"{firm / CHARTER}/overrides.yaml clause general.status [ru]: error: ")
    assert problem in out
    assert err.strip() == f"{firm}: 1 problem(s)"


def test_check_finds_links_fifos_and_broken_layouts(tmp_path: Path) -> None:
    firm = tmp_path / "firm"
    (firm / "layouts").mkdir(parents=True)
    (firm / "layouts" / "parallel.docx").write_bytes(b"not a zip")
    code, out, _ = invoke("templates", "check", str(firm))
    assert code == 1
    assert out.startswith(f"{firm / 'layouts' / 'parallel.docx'}: error: the layout cannot be used: ")
    terms = firm / "common" / "kz" / "consumer_cooperative"
    terms.mkdir(parents=True)
    (terms / "terms.yaml").symlink_to("/etc/hostname")
    os.mkfifo(terms / "terms-extra.yaml")
    code, out, _ = invoke("templates", "check", str(firm), "--lang", "ru")
    assert code == 1
    assert out.splitlines() == [
        f"{terms / 'terms-extra.yaml'}: ошибка: — не обычный файл (папка, канал или устройство), "
        "поэтому не может быть шаблоном",
        f"{terms / 'terms.yaml'}: ошибка: — символическая ссылка; шаблон должен быть обычным файлом "
        "внутри папки шаблонов, ничего не использовано",
    ]


@pytest.mark.parametrize(
    ("rel", "content", "problem"),
    [
        ("layouts/words.yaml", "signatures: 5\n", "signatures must be a mapping as in the pack's file, not a text"),
        (
            "common/kz/consumer_cooperative/terms.yaml",
            "share_contribution: just a word\n",
            "share_contribution must be a mapping as in the pack's file, not a text",
        ),
        (
            "common/kz/consumer_cooperative/compliance.yaml",
            "title: Compliance\n",
            "title must be a mapping as in the pack's file, not a text",
        ),
    ],
)
def test_a_data_override_must_keep_the_packs_shape(tmp_path: Path, rel: str, content: str, problem: str) -> None:
    path = tmp_path / "firm" / rel
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    code, out, err = invoke("build", str(BEREKE), "--out", str(tmp_path / "out"), "--templates", str(tmp_path / "firm"))
    assert code == 1, err
    assert f"error: {path}: {problem}" in err
    code, out, _ = invoke("templates", "check", str(tmp_path / "firm"))
    assert code == 1
    assert f"{path}: error: {problem}" in out


def test_batch_reports_a_hostile_override_in_the_users_language(tmp_path: Path) -> None:
    firm = hostile(tmp_path / "firm", HOSTILE["append"][0])
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copyfile(BEREKE, inputs / "bereke.yaml")
    out = tmp_path / "out"
    code, _, err = invoke(
        "batch", str(inputs), "--out", str(out), "--docs", "charter", "--templates", str(firm), "--messages", "ru"
    )
    assert code != 123, err
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    (item,) = report["items"]
    assert item["status"] == "failed"
    assert item["message"].startswith(f"templates: {firm / CHARTER}/overrides.yaml clause general.status [ru]: ")
    assert "шаблон может читать входные данные, но не изменять их" in item["message"]
