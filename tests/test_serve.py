"""`coopdocs serve` over HTTP (Starlette's test client, on httpx): the API, the limits, CSRF, sessions."""

from __future__ import annotations

import io
import json
import re
import signal
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from coopdocs.commands import webform
from coopdocs.commands.serve import create_app
from tests.support import DEFAULT_PACK, free_port, start_serve, write_patched

ROOT = Path(__file__).resolve().parent.parent
BEREKE = ROOT / "examples" / "bereke.yaml"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def test_api_validate_answers_as_validate_format_json(client: TestClient, tmp_path: Path) -> None:
    body = BEREKE.read_text(encoding="utf-8").replace("share_fund: true", "share_fund: true\n  surprise: 1", 1)
    source = tmp_path / "coop.yaml"
    source.write_text(body, encoding="utf-8")
    answer = client.post("/api/validate", params={"lang": "ru", "file": str(source)}, content=body.encode("utf-8"))
    assert answer.status_code == 200
    cli = subprocess.run(
        [sys.executable, "-m", "coopdocs", "validate", "--format", "json", "--lang", "ru", str(source)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert answer.json() == json.loads(cli.stdout)
    assert "schema/unknown-key" in [d["rule"] for d in answer.json()["diagnostics"]]


def test_api_build_returns_the_documents_as_a_zip(client: TestClient) -> None:
    answer = client.post("/api/build?docs=charter&lang=ru", content=BEREKE.read_bytes())
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    assert [n.rsplit("/", 1)[1] for n in names if n.endswith(".docx")] == ["charter.ru.docx"]


def test_api_build_refuses_red_flags_with_the_diagnostics(client: TestClient) -> None:
    body = BEREKE.read_text(encoding="utf-8").replace(
        "совместная закупка", "гарантированный доход 20 % годовых; совместная закупка", 1
    )
    answer = client.post("/api/build?messages=ru", content=body.encode("utf-8"))
    assert answer.status_code == 422
    rules = [d["rule"] for d in answer.json()["diagnostics"] if d["severity"] == "red_flag"]
    assert "KZ-PC-PYRAMID-TEXT-RETURN" in rules


def test_api_build_checks_its_options(client: TestClient) -> None:
    answer = client.post("/api/build?docs=charter,novel", content=BEREKE.read_bytes())
    assert answer.status_code == 400
    assert "novel" in answer.json()["error"]


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert {"/api/validate", "/api/build"} <= set(spec["paths"])


def test_a_request_over_one_mebibyte_is_refused(client: TestClient) -> None:
    answer = client.post("/api/validate", content=b"a: " + b"x" * (1024 * 1024))
    assert answer.status_code == 413


def test_a_form_without_its_csrf_token_is_refused() -> None:
    c = TestClient(create_app())
    c.get("/s/1")
    answer = c.post("/s/1", data={"name:ru": "Чужой", "action": "next"}, follow_redirects=False)
    assert answer.status_code == 403
    assert "Чужой" not in c.get("/s/1").text


def test_an_unknown_host_is_refused() -> None:
    c = TestClient(create_app(), base_url="http://evil.example")
    assert c.get("/s/1").status_code == 400


def test_two_sessions_never_see_each_others_answers() -> None:
    app = create_app()
    first, second = TestClient(app), TestClient(app)
    token = csrf_of(first.get("/s/1").text)
    answer = first.post("/s/1", data={"csrf": token, "name:ru": "Достык", "action": "check"})
    assert answer.status_code == 200
    assert 'value="Достык"' in first.get("/s/1").text
    assert "Достык" not in second.get("/s/1").text
    assert "Достык" not in second.get("/answers.yaml").text
    # The first session's token does not work in the second.
    refused = second.post("/s/1", data={"csrf": token, "name:ru": "Достык"}, follow_redirects=False)
    assert refused.status_code == 403


def test_serve_file_opens_an_existing_cooperative_and_saves_it_back() -> None:
    c = TestClient(create_app(BEREKE))
    page = c.get("/s/1").text
    assert 'value="Береке"' in page
    saved = c.get("/answers.yaml")
    assert saved.headers["content-disposition"].endswith('.yaml"')
    assert "Береке" in saved.text
    # Uploaded answers replace the session's (save and resume).
    token = csrf_of(page)
    changed = saved.text.replace("Береке", "Достык")
    opened = c.post("/open", data={"csrf": token}, files={"file": ("coop.yaml", changed.encode("utf-8"))})
    assert opened.status_code == 200
    assert 'value="Достык"' in c.get("/s/1").text


def test_numbers_and_dates_are_taken_as_people_write_them() -> None:
    c = TestClient(create_app())
    token = csrf_of(c.get("/s/2").text)
    c.post("/s/2", data={"csrf": token, "share_amount": "100 000", "penalty": "0,1", "action": "check"})
    page = c.get("/s/2").text
    assert 'value="100 000"' in page
    assert 'value="0,1"' in page
    c.post("/s/3", data={"csrf": token, "meeting_date": "15.03.2027", "action": "check"})
    assert 'value="15.03.2027"' in c.get("/s/3").text
    assert "meeting_date: 2027-03-15" in c.get("/answers.yaml").text


def test_every_page_comes_in_each_language() -> None:
    c = TestClient(create_app())
    form = webform.load_form(DEFAULT_PACK)
    for lang in ("ru", "kk", "en"):
        c.get(f"/lang/{lang}?next=/s/1")
        for number, section in enumerate(form.sections, start=1):
            page = c.get(f"/s/{number}").text
            assert f'<html lang="{lang}">' in page
            assert str(escape(section.title[lang])) in page
        assert form.word("review", lang) in c.get("/review").text


def test_the_review_lists_what_to_correct_by_page() -> None:
    c = TestClient(create_app())
    page = c.get("/review").text
    assert 'id="no-problems"' not in page
    assert 'href="/package.zip"' not in page  # nothing to build yet
    assert 'href="/s/1"' in page
    assert "cooperative.name" not in page


def test_api_build_makes_a_pdf(client: TestClient) -> None:
    answer = client.post("/api/build?docs=charter&lang=ru&format=pdf", content=BEREKE.read_bytes())
    assert answer.status_code == 200, answer.text
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    (pdf,) = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert pdf.endswith("/charter.ru.pdf")
    assert archive.read(pdf).startswith(b"%PDF")


def test_explanations_and_hints_name_questions_not_yaml_paths() -> None:
    form = webform.load_form(DEFAULT_PACK)
    data = webform.start_data(DEFAULT_PACK)
    path = re.compile(r"\b(cooperative|founding|membership|governance|funds|income|programs|disputes)\.[a-z_]")
    for q in form.qn.questions:
        for lang in ("ru", "kk", "en"):
            text = webform.in_words(form, data, str(q.explain[lang]), lang)
            assert not path.search(text), (q.id, lang, text)
            assert "to_charter_purposes" not in text
    assert webform.in_words(form, data, "уменьшите membership.contributions.entrance_fee.amount", "ru") == (
        "уменьшите «Вступительный взнос, тенге»"
    )
    assert "income.use" not in webform.in_words(form, data, "установите income.use: charter_purposes", "ru")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_the_server_stops_cleanly_on_ctrl_c_and_term(signum: int) -> None:
    port = free_port()
    proc = start_serve(port)
    try:
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode in (0, 128 + signum), err.decode()
    assert "Traceback" not in err.decode()
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0  # nothing listens any more


def test_the_preview_commentary_speaks_in_words_not_yaml_keys() -> None:
    # The commentary folded under each clause of the preview is the member's edition: the founders'
    # choice in words, never a YAML path (the lawyer's wording names them: «Порог — governance.…»).
    from coopdocs.checking.pipeline import check_file

    coop = check_file(Path("examples/bereke.yaml")).cooperative
    assert coop is not None
    for lang in ("ru", "kk"):
        html = str(webform.preview_html(coop, lang, "commentary"))
        shown = re.sub(r'(?:id|href)="[^"]*"', "", html)  # clause ids are anchors, not text
        keys = re.findall(r"\b(?:governance|membership|founding|funds|income|disputes|reorganization)\.[a-z_]+", shown)
        assert keys == [], keys[:5]
        assert '<details class="commentary"><summary>commentary</summary>' in html
        assert '<article class="coopdocs charter"' in html  # the HTML writer's fragment
        assert html.count("<details") == html.count("<aside class=\"commentary\">") > 10


def test_the_package_form_chooses_languages_layout_and_the_draft_mark(tmp_path: Path) -> None:
    c = TestClient(create_app(BEREKE))
    page = c.get("/review").text
    assert 'id="package-form"' in page and 'name="lang" value="kk" checked' in page
    assert 'name="layout" value="parallel"' in page and 'id="package-draft"' not in page  # nothing to mark
    names = zipfile.ZipFile(io.BytesIO(c.get("/package.zip?lang=kk").content)).namelist()
    docx = sorted(n.rsplit("/", 1)[1] for n in names if n.endswith(".docx"))
    assert docx and all(n.endswith(".kk.docx") for n in docx), docx
    names = zipfile.ZipFile(io.BytesIO(c.get("/package.zip?lang=ru&lang=kk&layout=parallel").content)).namelist()
    assert any(n.endswith("/charter.kk-ru.docx") for n in names), names
    # A red flag (answers opened from a file; the form refuses such an answer): only a draft, marked.
    bad = write_patched(tmp_path, {"membership.exit.payout_days": 2000})  # a red flag
    c.post("/open", data={"csrf": csrf_of(page)}, files={"file": ("coop.yaml", bad.read_bytes())})
    page = c.get("/review").text
    draft_word = webform.load_form(DEFAULT_PACK).word("package_draft", "ru")
    assert 'id="package-draft"' in page and str(escape(draft_word)) in page
    refused = c.get("/package.zip?lang=ru", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/review?not_built=1"
    archive = zipfile.ZipFile(io.BytesIO(c.get("/package.zip?lang=ru&draft=1").content))
    charter = next(n for n in archive.namelist() if n.endswith("/charter.ru.docx"))
    docx = zipfile.ZipFile(io.BytesIO(archive.read(charter)))
    parts = "".join(docx.read(n).decode() for n in docx.namelist() if n.startswith("word/") and n.endswith(".xml"))
    assert "ПРОЕКТ" in parts


def test_page_one_sets_the_languages_of_the_documents() -> None:
    c = TestClient(create_app(BEREKE))
    token = csrf_of(c.get("/s/1").text)
    c.post("/s/1", data={"csrf": token, "doc_languages:sent": "1", "doc_languages": ["ru", "kk", "en"]})
    page = c.get("/s/1").text
    assert 'name="name:en"' in page  # every text now asked in English too
    saved = c.get("/answers.yaml").text
    assert re.search(r"^languages: \[ru, kk, en\]|^languages:\n  - ru\n  - kk\n  - en", saved, re.M), saved[:400]
    c.post("/s/1", data={"csrf": token, "doc_languages:sent": "1"})  # none ticked: kept as it was
    assert 'name="name:en"' in c.get("/s/1").text


def test_sessions_expire_when_idle_and_are_bounded() -> None:
    from coopdocs.commands.serve import IDLE_SECONDS, Sessions

    now = [0.0]
    sessions = Sessions(dict, limit=3, idle=IDLE_SECONDS, clock=lambda: now[0])
    first, _, new = sessions.get(None)
    assert new and sessions.get(first)[2] is False
    now[0] += IDLE_SECONDS - 1
    assert sessions.get(first)[0] == first  # used again: the idle time starts over
    now[0] += IDLE_SECONDS + 1
    again, _, new = sessions.get(first)
    assert new and again != first and len(sessions) == 1  # forgotten with its answers
    for _ in range(5):
        sessions.get(None)
    assert len(sessions) == 3  # the least recently used went first
    assert IDLE_SECONDS == 2 * 3600


def test_labels_drop_the_terminals_typing_help() -> None:
    form = webform.load_form(DEFAULT_PACK)
    by_id = {q.id: q for q in form.qn.questions}
    for lang, shown in (("ru", "Могут ли юридические лица быть членами"), ("kk", "Заңды тұлғалар мүше бола ала ма")):
        assert webform.label(webform.Slot(by_id["legal_entities"], None), lang) == shown
    assert webform.label(webform.Slot(by_id["short_name"], None), "ru") == "Сокращённое название"
    assert webform.label(webform.Slot(by_id["founder_iin"], 1), "ru") == "Учредитель № 2: ИИН (12 цифр)"
    c = TestClient(create_app(BEREKE))
    for number in range(1, len(form.sections) + 1):
        for lang in ("ru", "kk", "en"):
            c.get(f"/lang/{lang}?next=/s/1")
            page = c.get(f"/s/{number}").text
            for typed in ("да/нет", "иә/жоқ", "yes/no", "через запятую", "үтір арқылы", "comma-separated", "Enter"):
                assert typed not in page, (number, lang, typed)


def test_a_taken_port_is_said_in_words() -> None:
    from click.testing import CliRunner

    from coopdocs.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port), "--messages", "ru"])
    assert result.exit_code == 2, result.output
    assert f"ошибка: http://127.0.0.1:{port}/: порт {port} занят (возможно, coopdocs serve уже запущен" in result.output
    assert f"coopdocs serve --port {port + 1}" in result.output


# --- the first page: the legal form (templates/common/kz/form-choice.yaml) --------------------------


def test_the_first_page_asks_the_form_and_recommends_agricultural_for_machinery(client: TestClient) -> None:
    page = client.get("/?lang=en")
    assert page.url.path == "/form"
    page = client.get("/form?lang=en")
    text = page.text
    assert 'value="consumer_cooperative"' in text and 'value="agricultural_cooperative"' in text
    assert "Law of the RK No. 197-II" in text and "Law of the RK No. 372-V" in text
    assert 'value="consumer_cooperative" checked' in text  # a new cooperative starts as the default form
    token = csrf_of(text)
    shown = client.post("/form", data={"csrf": token, "activities": ["machinery"], "action": "recommend"})
    advice = re.search(r'id="recommendation"[^>]*>([^<]*)<', shown.text)
    assert advice is not None, shown.text
    assert "Recommended: agricultural cooperative" in advice.group(1)
    assert str(escape('(Law of RK No. 372-V "On Agricultural Cooperatives", art. 1)')) in advice.group(1)
    assert 'value="agricultural_cooperative" checked' in shown.text  # chosen for the founder, not yet taken
    housing = client.post("/form", data={"csrf": token, "activities": ["housing"], "action": "recommend"})
    assert "Recommended: consumer cooperative" in housing.text
    assert 'value="consumer_cooperative" checked' in housing.text

    taken = client.post(
        "/form",
        data={"csrf": token, "activities": ["machinery"], "form": "agricultural_cooperative", "action": "next"},
    )
    assert taken.url.path == "/s/1"
    assert str(escape('without the words "agricultural cooperative"')) in taken.text
    (session,) = client.app.state.sessions._items.values()  # type: ignore[attr-defined]
    assert (session.data["jurisdiction"], session.data["form"]) == ("kz", "agricultural_cooperative")
    # the validation and the preview use the agricultural pack
    pack = webform.pack_of(session.data, DEFAULT_PACK)
    checked = webform.check(webform.preview_data(session.data, pack), "en", pack)
    assert checked.cooperative is not None and checked.cooperative.pack.form == "agricultural_cooperative"
    assert "Agricultural Cooperative" in taken.text  # the charter's preview, in the agricultural pack's words
    assert "Consumer Cooperative" not in taken.text
    assert "form: agricultural_cooperative" in client.get("/answers.yaml").text


def test_switching_the_form_keeps_the_shared_answers(client: TestClient) -> None:
    token = csrf_of(client.get("/form").text)
    client.post("/s/1", data={"csrf": token, "name:ru": "Достык", "name:kk": "Достық", "action": "check"})
    client.post("/form", data={"csrf": token, "form": "agricultural_cooperative", "action": "next"})
    (session,) = client.app.state.sessions._items.values()  # type: ignore[attr-defined]
    assert session.data["form"] == "agricultural_cooperative"
    assert session.data["cooperative"]["name"] == {"ru": "Достык", "kk": "Достық"}
    assert session.data["cooperative"]["activities"]  # the agricultural questionnaire's own start
    assert 'value="Достык"' in client.get("/s/1").text
    back = client.post("/form", data={"csrf": token, "form": "consumer_cooperative", "action": "next"})
    assert back.url.path == "/s/1" and session.data["form"] == "consumer_cooperative"
    assert session.data["cooperative"]["name"] == {"ru": "Достык", "kk": "Достық"}
    assert "activities" not in session.data["cooperative"]


def test_serve_file_keeps_the_file_form(tmp_path: Path) -> None:
    from tests.support import ROOT

    c = TestClient(create_app(ROOT / "examples" / "agri-machinery.yaml"))
    page = c.get("/form?lang=en")
    assert 'value="agricultural_cooperative" checked' in page.text
    (session,) = c.app.state.sessions._items.values()  # type: ignore[attr-defined]
    checked = webform.check(session.data, "en", webform.pack_of(session.data, DEFAULT_PACK))
    assert checked.cooperative is not None and checked.cooperative.pack.form == "agricultural_cooperative"
    assert c.get("/review?lang=en").status_code == 200
