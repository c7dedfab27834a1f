"""Build: a validated cooperative -> every requested document, in memory, then written at once."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from coopdocs import __version__
from coopdocs.checking.pipeline import Checked
from coopdocs.commands.overrides import used_files, with_templates
from coopdocs.compose import clauses, doctree, templatecache
from coopdocs.errors import InputError, OutputError, UsageError
from coopdocs.inputs.model import Cooperative
from coopdocs.packs import citations
from coopdocs.writers import pdf, render
from coopdocs.writers.manifest import Output, cooperative_info, path_key, slug
from coopdocs.writers.pdf import Converter, ConverterPool

TEXT_DOCS = ("charter", "membership", "disputes", "minutes", "application")
ALL_DOCS = ("charter", "membership", "disputes", "commentary", "minutes", "application", "compliance")
FORMATS = ("docx", "pdf", "html", "md")
PDF_ENGINES = ("typst", "libreoffice")


@dataclass(frozen=True)
class Options:
    docs: tuple[str, ...] = ()  # empty: the pack's outputs (``Pack.outputs``)
    langs: tuple[str, ...] | None = None  # None: the input's `languages`
    formats: tuple[str, ...] = ("docx",)
    layout: str | None = None  # None: the input's `layout`
    draft: bool = False  # build despite errors; every page then carries the draft mark
    pdfa: bool = False  # PDF/A-2b instead of plain PDF
    # typst: typeset from the document tree, in-process (default); libreoffice: the DOCX converted as it
    # is; None: typst, unless the user's templates replace a DOCX layout (then the PDF follows the DOCX).
    pdf_engine: str | None = None
    templates: tuple[str, ...] = ()  # the user's template folders, most specific first
    audience: str = "member"  # the commentary's reader: member (choices in words) | lawyer (YAML keys)
    html_fragment: bool = False  # HTML as an embeddable <article> (no <html>, <head> or stylesheet)
    counts: dict[str, int] = field(default_factory=dict)  # diagnostics summary, for the mark


def languages(coop: Cooperative, options: Options) -> tuple[str, ...]:
    langs = options.langs or coop.languages
    missing = [lang for lang in langs if lang not in coop.languages]
    if missing:
        raise UsageError.said("lang_not_in_input", missing=",".join(missing), languages=", ".join(coop.languages))
    return tuple(langs)


def folder_name(coop: Cooperative) -> str:
    return name_slug(coop.data["cooperative"]["name"])


def name_slug(name: object) -> str:
    """The slug of a cooperative's name (a text, or a text per language: en, else ru, else kk)."""
    if isinstance(name, dict):
        name = name.get("en") or name.get("ru") or name.get("kk") or next(iter(name.values()), "")
    return slug(str(name))


def page(coop: Cooperative, doc: clauses.Document, options: Options) -> render.Page:
    ctx = clauses.context(coop, doc.lang)
    draft = None
    if options.draft:
        draft = render.draft_mark(
            doc.lang, options.counts.get("errors", 0), options.counts.get("red_flags", 0), coop.pack
        )
    return render.Page(
        header=f"{ctx['names']['short']} — {_header_title(doc.title)}",
        author=ctx["names"]["full"],
        draft=draft,
        closing=doc.signatures,  # the document's own block (document.yaml `signatures`)
        pack=coop.pack,
    )


def _sources_note(doc: clauses.Document, coop: Cooperative) -> clauses.Section:
    """The member's edition states the verification of its sources once, at the end."""
    lang = doc.lang
    note = render.words(coop.pack)["sources_note"][lang]
    ids = list(
        dict.fromkeys(cid for s in doc.sections for c in s.clauses if c.commentary for cid in c.commentary.basis_ids)
    )
    cited = [citations.resolve(cid, lang, coop.pack) for cid in ids]
    labels = {True: [], False: []}  # type: dict[bool, list[str]]
    for citation in cited:
        label = citation.label(lang, mark=False)
        if label not in labels[citation.verified]:
            labels[citation.verified].append(label)
    number = str(len(doc.sections) + 1)
    intro = note["intro"].format(total=len(cited), verified=sum(c.verified for c in cited))
    parts = [clauses.Clause("sources.intro", f"{number}.1", intro, (), None)]
    for key, verified in (("verified", True), ("unverified", False)):
        if labels[verified]:
            n = f"{number}.{len(parts) + 1}"
            parts.append(clauses.Clause(f"sources.{key}", n, note[key], tuple(labels[verified]), None))
    return clauses.Section("sources", number, note["title"], tuple(parts))


def _header_title(title: str) -> str:
    """An all-capitals title in sentence case; a title that holds a name (the Kazakh minutes:
    «"Береке" тұтыну кооперативінің … № 1 ХАТТАМАСЫ») as it is."""
    return title.capitalize() if title == title.upper() else title


def tree(coop: Cooperative, doc: clauses.Document, options: Options, *, commentary: bool = False) -> doctree.Tree:
    """A rendered document with what is printed around it (header, footer, draft mark, signatures)."""
    the_page = page(coop, doc, options)
    layout_words = render.words(coop.pack)
    labels: dict[str, str] = {}
    if commentary:
        labels = dict(layout_words["labels"][doc.lang])
        if options.audience != "lawyer":
            labels["choice"] = labels.get("choice_member", labels["choice"])
    return doctree.Tree(
        document=doc,
        header=the_page.header,
        page_words=doctree.PageWords(**layout_words["page"][doc.lang]),
        draft=the_page.draft,
        signatures=the_page.closing,
        author=the_page.author,
        language_tag=str(layout_words["languages"][doc.lang]),
        commentary=commentary,
        labels=labels,
        audience=options.audience,
    )


def build_trees(coop: Cooperative, options: Options) -> list[doctree.Tree | doctree.Parallel]:
    """Render every requested document once, as trees for the writers. Nothing is written here.
    ``coop`` already carries the user's template folders (``overrides.with_templates``)."""
    templatecache.activate(coop.pack.template_roots())  # the compiled clause texts of this search path
    langs = languages(coop, options)
    layout = options.layout or coop.data["layout"]
    trees: list[doctree.Tree | doctree.Parallel] = []
    rendered: dict[str, dict[str, clauses.Document]] = {}
    for name in options.docs or coop.pack.outputs:
        if name == "compliance":
            from coopdocs.compose.compliance import report

            trees += [tree(coop, report(coop, lang), options) for lang in langs]
            continue
        source = "charter" if name == "commentary" else name
        if source not in rendered:  # the commentary edition reuses the charter's rendering
            rendered[source] = {d.lang: d for d in clauses.render_all(coop, source, langs)}
        documents = rendered[source]
        if name == "commentary":
            for lang, doc in documents.items():
                # An explanation, not an approved document: no approval block and no signature lines.
                sections = doc.sections
                if options.audience != "lawyer":
                    sections = (*sections, _sources_note(doc, coop))
                titled = clauses.Document(
                    "commentary", lang, render.commentary_title(lang, coop.pack), doc.subtitle, (), sections
                )
                trees.append(tree(coop, titled, options, commentary=True))
            continue
        pair = coop.pack.parallel
        if layout == "parallel" and pair is not None and all(lang in documents for lang in pair):
            left, right = tree(coop, documents[pair[0]], options), tree(coop, documents[pair[1]], options)
            trees.append(doctree.pair(left, right))
            documents = {k: v for k, v in documents.items() if k not in pair}
        trees += [tree(coop, doc, options) for doc in documents.values()]
    return trees


def docx_output(coop: Cooperative, item: doctree.Tree | doctree.Parallel) -> Output:
    if isinstance(item, doctree.Parallel):
        data = render.render_parallel(item, coop.pack)
    else:
        data = render.write_docx(item, coop.pack)
    return Output(f"{item.stem}.docx", data, item.name, item.lang, "docx", item.title)


def build_outputs(coop: Cooperative, options: Options) -> list[Output]:
    """Render every requested document as DOCX. Nothing is written here."""
    coop = with_templates(coop, tuple(Path(t) for t in options.templates))
    outputs = [docx_output(coop, item) for item in build_trees(coop, options)]
    templatecache.save()
    return outputs


def convert_outputs(
    docx_outputs: Sequence[Output],
    options: Options,
    converter: Converter | ConverterPool | None,
    pdfs: Mapping[str, bytes] | None = None,
) -> list[Output]:
    """Add the PDF / HTML / Markdown forms of every DOCX, and keep the DOCX only if asked for.
    ``build`` sends only PDFs here (its HTML and Markdown come from the trees); pandoc's HTML and
    Markdown serve `amend`'s redline, whose tracked changes exist only in its DOCX.
    ``pdfs`` (by file stem) are PDFs already made (by Typst): then LibreOffice converts nothing."""
    extra = [f for f in options.formats if f != "docx"]
    if not extra:
        return list(docx_outputs)
    final: list[Output] = []
    with tempfile.TemporaryDirectory(prefix=f"coopdocs-convert-{os.getpid()}-") as tmp:
        folder = Path(tmp)
        sources = []
        for output in docx_outputs:
            path = folder / output.name
            path.write_bytes(output.data)
            sources.append(path)
        pdfs = dict(pdfs or {})
        if "pdf" in extra and not pdfs:
            if converter is None:
                raise OutputError("a PDF was requested but no converter was started")
            for path in pdf.convert_all(converter, sources, pdfa=options.pdfa):
                pdfs[path.stem] = path.read_bytes()
        for output, path in zip(docx_outputs, sources, strict=True):
            stem = path.stem
            if "docx" in options.formats:
                final.append(output)
            if "pdf" in extra:
                final.append(Output(f"{stem}.pdf", pdfs[stem], output.document, output.language, "pdf"))
            for fmt in ("html", "md"):
                if fmt in extra:
                    data = pdf.pandoc_convert(path, fmt, output.title, output.language)
                    final.append(Output(f"{stem}.{fmt}", data, output.document, output.language, fmt))
    return final


@dataclass(frozen=True)
class Built:
    """One input's documents, in memory, ready for ``outfolder.write_folder``."""

    folder: str  # the slug of OUT/<slug>/
    outputs: list[Output]
    info: dict[str, object]
    draft: bool


def build_checked(
    checked: Checked, options: Options, converter: Callable[[], Converter | ConverterPool] | None = None
) -> Built:
    """Build the documents of a validated input (``pipeline.check_file``): the body of `build`
    and of each `batch` item. ``options.draft`` asks for a marked draft when the input has errors;
    without it, an input with errors or red flags raises ``InputError``. ``converter`` gives the
    persistent PDF converter, started only when a PDF is wanted."""
    counts = checked.counts
    if checked.cooperative is None:
        raise InputError.said("no_schema")
    if checked.blocking and not options.draft:
        raise InputError.said("blocked", errors=counts["errors"], red_flags=counts["red_flags"])
    options = replace(options, draft=checked.blocking and options.draft, counts=counts)
    coop = with_templates(checked.cooperative, tuple(Path(t) for t in options.templates))
    engine = pdf_engine(coop, options)
    options = replace(options, pdf_engine=engine)
    trees = build_trees(coop, options)
    # DOCX and PDF here; HTML and Markdown are written from the trees (``text_outputs``), not the DOCX.
    paged = replace(options, formats=tuple(f for f in options.formats if f in ("docx", "pdf")))
    if not paged.formats:
        outputs = []
    elif "pdf" in paged.formats and engine == "typst":
        outputs = typst_outputs(coop, trees, paged)
    else:
        outputs = [docx_output(coop, item) for item in trees]
        if "pdf" in paged.formats and converter is None:
            raise OutputError("a PDF was requested but no converter was given")
        outputs = convert_outputs(outputs, paged, converter() if "pdf" in paged.formats and converter else None)
    outputs = text_outputs(coop, trees, options, outputs)
    templatecache.save()
    return Built(folder_name(coop), outputs, manifest_info(coop, options, outputs), options.draft)


def text_outputs(
    coop: Cooperative, trees: Sequence[doctree.Tree | doctree.Parallel], options: Options, outputs: Sequence[Output]
) -> list[Output]:
    """``outputs`` (DOCX, PDF) with the HTML and Markdown of every tree after each tree's files."""
    from coopdocs.writers import htmlwriter

    by_stem: dict[str, list[Output]] = {}
    for output in outputs:
        by_stem.setdefault(output.name.rsplit(".", 1)[0], []).append(output)
    final: list[Output] = []
    for item in trees:
        final += by_stem.pop(item.stem, [])
        for fmt in ("html", "md"):
            if fmt in options.formats:
                data = htmlwriter.write(item, fmt, fragment=options.html_fragment, pack=coop.pack)
                final.append(Output(f"{item.stem}.{fmt}", data, item.name, item.lang, fmt, item.title))
    return final + [o for rest in by_stem.values() for o in rest]


def pdf_engine(coop: Cooperative, options: Options) -> str:
    """The PDF engine a build uses: the one asked for; else Typst, unless the user's templates replace
    a DOCX layout (Typst does not read DOCX layouts, so the PDF is then the DOCX converted)."""
    if options.pdf_engine is not None:
        return options.pdf_engine
    for name in ("document", "parallel"):
        if coop.pack.is_override(coop.pack.template_candidates(f"layouts/{name}.docx")[0]):
            return "libreoffice"
    return "typst"


def typst_outputs(
    coop: Cooperative, trees: Sequence[doctree.Tree | doctree.Parallel], options: Options
) -> list[Output]:
    """DOCX (when asked for) and the Typst PDF of every tree, typeset while the DOCX are written."""
    from coopdocs.writers import typeset

    need_docx = "docx" in options.formats
    # Typst typesets in background threads (it releases the GIL) while this thread writes the DOCX.
    with typeset.Typesetter() as typesetter:
        typesetter.start(trees, pdfa=options.pdfa, pack=coop.pack)
        docx = [docx_output(coop, item) for item in trees] if need_docx else []
        pdfs = typesetter.results()
    if need_docx:
        return convert_outputs(docx, options, None, pdfs)
    return [Output(f"{item.stem}.pdf", pdfs[item.stem], item.name, item.lang, "pdf") for item in trees]


def manifest_info(coop: Cooperative, options: Options, outputs: Sequence[Output]) -> dict[str, object]:
    return {
        "tool": "coopdocs",
        "version": __version__,
        "input": {
            "file": coop.file.replace("\\", "/").rsplit("/", 1)[-1],
            "sha256": coop.input_sha256,
            "path_sha256": path_key(coop.file),
        },
        "cooperative": cooperative_info(coop.data),
        "rule_pack": {"id": coop.pack.key, "edition": coop.pack.edition},
        "languages": list(languages(coop, options)),
        "layout": options.layout or coop.data["layout"],
        "draft": bool(options.draft),
        "formats": list(options.formats),
        "pdf_a": options.pdfa,
        **({"html_fragment": True} if options.html_fragment and "html" in options.formats else {}),
        **({"pdf_engine": pdf_engine(coop, options)} if "pdf" in options.formats else {}),
        "diagnostics": dict(options.counts),
        "templates": used_files(with_templates(coop, tuple(Path(t) for t in options.templates)).pack),
    }
