"""One Kazakh term per legal concept: no document says what the glossary rejects.

The glossary is data (templates/common/kz/consumer_cooperative/glossary.yaml). Every Kazakh text
of every document of every example is rendered and searched for the rejected variants; the Kazakh
source of every template is searched as well, so that a clause no example reaches is covered too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coopdocs.checking.pipeline import check_file
from coopdocs.commands.build import ALL_DOCS, Options, build_outputs
from coopdocs.packs.glossary import load_glossary, violations
from coopdocs.packs.pack import data_root, read_yaml
from coopdocs.writers.render import docx_text
from tests.support import DEFAULT_PACK, EXAMPLES

KAZAKH_EXAMPLES = sorted(
    p.stem for p in EXAMPLES.glob("*.yaml") if "kk" in (read_yaml(p).get("languages") or ["ru", "kk"])
)


def _report(found: list[Any]) -> str:
    return "\n".join(f"{v.term.ru} -> {v.term.kk}: found «{v.found}» in …{v.context}…" for v in found)


def test_the_glossary_finds_a_rejected_variant_and_spares_other_words() -> None:
    found = violations("Кооперативтің табысы мүшелер арасында бөлінбейді; пропорционал бөлінеді.", DEFAULT_PACK)
    assert [(v.term.kk, v.found) for v in found] == [("кіріс", "табысы"), ("мөлшерлес", "пропорционал")]
    # «табыс ету» (to hand over) is another word; the chosen terms are never rejected.
    assert violations("Шешімнің көшірмесі мүшеге табыс етіледі. Кооперативтің кірісі бөлінбейді.", DEFAULT_PACK) == []


def test_every_term_has_one_kazakh_term_and_rejected_variants() -> None:
    terms = load_glossary(DEFAULT_PACK)
    assert len({t.ru for t in terms}) == len(terms)
    for term in terms:
        assert term.rejected, term.ru
        assert violations(term.kk, DEFAULT_PACK) == [], f"{term.ru}: the chosen term {term.kk!r} is itself rejected"


@pytest.mark.parametrize("example", KAZAKH_EXAMPLES)
def test_rendered_kazakh_documents_use_the_glossary_terms(example: str) -> None:
    checked = check_file(EXAMPLES / f"{example}.yaml")
    assert checked.cooperative is not None
    outputs = build_outputs(checked.cooperative, Options(docs=ALL_DOCS, langs=("kk",), layout="separate"))
    assert {o.document for o in outputs} == set(ALL_DOCS)
    found = [v for o in outputs for v in violations("\n".join(docx_text(o.data)), DEFAULT_PACK)]
    assert not found, f"{example}: rejected Kazakh variants:\n{_report(found)}"


def _kazakh_strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        out = []
        for key, value in node.items():
            if key == "kk" and isinstance(value, str):
                out.append(value)
            elif key == "kk" and isinstance(value, list):
                out += [v for v in value if isinstance(v, str)]
            else:
                out += _kazakh_strings(value)
        return out
    if isinstance(node, list):
        return [s for item in node for s in _kazakh_strings(item)]
    return []


def test_kazakh_template_sources_use_the_glossary_terms() -> None:
    root = data_root() / "templates"
    glossary = root / DEFAULT_PACK.pack_dir("common") / "glossary.yaml"
    found = []
    for path in sorted(root.rglob("*.yaml")):
        if path == glossary:
            continue
        for text in _kazakh_strings(read_yaml(path)):
            found += [(path.relative_to(root), v) for v in violations(text, DEFAULT_PACK)]
    assert not found, "\n".join(f"{p}: {_report([v])}" for p, v in found)


def test_the_glossary_is_packaged_with_the_templates() -> None:
    assert Path(DEFAULT_PACK.find_template(f"{DEFAULT_PACK.pack_dir('common')}/glossary.yaml")).is_file()
