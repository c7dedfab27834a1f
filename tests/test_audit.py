"""`coopdocs audit`: reading charters someone else wrote (issue 17)."""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdocs.charters import audit, reading
from coopdocs.cli import main
from tests.support import BEREKE, DEFAULT_PACK, ROOT, first_page_picture

sys.path.insert(0, str(ROOT / "bench"))
import audit as bench  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF with a text layer (matplotlib writes the text with TrueType fonts, so it can be extracted)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        for lines in pages:
            fig = plt.figure(figsize=(8.27, 11.69))
            for i, line in enumerate(lines):
                fig.text(0.08, 0.92 - i * 0.03, line, fontsize=9)
            pdf.savefig(fig)
            plt.close(fig)
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("built")
    code, _, err = invoke("build", str(BEREKE), "--out", str(out), "--docs", "charter", "--format", "docx,html,pdf")
    assert code == 0, err
    return out / "bereke"


@pytest.mark.parametrize(
    "name",
    ["charter.ru.docx", "charter.kk.docx", "charter.ru.html", "charter.kk.html", "charter.ru.pdf", "charter.kk.pdf"],
)
def test_our_own_charter_states_every_topic_and_no_unlawful_term(generated: Path, name: str) -> None:
    result = audit.audit(generated / name, DEFAULT_PACK)
    topics = {t.id for t in audit.load(DEFAULT_PACK).topics}
    kinds = {kind: {f.id for f in result.findings if f.kind == kind} for kind in audit.KINDS}
    assert kinds["present"] == topics
    assert kinds["missing"] == kinds["unlawful"] == kinds["pyramid"] == set()
    assert {"one_member_one_vote", "exclusion_by_meeting", "no_income_distribution", "court_open"} <= kinds["lawful"]
    # every quote is the charter's own numbered clause
    exclusion = next(f for f in result.findings if f.id == "exclusion")
    assert exclusion.clause is not None and exclusion.clause.startswith("6.")


@pytest.mark.parametrize(
    "entry",
    [e for e in bench.entries() if e.get("set", "tuning") in ("tuning", "handwritten-tuning", "handwritten-holdout")],
    ids=lambda e: e["id"],
)
def test_labelled_corpus(entry: dict, tmp_path: Path) -> None:
    labelled, found, _ = bench.run(entry, tmp_path)
    assert found == labelled


def test_split_keeps_the_charters_numbering() -> None:
    document = reading.Document(
        "x.txt",
        "text",
        tuple(
            reading.Paragraph(t)
            for t in (
                "УСТАВ",
                "Статья 5. Выход из кооператива",
                "1. Член вправе выйти из кооператива.",
                "2. Выплата производится:",
                "1) деньгами;",
                "2) имуществом.",
                "5-бап. Кооперативтен шығу",
                "1. Мүше кооперативтен шығуға құқылы.",
                "3. Органы",
                "3.1. Высшим органом является общее собрание.",
                "продолжение пункта 3.1 с новой строки.",
            )
        ),
    )
    clauses = audit.split(document)
    assert [(c.label, c.section) for c in clauses] == [
        ("Статья 5 п. 1", "Статья 5. Выход из кооператива"),
        ("Статья 5 п. 2", "Статья 5. Выход из кооператива"),
        ("5-бап 1-тармақ", "5-бап. Кооперативтен шығу"),
        ("3.1.", "3. Органы"),
    ]
    assert clauses[1].items == [("1)", "деньгами;"), ("2)", "имуществом.")]
    assert clauses[2].lang == "kk" and clauses[0].lang == "ru"
    assert clauses[3].text.endswith("с новой строки.")


def test_pdf_with_a_text_layer_keeps_pages(tmp_path: Path) -> None:
    pdf = _pdf(
        tmp_path / "charter.pdf",
        [
            [
                "1. Общие положения",
                "1.1. Член Кооператива может быть исключён из Кооператива решением правления",
                "за неуплату взносов.",
            ],
            ["2. Выход", "2.1. Выплата доли выходящему члену производится после вступления нового члена."],
        ],
    )
    result = audit.audit(pdf, DEFAULT_PACK)
    assert result.document.kind == "pdf" and result.document.pages == 2
    unlawful = {f.id: f for f in result.findings if f.kind == "unlawful"}
    assert (unlawful["exclusion_by_board"].clause, unlawful["exclusion_by_board"].page) == ("1.1.", 1)
    assert unlawful["exclusion_by_board"].quote.endswith("за неуплату взносов.")  # the next line joined
    assert (unlawful["exit_waits_replacement"].clause, unlawful["exit_waits_replacement"].page) == ("2.1.", 2)


def test_a_scan_asks_for_ocr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scan = _pdf(tmp_path / "scan.pdf", [[]])
    monkeypatch.setattr(reading, "ocr_available", lambda: False)
    code, out, err = invoke("audit", str(scan))
    assert code == 1
    assert "without a text layer" in err and "Tesseract is not installed" in err
    assert "tesseract-ocr tesseract-ocr-rus tesseract-ocr-kaz" in err
    code, _, err = invoke("audit", str(tmp_path / "photo.jpg"))
    assert code == 2 and "no such file" in err
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    code, _, err = invoke("audit", str(tmp_path / "photo.jpg"))
    assert code == 1 and "an image" in err and "tesseract-ocr-kaz" in err


needs_ocr = pytest.mark.skipif(
    not (reading.ocr_available() and set(reading.ocr_languages()) == {"rus", "kaz"} and shutil.which("pdftoppm")),
    reason="Tesseract with rus and kaz data, and pdftoppm, are optional (bootstrap.sh --with-ocr installs them)",
)


@needs_ocr
@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_a_scanned_page_of_our_own_charter_is_read_by_ocr(generated: Path, tmp_path: Path, lang: str) -> None:
    """Page 1 of the charter coopdocs writes, rendered to a picture (no text layer) and audited as a PNG
    and as a scanned PDF: OCR reads the topics of that page with the charter's own clause numbers."""
    from PIL import Image

    png = first_page_picture(generated / f"charter.{lang}.pdf", tmp_path / "page", 200, gray=True)
    scan = tmp_path / "scan.pdf"
    Image.open(png).convert("RGB").save(scan, resolution=200)
    for path, kind in ((png, "image"), (scan, "pdf")):
        result = audit.audit(path, DEFAULT_PACK)
        assert result.document.kind == kind and result.document.ocr_pages == 1, path
        assert result.document.ocr_seconds > 0
        assert "read by OCR" in result.document.notes[0]
        assert result.lang == lang
        present = {f.id: f for f in result.findings if f.kind == "present"}
        assert {"name", "location", "purpose"} <= set(present), (path, sorted(present))
        assert present["name"].clause == "1.4." and present["name"].page == 1
        assert not [f for f in result.findings if f.kind == "unlawful"]


def test_tesseract_without_russian_and_kazakh_data_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "ocr_available", lambda: True)
    monkeypatch.setattr(reading, "ocr_languages", lambda: ())
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")
    code, _, err = invoke("audit", str(tmp_path / "photo.png"))
    assert code == 1
    assert "neither Russian nor Kazakh data" in err and "apt-get install tesseract-ocr tesseract-ocr-rus" in err


def test_cli_json_in_kazakh() -> None:
    code, out, err = invoke("audit", str(CORPUS / "pyramid-ru.html"), "--format", "json", "--lang", "kk")
    assert code == 1, err
    payload = json.loads(out)
    assert payload["read"]["kind"] == "html" and payload["read"]["language"] == "ru"
    court = next(f for f in payload["findings"] if f["id"] == "court_removed")
    assert court["clause"] == "Статья 8 п. 1"
    assert court["rule"] == "KZ-PC-COURT"
    assert court["quote"] == "Все споры между членом и Кооперативом разрешаются исключительно правлением Кооператива."
    assert court["title"] == "Сотқа жүгіну шектелген"
    assert court["question"].startswith("Неліктен жарғы сотқа")
    payout = next(f for f in payload["findings"] if f["id"] == "exit_waits_replacement")
    assert payout["law"].startswith("«Тұтыну кооперативі туралы»") and payout["verified"] is True
    missing = {f["id"] for f in payload["findings"] if f["kind"] == "missing"}
    assert missing == {"audit_body", "losses", "reorganization"}
    assert "куәландырмайды" in payload["disclaimer"]


def test_cli_text_lawful_charter_exits_0_and_does_not_certify() -> None:
    code, out, _ = invoke("audit", str(CORPUS / "lawful-kk.txt"), "--messages", "ru")
    assert code == 0
    assert "ПРИЗНАКИ ЗАКОННОЙ ВЗАИМОПОМОЩИ" in out
    assert "Исключение только общим собранием [6-бап 1-тармақ]" in out
    assert "не заключение о законности" in out
    assert "НЕТ В УСТАВЕ" not in out


def test_old_word_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    old = tmp_path / "charter.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    code, _, err = invoke("audit", str(old))
    assert code == 1 and ".doc" in err and "docx" in err


def test_doctor_says_whether_ocr_is_there(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "ocr_available", lambda: False)
    _, out, _ = invoke("doctor")
    assert (
        "Tesseract (OCR of scanned charters for `audit`, optional): missing "
        "(apt-get install tesseract-ocr tesseract-ocr-rus tesseract-ocr-kaz)" in out
    )


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_our_pdf_reads_as_the_docx_clause_by_clause(generated: Path, lang: str) -> None:
    """Page headers and footers dropped, wrapped lines and hyphenated words joined, headings kept whole:
    the PDF gives the DOCX's clauses with the same numbers and words (the signatures' heading, unnumbered
    in the DOCX, joins the last clause in the PDF). pdftotext joins a compound broken at its own hyphen
    without the hyphen («бизнес-» + «идентификационных»), so hyphens inside words are not compared."""

    def words(text: str) -> str:
        return re.sub(r"(?<=\w)-(?=\w)", "", " ".join(text.split()))

    docx = {c.label: words(c.full) for c in audit.split(reading.read(generated / f"charter.{lang}.docx"))}
    pdf = audit.split(reading.read(generated / f"charter.{lang}.pdf"))
    assert [c.label for c in pdf] == [label for label in docx if not label.startswith("¶")]
    differ = [c.label for c in pdf if words(c.full) != docx[c.label]]
    assert differ == [pdf[-1].label]
    assert all(c.page for c in pdf) and pdf[-1].page is not None and pdf[-1].page > 10


def test_report_docx_in_the_readers_language(tmp_path: Path) -> None:
    import docx

    out = tmp_path / "report.docx"
    code, _, err = invoke("audit", str(CORPUS / "pyramid-ru.html"), "--lang", "kk", "--report", str(out))
    assert code == 1, err
    text = [p.text for p in docx.Document(str(out)).paragraphs]
    assert text[0] == "Тұтыну кооперативі жарғысын талдау"
    assert "Сотқа жүгіну шектелген [Статья 8 п. 1] KZ-PC-COURT" in text
    assert "«Все споры между членом и Кооперативом разрешаются исключительно правлением Кооператива.»" in text
    assert "Неліктен жарғы сотқа жүгінуге тыйым салады немесе кооператив шешімдерін түпкілікті деп жариялайды?" in text
    assert [p.name for p in tmp_path.iterdir()] == ["report.docx"]
    # an existing file is never replaced
    before = out.read_bytes()
    code, _, err = invoke("audit", str(CORPUS / "lawful-ru.txt"), "--report", str(out))
    assert code == 3 and "already exists" in err and out.read_bytes() == before
    code, _, err = invoke("audit", str(CORPUS / "lawful-ru.txt"), str(CORPUS / "lawful-kk.txt"), "--report", "r.docx")
    assert code == 2 and "exactly one FILE" in err


def test_pdf_without_pdftotext_is_read_by_pypdf(generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = [c.label for c in audit.split(reading.read(generated / "charter.kk.pdf"))]
    real_which = shutil.which
    monkeypatch.setattr(reading.shutil, "which", lambda name: None if name == "pdftotext" else real_which(name))
    slow = [c.label for c in audit.split(reading.read(generated / "charter.kk.pdf"))]
    assert fast == slow and len(fast) > 100


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_report_pdf_and_html_in_the_readers_language(tmp_path: Path, lang: str) -> None:
    """The report typeset by Typst and written as HTML from the same document tree: the same findings,
    quotes, questions and caveat in the reader's language."""
    import html5lib
    from pypdf import PdfReader

    result = audit.audit(CORPUS / "pyramid-ru.html", DEFAULT_PACK)
    tree = audit.report_tree(result, lang)
    titles = {"ru": "Разбор устава потребительского кооператива", "kk": "Тұтыну кооперативі жарғысын талдау"}
    court = {"ru": "Доступ к суду ограничен", "kk": "Сотқа жүгіну шектелген", "en": "Access to court removed"}
    for suffix in ("pdf", "html"):
        out = tmp_path / f"report.{suffix}"
        code, _, err = invoke("audit", str(CORPUS / "pyramid-ru.html"), "--lang", lang, "--report", str(out))
        assert code == 1, err
        if suffix == "pdf":
            text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)
        else:
            page = out.read_text(encoding="utf-8")
            html5lib.HTMLParser(strict=True).parse(page)
            text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
        assert titles.get(lang, "Review of a consumer") in text.replace("’", "'")
        assert f"{court[lang]} [Статья 8 п. 1] KZ-PC-COURT" in text
        assert "Все споры между членом и Кооперативом разрешаются исключительно правлением" in text
        assert audit.load(DEFAULT_PACK).words["disclaimer"][lang][:60] in text
        none_like = {"ru": "и нет пункта, похожего на её формулировки", "kk": "ұқсас тармақ жоқ"}
        assert none_like.get(lang, "and none like its wordings") in text  # a missing topic: why, in words
        # every finding of the terminal report is in the document, with what it rests on
        for f in result.findings:
            assert f.title[lang] in text, (suffix, f.id)
    kinds = [s.title for s in tree.document.sections]
    assert len(kinds) == 2 + sum(1 for k in audit.KINDS if any(f.kind == k for f in result.findings)) + 1
    # what a finding rests on is said in the reader's words, not as the JSON's technical marks
    rests = [i for s in tree.document.sections for c in s.clauses for i in c.items if "audit.yaml" in i]
    assert rests and not [i for i in rests if "pattern" in i or "~" in i]


def test_report_pdf_prints_a_character_the_fonts_lack_as_a_question_mark(tmp_path: Path) -> None:
    charter = tmp_path / "charter.txt"
    charter.write_text(
        (CORPUS / "lawful-ru.txt")
        .read_text(encoding="utf-8")
        .replace(
            "6.1. Член Кооператива может быть исключён из Кооператива только по решению общего собрания",
            "6.1. Член Кооператива исключается решением правления \U0001d400",
        ),
        encoding="utf-8",
    )
    out = tmp_path / "report.pdf"
    code, stdout, err = invoke("audit", str(charter), "--report", str(out))
    assert code == 1 and out.is_file(), err
    assert "\U0001d400" in stdout


@pytest.fixture(scope="module")
def examples_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("examples")
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        # the audit reads against the consumer-cooperative pack; an agricultural cooperative may lawfully
        # distribute income to its members (Law 372-V), which this pack flags
        if not re.search(r"^form: consumer_cooperative\b", example.read_text(encoding="utf-8"), re.MULTILINE):
            continue
        code, _, err = invoke("build", str(example), "--out", str(out), "--docs", "charter", "--format", "docx")
        assert code == 0, (example, err)
    return out


def test_every_lawful_example_charter_audits_without_a_false_alarm(examples_built: Path) -> None:
    """The charters coopdocs writes for its lawful consumer-cooperative examples (agricultural supply,
    consumer goods, bereke, the self-funded housing savings with its programme clauses) in Russian and
    Kazakh: nothing missing, unlawful or pyramid-like. Flagged before: the housing charter's «взносы вновь
    вступающих членов … не используются для … выплат», «мұрагер төлем алудың орнына … кіруге құқылы»,
    «қаражаты … пайдалану» and «… шартталмайды»."""
    charters = [p for p in sorted(examples_built.glob("*/charter.*.docx")) if ".en." not in p.name]
    assert len(charters) >= 6
    for path in charters:
        result = audit.audit(path, DEFAULT_PACK)
        flagged = [
            (f.kind, f.id, f.clause)
            for f in result.findings
            if f.kind in ("missing", "ambiguous", "unlawful", "pyramid")
        ]
        assert flagged == [], path


def test_classifier_training_file_is_the_seen_corpus() -> None:
    """audit_clauses.yaml is what `bench/corpus.py --training` writes: the seen parts and the training-only
    files, never the holdout not yet tuned on (`corpus.PARTS` minus `corpus.SEEN`: holdout50 to holdout53),
    nor a text equal or nearly equal to one of theirs."""
    import corpus

    path = ROOT / "schemas" / "kz" / "consumer_cooperative" / "audit_clauses.yaml"
    assert path.read_text(encoding="utf-8") == corpus.training_yaml()
    seen = {t for texts in corpus.training().values() for t in texts}
    blind = [p for p in corpus.PARTS if p not in corpus.SEEN]
    assert blind == [f"holdout{n}" for n in range(50, 54)]
    for part in blind:
        unseen = {" ".join(t.split()) for t in corpus.texts_of(corpus.load(part))}
        assert len(unseen) >= 150 and not seen & unseen, part
        assert not corpus.near_blind(sorted(seen), sorted(unseen)), part  # nor a text nearly equal to one


def test_classifier_reads_meaning_and_is_deterministic() -> None:
    """The classifier names a topic for a sentence without the cue words, and fitting twice gives the
    same weights (no randomness in the solver or the feature order)."""
    from coopdocs.charters import meaning

    ranked = audit._meaning("Вышедшему члену стоимость его пая выдаётся деньгами в течение двух месяцев.", DEFAULT_PACK)
    assert ranked[0][0] == "exit_payout"
    examples = [
        ("a", "паевой взнос возвращается"),
        ("b", "общее собрание избирает правление"),
        ("a", "пай выплачивается"),
    ]
    one = meaning.fit(examples, audit._meaning_features)
    two = meaning.fit(list(examples), audit._meaning_features)
    assert one.labels == two.labels and one.vocabulary == two.vocabulary
    assert (one.weights == two.weights).all()


def test_the_classifier_cache_keeps_only_the_newest_models(tmp_path: Path) -> None:
    """Each set of examples fitted leaves a ~15 MB model in the cache: only the newest KEEP_MODELS stay, and
    the one just written is always among them."""
    import os

    from coopdocs.charters import meaning

    examples = [("a", "пай возвращается"), ("b", "собрание избирает"), ("c", "ревизор проверяет")]
    model = meaning.fit(examples, audit._meaning_features)
    paths = [tmp_path / "audit" / f"meaning-{n:032d}.npz" for n in range(meaning.KEEP_MODELS + 2)]
    for n, path in enumerate(paths):
        meaning._write(path, model)
        os.utime(path, (1_000_000 + n, 1_000_000 + n))  # written one after the other
    meaning._write(paths[0], model)  # the oldest written again: now the newest
    kept = sorted(p.name for p in (tmp_path / "audit").glob("meaning-*.npz"))
    assert len(kept) == meaning.KEEP_MODELS and paths[0].name in kept and paths[-1].name in kept
    assert meaning._read(paths[0]) is not None


def test_a_topic_only_resembled_by_a_clause_is_unclear_not_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mandatory topic no clause states is "ambiguous" (with the clause that comes nearest, its quote and
    probability) where some sentence gives it at least `meaning.ambiguous`, else "missing"; the report says
    so in the reader's words and asks the topic's question; exit 1 either way."""
    import dataclasses

    import corpus

    ident, text, labels = next(c for c in corpus.charters("holdout") if c[0] == "ho-ru-2")
    assert "location" in labels["missing"]
    path = tmp_path / "ho-ru-2.txt"
    path.write_text(text, encoding="utf-8")
    data = audit.load(DEFAULT_PACK)
    kinds = {}
    for floor in (1.0, 1e-9):
        changed = dataclasses.replace(data, meaning={**data.meaning, "ambiguous": floor, "ambiguous_ratio": 0.0})
        monkeypatch.setattr(audit, "load", lambda pack, changed=changed: changed)
        result = audit.audit(path, DEFAULT_PACK)
        kinds[floor] = {f.id: f for f in result.findings if f.kind in ("missing", "ambiguous")}
    assert kinds[1.0]["location"].kind == "missing" and kinds[1.0]["location"].clause is None
    unclear = kinds[1e-9]["location"]
    assert unclear.kind == "ambiguous"
    assert unclear.clause and unclear.quote and unclear.why.startswith("meaning ")
    assert unclear.quote in text.replace("\n", " ") or unclear.quote[:40] in text
    report = audit.format_text(result, "ru")
    assert "НЕЯСНО: ВОЗМОЖНО, ЕСТЬ В УСТАВЕ" in report
    assert f"Место нахождения [{unclear.clause}" in report or f"Место нахождения [п. {unclear.clause}" in report
    assert "пункт только похож на эту тему" in report and "по смыслу (классификатор пунктов)" in report
    assert unclear.question and unclear.question["ru"] in report
    assert "неясных (проверить пункт)" in report
    assert "АНЫҚ ЕМЕС" in audit.format_text(result, "kk")
    payload = audit.as_json(result, "en")
    assert payload["counts"]["ambiguous"] == len([f for f in result.findings if f.kind == "ambiguous"]) >= 1


def test_a_finding_by_meaning_says_so_in_the_readers_words() -> None:
    words = {lang: {k: v[lang] for k, v in audit.load(DEFAULT_PACK).words.items()} for lang in ("ru", "kk")}
    why = "meaning 41% ~example «Пай не возвращается»"
    assert audit.why_words(why, words["ru"]) == (
        "по смыслу (классификатор пунктов), вероятность 41%; похоже на образец «Пай не возвращается»"
    )
    assert audit.why_words("meaning 41% ~exit.payout_deadline", words["kk"]) == (
        "мағынасы бойынша (тармақтар жіктеуіші), ықтималдығы 41%; ұқсас coopdocs кітапханасының тармағы "
        "exit.payout_deadline"
    )


AGRI_CHARTER = ROOT / "tests" / "golden" / "agri-machinery" / "charter.ru.txt"


def test_the_charters_own_form_chooses_the_pack_and_the_report_names_it() -> None:
    """Without --pack an agricultural cooperative's charter (it names its form: «Сельскохозяйственный
    кооператив «…»») is checked against the agricultural pack, a consumer cooperative's against the
    consumer pack; the report says which."""
    code, out, err = invoke("audit", str(AGRI_CHARTER), "--format", "json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["pack"] == payload["form_named"] == "kz/agricultural_cooperative"
    assert [f["id"] for f in payload["findings"] if f["kind"] in ("missing", "ambiguous", "unlawful", "pyramid")] == []
    assert all(not f["rule"] or f["rule"].startswith("KZ-AC-") for f in payload["findings"])
    code, out, _ = invoke("audit", str(ROOT / "tests" / "golden" / "bereke" / "charter.kk.txt"), "--messages", "kk")
    assert code == 0
    assert "тексерілген ережелер: Тұтыну кооперативі, Қазақстан Республикасы (kz/consumer_cooperative)" in out
    code, out, _ = invoke("audit", str(CORPUS / "pyramid-ru.html"), "--format", "json")
    assert json.loads(out)["pack"] == "kz/consumer_cooperative"


def test_pack_option_checks_against_the_pack_asked_and_says_the_charter_names_another() -> None:
    code, out, _ = invoke("audit", str(AGRI_CHARTER), "--pack", "kz/agricultural_cooperative", "--messages", "ru")
    assert code == 0
    assert "проверено по правилам: Сельскохозяйственный кооператив, Республика Казахстан" in out
    assert "устав называет другую форму" not in out
    # the consumer pack's rules read an agricultural charter's income distribution as pyramid language
    code, out, _ = invoke("audit", str(AGRI_CHARTER), "--pack", "kz/consumer_cooperative", "--messages", "ru")
    assert code == 1
    assert "проверено по правилам: Потребительский кооператив, Республика Казахстан (kz/consumer_cooperative)" in out
    assert (
        "устав называет другую форму, её правила: Сельскохозяйственный кооператив, Республика Казахстан "
        "(kz/agricultural_cooperative)" in out
    )
    code, _, err = invoke("audit", str(AGRI_CHARTER), "--pack", "kz/housing", "--messages", "kk")
    assert code == 2
    assert "kz/housing пакеті орнатылмаған; орнатылғандары: kz/agricultural_cooperative, kz/consumer_cooperative" in err
    assert "Traceback" not in err


# --- the stress test of the programmes a charter states (charters/programmes.py) -----------------

HOUSING = ROOT / "examples" / "housing-savings.yaml"


def _charter_of(text: str, out: Path) -> Path:
    source = out / "coop.yaml"
    source.write_text(text, encoding="utf-8")
    code, _, err = invoke("build", str(source), "--out", str(out / "built"), "--docs", "charter", "--lang", "ru")
    assert code == 0, err
    (charter,) = (out / "built").glob("*/charter.ru.docx")
    return charter


def _audit_json(charter: Path, lang: str = "ru") -> dict:
    code, out, err = invoke("audit", str(charter), "--format", "json", "--messages", lang)
    assert code in (0, 1), err
    return json.loads(out)


def test_a_programme_whose_advance_terms_the_charter_does_not_state_is_not_tested_nor_branded(
    tmp_path: Path,
) -> None:
    """housing-savings' programme is lawful (its input states a repaid, capped advance), but its charter
    does not state the advance's terms: «never repaid» assumed would brand it a pyramid. The audit says
    which terms are not stated and runs no test."""
    charter = _charter_of(HOUSING.read_text(encoding="utf-8"), tmp_path)
    stress = _audit_json(charter)["stress"]
    (programme,) = stress["programmes"]
    assert programme["tested"] is False and programme["verdict"] is None
    assert {"advance.repayment_months", "advance.capped_by_own_funds"} <= set(programme["not_stated"])
    assert programme["terms"]["member_savings_percent"] == 50  # what was read, is read
    code, text, _ = invoke("audit", str(charter), "--messages", "ru")
    assert "СТРЕСС-ТЕСТ ПРОГРАММ" in text and "возвращается ли аванс" in text
    assert "пирамид" not in text.split("СТРЕСС-ТЕСТ ПРОГРАММ", 1)[1].split("Итого", 1)[0]


def test_a_self_funded_programme_read_from_the_charter_is_stress_tested(tmp_path: Path) -> None:
    text = HOUSING.read_text(encoding="utf-8")
    text = text.replace("member_savings_percent: 50 ", "member_savings_percent: 100 ")
    text = text.replace("funded_by: [own_savings, cooperative_funds]", "funded_by: [own_savings]")
    text = text.replace("    rest_paid_by: cooperative_funds\n", "    rest_paid_by: own_savings\n")
    text = re.sub(r"    advance:\n      repayment_months: 120.*\n      capped_by_own_funds: true.*\n", "", text)
    charter = _charter_of(text, tmp_path)
    for lang, heading, assumed in (
        ("ru", "СТРЕСС-ТЕСТ ПРОГРАММ", "Не сказано в уставе"),
        ("kk", "БАҒДАРЛАМАЛАРДЫҢ СТРЕСС-ТЕСІ", "Жарғыда айтылмаған"),
    ):
        (programme,) = _audit_json(charter, lang)["stress"]["programmes"]
        assert programme["tested"] is True and programme["verdict"] == "lawful_mutual_help", programme
        assert programme["assumed"] == ["price", "monthly_payment"]  # only scale the model
        assert programme["read_from"]
        code, shown, _ = invoke("audit", str(charter), "--messages", lang)
        assert heading in shown and assumed in shown and "входных данных" not in shown
    report = tmp_path / "report.html"
    code, _, err = invoke("audit", str(charter), "--report", str(report), "--messages", "ru")
    assert report.is_file(), err
    assert "СТРЕСС-ТЕСТ ПРОГРАММ" in report.read_text(encoding="utf-8")


def test_a_charter_without_programmes_has_no_stress_section(generated: Path) -> None:
    assert _audit_json(generated / "charter.ru.docx")["stress"] is None


# --- reading rules of the ninth to eighteenth rounds (each from a blind holdout's misses) --------


def _clause(text: str, lang: str = "ru", label: str = "5.1.") -> audit.Clause:
    return audit.Clause(label, "", text, lang=lang)


def _terms_in(text: str, lang: str = "ru") -> set[str]:
    data = audit.load(DEFAULT_PACK)
    clause = _clause(text, lang)
    return {t.id for t in data.terms if audit._term_hits(clause, t, data.negation, False, DEFAULT_PACK)}


def _topics_in(text: str, lang: str = "ru") -> set[str]:
    found, _ = audit.recognise([_clause(text, lang)], audit.load(DEFAULT_PACK), DEFAULT_PACK)
    return {r.topic for r in found}


def test_a_list_written_inside_a_clause_is_read_as_its_lead_in_and_items() -> None:
    """«…относятся: 1) …; 2) …» in one paragraph: the lead-in alone, then each item with the lead-in (as a
    list laid out item by item is read); a Kazakh list's lead-in takes its last item, which holds the verb."""
    clause = _clause(
        "Высшим органом является общее собрание. К его компетенции относятся: 1) изменение Устава; "
        "2) исключение членов."
    )
    assert list(audit._units(clause)) == [
        ("Высшим органом является общее собрание.", ""),
        ("К его компетенции относятся:", ""),
        ("изменение Устава;", "К его компетенции относятся:"),
        ("исключение членов.", "К его компетенции относятся:"),
    ]
    kk = _clause("Кооперативтің: 1) пайды қайтармауға; 2) дивиденд төлеуге құқығы жоқ.", "kk")
    assert list(audit._units(kk))[-1] == ("дивиденд төлеуге құқығы жоқ.", "Кооперативтің: дивиденд төлеуге құқығы жоқ.")


def test_the_powers_of_the_general_meeting_do_not_state_the_topics_they_name() -> None:
    """An item of the meeting's exclusive powers («реорганизация и ликвидация», «исключение членов») names a
    power of the meeting (`meaning.list_leads`), not the reorganisation procedure or the grounds of exclusion."""
    powers = (
        "Высшим органом Кооператива является общее собрание его членов. К исключительной компетенции общего "
        "собрания относятся: 1) изменение Устава; 2) приём и исключение членов; 3) избрание правления; "
        "4) решение о реорганизации и ликвидации Кооператива."
    )
    topics = _topics_in(powers)
    assert "general_meeting" in topics and not topics & {"reorganization", "exclusion"}
    # the same words as a clause of their own state the topic
    assert "reorganization" in _topics_in(
        "Реорганизация и ликвидация Кооператива осуществляются по решению общего собрания или суда."
    )


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("Жылдық баланс бекітілген соң екі ай ішінде мүшелер залалды қосымша жарнамен өтейді.", 2),
        ("Залал он екі ай ішінде жабылады.", 12),
        ("в течение шести месяцев после утверждения годового баланса", 6),
        # a date in the next year or season (sixteenth round)
        ("Убытки погашаются до конца следующего учебного года.", 12),
        ("Убыток покрывается до 31 декабря следующего года.", 12),
        ("до окончания следующего отопительного сезона", 12),
        ("келесі жылыту маусымы аяқталғанға дейін", 12),
        # a date in the year after the reporting one (seventeenth round)
        ("до 1 ноября года, следующего за отчётным", 12),
        ("есепті жылдан кейінгі жылдың 1 қарашасына дейін", 12),
        # a period written as one word (eighteenth round)
        ("в шестимесячный срок со дня утверждения годового баланса", 6),
        ("в трёхмесячный срок", 3),
    ],
)
def test_a_period_is_read_from_a_whole_number_word(text: str, months: int) -> None:
    """«соң екі ай» (two months after) holds «он екі» (twelve): the number must start a word."""
    assert audit.months(text) == months


@pytest.mark.parametrize(
    ("text", "lang", "term", "present"),
    [
        # the share and the entry fee kept together is a share kept; the entry fee alone is lawful
        (
            "Паевые и вступительные взносы возврату не подлежат ни при выходе, ни при исключении члена.",
            "ru",
            "nonrefundable_share",
            True,
        ),
        (
            "Пай және кіру жарналары мүше шыққанда да, шығарылғанда да қайтарылуға жатпайды.",
            "kk",
            "nonrefundable_share",
            True,
        ),
        (
            "Паевой взнос возвращается в течение 60 дней, а вступительный взнос не возвращается.",
            "ru",
            "nonrefundable_share",
            False,
        ),
        # the board excluding on someone else's proposal is exclusion by the board; the board proposing is not
        (
            "Мүшені Кооперативтен шығаруды қойма меңгерушісінің ұсынуы бойынша басқарма төрағасы жүргізеді.",
            "kk",
            "exclusion_by_board",
            True,
        ),
        (
            "Правление вправе лишь предложить исключение члена: вопрос включается в повестку "
            "дня общего собрания, которое и принимает решение.",
            "ru",
            "exclusion_by_board",
            False,
        ),
        # a negated payment of income is lawful
        (
            "Выплаты из доходов Кооператива его членам пропорционально их паевым взносам "
            "настоящим Уставом не предусмотрены и не производятся.",
            "ru",
            "income_to_members",
            False,
        ),
        ("Пайларға дивиденд те, пайыз да есептелмейді.", "kk", "income_to_members", False),
        # goods shared out among members are the purpose, not income paid to them
        (
            "Кооператив заключает договоры с поставщиками и распределяет полученный товар между пайщиками.",
            "ru",
            "income_to_members",
            False,
        ),
        # an extra share that gives no extra vote; a right to vote weighed by nothing
        (
            "Мүше қосымша пай жарнасын енгізе алады, алайда ол үшін қосымша дауыс берілмейді.",
            "kk",
            "voting_by_share",
            False,
        ),
        # a payout in goods by agreement waits for no sale
        (
            "Тараптар келіссе, пай қоймадағы тауармен сатып алу бағасы бойынша берілуі мүмкін.",
            "kk",
            "exit_waits_sale",
            False,
        ),
        # a board decision not reviewed by the meeting says nothing of the court
        (
            "Решение правления об исключении является окончательным и общим собранием не пересматривается.",
            "ru",
            "court_removed",
            False,
        ),
        # ...in Kazakh too; a final decision on disputes is the court removed (sixteenth round)
        (
            "Жарғыны бұзған мүше басқарманың шешімімен шығарылады; басқарманың шешімі түпкілікті болып табылады.",
            "kk",
            "court_removed",
            False,
        ),
        (
            "Мүше мен Кооператив арасындағы дауларды басқарма қарайды, оның шешімі түпкілікті болып табылады.",
            "kk",
            "court_removed",
            True,
        ),
        # «әрбір мүше» (each member) holds «бір мүше» (one member): votes by share still (sixteenth round)
        ("Әрбір мүшенің дауыс саны оның пай жарнасының мөлшеріне сәйкес болады.", "kk", "voting_by_share", True),
        # one more vote per extra share, or a vote per sum, is not one member one vote
        (
            "Қосымша пай жарнасын енгізген мүше жалпы жиналыста әр осындай жарна үшін қосымша бір дауыс алады.",
            "kk",
            "voting_by_share",
            True,
        ),
        ("На общем собрании каждые 20 000 тенге внесённого пая дают члену один голос.", "ru", "voting_by_share", True),
        # a share topped up by the meeting's decision is no vote
        (
            "Жалпы жиналыстың шешімі бойынша мүшелер ірі көтерме сатып алуға мақсатты қосымша пай жарналарын "
            "енгізе алады; олардың мөлшері сол шешіммен айқындалады.",
            "kk",
            "voting_by_share",
            False,
        ),
        # a share «not compensated» is not returned
        (
            "Пайлық жарналар ортақ жабдықты сатып алуға жұмсалатындықтан, олар шыққан мүшеге өтелмейді.",
            "kk",
            "nonrefundable_share",
            True,
        ),
        # «шығаруды» (the exclusion) done by the chair's order
        (
            "Жарна төлемегені үшін шығаруды басқарма төрағасы өз бұйрығымен ресімдейді, жалпы жиналысқа тек "
            "хабарланады.",
            "kk",
            "exclusion_by_board",
            True,
        ),
        # the board only proposing exclusion, after a sentence the classifier alone reads as the board excluding
        (
            "Правление само никого не исключает. Оно может лишь внести на общее собрание предложение об исключении "
            "члена, а решение принимает общее собрание.",
            "ru",
            "exclusion_by_board",
            False,
        ),
        # losses covered by a date in the next year
        ("Убытки члены погашают равными долями до конца следующего учебного года.", "ru", "losses_late", True),
        # seventeenth round: the board forbidden to exclude is no board excluding...
        ("Председатель и правление исключать членов не вправе.", "ru", "exclusion_by_board", False),
        ("Төраға мен басқарма мүшелерді Кооперативтен шығаруға құқылы емес.", "kk", "exclusion_by_board", False),
        # ...but the meeting only told, confirming later, or an appeal that does not stop the board's decision is
        (
            "Член исключается из Кооператива решением правления; общее собрание принимает это решение к сведению.",
            "ru",
            "exclusion_by_board",
            True,
        ),
        (
            "Мүшені шығару туралы шешімді басқарма қабылдайды, кейіннен ол жалпы жиналыста бекітіледі.",
            "kk",
            "exclusion_by_board",
            True,
        ),
        (
            "Член исключается решением правления; обжалование этого решения общему собранию не приостанавливает "
            "его исполнения.",
            "ru",
            "exclusion_by_board",
            True,
        ),
        # quotation marks around defined terms are not words
        ("Ережені бұзған «Мүше» «Басқарманың» шешімімен «Кооперативтен» шығарылады.", "kk", "exclusion_by_board", True),
        # a share kept only until it is paid; a share lost to the reserve fund (a lawful sign on another point)
        ("До выплаты пай остаётся в паевом фонде Кооператива.", "ru", "nonrefundable_share", False),
        (
            "При выходе член утрачивает право на свой паевой взнос, который зачисляется в резервный фонд для "
            "покрытия убытков.",
            "ru",
            "nonrefundable_share",
            True,
        ),
        # interest on shares paid from part of the income, the rest to the charter's aims
        (
            "Часть дохода, определяемая правлением, выплачивается членам в виде процентов на паи, а оставшаяся "
            "часть направляется на уставные цели.",
            "ru",
            "income_to_members",
            True,
        ),
        (
            "Доход Кооператива направляется на уставные цели и членам не распределяется.",
            "ru",
            "income_to_members",
            False,
        ),
        # «one share, one vote», a vote for each unit of share; «бір ғана дауыс» (only one vote) is lawful
        ("На общем собрании голоса исчисляются по паям: один пай — один голос.", "ru", "voting_by_share", True),
        (
            "Член располагает одним голосом на каждый полный месячный расчётный показатель внесённого пая.",
            "ru",
            "voting_by_share",
            True,
        ),
        (
            "Жалпы жиналыста пайды көп енгізгендер басымдық алмауы үшін әрбір мүшенің бір ғана дауысы болады.",
            "kk",
            "voting_by_share",
            False,
        ),
        # a shortage of money is a loss
        (
            "Недостаток средств по итогам года покрывается членами до 1 ноября года, следующего за отчётным.",
            "ru",
            "losses_late",
            True,
        ),
        # a sentence's own negation the classifier reads past at 52 % (under `meaning.term_negated`)
        ("Пайдың құнын төлеу жаңа мүшенің қабылдануына байланысты қойылмайды.", "kk", "exit_waits_replacement", False),
        # a certificate given to the leaver waits for nobody
        ("Шыққан мүшеге жарналарды толық төлегені туралы анықтама беріледі.", "kk", "exit_waits_replacement", False),
        # eighteenth round: a share's size in the register is no vote; «шешім шығару» is issuing a decision
        ("Размер доли участника в паевом фонде отражается в реестре членов.", "ru", "voting_by_share", False),
        (
            "Басқарма отырысына мүшелерінің көпшілігі қатысса, ол шешім шығаруға құқылы.",
            "kk",
            "exclusion_by_board",
            False,
        ),
        # whether new members joined «does not matter»
        (
            "Шыққан мүшеге пайдың құны баланс бекітілгеннен кейін екі ай ішінде төленеді, бұл ретте Кооперативке "
            "жаңа мүшелердің қабылданған-қабылданбағанының маңызы жоқ.",
            "kk",
            "exit_waits_replacement",
            False,
        ),
        # «қайтарымсыз» (non-returnable)
        (
            "Пайлық жарна мүше қабылданған күннен бастап бір ай ішінде енгізіледі және ол қайтарымсыз болып табылады.",
            "kk",
            "nonrefundable_share",
            True,
        ),
    ],
)
def test_terms_read_as_the_rounds_left_them(text: str, lang: str, term: str, present: bool) -> None:
    assert (term in _terms_in(text, lang)) is present, _terms_in(text, lang)


def test_an_entry_fee_clause_states_no_share_contribution() -> None:
    """share_contribution's `meaning_requires`: a clause that names no share does not state it, however like
    a share clause it reads; a share clause does."""
    assert "share_contribution" not in _topics_in(
        "Вступительный взнос в размере 5 000 тенге направляется на расходы, связанные с приёмом, и не возвращается."
    )
    assert "share_contribution" in _topics_in("Паевой взнос составляет 50 000 тенге и вносится в течение месяца.")


def test_a_clause_read_as_one_topic_does_not_state_what_a_sentence_of_it_mentions() -> None:
    """`meaning.clause_veto`: a share clause whose second sentence says the general meeting values property
    does not state the general meeting, though that sentence alone reads so; with the setting off it would."""
    import dataclasses

    data = audit.load(DEFAULT_PACK)
    text = (
        "Паевой взнос вносится деньгами либо, по решению общего собрания, имуществом, нужным Кооперативу. "
        "Оценку имущества утверждает общее собрание."
    )

    def topics(settings: audit.AuditPack) -> set[str]:
        found, _ = audit.recognise([_clause(text)], settings, DEFAULT_PACK)
        return {r.topic for r in found}

    assert topics(data) == {"share_contribution"}
    off = dataclasses.replace(data, meaning={**data.meaning, "clause_veto": 0.0})
    assert "general_meeting" in topics(off)


def test_a_clause_read_as_a_lawful_topic_vetoes_a_term_one_sentence_reads() -> None:
    """`meaning.clause_term_veto`: in a payout clause the classifier reads as a whole as the payout, the
    unlawful terms it gives next to nothing are not read from one of its sentences on the classifier alone;
    a clause of one sentence is left to that sentence's reading."""
    data = audit.load(DEFAULT_PACK)
    payout = _clause(
        "Пайлық жарнаның құны шыққан мүшеге мүшелігі тоқтаған күннен бастап алпыс күн ішінде ақшалай "
        "қайтарылады; Кооперативке жаңа мүше кірді ме, жоқ па — бұл мерзімге қатысы жоқ.",
        "kk",
    )
    vetoed = audit._clause_vetoes(payout, data, DEFAULT_PACK)[1]
    assert "exit_waits_replacement" in vetoed
    single = _clause("Пай Кооперативке жаңа мүше кірген кезде ғана төленеді.", "kk")
    assert audit._clause_vetoes(single, data, DEFAULT_PACK) == (frozenset(), frozenset())
    assert "exit_waits_replacement" in _terms_in(single.text, "kk")


def test_a_clause_read_as_a_whole_states_its_topic() -> None:
    """`meaning.clause_topic`: a clause of several sentences none of which alone reads clearly as the share
    (a definition, then how much) states it when the classifier reads the whole clause so at the setting or
    more; under it, it does not."""
    import dataclasses

    clause = _clause(
        "Пай — доля члена в общем имуществе: в котельной, трубах и насосах. Размер одинаков для всех и "
        "утверждается общим собранием."
    )
    data = audit.load(DEFAULT_PACK)
    probability = dict(audit._meaning(clause.full, DEFAULT_PACK))["share_contribution"]
    assert 0.6 < probability < 0.95
    low = dataclasses.replace(data, meaning={**data.meaning, "clause_topic": probability - 0.05})
    high = dataclasses.replace(data, meaning={**data.meaning, "clause_topic": probability + 0.05})
    assert audit._clause_topic(clause, low, DEFAULT_PACK) == ("share_contribution", probability)
    assert audit._clause_topic(clause, high, DEFAULT_PACK) is None

    def topics(settings: audit.AuditPack) -> set[str]:
        found, _ = audit.recognise([clause], settings, DEFAULT_PACK)
        return {r.topic for r in found}

    assert "share_contribution" in topics(low) and "share_contribution" not in topics(high)
    # one sentence is left to its own reading
    single = _clause("Пай — доля члена в общем имуществе: в котельной, трубах и насосах.")
    assert audit._clause_topic(single, low, DEFAULT_PACK) is None


def test_a_members_rights_lead_in_is_read_as_such() -> None:
    """«Участник Кооператива вправе: …», «Кооператив мүшесі құқылы: …» introduce a member's rights (topic
    examples of rights_duties), so an item naming the audit commission one may be elected to states no audit
    body (eighteenth round)."""
    data = audit.load(DEFAULT_PACK)
    assert audit._list_lead("Участник Кооператива вправе:", data, DEFAULT_PACK) == "rights_duties"
    assert audit._list_lead("Кооператив мүшесі құқылы:", data, DEFAULT_PACK) == "rights_duties"
    assert _topics_in(
        "Участник Кооператива вправе: 1) участвовать в общем собрании с правом одного голоса; 2) избирать и быть "
        "избранным в правление и ревизионную комиссию; 3) получать сведения о деятельности Кооператива."
    ) == {"rights_duties"}


def test_a_share_kept_on_exit_leaves_the_payout_missing(tmp_path: Path) -> None:
    """nonrefundable_share `unstates` exit_payout: its clause is reported unlawful and the payout procedure
    missing, though the clause reads like a payout clause."""
    path = tmp_path / "charter.txt"
    path.write_text(
        "5.1. Член Кооператива вправе в любое время выйти из Кооператива, подав заявление в правление.\n"
        "5.2. Выбывшему члену паевой взнос выплате не подлежит и остаётся в неделимом фонде Кооператива.\n",
        encoding="utf-8",
    )
    kinds = {(f.kind, f.id) for f in audit.audit(path, DEFAULT_PACK).findings}
    assert ("unlawful", "nonrefundable_share") in kinds
    assert ("missing", "exit_payout") in kinds
