"""The first question of ``coopdocs init`` and of the web questionnaire: the cooperative's legal form.

The forms offered are the installed packs of a jurisdiction (``pack.available_packs``); the words,
the activities a founder may name and the form each activity recommends are data
(``templates/common/<jurisdiction>/form-choice.yaml``). No code here names a form. The
recommendation is only a default: the founder may choose another form, and is told what changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from coopdocs import MESSAGE_LANGUAGES
from coopdocs.errors import InputError, PackError
from coopdocs.packs.citations import citation_entry, resolve
from coopdocs.packs.pack import Pack, available_packs


@dataclass(frozen=True)
class Activity:
    id: str
    recommends: str
    words: Mapping[str, str]


@dataclass(frozen=True)
class Offer:
    """One legal form offered: an installed pack with its words."""

    pack: Pack
    name: Mapping[str, str]
    reason: Mapping[str, str]
    changes: Mapping[str, str]
    citation: str | None

    @property
    def form(self) -> str:
        return self.pack.form

    def law(self, lang: str) -> str:
        """The legal basis of the recommendation, as a short reference («Закон … ст. 1»)."""
        return resolve(self.citation, lang, self.pack).label(lang) if self.citation else ""


@dataclass(frozen=True)
class FormChoice:
    jurisdiction: str
    activities: tuple[Activity, ...]
    offers: tuple[Offer, ...]
    default: str
    messages: Mapping[str, Mapping[str, str]]

    def word(self, key: str, lang: str, **values: Any) -> str:
        return str(self.messages[key][lang]).format(**values)

    def offer(self, form: str | None) -> Offer | None:
        return next((o for o in self.offers if o.form == form), None)

    def recommend(self, activities: list[str] | tuple[str, ...]) -> Offer | None:
        """The form that most of the chosen activities recommend; None for none chosen or a tie."""
        votes: dict[str, int] = {}
        for a in self.activities:
            if a.id in activities and self.offer(a.recommends) is not None:
                votes[a.recommends] = votes.get(a.recommends, 0) + 1
        if not votes:
            return None
        ranked = sorted(votes.items(), key=lambda kv: -kv[1])
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            return None
        return self.offer(ranked[0][0])

    def offered(self, activities: list[str] | tuple[str, ...]) -> Offer:
        """The form to offer as the default: the recommended one, else the data's default, else the first."""
        return self.recommend(activities) or self.offer(self.default) or self.offers[0]


def _texts(value: Any, where: str) -> Mapping[str, str]:
    if not isinstance(value, Mapping) or any(not value.get(x) for x in MESSAGE_LANGUAGES):
        raise PackError(f"{where}: needs a text in each of {', '.join(MESSAGE_LANGUAGES)}")
    return {x: str(value[x]) for x in MESSAGE_LANGUAGES}


@cache
def load_choice(jurisdiction: str) -> FormChoice:
    """The form question of ``jurisdiction``, checked: every text in ru/kk/en, every recommended form
    known, every citation in its pack's catalogue."""
    packs = [p for p in available_packs() if p.jurisdiction == jurisdiction]
    if not packs:
        raise PackError(f"no installed pack for the jurisdiction {jurisdiction!r}")
    source = f"templates/common/{jurisdiction}/form-choice.yaml"
    raw = packs[0].read(source, required=False) or {}
    forms = raw.get("forms") or {}
    offers = []
    for pack in packs:
        entry = forms.get(pack.form) or {}
        where = f"{source}: forms.{pack.form}"
        if entry:
            citation = entry.get("citation")
            if citation:
                citation_entry(str(citation), pack)  # an unknown citation id is a pack error
            offers.append(
                Offer(
                    pack,
                    _texts(entry.get("name"), f"{where}.name"),
                    _texts(entry.get("reason"), f"{where}.reason"),
                    _texts(entry.get("changes"), f"{where}.changes"),
                    str(citation) if citation else None,
                )
            )
        else:  # a pack of another distribution that this file does not describe: its key as its name
            blank = {x: "" for x in MESSAGE_LANGUAGES}
            offers.append(Offer(pack, {x: pack.key for x in MESSAGE_LANGUAGES}, blank, blank, None))
    activities = []
    for aid, entry in (raw.get("activities") or {}).items():
        if entry.get("recommends") not in forms:
            raise PackError(f"{source}: activities.{aid}: recommends an unknown form {entry.get('recommends')!r}")
        activities.append(Activity(str(aid), str(entry["recommends"]), _texts(entry.get("words"), f"{source}: {aid}")))
    messages = {str(k): _texts(v, f"{source}: messages.{k}") for k, v in (raw.get("messages") or {}).items()}
    return FormChoice(jurisdiction, tuple(activities), tuple(offers), str(raw.get("default") or ""), messages)


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


def parse_activities(choice: FormChoice, text: str, lang: str) -> list[str]:
    """Numbers or identifiers, comma-separated; empty for none. A wrong one is an :class:`InputError`."""
    out: list[str] = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        found = _one(choice.activities, part, lambda a: a.id, lambda a: a.words)
        if found is None:
            raise InputError(choice.word("wrong_activity", lang, answer=part, count=len(choice.activities)))
        if found.id not in out:
            out.append(found.id)
    return out


def parse_form(choice: FormChoice, text: str, lang: str) -> Offer:
    found = _one(choice.offers, text.strip(), lambda o: o.form, lambda o: o.name)
    if found is None:
        raise InputError(choice.word("wrong_form", lang, answer=text.strip(), count=len(choice.offers)))
    return found


def _one(items: Any, text: str, ident: Any, words: Any) -> Any:
    items = list(items)
    if text.isdigit():
        n = int(text)
        return items[n - 1] if 1 <= n <= len(items) else None
    folded = _fold(text)
    for item in items:
        if folded == _fold(ident(item)) or any(folded == _fold(str(w)) for w in words(item).values()):
            return item
    return None


def recommendation_text(choice: FormChoice, activities: list[str], lang: str) -> str:
    """Why a form is recommended (with the law), or that the activities recommend none."""
    offer = choice.recommend(activities)
    if offer is None:
        return choice.word("no_recommendation", lang) if activities else ""
    return choice.word("recommended", lang, name=offer.name[lang], reason=offer.reason[lang], law=offer.law(lang))


def chosen_text(choice: FormChoice, activities: list[str], form: str, lang: str) -> str:
    """What the founder is told after choosing: the form, and what changes when it is not the recommended one."""
    offer = choice.offer(form)
    if offer is None:
        return ""
    said = choice.word("chosen", lang, name=offer.name[lang])
    recommended = choice.recommend(activities)
    if recommended is not None and recommended.form != form and offer.changes[lang]:
        said += "\n" + choice.word("not_recommended", lang, changes=offer.changes[lang])
    return said


def ask_form(prompter: Any, lang: str, jurisdiction: str) -> Pack:
    """The terminal's first two questions (what the cooperative will do; which form), each asked
    again until the answer is understood. With one installed pack nothing is asked."""
    choice = load_choice(jurisdiction)
    if len(choice.offers) == 1:
        return choice.offers[0].pack
    activities: list[str] = []
    if choice.activities:
        prompter.say(choice.word("activities_title", lang))
        for n, a in enumerate(choice.activities, start=1):
            prompter.say(f"  {n}. {a.words[lang]}")
        while True:
            try:
                activities = parse_activities(choice, prompter.ask(choice.word("activities_prompt", lang), ""), lang)
                break
            except InputError as exc:
                prompter.say(f"  ! {exc.message}")
    prompter.say(choice.word("form_title", lang))
    for n, o in enumerate(choice.offers, start=1):
        prompter.say(f"  {n}. {o.name[lang]}")
    why = recommendation_text(choice, activities, lang)
    if why:
        prompter.say(why)
        prompter.say(choice.word("recommendation_note", lang))
    default = str(choice.offers.index(choice.offered(activities)) + 1)
    while True:
        try:
            offer = parse_form(choice, prompter.ask(choice.word("form_prompt", lang), default) or default, lang)
            break
        except InputError as exc:
            prompter.say(f"  ! {exc.message}")
    prompter.say(chosen_text(choice, activities, offer.form, lang))
    return offer.pack
