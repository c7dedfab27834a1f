"""Build: a validated cooperative -> every requested document, in memory, then written at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from coopdocs import __version__, clauses, render
from coopdocs.errors import UsageError
from coopdocs.manifest import Output, slug
from coopdocs.model import Cooperative

TEXT_DOCS = ("charter", "membership", "disputes")
ALL_DOCS = ("charter", "membership", "disputes", "commentary")
FORMATS = ("docx",)


@dataclass(frozen=True)
class Options:
    docs: tuple[str, ...] = ALL_DOCS
    langs: tuple[str, ...] | None = None  # None: the input's `languages`
    formats: tuple[str, ...] = ("docx",)
    layout: str | None = None  # None: the input's `layout`
    draft: bool = False  # build despite errors; every page then carries the draft mark
    counts: dict[str, int] = field(default_factory=dict)  # diagnostics summary, for the mark


def languages(coop: Cooperative, options: Options) -> tuple[str, ...]:
    langs = options.langs or coop.languages
    missing = [lang for lang in langs if lang not in coop.languages]
    if missing:
        raise UsageError(
            f"--lang {','.join(missing)} is not among the input's languages ({', '.join(coop.languages)})",
            hint="add the language to `languages` in the YAML and give every text in it",
        )
    return tuple(langs)


def folder_name(coop: Cooperative) -> str:
    name = coop.data["cooperative"]["name"]
    if isinstance(name, dict):
        name = name.get("en") or name.get("ru") or name.get("kk") or next(iter(name.values()))
    return slug(str(name))


def _page(coop: Cooperative, doc: clauses.Document, options: Options) -> render.Page:
    ctx = clauses.context(coop, doc.lang)
    draft = None
    if options.draft:
        draft = render.draft_mark(
            doc.lang, options.counts.get("errors", 0), options.counts.get("red_flags", 0)
        )
    return render.Page(
        header=f"{ctx['names']['short']} — {doc.title.capitalize()}", author=ctx["names"]["full"], draft=draft
    )


def build_outputs(coop: Cooperative, options: Options) -> list[Output]:
    """Render every requested document. Nothing is written here."""
    langs = languages(coop, options)
    layout = options.layout or coop.data["layout"]
    outputs: list[Output] = []
    for name in options.docs:
        source = "charter" if name == "commentary" else name
        documents = {d.lang: d for d in clauses.render_all(coop, source, langs)}
        if name == "commentary":
            for lang, doc in documents.items():
                titled = clauses.Document(
                    doc.name, lang, render.commentary_title(lang), doc.subtitle, doc.approval, doc.sections
                )
                data = render.render_docx(titled, _page(coop, titled, options), commentary=True)
                outputs.append(Output(f"commentary.{lang}.docx", data, name, lang, "docx"))
            continue
        if layout == "parallel" and "kk" in documents and "ru" in documents:
            left, right = documents["kk"], documents["ru"]
            data = render.render_parallel(
                left, right, _page(coop, left, options), _page(coop, right, options)
            )
            outputs.append(Output(f"{name}.kk-ru.docx", data, name, "kk-ru", "docx"))
            documents = {k: v for k, v in documents.items() if k not in ("kk", "ru")}
        for lang, doc in documents.items():
            data = render.render_docx(doc, _page(coop, doc, options))
            outputs.append(Output(f"{name}.{lang}.docx", data, name, lang, "docx"))
    return outputs


def manifest_info(coop: Cooperative, options: Options, outputs: Sequence[Output]) -> dict[str, object]:
    return {
        "tool": "coopdocs",
        "version": __version__,
        "input": {"file": coop.file.replace("\\", "/").rsplit("/", 1)[-1], "sha256": coop.input_sha256},
        "rule_pack": {"id": coop.pack.key, "edition": coop.pack.edition},
        "languages": list(languages(coop, options)),
        "layout": options.layout or coop.data["layout"],
        "draft": bool(options.draft),
        "diagnostics": dict(options.counts),
    }
