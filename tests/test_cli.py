from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdocs.cli import main
from tests.support import BEREKE, write_patched


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_validate_clean_example() -> None:
    code, out, err = run("validate", str(BEREKE))
    assert code == 0
    assert all(": info[" in line for line in out.splitlines() if line.startswith(str(BEREKE)))
    assert "0 error(s), 0 red flag(s), 0 warning(s), ok" in err


def test_validate_json_shape(tmp_path: Path) -> None:
    path = write_patched(tmp_path, {"membership.exit.payout_days": -1})
    code, out, _ = run("validate", str(path), "--format", "json")
    assert code == 1
    payload = json.loads(out)
    (one,) = payload["files"]  # one file or several: the same object (issue 18)
    assert one["file"] == str(path)
    assert one["summary"] == payload["summary"] == {"errors": 1, "warnings": 0, "red_flags": 0}
    assert [{**d, "file": str(path)} for d in one["diagnostics"]] == payload["diagnostics"]
    (diag,) = one["diagnostics"]
    assert set(diag) == {"rule", "severity", "path", "line", "column", "message", "citation", "hint"}
    assert diag["path"] == "membership.exit.payout_days"
    assert isinstance(diag["line"], int) and isinstance(diag["column"], int)


def test_several_files_each_reported(tmp_path: Path) -> None:
    bad = write_patched(tmp_path, {"membership.exit.payout_days": -1}, name="bad.yaml")
    code, out, err = run("validate", str(BEREKE), str(bad))
    assert code == 1
    assert f"{bad}:" in out
    assert f"{BEREKE}: 0 error(s)" in err and f"{bad}: 1 error(s)" in err


@pytest.mark.parametrize("command", [["validate"], ["build"], ["stress"], ["validate", "--format", "json"]])
def test_missing_file_is_a_usage_error(tmp_path: Path, command: list[str]) -> None:
    code, out, err = run(*command, str(tmp_path / "nope.yaml"))
    assert code == 2  # a usage error, not a schema error (issue 18)
    assert f"error: {tmp_path / 'nope.yaml'}: there is no such file" in out + err


def test_missing_file_in_russian(tmp_path: Path) -> None:
    code, out, err = run("validate", "--messages", "ru", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert f"ошибка: {tmp_path / 'nope.yaml'}: такого файла нет" in out + err
    assert "  = подсказка: проверьте имя и папку" in out + err


@pytest.mark.parametrize("option", [["--messages", "ru"], ["--lang", "ru"]])
def test_a_russian_run_prints_no_english_line(tmp_path: Path, option: list[str]) -> None:
    bad = write_patched(tmp_path, {"membership.exit.payout_days": -1}, name="bad.yaml")
    code, out, err = run("validate", *option, str(BEREKE), str(bad))
    assert code == 1
    text = out + err
    assert f"{bad}: ошибок: 1, красных флагов: 0, предупреждений: 0" in text
    assert f"{BEREKE}: ошибок: 0, красных флагов: 0, предупреждений: 0, всё в порядке" in text
    # a member reads the field as the questionnaire asks it, never its YAML path
    assert ": ошибка[schema/min] «Срок выплаты пая выходящему члену после выхода, дней»: -1 меньше минимума 0" in text
    for english in ("error(s)", "error[", "= hint:", "= law:", ", ok", "membership.exit"):
        assert english not in text


def test_a_lawyer_reads_yaml_paths(tmp_path: Path) -> None:
    bad = write_patched(tmp_path, {"founding.founders[0].iin": "850214300128"}, name="bad.yaml")
    _, member, _ = run("validate", "--messages", "ru", str(bad))
    _, lawyer, _ = run("validate", "--messages", "ru", "--audience", "lawyer", str(bad))
    assert ": ошибка[input/iin] «Учредитель № 1: ИИН»: 850214300128 не является действительным ИИН" in member
    assert ": ошибка[input/iin] founding.founders[0].iin: 850214300128 не является действительным ИИН" in lawyer
    _, kk, _ = run("validate", "--messages", "kk", str(bad))
    assert ": қате[input/iin] «№ 1 құрылтайшы: ЖСН»: " in kk
    _, en, _ = run("validate", "--messages", "en", str(bad))
    assert ': error[input/iin] "Founder no. 1: IIN": ' in en


def test_several_files_give_the_same_json_shape(tmp_path: Path) -> None:
    bad = write_patched(tmp_path, {"membership.exit.payout_days": -1}, name="bad.yaml")
    code, out, _ = run("validate", "--format", "json", str(BEREKE), str(bad))
    assert code == 1
    payload = json.loads(out)
    assert [f["file"] for f in payload["files"]] == [str(BEREKE), str(bad)]
    assert payload["summary"] == {"errors": 1, "warnings": 0, "red_flags": 0}
    assert {d["file"] for d in payload["diagnostics"] if d["severity"] == "error"} == {str(bad)}


def test_usage_error_exit_2() -> None:
    code, _, _ = run("validate", "--format", "xml", str(BEREKE))
    assert code == 2


def test_internal_error_exits_123_and_names_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import coopdocs.checking.pipeline

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(coopdocs.checking.pipeline, "check_file", boom)
    code, _, err = run("validate", str(BEREKE))
    assert code == 123
    assert "internal error (a bug in coopdocs): RuntimeError: simulated bug" in err
    saved = Path(err.rsplit("saved to ", 1)[1].strip())
    assert "simulated bug" in saved.read_text(encoding="utf-8")
    saved.unlink()


def test_schema_command_prints_json_schema() -> None:
    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "membership" in schema["properties"]


def test_lang_from_environment(tmp_path: Path) -> None:
    path = write_patched(tmp_path, {"membership.exit.payout_days": -1})
    result = CliRunner(env={"COOPDOCS_LANG": "ru"}).invoke(main, ["validate", str(path)])
    assert "меньше минимума" in result.stdout


def installed_coopdocs() -> str:
    return str(Path(sys.executable).with_name("coopdocs"))


def test_real_subprocess_of_installed_command(tmp_path: Path) -> None:
    ok = subprocess.run([installed_coopdocs(), "validate", str(BEREKE)], capture_output=True, text=True, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    bad = write_patched(tmp_path, {"founding.chair": 9})
    failed = subprocess.run([installed_coopdocs(), "validate", str(bad)], capture_output=True, text=True, cwd=tmp_path)
    assert failed.returncode == 1
    assert 'error[input/founder-index] "Who chaired the founding meeting": ' in failed.stdout
    assert "Traceback" not in failed.stdout + failed.stderr


def test_explain_answers_in_english() -> None:
    code, out, err = run("explain", "exit.payout_amount", "--lang", "en")
    assert code == 0, err
    assert "The value of the share is determined" in out
    assert "Стоимость доли" not in out and "Доля считается" not in out


def test_explain_takes_the_clause_number_a_member_sees(tmp_path: Path) -> None:
    coop = write_patched(tmp_path, {"cooperative.name.ru": "Достык", "cooperative.name.kk": "Достық"})
    code, out, err = run("explain", "5.6", "--input", str(coop), "--messages", "ru")
    assert code == 0, err
    assert out.startswith("exit.payout_amount\nДокумент: Устав")
    assert f"Текст для {coop}:" in out and "  5.6. Стоимость доли" in out
    code, out, err = run("explain", "99.1", "--input", str(coop), "--messages", "ru")
    assert code == 2
    assert f"ошибка: в уставе для {coop} нет пункта 99.1" in out + err


def test_rules_table_in_russian_has_russian_headings() -> None:
    code, out, _ = run("rules", "--messages", "ru")
    assert code == 0
    assert out.splitlines()[0].split() == ["ПРАВИЛО", "ВАЖНОСТЬ", "ОСНОВАНИЕ"]
    code, out, _ = run("rules")
    assert out.splitlines()[0].split() == ["ID", "SEVERITY", "CITATION"]
