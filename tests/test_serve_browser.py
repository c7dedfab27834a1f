"""`coopdocs serve` in a real browser: Debian's Chromium driven by Playwright (no browser download).

A founder fills a cooperative from nothing in Russian, gets an IIN refused and fixes it, sees a red
flag appear next to the purpose that promises a return and go away when the promise is removed, goes
back two pages, reviews and downloads the package; the charter in the ZIP names the cooperative the
founder gave, everywhere. Every page is photographed in Russian and Kazakh (``COOPDOCS_SCREENSHOTS``
names a folder to keep them, e.g. out/screenshots; otherwise they go to pytest's tmp folder).
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import free_port, start_serve

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = 9  # the sections of web-form.yaml
YAML_PATH = re.compile(r"\b(cooperative|founding|membership|governance|funds|income|programs|disputes)\.[a-z_]")

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Chromium is not installed (bootstrap.sh --for-tests installs it as root)"
)


@pytest.fixture
def server() -> Iterator[str]:
    """`coopdocs serve` on a free port; stopped with SIGTERM (it must exit cleanly) whatever happens."""
    port = free_port()
    proc = start_serve(port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise AssertionError("the server did not stop on SIGTERM") from None
        assert "Traceback" not in err.decode(), err.decode()


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def shots_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("COOPDOCS_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_founder_fills_a_cooperative_in_russian(server: str, browser: object, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    shots = shots_folder(tmp_path)

    def no_yaml_paths() -> None:
        text = page.inner_text("body")
        found = YAML_PATH.search(text)
        assert found is None, text[max(0, found.start() - 200) : found.end() + 200]

    def go_next(expected: str) -> None:
        page.click("#next")
        page.wait_for_url(f"**{expected}")

    page.goto(server + "/")
    page.wait_for_url("**/form")
    # The first page: what the cooperative will do -> the form recommended (a recommendation only).
    page.check("input[name='activities'][value='consumer_goods']")
    page.click("#recommend")
    expect(page.locator("#recommendation")).to_contain_text("потребительский кооператив")
    expect(page.locator("input[name='form'][value='consumer_cooperative']")).to_be_checked()
    go_next("/s/1")
    expect(page.locator("#step")).to_have_text("Шаг 1 из 10")
    # Nothing of the example is offered: the name starts empty.
    expect(page.locator("[name='name:ru']")).to_have_value("")

    # Page 1: the cooperative.
    page.fill("[name='name:ru']", "Достык")
    page.fill("[name='name:kk']", "Достық")
    page.fill("[name='region:ru']", "город республиканского значения Алматы")
    page.fill("[name='region:kk']", "республикалық маңызы бар Алматы қаласы")
    page.fill("[name='locality:ru']", "г. Алматы")
    page.fill("[name='locality:kk']", "Алматы қ.")
    page.fill("[name='address:ru']", "ул. Толе би, д. 50, офис 12")
    page.fill("[name='address:kk']", "Төле би к-сі, 50 үй, 12 кеңсе")
    page.fill("[name='postal_code']", "050000")
    page.fill("[name='purpose_count']", "1")
    page.press("[name='purpose_count']", "Tab")  # a new count shows its items' questions at once
    page.wait_for_selector("[name='purpose-0:ru']")

    # The red flag appears next to the purpose that promises a return, and goes when it is removed.
    red_flag = page.locator(".msgs[data-for='purpose-0'] .msg.red_flag")
    page.fill("[name='purpose-0:ru']", "совместная закупка продуктов, гарантированный доход 20 % годовых")
    page.fill("[name='purpose-0:kk']", "азық-түлікті бірлесіп сатып алу")
    expect(red_flag).to_be_visible(timeout=10_000)
    expect(red_flag).to_contain_text("гарантированный доход 20 % годовых")
    no_yaml_paths()
    page.screenshot(path=str(shots / "ru-1-red-flag.png"), full_page=True)
    page.fill("[name='purpose-0:ru']", "совместная закупка продуктов питания для членов кооператива")
    expect(red_flag).to_have_count(0, timeout=10_000)
    expect(page.locator("#preview-body article")).to_contain_text("Достык", timeout=10_000)
    # The preview is the HTML writer's charter; each clause's commentary (the member's edition) a click away.
    commentary = page.locator("#preview-body details.commentary").first
    expect(commentary.locator("aside")).to_be_hidden()
    commentary.locator("summary").click()
    expect(commentary.locator("aside")).to_be_visible()
    expect(commentary.locator("aside")).to_contain_text("Что выбрали учредители")
    page.screenshot(path=str(shots / "ru-1-commentary.png"), full_page=True)
    go_next("/s/2")

    # Page 2: the contributions, as people write them.
    expect(page.locator("[name='share_amount']")).to_have_value("50 000")
    expect(page.locator("[name='penalty']")).to_have_value("0,1")
    expect(page.locator("[name='membership_fee_period'] option:checked")).to_have_text("месяц")
    go_next("/s/3")

    # Page 3: the founders; a mistyped IIN is refused in plain words and then corrected.
    page.fill("[name='meeting_date']", "15.03.2027")
    page.fill("[name='meeting_place:ru']", "г. Алматы")
    page.fill("[name='meeting_place:kk']", "Алматы қ.")
    page.fill("[name='founders_count']", "3")
    page.press("[name='founders_count']", "Tab")
    page.wait_for_selector("[name='founder_iin-2']")
    founders = [
        ("Серикбаев Ерлан Маратович", "Серікбаев Ерлан Маратұлы", "850214300128"),  # last digit mistyped
        ("Иванова Мария Петровна", "Иванова Мария Петровна", "900517400154"),
        ("Жумабеков Нурлан Асылханович", "Жұмабеков Нұрлан Асылханұлы", "880630300453"),
    ]
    for i, (ru, kk, iin) in enumerate(founders):
        page.fill(f"[name='founder_name-{i}:ru']", ru)
        page.fill(f"[name='founder_name-{i}:kk']", kk)
        page.fill(f"[name='founder_iin-{i}']", iin)
        page.fill(f"[name='founder_address-{i}:ru']", f"г. Алматы, ул. Абая, {i + 1}")
        page.fill(f"[name='founder_address-{i}:kk']", f"Алматы қ., Абай к-сі, {i + 1}")
        page.fill(f"[name='founder_share-{i}']", "50 000")
    page.click("#next")
    page.wait_for_selector("#blocked")
    iin_error = page.locator(".msgs[data-for='founder_iin-0'] .msg.error")
    expect(iin_error).to_contain_text("ИИН 850214300128 неверен")
    expect(page.locator(".msgs[data-for='founder_iin-0'] .msg")).to_have_count(1)  # the reason, said once
    expect(page.locator(".msgs[data-for='founders_count'] .msg")).to_have_count(0)
    expect(page.locator("#preview-body article")).to_contain_text("Достык")  # the preview stays
    no_yaml_paths()
    page.screenshot(path=str(shots / "ru-3-iin-error.png"), full_page=True)
    page.fill("[name='founder_iin-0']", "850214300129")
    go_next("/s/4")

    for n in range(4, PAGES + 1):
        no_yaml_paths()
        go_next(f"/s/{n + 1}" if n < PAGES else "/review")

    # Back two pages, then forward to the review.
    page.goto(server + f"/s/{PAGES}")
    page.click("#back")
    page.wait_for_url(f"**/s/{PAGES - 1}")
    page.click("#back")
    page.wait_for_url(f"**/s/{PAGES - 2}")
    expect(page.locator("#step")).to_have_text(f"Шаг {PAGES - 2} из 10")
    for n in range(PAGES - 2, PAGES + 1):
        go_next(f"/s/{n + 1}" if n < PAGES else "/review")

    expect(page.locator("#no-problems")).to_be_visible()
    expect(page.locator("#answers")).to_contain_text("Серикбаев Ерлан Маратович")
    expect(page.locator("#answers")).to_contain_text("15.03.2027")
    no_yaml_paths()
    with page.expect_download() as download_info:
        page.click("#package")
    archive = zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    check_charter(archive)

    # Every page, photographed in Russian and then in Kazakh (switched on the page itself).
    for lang, switch in (("ru", None), ("kk", "Қазақша")):
        page.goto(server + "/s/1")
        if switch:
            page.click(f"header >> text={switch}")
            page.wait_for_url("**/s/1")
            expect(page.locator("#step")).to_have_text("10 қадамның 1-і")
        page.goto(server + "/form")
        no_yaml_paths()
        page.screenshot(path=str(shots / f"{lang}-form.png"), full_page=True)
        for n in range(1, PAGES + 1):
            page.goto(server + f"/s/{n}")
            no_yaml_paths()
            page.screenshot(path=str(shots / f"{lang}-page-{n}.png"), full_page=True)
        page.goto(server + "/review")
        page.screenshot(path=str(shots / f"{lang}-review.png"), full_page=True)
    context.close()


def check_charter(archive: zipfile.ZipFile) -> None:
    """The charter names «Достык» (ru) / «Достық» (kk) in its body and its page headers, and nothing of the example."""
    names = archive.namelist()
    for lang, name in (("ru", "Достык"), ("kk", "Достық")):
        member = next(n for n in names if n.endswith(f"/charter.{lang}.docx"))
        docx = zipfile.ZipFile(io.BytesIO(archive.read(member)))
        body = _text(docx.read("word/document.xml"))
        headers = [_text(docx.read(p)) for p in docx.namelist() if re.fullmatch(r"word/header\d*\.xml", p)]
        assert name in body, (lang, body[:300])
        assert headers and all(name in h for h in headers if h.strip()), (lang, headers)
        assert any(h.strip() for h in headers)
    for member in names:
        if member.endswith(".docx"):
            docx = zipfile.ZipFile(io.BytesIO(archive.read(member)))
            for part in docx.namelist():
                if part.startswith("word/") and part.endswith(".xml"):
                    text = _text(docx.read(part))
                    for example in ("Береке", "Конаев", "Қонаев қ", "Ахметов"):
                        assert example not in text, (member, part, example)


def _text(xml: bytes) -> str:
    return "".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", xml.decode("utf-8")))
