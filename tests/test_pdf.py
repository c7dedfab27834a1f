"""PDF through LibreOffice: text parity with the DOCX, embedded fonts, every Kazakh letter,
metadata, visible pages, a persistent converter that counts and survives a crash."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdocs.cli import main
from coopdocs.errors import OutputError
from coopdocs.writers import pdf
from coopdocs.writers.layouts import FONT
from coopdocs.writers.render import docx_text
from tests.conftest import SESSION_MARKER, processes_with
from tests.support import BEREKE, EXAMPLES

KAZAKH = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pdf")
    result = CliRunner().invoke(
        main, ["build", str(BEREKE), "--out", str(out), "--format", "docx,pdf", "--pdf-engine", "libreoffice"]
    )
    assert result.exit_code == 0, result.stderr
    return out / "bereke"


def run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stdout


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.pdf_engine
def test_every_docx_has_its_pdf(built: Path) -> None:
    docx = sorted(p.stem for p in built.glob("*.docx"))
    assert docx == sorted(p.stem for p in built.glob("*.pdf"))
    assert len(docx) == 14


@pytest.mark.pdf_engine
@pytest.mark.parametrize("stem", ["charter.ru", "charter.kk", "membership.kk", "disputes.ru"])
def test_pdf_text_matches_docx_text(built: Path, stem: str) -> None:
    pages = run("pdftotext", "-raw", "-enc", "UTF-8", str(built / f"{stem}.pdf"), "-").split("\f")
    # drop the running header (first line) and footer (last line) of every page
    body = []
    for page in pages:
        lines = [line for line in page.splitlines() if line.strip()]
        body += lines[1:-1]
    # a line that ends in a hyphen (гражданско-правовой) continues on the next line without a space
    text = squash(re.sub(r"-\n", "-", "\n".join(body)))
    paragraphs = [squash(p) for p in docx_text((built / f"{stem}.docx").read_bytes()) if p.strip()]
    expected = " ".join(paragraphs)
    if text != expected:
        at = next(i for i, (a, b) in enumerate(zip(text, expected, strict=False)) if a != b) if text else 0
        raise AssertionError(
            f"PDF and DOCX text differ at {at}:\nPDF:  {text[at - 80 : at + 80]}\nDOCX: {expected[at - 80 : at + 80]}"
        )
    numbers = re.findall(r"(?:^| )(\d+\.\d+)\. ", expected)
    assert len(numbers) > 20


@pytest.mark.pdf_engine
def test_fonts_are_embedded_and_are_the_layout_font(built: Path) -> None:
    for path in built.glob("*.pdf"):
        rows = run("pdffonts", str(path)).splitlines()[2:]
        assert rows, path.name
        for row in rows:
            name, emb = row.split()[0], row.split()[-5]
            assert emb == "yes", (path.name, row)
            # a glyph missing from the layout font would make LibreOffice fall back to another family
            assert name.split("+", 1)[-1].startswith(FONT.replace(" ", "")), (path.name, row)


@pytest.mark.pdf_engine
def test_layout_font_covers_every_character_the_documents_use(built: Path) -> None:
    ranges = run("fc-list", "-f", "%{charset}", f"{FONT}:style=Regular").split()
    covered: set[int] = set()
    for item in ranges:
        low, _, high = item.partition("-")
        covered.update(range(int(low, 16), int(high or low, 16) + 1))
    used = {ch for path in built.glob("*.docx") for line in docx_text(path.read_bytes()) for ch in line}
    for example in EXAMPLES.glob("*.yaml"):
        used |= set(example.read_text(encoding="utf-8"))
    used -= {"\n", "\r", "\t"}
    missing = sorted(ch for ch in used if ord(ch) not in covered)
    assert missing == [], f"{FONT} lacks {missing}"
    assert all(ord(ch) in covered for ch in KAZAKH)


@pytest.mark.pdf_engine
def test_kazakh_letters_survive_into_the_pdf(built: Path) -> None:
    text = run("pdftotext", "-enc", "UTF-8", str(built / "charter.kk.pdf"), "-")
    for letter in "әғқңөұүі":
        assert letter in text


@pytest.mark.pdf_engine
def test_pdf_metadata(built: Path) -> None:
    info = run("pdfinfo", str(built / "charter.kk.pdf"))
    assert re.search(r"^Title:\s+ЖАРҒЫ «Береке» тұтыну кооперативі$", info, re.M)
    assert re.search(r"^Author:\s+«Береке» тұтыну кооперативі$", info, re.M)
    assert b"/Lang(kk-KZ)" in (built / "charter.kk.pdf").read_bytes()


@pytest.mark.pdf_engine
def test_pages_are_not_blank(built: Path, tmp_path: Path) -> None:
    run("pdftoppm", "-gray", "-r", "40", "-f", "1", "-l", "3", str(built / "charter.ru.pdf"), str(tmp_path / "p"))
    pages = sorted(tmp_path.glob("p-*.pgm"))
    assert len(pages) == 3
    for page in pages:
        data = page.read_bytes()
        pixels = data.split(b"\n", 3)[3]
        dark = sum(1 for value in pixels if value < 200)
        assert dark > 0.02 * len(pixels), page.name


@pytest.mark.pdf_engine
def test_persistent_converter_counts_twenty_documents(built: Path, tmp_path: Path) -> None:
    sources = []
    for i in range(20):
        src = tmp_path / f"doc{i:02}.docx"
        shutil.copy(sorted(built.glob("*.docx"))[i % 14], src)
        sources.append(src)
    with pdf.Converter() as converter:
        pdfs = pdf.convert_all(converter, sources)
        assert converter.converted == 20
        assert converter.restarts == 0
    assert len(pdfs) == 20 and all(p.stat().st_size > 1000 for p in pdfs)


@pytest.mark.pdf_engine
def test_converter_restarts_after_libreoffice_dies(built: Path, tmp_path: Path) -> None:
    src = tmp_path / "a.docx"
    shutil.copy(built / "disputes.ru.docx", src)
    with pdf.Converter() as converter:
        assert converter.soffice_pid is not None
        os.killpg(converter.soffice_pid, signal.SIGKILL)
        converter.convert(src, tmp_path / "a.pdf")
        assert converter.restarts == 1
    assert (tmp_path / "a.pdf").stat().st_size > 1000


def test_converter_gives_up_after_one_retry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf.Converter, "start", lambda self: None)
    monkeypatch.setattr(pdf.Converter, "_once", lambda self, src, dst, pdfa: "LibreOffice did not finish within 1 s")
    converter = pdf.Converter()
    with pytest.raises(OutputError, match="even with a fresh LibreOffice: LibreOffice did not finish within 1 s"):
        converter.convert(tmp_path / "x.docx", tmp_path / "x.pdf")
    assert converter.restarts == 1


@pytest.mark.pdf_engine
def test_pdf_a(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "build",
            str(BEREKE),
            "--out",
            str(tmp_path),
            "--docs",
            "disputes",
            "--lang",
            "ru",
            "--format",
            "pdf",
            "--pdf-a",
            "--pdf-engine",
            "libreoffice",
        ],
    )
    assert result.exit_code == 0, result.stderr
    data = (tmp_path / "bereke" / "disputes.ru.pdf").read_bytes()
    assert b"pdfaid:part" in data and b"<pdfaid:part>2</pdfaid:part>" in data or b'pdfaid:part="2"' in data
    assert sorted(p.name for p in (tmp_path / "bereke").iterdir()) == ["coopdocs-manifest.json", "disputes.ru.pdf"]


def test_no_pdf_engine_exits_3_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    result = CliRunner().invoke(
        main, ["build", str(BEREKE), "--out", str(tmp_path / "out"), "--format", "pdf", "--pdf-engine", "libreoffice"]
    )
    assert result.exit_code == 3
    assert "no PDF engine: LibreOffice (soffice) is not installed" in result.stderr
    assert "apt-get install libreoffice-writer-nogui" in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_html_and_markdown(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["build", str(BEREKE), "--out", str(tmp_path), "--docs", "charter", "--lang", "kk", "--format", "html,md"]
    )
    assert result.exit_code == 0, result.stderr
    html = (tmp_path / "bereke" / "charter.kk.html").read_text(encoding="utf-8")
    md = (tmp_path / "bereke" / "charter.kk.md").read_text(encoding="utf-8")
    assert '<html lang="kk">' in html
    assert '<span class="number">1.1.</span> «Береке» тұтыну кооперативі' in html
    assert "1.1. «Береке» тұтыну кооперативі" in md


@pytest.mark.pdf_engine
def test_doctor_reports_engine_and_fonts() -> None:
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0
    assert (
        "PDF engine LibreOffice (optional, --pdf-engine libreoffice: the DOCX as it is): LibreOffice" in result.stdout
    )
    assert f"system font {FONT} with all Kazakh letters (for LibreOffice): yes" in result.stdout


@pytest.mark.pdf_engine
def test_closing_the_converter_leaves_no_libreoffice_behind() -> None:
    with pdf.Converter() as converter:
        assert converter.soffice_pid is not None
        group = converter.soffice_pid
    with pytest.raises(ProcessLookupError):
        os.killpg(group, 0)


@pytest.mark.pdf_engine
def test_a_pool_converts_in_parallel_and_counts(built: Path, tmp_path: Path) -> None:
    sources = []
    for i, src in enumerate(sorted(built.glob("*.docx"))[:6]):
        dst = tmp_path / f"p{i}.docx"
        shutil.copy(src, dst)
        sources.append(dst)
    with pdf.ConverterPool(2) as pool:
        made = pdf.convert_all(pool, sources)
        assert pool.converted == 6
        assert all(c.converted > 0 for c in pool.converters)
    assert [p.stem for p in made] == [s.stem for s in sources]
    assert all(p.stat().st_size > 1000 for p in made)


@pytest.mark.pdf_engine
def test_converter_profile_turns_off_editor_work(built: Path, tmp_path: Path) -> None:
    """Autocompletion, spelling, grammar and smart tags are off in the converter's profile, and
    LibreOffice keeps them when it rewrites its settings."""
    src = tmp_path / "a.docx"
    shutil.copy(built / "application.ru.docx", src)
    with pdf.Converter() as converter:
        converter.convert(src, tmp_path / "a.pdf")
        assert converter.profile is not None
        settings = (converter.profile / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
    for path, name, value in pdf.PROFILE_SETTINGS:
        pattern = rf'<item oor:path="{re.escape(path)}"><prop oor:name="{name}"[^>]*><value>([^<]*)</value>'
        item = re.search(pattern, settings)
        assert item is not None and item.group(1) == value, (path, name)


@pytest.mark.pdf_engine
def test_a_pool_started_in_the_background_converts_or_closes_cleanly(built: Path, tmp_path: Path) -> None:
    src = tmp_path / "a.docx"
    shutil.copy(built / "minutes.ru.docx", src)
    pool = pdf.ConverterPool(2).begin()  # as `build` does while it renders the DOCX
    try:
        pdf.convert_all(pool, [src])
        assert pool.converted == 1
    finally:
        pool.close()
    abandoned = pdf.ConverterPool(2).begin()
    abandoned.close()  # closed while LibreOffice may still be starting: nothing is left behind
    for converter in (*pool.converters, *abandoned.converters):
        assert converter.soffice_pid is None and converter.worker is None and converter.profile is None
    # only this session's processes: other runs of coopdocs may use LibreOffice on the machine
    session = processes_with(SESSION_MARKER, os.environ[SESSION_MARKER])
    assert [command for command in session.values() if "coopdocs-lo-" in command] == []


@pytest.mark.pdf_engine
def test_a_pool_not_yet_started_starts_once_under_parallel_calls(built: Path, tmp_path: Path) -> None:
    sources = []
    for i, name in enumerate(["minutes.ru.docx", "minutes.kk.docx", "application.ru.docx", "application.kk.docx"]):
        sources.append(tmp_path / f"{i}.docx")
        shutil.copy(built / name, sources[-1])
    pool = pdf.ConverterPool(2)
    try:
        pdf.convert_all(pool, sources)  # both threads ask the pool to get ready at the same time
        assert pool.converted == 4
        assert pool.idle.qsize() == 2  # each converter queued once, not once per caller
    finally:
        pool.close()


@pytest.mark.pdf_engine
@pytest.mark.parametrize("stem", ["charter.ru", "membership.ru", "commentary.kk", "compliance.ru"])
def test_a_lead_in_is_on_the_page_of_its_first_item(built: Path, stem: str) -> None:
    """The DOCX keeps a list's lead-in with its first item (w:keepNext), and LibreOffice honours
    it: before, each of these PDFs had a lead-in ending a page and its list on the next."""
    from coopdocs.checking.pipeline import check_file
    from coopdocs.commands.build import Options, build_trees

    coop = check_file(BEREKE).cooperative
    assert coop is not None
    (tree,) = [t for t in build_trees(coop, Options(langs=("ru", "kk"))) if t.stem == stem]
    pages = ["".join(page.split()) for page in run("pdftotext", str(built / f"{stem}.pdf"), "-").split("\f")]

    def page_of(text: str, start: int = 0) -> int:
        wanted = "".join(text.split())
        return next(i for i in range(start, len(pages)) if wanted in pages[i])

    at, checked = 0, 0
    for section in tree.document.sections:  # type: ignore[union-attr]
        for clause in section.clauses:
            if clause.items:
                lead = page_of(f"{clause.number}. {clause.text}"[:40], at)
                first = page_of(f"1) {clause.items[0]}"[:25], lead)
                assert first == page_of(clause.text[-25:], lead), (stem, clause.number)
                at, checked = lead, checked + 1
    assert checked >= 1
