"""The catalogue of legal sources that rules and commentaries cite (``citations.yaml`` of a pack)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from coopdocs.errors import PackError
from coopdocs.packs.pack import Pack

ARTICLE_WORDS = {
    "en": ("art. {article}", "p. {point}", "subp. {subpoint}"),
    "ru": ("ст. {article}", "п. {point}", "пп. {subpoint}"),
    "kk": ("{article}-бап", "{point}-тармақ", "{subpoint})-тармақша"),
}


@dataclass(frozen=True)
class Citation:
    id: str
    instrument: str  # the instrument's short name in the chosen language
    article: str | None
    point: str | None
    subpoint: str | None
    url: str | None
    verified: bool
    edition: str | None

    def label(self, lang: str, *, mark: bool = True) -> str:
        """The short reference; ``mark`` adds «[не сверено]» when the text was not read."""
        words = ARTICLE_WORDS.get(lang, ARTICLE_WORDS["en"])
        parts = [self.instrument]
        located = []
        if self.article:
            located.append(words[0].format(article=self.article))
        if self.point:
            located.append(words[1].format(point=self.point))
        if self.subpoint:
            located.append(words[2].format(subpoint=self.subpoint))
        if located:
            parts.append(" ".join(located))
        text = ", ".join(parts)
        if mark and not self.verified:
            text += {"ru": " [не сверено]", "kk": " [тексерілмеген]"}.get(lang, " [unverified]")
        return text

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@cache
def _catalogue(pack: Pack) -> dict[str, Any]:
    data = pack.read(pack.schema_rel("citations.yaml"), required=False) or {}
    return {"instruments": data.get("instruments") or {}, "citations": data.get("citations") or {}}


def citation_ids(pack: Pack) -> list[str]:
    return sorted(_catalogue(pack)["citations"])


def citation_entry(cid: str, pack: Pack) -> dict[str, Any]:
    entry = _catalogue(pack)["citations"].get(cid)
    if entry is None:
        raise PackError(f"citation id {cid!r} is not in {pack.schema_dir / 'citations.yaml'}")
    return dict(entry)


def instrument_entry(iid: str, pack: Pack) -> dict[str, Any]:
    entry = _catalogue(pack)["instruments"].get(iid)
    if entry is None:
        raise PackError(f"instrument id {iid!r} is not in {pack.schema_dir / 'citations.yaml'}")
    return dict(entry)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@cache
def resolve(cid: str, lang: str, pack: Pack) -> Citation:
    entry = citation_entry(cid, pack)
    instrument = instrument_entry(entry["instrument"], pack)
    short = instrument.get("short") or {}
    name = short.get(lang) or short.get("en") or instrument.get(lang) or instrument.get("en") or ""
    return Citation(
        id=cid,
        instrument=str(name),
        article=_text(entry.get("article")),
        point=_text(entry.get("point")),
        subpoint=_text(entry.get("subpoint")),
        url=_text(entry.get("url") or instrument.get("url")),
        verified=bool(entry.get("verified", False)),
        edition=_text(entry.get("edition")),
    )
