"""`coopdocs serve`: the founders' questionnaire as a local web application, and an HTTP API.

Server-rendered pages (Starlette + Jinja); ``webui/static/form.js`` (a few lines, no build chain)
sends a page's form to ``/s/N/check`` as the founder types and puts the returned messages and the
preview in place. Each browser session's answers live in memory under a random session id; nothing is
written to disk except the temporary folder of a PDF conversion.
"""

from __future__ import annotations

import io
import json
import secrets
import threading
import time
import zipfile
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from coopdocs import MESSAGE_LANGUAGES, diagnostics
from coopdocs.commands import init, webform
from coopdocs.commands.webform import Slot
from coopdocs.compose.messages import format_json, worded
from coopdocs.errors import CoopdocsError
from coopdocs.inputs.loader import load_text
from coopdocs.packs import formchoice
from coopdocs.packs.pack import Pack, available_languages

MAX_BODY = 1024 * 1024  # 1 MiB, like an input file
MAX_SESSIONS = 500  # answers kept in memory at most; the least recently used go first
IDLE_SECONDS = 2 * 3600  # a session not used for two hours is forgotten
COOKIE = "coopdocs_session"
UI = Path(__file__).parent / "webui"
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


# --- sessions ------------------------------------------------------------------------------------


@dataclass
class Session:
    data: dict[str, Any]
    lang: str = "ru"
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    raw: dict[str, str] = field(default_factory=dict)  # refused answers, shown again as typed
    errors: dict[str, str] = field(default_factory=dict)
    activities: list[str] = field(default_factory=list)  # the form page's answer (not in the YAML)
    lock: threading.Lock = field(default_factory=threading.Lock)
    touched: float = field(default_factory=time.monotonic)


class Sessions:
    """Answers per browser session, in memory: at most ``limit`` sessions (the least recently used
    goes first), and a session idle for ``idle`` seconds is forgotten (its answers with it)."""

    def __init__(
        self,
        start: Callable[[], dict[str, Any]],
        lang: str = "ru",
        *,
        limit: int = MAX_SESSIONS,
        idle: float = IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._start = start
        self._lang = lang
        self._items: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()
        self.limit, self.idle, self.clock = limit, idle, clock

    def __len__(self) -> int:
        return len(self._items)

    def get(self, sid: str | None) -> tuple[str, Session, bool]:
        with self._lock:
            now = self.clock()
            while self._items:  # least recently used first: stop at the first one still in use
                oldest = next(iter(self._items.values()))
                if now - oldest.touched <= self.idle:
                    break
                self._items.popitem(last=False)
            if sid and sid in self._items:
                self._items.move_to_end(sid)
                session = self._items[sid]
                session.touched = now
                return sid, session, False
            sid = secrets.token_urlsafe(32)
            session = Session(self._start(), lang=self._lang, touched=now)
            self._items[sid] = session
            while len(self._items) > self.limit:
                self._items.popitem(last=False)
            return sid, session, True


# --- safety --------------------------------------------------------------------------------------


class _TooLarge(Exception):
    pass


class LimitBody:
    """Refuse a request body over ``limit`` bytes with 413, whether it says its length or not."""

    def __init__(self, app: Any, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await PlainTextResponse("request too large (limit 1 MiB)", status_code=413)(scope, receive, send)
            return
        total = 0
        started = False

        async def limited() -> MutableMapping[str, Any]:
            nonlocal total
            message = await receive()
            if message["type"] == "http.request":
                total += len(message.get("body", b""))
                if total > self.limit:
                    raise _TooLarge
            return message

        async def watched(message: MutableMapping[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, watched)
        except _TooLarge:
            if not started:
                await PlainTextResponse("request too large (limit 1 MiB)", status_code=413)(scope, receive, send)


# --- the application -----------------------------------------------------------------------------


def create_app(
    start_file: Path | None = None,
    *,
    allowed_hosts: tuple[str, ...] = (*LOOPBACK, "testserver"),
    lang: str = "ru",
    pack: Pack | None = None,
) -> Starlette:
    """The web application. ``start_file``: every new session starts from this cooperative's answers
    (read once, never written); without it, from the questionnaire's defaults without an identity.
    ``pack``: the form a new session starts in and the pack of answers that name none (the command
    line's default pack when not given: this factory is an entry point, as `cli.py` is)."""
    if pack is None:
        from coopdocs.cli import default_pack

        pack = default_pack()
    default: Pack = pack
    first = _read_start(start_file) if start_file is not None else None

    def start() -> dict[str, Any]:
        import copy

        return copy.deepcopy(first) if first is not None else webform.start_data(default)

    def pack_of(data: Mapping[str, Any]) -> Pack:
        return webform.pack_of(data, default)

    sessions = Sessions(start, lang)
    env = Environment(loader=FileSystemLoader(UI), autoescape=select_autoescape(default=True, default_for_string=True))

    def form_of(session: Session) -> tuple[webform.WebForm, int]:
        """The questionnaire of the session's form (its answers' ``form:``) and its number of pages."""
        form = webform.load_form(pack_of(session.data))
        return form, len(form.sections)

    def session_of(request: Request) -> tuple[str, Session, bool]:
        return sessions.get(request.cookies.get(COOKIE))

    def finish(response: Response, sid: str, new: bool) -> Response:
        if new:
            response.set_cookie(COOKIE, sid, httponly=True, samesite="strict", path="/")
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def lang_of(request: Request, session: Session) -> str:
        asked = request.query_params.get("lang")
        if asked in MESSAGE_LANGUAGES:
            session.lang = asked
        return session.lang

    def render(name: str, session: Session, **values: Any) -> HTMLResponse:
        lang = session.lang
        form, total = form_of(session)

        def w(key: str, **fill: Any) -> str:
            return form.word(key, lang, **fill)

        html = env.get_template(name).render(
            w=w, lang=lang, langs=MESSAGE_LANGUAGES, csrf=session.csrf, form=form, total=total, **values
        )
        return HTMLResponse(html)

    def section_page(session: Session, number: int, *, blocked: bool = False) -> HTMLResponse:
        form, _ = form_of(session)
        section = form.sections[number - 1]
        data = session.data
        checked = webform.check(data, session.lang, form.qn.pack)
        lang = session.lang
        return render(
            "section.html",
            session,
            number=number,
            section=section,
            fields=_fields(form, section, session),
            messages=webform.page_messages(form, section, data, lang, checked, unanswered=blocked),
            errors=session.errors,
            blocked=blocked,
            doc_langs=webform.doc_langs(data, form.qn.pack),
            preview=_preview(form, data, session.lang),
            basis=webform.basis,
            words=lambda text: webform.in_words(form, data, text, lang),
        )

    async def home(request: Request) -> Response:
        sid, session, new = session_of(request)
        return finish(RedirectResponse("/form", status_code=303), sid, new)

    def form_page(session: Session, chosen: str | None = None, said: str = "") -> HTMLResponse:
        """The first page: what the cooperative will do, the form recommended for it, and the choice."""
        lang = session.lang
        choice = formchoice.load_choice(pack_of(session.data).jurisdiction)
        recommended = choice.recommend(session.activities)
        return render(
            "form.html",
            session,
            number=0,
            choice=choice,
            activities=session.activities,
            recommended=recommended.form if recommended else None,
            recommendation=formchoice.recommendation_text(choice, session.activities, lang),
            chosen=chosen or pack_of(session.data).form,
            said=said,
            fc=lambda key, **fill: choice.word(key, lang, **fill),
        )

    async def form_get(request: Request) -> Response:
        sid, session, new = session_of(request)
        lang_of(request, session)
        with session.lock:
            response = form_page(session)
        return finish(response, sid, new)

    async def form_post(request: Request) -> Response:
        """``recommend``: show the form the activities recommend (chosen, not yet taken); ``next``: take
        the chosen form (the answers both questionnaires share are kept) and go to the first page."""
        sid, session, new = session_of(request)
        values = await _form_values(request)
        if not _csrf_ok(values, session):
            return finish(_forbidden(form_of(session)[0], session), sid, new)
        with session.lock:
            choice = formchoice.load_choice(pack_of(session.data).jurisdiction)
            session.activities = [a.id for a in choice.activities if a.id in (values.get("activities") or [])]
            action = (values.get("action") or ["next"])[-1]
            offer = choice.offer((values.get("form") or [""])[-1])
            if action == "recommend" or offer is None:
                recommended = choice.offered(session.activities)
                return finish(form_page(session, chosen=recommended.form), sid, new)
            current = pack_of(session.data)
            if offer.pack != current:
                session.data = webform.switch_form(session.data, current, offer.pack)
                session.raw.clear()
                session.errors.clear()
        return finish(RedirectResponse("/s/1", status_code=303), sid, new)

    async def lang_switch(request: Request) -> Response:
        sid, session, new = session_of(request)
        form, total = form_of(session)
        code = request.path_params["code"]
        if code in MESSAGE_LANGUAGES:
            session.lang = code
        target = request.query_params.get("next") or "/s/1"
        if not target.startswith("/") or target.startswith("//"):
            target = "/s/1"
        return finish(RedirectResponse(target, status_code=303), sid, new)

    async def section_get(request: Request) -> Response:
        sid, session, new = session_of(request)
        form, total = form_of(session)
        number = _number(request, total)
        if number is None:
            return finish(PlainTextResponse("no such page", status_code=404), sid, new)
        lang_of(request, session)
        with session.lock:
            response = section_page(session, number)
        return finish(response, sid, new)

    async def section_post(request: Request) -> Response:
        sid, session, new = session_of(request)
        form, total = form_of(session)
        number = _number(request, total)
        if number is None:
            return finish(PlainTextResponse("no such page", status_code=404), sid, new)
        values = await _form_values(request)
        if not _csrf_ok(values, session):
            return finish(_forbidden(form, session), sid, new)
        action = (values.get("action") or ["check"])[-1]
        with session.lock:
            refused = _take(form, form.sections[number - 1], session, values)
            if action == "back":
                return finish(RedirectResponse(f"/s/{max(1, number - 1)}", status_code=303), sid, new)
            if action.startswith("goto-") and action[5:].isdigit():
                target = min(max(1, int(action[5:])), total)
                return finish(RedirectResponse(f"/s/{target}", status_code=303), sid, new)
            if action == "next":
                section = form.sections[number - 1]
                problems = webform.page_messages(form, section, session.data, session.lang, unanswered=True)
                blocking = refused or any(d.blocking for ds in problems.values() for d in ds)
                if not blocking:
                    onward = f"/s/{number + 1}" if number < total else "/review"
                    return finish(RedirectResponse(onward, status_code=303), sid, new)
                return finish(section_page(session, number, blocked=True), sid, new)
            return finish(section_page(session, number), sid, new)

    async def section_check(request: Request) -> Response:
        """The page's answers as typed so far: stored where accepted; messages and preview back as JSON."""
        sid, session, new = session_of(request)
        form, total = form_of(session)
        number = _number(request, total)
        if number is None:
            return finish(JSONResponse({"error": "no such page"}, status_code=404), sid, new)
        values = await _form_values(request)
        if not _csrf_ok(values, session):
            return finish(JSONResponse({"error": form.word("forbidden", session.lang)}, status_code=403), sid, new)
        section = form.sections[number - 1]
        with session.lock:
            _take(form, section, session, values)
            checked = webform.check(session.data, session.lang, form.qn.pack)
            messages = webform.page_messages(form, section, session.data, session.lang, checked)
            lang = session.lang
            env_messages = env.get_template("messages.html")
            fields: dict[str, str] = {}
            for slot in webform.slots(section, session.data):
                names = [slot.name]
                if slot.q.type == "localized":
                    names += [f"{slot.name}:{x}" for x in webform.doc_langs(session.data, form.qn.pack)]
                for name in names:
                    fields[name] = env_messages.render(
                        w=lambda key, **fill: form.word(key, lang, **fill),
                        lang=lang,
                        refused=session.errors.get(name),
                        found=messages.get(name) or [],
                        basis=webform.basis,
                        words=lambda text: webform.in_words(form, session.data, text, lang),
                    )
            preview = str(_preview(form, session.data, lang) or "")
        return finish(JSONResponse({"fields": fields, "preview": preview}), sid, new)

    async def review(request: Request) -> Response:
        sid, session, new = session_of(request)
        form, total = form_of(session)
        lang = lang_of(request, session)
        with session.lock:
            checked = webform.check(session.data, lang, form.qn.pack)
            problems = []
            for d in checked.diagnostics:
                where = webform.slot_of(form, session.data, d.path)
                problems.append((worded(d, lang), where[0] if where else None))
            answers = []
            for number, section in enumerate(form.sections, start=1):
                rows = [
                    (_label(slot, lang), webform.answer_words(form, slot, session.data, lang))
                    for slot in webform.slots(section, session.data)
                ]
                answers.append((number, section, rows))
            response = render(
                "review.html",
                session,
                number=total + 1,
                doc_langs=webform.doc_langs(session.data, form.qn.pack),
                layout=session.data.get("layout") or "separate",
                buildable=checked.cooperative is not None,
                problems=problems,
                answers=answers,
                blocking=any(d.blocking for d in checked.diagnostics) or checked.cooperative is None,
                pdf_engine=_pdf_engine(),
                basis=webform.basis,
                words=lambda text: webform.in_words(form, session.data, text, lang),
                built_error=request.query_params.get("not_built") == "1",
            )
        return finish(response, sid, new)

    async def answers_yaml(request: Request) -> Response:
        sid, session, new = session_of(request)
        form, total = form_of(session)
        with session.lock:
            text = webform.to_yaml(session.data, session.lang, form.qn.pack)
        return finish(_attachment(text.encode("utf-8"), _slug(session.data) + ".yaml", "application/yaml"), sid, new)

    async def open_file(request: Request) -> Response:
        sid, session, new = session_of(request)
        form, total = form_of(session)
        async with request.form(max_files=1, max_fields=10) as submitted:
            if submitted.get("csrf") != session.csrf:
                return finish(_forbidden(form, session), sid, new)
            upload = submitted.get("file")
            raw = await upload.read() if upload is not None and not isinstance(upload, str) else b""
        loaded = load_text(raw.decode("utf-8", errors="replace"), "coop.yaml")
        if loaded.data is None:
            message = "; ".join(worded(d, session.lang).message for d in loaded.diagnostics)
            page = render("problem.html", session, title=form.word("upload_bad", session.lang), message=message)
            return finish(page, sid, new)
        with session.lock:
            session.data = loaded.data
            session.raw.clear()
            session.errors.clear()
        return finish(RedirectResponse("/review", status_code=303), sid, new)

    async def start_new(request: Request) -> Response:
        sid, session, new = session_of(request)
        form, total = form_of(session)
        values = await _form_values(request)
        if not _csrf_ok(values, session):
            return finish(_forbidden(form, session), sid, new)
        with session.lock:
            session.data = start()
            session.activities = []
            session.raw.clear()
            session.errors.clear()
        return finish(RedirectResponse("/form", status_code=303), sid, new)

    def build_zip(data: Mapping[str, Any], lang: str, options: Any) -> tuple[bytes | None, Any]:
        from coopdocs.checking.pipeline import Checked
        from coopdocs.commands import build as building

        pack = pack_of(data)
        checked = webform.check(data, lang, pack)
        full = load_text(webform.to_yaml(data, lang, pack), "coop.yaml")
        return _zip_built(building, Checked("coop.yaml", checked.cooperative, checked.diagnostics), options, full)

    async def package(request: Request) -> Response:
        """The ZIP, as the review page's form asks: document languages (of the answers'), separate
        files or kk | ru columns, PDF too, and the draft mark (a draft is built despite errors)."""
        from coopdocs.commands.build import Options

        sid, session, new = session_of(request)
        form, total = form_of(session)
        q = request.query_params
        pdf = q.get("pdf") == "1" and _pdf_engine()
        with session.lock:
            data, lang = dict(session.data), session.lang
        own = webform.doc_langs(data, form.qn.pack)
        langs = tuple(x for x in own if x in q.getlist("lang")) or None
        layout = q.get("layout") if q.get("layout") in ("separate", "parallel") else None
        options = Options(
            formats=("docx", "pdf") if pdf else ("docx",), langs=langs, layout=layout, draft=q.get("draft") == "1"
        )
        zipped, _ = build_zip(data, lang, options)
        if zipped is None:
            return finish(RedirectResponse("/review?not_built=1", status_code=303), sid, new)
        return finish(_attachment(zipped, _slug(data) + ".zip", "application/zip"), sid, new)

    async def report(request: Request) -> Response:
        from coopdocs.commands.build import Options

        sid, session, new = session_of(request)
        form, total = form_of(session)
        with session.lock:
            data, lang = dict(session.data), session.lang
        langs = webform.doc_langs(data, form.qn.pack)
        doc_lang = lang if lang in langs else langs[0]
        zipped, built = build_zip(data, lang, Options(docs=("compliance",), langs=(doc_lang,)))
        if zipped is None or built is None:
            return finish(RedirectResponse("/review?not_built=1", status_code=303), sid, new)
        output = built.outputs[0]
        return finish(_attachment(output.data, output.name, _DOCX), sid, new)

    routes = [
        Route("/", home),
        Route("/lang/{code}", lang_switch),
        Route("/form", form_get, methods=["GET"]),
        Route("/form", form_post, methods=["POST"]),
        Route("/s/{n:int}", section_get, methods=["GET"]),
        Route("/s/{n:int}", section_post, methods=["POST"]),
        Route("/s/{n:int}/check", section_check, methods=["POST"]),
        Route("/review", review),
        Route("/answers.yaml", answers_yaml),
        Route("/open", open_file, methods=["POST"]),
        Route("/new", start_new, methods=["POST"]),
        Route("/package.zip", package),
        Route("/report.docx", report),
        Route("/api/validate", api_validate, methods=["POST"]),
        Route("/api/build", api_build, methods=["POST"]),
        Route("/api/openapi.json", api_openapi),
        Route("/document.css", document_css),
        Mount("/static", StaticFiles(directory=UI / "static"), name="static"),
    ]
    middleware = [Middleware(LimitBody), Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.sessions = sessions  # for tests: the sessions in memory
    app.state.pack = default  # the pack of an API input that names none
    return app


_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _read_start(path: Path) -> dict[str, Any]:
    """The answers of an existing file (``coopdocs serve coop.yaml``); a file that does not load is an error."""
    from coopdocs.errors import InputError
    from coopdocs.inputs.loader import load_file

    loaded = load_file(path)
    if loaded.data is None:
        first = worded(loaded.diagnostics[0], "en") if loaded.diagnostics else None
        raise InputError(f"{path}: {first.message if first else 'cannot be read'}", hint=first.hint if first else None)
    return loaded.data


def _number(request: Request, total: int) -> int | None:
    n = int(request.path_params["n"])
    return n if 1 <= n <= total else None


async def _form_values(request: Request) -> dict[str, list[str]]:
    async with request.form(max_files=0, max_fields=2000) as submitted:
        out: dict[str, list[str]] = {}
        for key, value in submitted.multi_items():
            if isinstance(value, str):
                out.setdefault(key, []).append(value)
        return out


def _csrf_ok(values: Mapping[str, list[str]], session: Session) -> bool:
    sent = (values.get("csrf") or [""])[-1]
    return secrets.compare_digest(sent.encode(), session.csrf.encode())


def _forbidden(form: webform.WebForm, session: Session) -> Response:
    return PlainTextResponse(form.word("forbidden", session.lang), status_code=403)


def _take(form: webform.WebForm, section: webform.Section, session: Session, values: Mapping[str, list[str]]) -> bool:
    """Store a page's answers; True when some were refused (kept as typed, with the reason)."""
    for slot in webform.slots(section, session.data):
        for name in [slot.name, *(f"{slot.name}:{x}" for x in form.qn.pack.languages)]:
            session.raw.pop(name, None)
            session.errors.pop(name, None)
    if "doc_languages:sent" in values:  # page 1: the languages of the documents (never none)
        chosen = [x for x in form.qn.pack.languages if x in (values.get("doc_languages") or [])]
        if chosen:
            session.data["languages"] = chosen
    taken = webform.take_answers(form, section, session.data, values, session.lang)
    session.raw.update(taken.raw)
    session.errors.update(taken.errors)
    return bool(taken.errors)


def _label(slot: Slot, lang: str) -> str:
    return webform.label(slot, lang)


def _fields(form: webform.WebForm, section: webform.Section, session: Session) -> list[dict[str, Any]]:
    """What the page template needs for each question."""
    lang = session.lang
    data = session.data
    out = []
    previous_item: int | None = None
    for slot in webform.slots(section, data):
        value = webform.field_text(form, slot, data, lang)
        if slot.name in session.raw:
            value = session.raw[slot.name]
        if slot.q.type == "localized":
            value = {
                **value,
                **{x: session.raw[name] for x in form.qn.pack.languages if (name := f"{slot.name}:{x}") in session.raw},
            }
        options: list[tuple[str, str]] = []
        if slot.q.type in ("choice", "choices"):
            options = [(v, webform.term(form, v, lang)) for v, _ in webform.choices(form, slot)]
        if slot.q.type == "founder":
            founders = init.get_at(data, "founding.founders") or []
            options = [(str(i + 1), f"{i + 1}. {_name(f, lang)}") for i, f in enumerate(founders)]
        heading = None
        if slot.index is not None and slot.index != previous_item:
            heading = (
                form.word("founder", lang, n=slot.index + 1)
                if slot.q.each == "founding.founders"
                else form.word("item", lang, n=slot.index + 1)
            )
        previous_item = slot.index
        out.append(
            {
                "slot": slot,
                "name": slot.name,
                "type": slot.q.type,
                "label": _label(slot, lang),
                "explain": webform.in_words(form, data, str(slot.q.explain[lang]), lang),
                "basis": webform.question_basis(slot.q, lang, form.qn.pack),
                "value": value,
                "options": options,
                "doc_langs": webform.doc_langs(data, form.qn.pack),
                "heading": heading,
            }
        )
    return out


def _name(founder: Any, lang: str) -> str:
    name = founder.get("name") if isinstance(founder, Mapping) else None
    if isinstance(name, Mapping):
        return str(name.get(lang) or next((v for v in name.values() if v), ""))
    return str(name or "")


def _preview(form: webform.WebForm, data: Mapping[str, Any], lang: str) -> Any:
    """The charter so far (gaps shown as «……»), or None while the answers cannot make one."""
    checked = webform.check(webform.preview_data(data, form.qn.pack), lang, form.qn.pack)
    if checked.cooperative is None:
        return None
    return webform.preview_html(checked.cooperative, lang, form.word("commentary", lang))


def _pdf_engine() -> bool:
    """Whether a PDF can be made here: Typst (a dependency) by default, else LibreOffice."""
    try:
        import typst  # noqa: F401
    except ImportError:
        from coopdocs.writers.pdf import find_soffice

        return find_soffice() is not None
    return True


def _slug(data: Mapping[str, Any]) -> str:
    from coopdocs.commands.build import name_slug

    name = init.get_at(data, "cooperative.name")
    return (name_slug(name) if name else "") or "cooperative"


def _attachment(data: bytes, name: str, media_type: str) -> Response:
    return Response(data, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _zip_built(building: Any, checked: Any, options: Any, loaded: Any) -> tuple[bytes | None, Any]:
    """The documents of a checked input as a ZIP in memory (PDF through a converter that is always stopped)."""
    if checked.cooperative is None or (checked.blocking and not options.draft):
        return None, None
    from coopdocs.writers.pdf import ConverterPool

    pool = ConverterPool()
    try:
        if "pdf" in options.formats and options.pdf_engine == "libreoffice":
            pool.begin()  # with Typst (the default) LibreOffice never starts
        built = building.build_checked(checked, options, pool.ready)
    finally:
        pool.close()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for output in built.outputs:
            archive.writestr(f"{built.folder}/{output.name}", output.data)
        archive.writestr(f"{built.folder}/coop.yaml", loaded.text or "")
        archive.writestr(
            f"{built.folder}/manifest.json", json.dumps(built.info, ensure_ascii=False, indent=2, default=str)
        )
    return buffer.getvalue(), built


# --- the HTTP API --------------------------------------------------------------------------------


def _api_lang(request: Request, name: str = "messages") -> str:
    value = request.query_params.get(name) or "en"
    return value if value in MESSAGE_LANGUAGES else "en"


async def api_validate(request: Request) -> Response:
    """YAML in, the JSON diagnostics of ``coopdocs validate --format json`` out."""
    from dataclasses import replace

    from coopdocs.checking.pipeline import check_file  # noqa: F401  (the same stages as below)
    from coopdocs.checking.rules import run_rules
    from coopdocs.inputs.schema import validate_input

    lang = _api_lang(request, "lang")
    name = request.query_params.get("file") or "coop.yaml"
    body = await request.body()
    loaded = load_text(body.decode("utf-8", errors="replace"), name)
    coop, found = validate_input(loaded, default_pack=request.app.state.pack)
    if coop is not None:
        found = sorted([*found, *run_rules(coop)], key=diagnostics.sort_key)
    if request.query_params.get("strict") in ("1", "true"):
        found = [replace(d, severity="error") if d.severity == "warning" else d for d in found]
    return Response(format_json([(name, found)], lang), media_type="application/json")


async def api_build(request: Request) -> Response:
    """YAML in, the documents as a ZIP out; query parameters as the options of ``coopdocs build``."""
    from coopdocs.checking.pipeline import Checked
    from coopdocs.checking.rules import run_rules
    from coopdocs.commands import build as building
    from coopdocs.inputs.schema import validate_input

    lang = _api_lang(request)
    try:
        options = _api_options(request)
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    body = await request.body()
    loaded = load_text(body.decode("utf-8", errors="replace"), "coop.yaml")
    coop, found = validate_input(loaded, default_pack=request.app.state.pack)
    if coop is not None:
        found = sorted([*found, *run_rules(coop)], key=diagnostics.sort_key)
    checked = Checked("coop.yaml", coop, found)
    try:
        zipped, built = _zip_built(building, checked, options, loaded)
    except CoopdocsError as exc:
        return JSONResponse({"error": str(exc), "hint": getattr(exc, "hint", None)}, status_code=422)
    if zipped is None:
        return Response(format_json([("coop.yaml", found)], lang), status_code=422, media_type="application/json")
    return _attachment(zipped, f"{built.folder}.zip", "application/zip")


def _api_options(request: Request) -> Any:
    from coopdocs.commands.build import ALL_DOCS, FORMATS, Options

    q = request.query_params

    def listed(name: str, allowed: tuple[str, ...]) -> tuple[str, ...] | None:
        raw = q.get(name)
        if not raw:
            return None
        items = tuple(x.strip() for x in raw.split(",") if x.strip())
        wrong = [x for x in items if x not in allowed]
        if wrong:
            raise ValueError(f"{name}: unknown {', '.join(wrong)}; choose from {', '.join(allowed)}")
        return items

    layout = q.get("layout")
    if layout not in (None, "", "separate", "parallel"):
        raise ValueError("layout: choose separate or parallel")
    formats = listed("format", FORMATS) or ("docx",)
    engine = q.get("pdf_engine") or None
    if engine not in (None, "typst", "libreoffice"):
        raise ValueError("pdf_engine: choose typst or libreoffice")
    if "pdf" in formats and not _pdf_engine():
        raise ValueError("format: pdf needs Typst or LibreOffice, neither is installed here")
    return Options(
        docs=listed("docs", ALL_DOCS) or ALL_DOCS,
        langs=listed("lang", available_languages()),  # the documents' languages, as `build --lang`
        formats=formats,
        layout=layout or None,
        draft=q.get("draft") in ("1", "true"),
        pdfa=q.get("pdf_a") in ("1", "true"),
        pdf_engine=engine,
    )


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "coopdocs",
        "version": "1",
        "description": "Founding documents of a Kazakh consumer cooperative.",
    },
    "paths": {
        "/api/validate": {
            "post": {
                "summary": "Check a cooperative (YAML) against the schema and the legal rules",
                "parameters": [
                    {
                        "name": "lang",
                        "in": "query",
                        "schema": {"enum": list(MESSAGE_LANGUAGES)},
                        "description": "message language",
                    },
                    {"name": "strict", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "file", "in": "query", "schema": {"type": "string"}, "description": "name in the report"},
                ],
                "requestBody": {"required": True, "content": {"application/yaml": {"schema": {"type": "string"}}}},
                "responses": {"200": {"description": "the JSON of `coopdocs validate --format json`"}},
            }
        },
        "/api/build": {
            "post": {
                "summary": "Build the documents of a cooperative (YAML) as a ZIP",
                "parameters": [
                    {"name": "docs", "in": "query", "schema": {"type": "string"}, "description": "comma-separated"},
                    {
                        "name": "lang",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": "editions, comma-separated",
                    },
                    {"name": "format", "in": "query", "schema": {"type": "string"}, "description": "docx,pdf,html,md"},
                    {"name": "layout", "in": "query", "schema": {"enum": ["separate", "parallel"]}},
                    {"name": "draft", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "pdf_a", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "pdf_engine", "in": "query", "schema": {"enum": ["typst", "libreoffice"]}},
                    {"name": "messages", "in": "query", "schema": {"enum": list(MESSAGE_LANGUAGES)}},
                ],
                "requestBody": {"required": True, "content": {"application/yaml": {"schema": {"type": "string"}}}},
                "responses": {
                    "200": {"description": "a ZIP of the documents", "content": {"application/zip": {}}},
                    "400": {"description": "a wrong query parameter"},
                    "413": {"description": "the body is over 1 MiB"},
                    "422": {"description": "the input has errors or red flags: the JSON diagnostics"},
                },
            }
        },
    },
}


async def document_css(request: Request) -> Response:
    """The HTML writer's stylesheet, for the preview (the same look as `build --format html`)."""
    from coopdocs.writers.htmlwriter import stylesheet

    return Response(stylesheet(request.app.state.pack), media_type="text/css")


async def api_openapi(request: Request) -> Response:
    return JSONResponse(OPENAPI)


# --- running -------------------------------------------------------------------------------------


def check_port(host: str, port: int) -> None:
    """Say in words when the address cannot be listened on (a second `coopdocs serve`, a port
    under 1024), before the server starts and would log it in English."""
    import errno
    import socket

    from coopdocs.errors import UsageError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            shown = f"[{host}]" if ":" in host else host
            if exc.errno == errno.EADDRINUSE:
                raise UsageError.said("port_busy", url=f"http://{shown}:{port}/", port=port, other=port + 1) from exc
            raise UsageError.said("cannot_listen", host=host, port=port, reason=exc.strerror or exc) from exc


def run(start_file: Path | None, host: str, port: int, *, pack: Pack, lang: str = "ru") -> None:
    """Serve until Ctrl-C or SIGTERM (uvicorn stops cleanly on both); new sessions start in ``lang``
    and in ``pack``'s form."""
    import uvicorn

    check_port(host, port)
    hosts = (*LOOPBACK, "testserver") if host in LOOPBACK else ("*",)
    app = create_app(start_file, allowed_hosts=hosts, lang=lang, pack=pack)
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
