"""`coopdocs init`: the questionnaire on standard input, --defaults, overwrite protection, comments."""

from __future__ import annotations

import datetime as dt
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from coopdocs.checking.pipeline import check_file
from coopdocs.cli import main
from coopdocs.commands import init as initing
from coopdocs.inputs import idnumbers
from tests.support import BEREKE, DEFAULT_PACK

# One answer per prompt, in the questionnaire's order (localized texts: ru, then kk).
# A cooperative with one purpose and two founders; labels let a test insert a wrong answer.
ANSWERS: list[tuple[str, str]] = [
    ("name.ru", "Достык"), ("name.kk", "Достық"),
    ("short_name.ru", ""), ("short_name.kk", ""),  # Enter: the short name composed from the name
    ("region.ru", "г. Астана"), ("region.kk", "Астана қ."),
    ("locality.ru", "г. Астана"), ("locality.kk", "Астана қ."),
    ("address.ru", "пр. Республики, 1"), ("address.kk", "Республика д-лы, 1"),
    ("postal_code", "010000"),
    ("purpose_count", "1"),
    ("purpose.ru", "совместная закупка продуктов питания для членов кооператива"),
    ("purpose.kk", "кооператив мүшелері үшін азық-түлікті бірлесіп сатып алу"),
    ("share_amount", "20000"), ("share_forms", "money"), ("share_valuation", "general_meeting"),
    ("share_payment_days", "30"), ("entrance_fee", "0"), ("membership_fee", "500"),
    ("membership_fee_period", "quarter"), ("additional_deadline", "3"), ("penalty", "0.1"),
    ("exclusion_after", "60"), ("legal_entities", "no"), ("min_age", "18"),
    ("meeting_date", "2026-03-01"), ("meeting_place.ru", "г. Астана"), ("meeting_place.kk", "Астана қ."),
    ("founders_count", "2"),
    ("founder1.kind", "person"), ("founder1.name.ru", "Ахметов Серик Болатович"),
    ("founder1.name.kk", "Ахметов Серік Болатұлы"), ("founder1.iin", "850214300129"),
    ("founder1.address.ru", "г. Астана, ул. Абая, 1"), ("founder1.address.kk", "Астана қ., Абай к-сі, 1"),
    ("founder1.share", "20000"),
    ("founder2.kind", "person"), ("founder2.name.ru", "Иванова Мария Петровна"),
    ("founder2.name.kk", "Иванова Мария Петровна"), ("founder2.iin", "900517400154"),
    ("founder2.address.ru", "г. Астана, ул. Сатпаева, 4"), ("founder2.address.kk", "Астана қ., Сәтбаев к-сі, 4"),
    ("founder2.share", "25000"),
    ("founding_chair", "1"), ("founding_secretary", "2"), ("elected_chair", "1"),
    ("admission_body", "general_meeting"), ("admission_days", "30"), ("membership_starts", "on_payment"),
    ("exit_notice", "30"), ("payout_days", "60"), ("payout_form", "money"),
    ("exclusion_grounds", "non_payment, charter_violation"), ("exclusion_notice", "14"),
    ("inheritance", "heirs_paid_or_join"),
    ("gm_months", "4"), ("gm_extraordinary", "10"), ("gm_notice", "15"), ("gm_notice_methods", "written"),
    ("gm_quorum", "60"), ("gm_majority", "50"), ("gm_qualified", "3/4"),
    ("gm_qualified_matters", "charter_amendment, reorganization, liquidation"),
    ("board_size", "3"), ("board_term", "2"), ("chair_title", "chair_of_cooperative"), ("chair_term", "2"),
    ("audit_kind", "auditor"), ("audit_term", "2"), ("audit_checks", "1"),
    ("reserve_percent", "10"), ("reserve_target", "25"), ("development_fund", "yes"), ("social_fund", "no"),
    ("programs_count", "1"), ("program1.name.ru", "Приобретение холодильного оборудования"),
    ("program1.name.kk", "Тоңазытқыш жабдықтарын сатып алу"), ("program1.price", "1200000"),
    ("program1.own_percent", "50"), ("program1.monthly", "50000"), ("program1.rest", "cooperative_funds"),
    ("program1.repayment", "12"), ("program1.income", "300000"),
    ("dispute_first", "conciliation_commission"), ("dispute_days", "10"), ("dispute_appeal", "general_meeting"),
    ("conciliation_size", "3"), ("mediation", "yes"), ("remaining_property", "to_charter_purposes"),
]


# The first two questions: what the cooperative will do (Enter: none named) and its legal form
# (Enter: the form offered, the consumer cooperative when no activity recommends another).
FORM_ANSWERS = ["", ""]


def stdin(
    answers: list[tuple[str, str]] = ANSWERS,
    before: dict[str, list[str]] | None = None,
    form: list[str] = FORM_ANSWERS,
) -> str:
    """The answers as typed lines, after the form question's; ``before`` puts wrong answers before a labelled one."""
    lines: list[str] = list(form)
    for label, answer in answers:
        lines += (before or {}).get(label, [])
        lines.append(answer)
    return "\n".join(lines) + "\n"


def invoke(tmp_path: Path, *args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(main, ["init", *args], input=input)


def load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def assert_clean(path: Path) -> None:
    checked = check_file(path)
    assert checked.cooperative is not None
    assert [d for d in checked.diagnostics if d.severity != "info"] == []


def test_whole_questionnaire_on_stdin(tmp_path: Path) -> None:
    target = tmp_path / "coop.yaml"
    result = invoke(tmp_path, str(target), input=stdin())
    assert result.exit_code == 0, result.output
    assert_clean(target)
    data = load(target)
    assert data["cooperative"]["name"] == {"ru": "Достык", "kk": "Достық"}
    assert data["cooperative"]["location"]["postal_code"] == "010000"
    assert len(data["cooperative"]["purpose"]) == 1
    assert [f["iin"] for f in data["founding"]["founders"]] == ["850214300129", "900517400154"]
    assert data["founding"]["founders"][1]["share_contribution"] == 25000
    assert (data["founding"]["chair"], data["founding"]["secretary"]) == (0, 1)
    assert data["founding"]["meeting_date"] == dt.date(2026, 3, 1)
    assert data["signatories"]["charter"] == [0, 1]
    assert data["membership"]["contributions"]["entrance_fee"] is None
    assert data["membership"]["contributions"]["membership_fee"] == {"amount": 500, "period": "quarter"}
    assert data["membership"]["admission"]["decided_by"] == "general_meeting"
    assert data["governance"]["general_meeting"]["quorum_percent"] == 60
    assert data["governance"]["audit"]["kind"] == "auditor" and "size" not in data["governance"]["audit"]
    assert data["disputes"]["internal"]["first_body"] == "conciliation_commission"
    (program,) = data["programs"]  # the decisive money flows of the programme (issue 14)
    assert (program["price"], program["member_savings_percent"], program["monthly_payment"]) == (1200000, 50, 50000)
    assert program["advance"] == {"repayment_months": 12, "capped_by_own_funds": True}
    assert (program["rest_paid_by"], program["cooperative_income_monthly"]) == ("cooperative_funds", 300000)
    # the questions explain themselves, with the legal basis
    assert '(basis: Law of the Republic of Kazakhstan of 8 May 2001 No. 197-II "On Consumer Cooperative", art. 1)' in (
        result.output
    )
    assert "IIN (12 digits)" in result.output and "[unverified]" not in result.output


def test_questions_in_russian(tmp_path: Path) -> None:
    target = tmp_path / "coop.yaml"
    answers = [(label, {"yes": "да", "no": "нет"}.get(answer, answer)) for label, answer in ANSWERS]
    result = invoke(tmp_path, str(target), "--lang", "ru", input=stdin(answers))
    assert result.exit_code == 0, result.output
    assert "Учредитель № 2: ИИН (12 цифр)" in result.output
    assert "(основание: Гражданский кодекс Республики Казахстан (Общая часть) от 27 декабря 1994 года" in result.output
    assert "[не сверено]" not in result.output and "закон: АРРФР" not in result.output
    assert "[2/" in result.output  # the progress counter
    assert_clean(target)
    assert "# дата учредительного собрания (ГГГГ-ММ-ДД)" in target.read_text(encoding="utf-8")


def test_invalid_answers_are_refused_and_corrected(tmp_path: Path) -> None:
    target = tmp_path / "coop.yaml"
    wrong = {
        "founder1.iin": ["850214300128", "12345"],  # a checksum typo, then too short
        "gm_quorum": ["150", "lots"],
        "postal_code": ["1234"],
        "payout_form": ["cash"],
        "entrance_fee": ["30000"],  # larger than the share: the legal rule refuses it
    }
    result = invoke(tmp_path, str(target), input=stdin(before=wrong))
    assert result.exit_code == 0, result.output
    out = result.output
    assert (
        "Answer refused: the IIN 850214300128 is not valid: the control digit (the 12th) does not match; "
        "a digit is probably mistyped" in out
    )
    assert "Answer refused: the IIN 12345 is not valid: it must have exactly 12 digits" in out
    assert "Answer refused: the value must be at most 100" in out
    assert "Answer refused: a number is needed, e.g. 50 or 0.1" in out
    assert (
        "Answer refused: a postal code is 6 digits (e.g. 050000) or the new 7-character Kazpost code (e.g. A15E3C3)"
    ) in out
    assert "Answer refused: choose one of: money, property, money_or_property" in out
    assert "Answer refused: the entrance fee (30,000) is larger than the share contribution (20,000)." in out
    data = load(target)
    assert data["founding"]["founders"][0]["iin"] == "850214300129"
    assert data["governance"]["general_meeting"]["quorum_percent"] == 60
    assert_clean(target)


def test_founder_below_minimum_age_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "coop.yaml"
    # born 2015-01-01 (a valid IIN), eleven years old at the meeting
    first11 = "15010150000"
    young = first11 + str(idnumbers.control_digit(first11))
    assert idnumbers.iin_problem(young) is None
    result = invoke(tmp_path, str(target), input=stdin(before={"founder2.iin": [young]}))
    assert result.exit_code == 0, result.output
    assert "the founder is 11 on the meeting date 2026-03-01, but the minimum age of a member is 18" in result.output


def test_input_that_ends_early_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "coop.yaml"
    result = invoke(tmp_path, str(target), input=stdin(ANSWERS[:22]))
    assert result.exit_code == 1
    assert (
        "error: the input ended before all questions were answered (unanswered question: "
        "Penalty for late contributions, % per day); no file was written"
    ) in result.output, result.output
    assert "= hint: run coopdocs init in a terminal" in result.output
    assert list(tmp_path.iterdir()) == []


def run_init(tmp_path: Path, *args: str, **popen: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "coopdocs", "init", *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        **popen,
    )


def test_stdin_at_end_of_file_is_a_clear_error(tmp_path: Path) -> None:
    with open(os.devnull, encoding="utf-8") as null:
        proc = run_init(tmp_path, "coop.yaml", stdin=null)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert (
        "error: the input ended before all questions were answered (unanswered question: "
        "What the cooperative will do (numbers)); no file was written"
    ) in err
    assert "Aborted" not in err and "internal error" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_closed_stdin_is_a_clear_error(tmp_path: Path, lang: str) -> None:
    # `coopdocs init 0<&-`: file descriptor 0 is closed in the child (Python's sys.stdin is None)
    proc = run_init(tmp_path, "coop.yaml", "--lang", lang, stdin=subprocess.DEVNULL, preexec_fn=lambda: os.close(0))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    expected = {
        "en": "error: standard input is closed, so coopdocs init cannot ask its questions; no file was written",
        "ru": "ошибка: стандартный ввод закрыт, поэтому coopdocs init не может задать вопросы; файл не записан",
    }[lang]
    assert expected in err
    assert "coopdocs init --defaults" in err and "internal error" not in err
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_at_a_question_exits_130_and_writes_nothing(tmp_path: Path) -> None:
    proc = run_init(tmp_path, "coop.yaml", stdin=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("\n\nДостык\n")  # the form (Enter twice), one answer; then it waits at the next question
    proc.stdin.flush()
    # wait (at most a minute) until it asks the next question: the Kazakh name
    seen = b""
    deadline = time.monotonic() + 60
    while b"(kk)" not in seen:
        assert time.monotonic() < deadline and proc.poll() is None, seen.decode("utf-8", "replace")
        ready, _, _ = select.select([proc.stdout], [], [], 1)
        if ready:
            seen += os.read(proc.stdout.fileno(), 4096)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Aborted" not in err and "internal error" not in err
    assert list(tmp_path.iterdir()) == []


def test_keyboard_interrupt_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(initing, "ask_all", interrupted)
    result = invoke(tmp_path, str(tmp_path / "coop.yaml"), input=stdin())
    assert result.exit_code == 130
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_defaults_validate_clean(tmp_path: Path, lang: str) -> None:
    target = tmp_path / "coop.yaml"
    result = invoke(tmp_path, str(target), "--defaults", "--lang", lang)
    assert result.exit_code == 0, result.output
    checked = check_file(target)
    assert checked.cooperative is not None
    # The default purposes are Bereke's (agricultural): the form-choice advice is the only finding.
    assert [d for d in checked.diagnostics if d.rule != "KZ-PC-PURPOSE-AGRICULTURE"] == []
    data = checked.cooperative.data
    assert set(data["cooperative"]["name"]) == {"ru", "kk"}
    assert all(f["kind"] == "person" for f in data["founding"]["founders"])


def test_default_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(tmp_path, "--defaults")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "coop.yaml").is_file()


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "coop.yaml"
    target.write_text("mine\n", encoding="utf-8")
    result = invoke(tmp_path, str(target), "--defaults")
    assert result.exit_code == 2
    assert f"error: {target} already exists; coopdocs init does not overwrite it" in result.output
    assert "use --force to replace it, or give another FILE" in result.output
    assert target.read_text(encoding="utf-8") == "mine\n"
    # the interactive form refuses before asking anything
    result = invoke(tmp_path, str(target), input=stdin())
    assert result.exit_code == 2 and "Name of the cooperative" not in result.output
    result = invoke(tmp_path, str(target), "--defaults", "--force")
    assert result.exit_code == 0
    assert_clean(target)
    assert [p.name for p in tmp_path.iterdir()] == ["coop.yaml"]


KEY_LINE = re.compile(r"^\s*(- )?[a-z_]+:")


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_every_key_has_a_comment(tmp_path: Path, lang: str) -> None:
    text = initing.render_yaml(initing.default_data(DEFAULT_PACK, dt.date(2026, 3, 1)), lang, DEFAULT_PACK)
    keyed = [line for line in text.splitlines() if KEY_LINE.match(line)]
    assert len(keyed) > 100
    assert [line for line in keyed if " # " not in line] == []
    # the comments are in the chosen language
    quorum = next(line for line in keyed if line.strip().startswith("quorum_percent:"))
    expected = {"ru": "должно присутствовать", "kk": "мүшелердің осы үлесінен", "en": "more than this share"}
    assert expected[lang] in quorum


def test_every_key_of_an_answered_file_has_a_comment(tmp_path: Path) -> None:
    target = tmp_path / "coop.yaml"
    assert invoke(tmp_path, str(target), "--lang", "en", input=stdin()).exit_code == 0
    keyed = [line for line in target.read_text(encoding="utf-8").splitlines() if KEY_LINE.match(line)]
    assert keyed and all(" # " in line for line in keyed)


def _key_order(value: Any, path: str = "") -> list[str]:
    keys: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            keys.append(f"{path}.{key}")
            keys += _key_order(item, f"{path}.{key}")
    elif isinstance(value, list) and value:
        keys += _key_order(value[0], f"{path}[]")
    return keys


def test_keys_follow_the_contract_order() -> None:
    text = initing.render_yaml(initing.default_data(DEFAULT_PACK, dt.date(2026, 3, 1)), "en", DEFAULT_PACK)
    written = _key_order(YAML(typ="safe", pure=True).load(text))
    contract = _key_order(load(BEREKE))
    shared = [k for k in contract if k in written]
    assert [k for k in written if k in shared] == shared
    assert len(shared) > 100


def test_questionnaire_data_is_complete() -> None:
    qn = initing.load_questionnaire(DEFAULT_PACK)
    ids = [q.id for q in qn.questions]
    assert len(ids) == len(set(ids))
    data = initing.default_data(DEFAULT_PACK, dt.date(2026, 3, 1))
    for q in qn.questions:
        index = 0 if q.each else None
        # a list empty by default (programs) starts its items from new_items
        item = qn.new_items.get(q.each) if q.each else None
        assert initing.get_at(data, q.at(index)) is not None or q.when or item is not None, q.id


@pytest.mark.parametrize(
    ("qid", "typed", "value"),
    [
        ("share_forms", "деньги", ["money"]),
        ("share_forms", "ақша, мүлік", ["money", "property"]),
        ("share_forms", "1 3", ["money", "property_rights"]),
        ("share_valuation", "Правление", "board"),
        ("membership_fee_period", "ежемесячно", "month"),
        ("membership_fee_period", "тоқсан сайын", "quarter"),
        ("admission_body", "2", "general_meeting"),
        ("meeting_date", "15.03.2027", dt.date(2027, 3, 15)),
        ("meeting_date", "2027-03-15", dt.date(2027, 3, 15)),
        ("postal_code", "a15e 3c3", "A15E3C3"),
        ("postal_code", "050000", "050000"),
    ],
)
def test_answers_as_people_give_them(qid: str, typed: str, value: object) -> None:
    qn = initing.load_questionnaire(DEFAULT_PACK)
    (q,) = [q for q in qn.questions if q.id == qid]
    assert initing.parse_answer(qn, q, typed, initing.interview_data(DEFAULT_PACK), None, "ru") == value


@pytest.mark.parametrize(
    ("qid", "typed"), [("share_valuation", "4"), ("meeting_date", "31.02.2027"), ("postal_code", "A15E3")]
)
def test_answers_that_mean_nothing_are_refused(qid: str, typed: str) -> None:
    qn = initing.load_questionnaire(DEFAULT_PACK)
    (q,) = [q for q in qn.questions if q.id == qid]
    with pytest.raises(initing.Rejected):
        initing.parse_answer(qn, q, typed, initing.interview_data(DEFAULT_PACK), None, "ru")


def test_the_interview_offers_nothing_of_the_example() -> None:
    data = initing.interview_data(DEFAULT_PACK)
    assert data["cooperative"]["name"] is None and data["cooperative"]["short_name"] is None
    assert data["cooperative"]["location"]["locality"] is None and data["founding"]["founders"] == []
    assert initing.default_data(DEFAULT_PACK)["cooperative"]["name"]["ru"] == "Береке"  # --defaults keeps the example


def test_init_asks_the_form_first_and_writes_an_agricultural_cooperative(tmp_path: Path) -> None:
    """Machinery sharing recommends the agricultural cooperative (Law 372-V); Enter takes it, the rest
    of the interview is that pack's questionnaire, and the file validates with that pack."""
    target = tmp_path / "coop.yaml"
    answers: list[tuple[str, str]] = []
    for label, answer in ANSWERS:
        answers.append((label, "1000" if label == "entrance_fee" else answer))
        if label == "purpose.kk":  # the agricultural questionnaire's own questions
            answers += [("activities", "machinery, services"), ("participation_kinds", "machinery_use")]
    result = invoke(tmp_path, str(target), "--messages", "en", input=stdin(answers, form=["3", ""]))
    assert result.exit_code == 0, result.output[-3000:]
    assert "Recommended: agricultural cooperative (Law of the RK No. 372-V" in result.output
    assert "Law No. 372-V Art. 1" in result.output or "372-V" in result.output
    assert 'Name of the cooperative (without the words "agricultural cooperative")' in result.output
    data = load(target)
    assert (data["jurisdiction"], data["form"]) == ("kz", "agricultural_cooperative")
    checked = check_file(target)
    assert checked.cooperative is not None and checked.cooperative.pack.form == "agricultural_cooperative"
    assert [d for d in checked.diagnostics if d.severity != "info"] == []


def test_init_the_founder_may_choose_the_form_not_recommended(tmp_path: Path) -> None:
    target = tmp_path / "coop.yaml"
    result = invoke(tmp_path, str(target), "--messages", "en", input=stdin(form=["machinery", "consumer_cooperative"]))
    assert result.exit_code == 0, result.output[-3000:]
    assert "You chose a form other than the one recommended" in result.output
    assert "The rules of Law No. 197-II apply" in result.output
    assert load(target)["form"] == "consumer_cooperative"
    assert_clean(target)


def test_init_refuses_an_unknown_form_and_asks_again(tmp_path: Path) -> None:
    target = tmp_path / "coop.yaml"
    result = invoke(tmp_path, str(target), "--messages", "en", input=stdin(form=["9", "", "7", ""]))
    assert result.exit_code == 0, result.output[-3000:]
    assert "no such activity: 9; type numbers from 1 to 6" in result.output
    assert "no such form: 7; type a number from 1 to 2" in result.output
    assert load(target)["form"] == "consumer_cooperative"


def test_resume_keeps_the_form_of_the_file(tmp_path: Path) -> None:
    """`init --resume FILE` asks no form question: the file's `form:` chooses the questionnaire."""
    source = tmp_path / "agri.yaml"
    source.write_text((BEREKE.parent / "agri-machinery.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    target = tmp_path / "coop.yaml"
    result = invoke(tmp_path, str(target), "--resume", str(source), "--messages", "en", input="\n" * 20)
    assert result.exit_code == 0, result.output[-3000:]
    assert "What the cooperative will do" not in result.output
    assert "СХК «Тобыл Техника»" in result.output  # the agricultural pack's short name offered
    assert load(target)["form"] == "agricultural_cooperative"
    assert_clean(target)


def test_form_option_skips_the_question_and_picks_the_pack(tmp_path: Path) -> None:
    target = tmp_path / "coop.yaml"
    result = invoke(tmp_path, str(target), "--defaults", "--form", "agricultural_cooperative")
    assert result.exit_code == 0, result.output
    assert load(target)["form"] == "agricultural_cooperative"
    assert_clean(target)
    refused = invoke(tmp_path, str(tmp_path / "x.yaml"), "--form", "bank", "--messages", "ru", input=stdin())
    assert refused.exit_code == 2
    assert "--form bank: нет такой организационно-правовой формы" in refused.output
    assert "agricultural_cooperative, consumer_cooperative" in refused.output
    args = ("--form", "agricultural_cooperative", "--messages", "en")
    asked = invoke(tmp_path, str(tmp_path / "y.yaml"), *args, input="")
    assert "What the cooperative will do" not in asked.output
    assert 'without the words "agricultural cooperative"' in asked.output


@pytest.mark.parametrize("form", ["consumer_cooperative", "agricultural_cooperative"])
def test_each_answer_is_checked_against_the_chosen_forms_rules(form: str) -> None:
    """The interview refuses an answer that breaks a rule of the pack it runs (it checked every answer
    against the consumer pack's rules whatever form was chosen)."""
    from coopdocs.checking import rules
    from coopdocs.inputs.loader import load_file
    from coopdocs.packs.pack import find_pack

    pack = find_pack("kz", form)
    assert pack is not None
    base = load_file(pack.example).data
    assert base is not None
    checked = 0
    for rule in rules.load_rules(pack):
        if rule.severity not in initing.REJECTING or rule.examples.get("with"):
            continue
        data = rules.apply_patch(base, dict(rule.examples["fail"]))
        found = {d.rule for d in initing.rule_problems(data, rule.fail_at, "en", pack)}
        assert rule.id in found, rule.id
        assert all(rid.startswith(rule.id[:6]) for rid in found), found  # KZ-PC- or KZ-AC-: the pack's own
        checked += 1
    assert checked >= 20


def test_the_agricultural_interview_refuses_an_answer_by_the_agricultural_rules() -> None:
    """«0» for the entrance fee breaks KZ-AC-ENTRANCE-FEE-REQUIRED (Law 372-V defines a member as one who
    paid it); the consumer pack has no such rule, and the interview used to accept it."""
    from coopdocs.packs.pack import find_pack

    pack = find_pack("kz", "agricultural_cooperative")
    assert pack is not None
    qn = initing.load_questionnaire(pack)
    q = next(q for q in qn.questions if q.id == "entrance_fee")
    data = initing.default_data(pack)
    answers = iter(["0", "5000"])
    said: list[str] = []
    initing.ask_question(qn, q, data, None, "en", initing.Prompter(say=said.append, ask=lambda t, d: next(answers)))
    assert data["membership"]["contributions"]["entrance_fee"] == {"amount": 5000}
    assert any(s.startswith("Answer refused: no entrance fee is set") for s in said), said
