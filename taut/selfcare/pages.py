"""What the self-care pages say, built from the knowledge base (shared reference data, no client data).

Plain words for readers without training: what a condition is, which home exercises help, when to
see a physician first (the condition's red flags), and each page's sources. The structured data
(schema.org JSON-LD) is built here as plain dicts; the template tag escapes it.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from taut.core.bodymap.figures import figure_svg
from taut.core.knowledge import queries
from taut.core.knowledge.schema import Condition, Exercise, KnowledgeBase, RedFlag, Source, SourceRef

# What the reader should do for each urgency of a red flag, in plain words.
URGENCY_WORDS = {
    "emergency": "Call emergency services or go to an emergency department now.",
    "urgent": "See a physician today, before trying any exercise.",
    "soon": "See a physician in the next few days, before starting exercises.",
}
URGENCY_LABELS = {"emergency": "Emergency", "urgent": "Today", "soon": "Within days"}

KIND_WORDS = {
    "stretch": "Stretches",
    "strengthen": "Strengthening",
    "mobility": "Gentle movement",
    "self_massage": "Self-massage",
    "postural": "Posture",
    "breathing": "Breathing",
    "relaxation": "Relaxation",
}
KIND_ORDER = tuple(KIND_WORDS)

DISCLAIMER = (
    "These pages explain common problems and home exercises in general terms. They do not replace an "
    "assessment by a physician or a trained therapist, who can tell what is causing your pain and "
    "what suits you."
)


@dataclass(frozen=True, slots=True)
class Cited:
    """One source as a page lists it: the source and the places in it that the page draws on."""

    source: Source
    locators: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Flag:
    """A red flag in plain words: what to look out for, why, and what to do."""

    id: str
    name: str
    why: str
    urgency: str
    label: str
    action: str


def sources(base: KnowledgeBase, *groups: Iterable[SourceRef]) -> list[Cited]:
    """The sources the groups cite, each once (with every place cited in it), in the order first met."""
    places: dict[str, list[str]] = {}
    for refs in groups:
        for ref in refs:
            if ref.source in base.sources:
                found = places.setdefault(ref.source, [])
                if ref.locator and ref.locator not in found:
                    found.append(ref.locator)
    return [Cited(base.sources[s], tuple(found)) for s, found in places.items()]


def flags(base: KnowledgeBase, condition_id: str) -> list[Flag]:
    """The condition's red flags, most urgent first, with what to do in plain words."""
    return [_flag(f) for f in queries.condition_red_flags(base, condition_id)]


def _flag(f: RedFlag) -> Flag:
    return Flag(f.id, f.name, f.why, f.urgency, URGENCY_LABELS[f.urgency], URGENCY_WORDS[f.urgency])


def dose_words(exercise: Exercise) -> str:
    """How much, in words: "2 sets of 10, hold 5 seconds, each side; several times a day"."""
    d = exercise.dose
    if d is None:
        return ""
    parts: list[str] = []
    if d.sets and d.reps:
        parts.append(f"{d.sets} {'set' if d.sets == 1 else 'sets'} of {d.reps}")
    elif d.reps:
        parts.append(f"{d.reps} {'time' if d.reps == 1 else 'times'}")
    elif d.sets:
        parts.append(f"{d.sets} {'set' if d.sets == 1 else 'sets'}")
    if d.hold_seconds:
        hold = d.hold_seconds
        held = f"{hold // 60} minute{'s' if hold >= 120 else ''}" if hold % 60 == 0 else f"{hold} seconds"
        parts.append(f"hold {held}" if parts else f"for {held}")
    if d.per_side:
        parts.append("each side")
    text = ", ".join(parts)
    return f"{text}; {d.frequency}" if text else d.frequency


def figure_address(exercise: Exercise) -> str:
    """The exercise's stick figure as a data: address for an <img> (no markup is marked safe)."""
    if exercise.figure is None:
        return ""
    svg = figure_svg(exercise.figure, title=exercise.name, size=200)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text


def exercises_by_kind(base: KnowledgeBase) -> list[tuple[str, list[Exercise]]]:
    groups: dict[str, list[Exercise]] = {}
    for e in sorted(base.exercises.values(), key=lambda e: e.name.lower()):
        groups.setdefault(e.kind, []).append(e)
    return [(KIND_WORDS[k], groups[k]) for k in KIND_ORDER if k in groups]


def conditions(base: KnowledgeBase) -> list[Condition]:
    return sorted(base.conditions.values(), key=lambda c: c.name.lower())


# Structured data (schema.org) -------------------------------------------------------------------


def _creative_work(c: Cited) -> dict[str, Any]:
    kind = {"book": "Book", "paper": "ScholarlyArticle", "web": "WebPage"}[c.source.kind]
    work: dict[str, Any] = {
        "@type": kind,
        "name": c.source.title,
        "author": [{"@type": "Person", "name": a} for a in c.source.authors],
        "datePublished": str(c.source.year),
    }
    if c.source.doi:
        work["url"] = f"https://doi.org/{c.source.doi}"
    elif c.source.url:
        work["url"] = c.source.url
    return work


def _page(name: str, description: str, url: str, cited: list[Cited], version: str) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": name,
        "description": description,
        "url": url,
        "inLanguage": "en",
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "citation": [_creative_work(c) for c in cited],
        "version": version,
    }


def index_data(base: KnowledgeBase, url: str) -> dict[str, Any]:
    page = _page(
        "Self-care for muscle and joint pain",
        "Plain-language home exercises and common muscle and joint problems, with when to see a physician.",
        url,
        [],
        base.version,
    )
    page.pop("citation")
    return page


def condition_data(base: KnowledgeBase, found: Condition, url: str, cited: list[Cited]) -> dict[str, Any]:
    page = _page(found.name, first_sentence(found.summary) or found.name, url, cited, base.version)
    condition: dict[str, Any] = {"@type": "MedicalCondition", "name": found.name}
    if found.synonyms:
        condition["alternateName"] = list(found.synonyms)
    if found.summary:
        condition["description"] = found.summary
    helps = queries.exercises_for_condition(base, found.id)
    if helps:
        condition["possibleTreatment"] = [{"@type": "ExercisePlan", "name": e.name} for e in helps]
    page["about"] = condition
    page["mainEntity"] = condition
    return page


def exercise_data(base: KnowledgeBase, found: Exercise, url: str, cited: list[Cited]) -> dict[str, Any]:
    page = _page(found.name, f"How to do the {found.name.lower()} at home.", url, cited, base.version)
    how: dict[str, Any] = {
        "@type": "HowTo",
        "name": found.name,
        "step": [{"@type": "HowToStep", "position": n, "text": s} for n, s in enumerate(found.steps, 1)],
    }
    dose = dose_words(found)
    if dose:
        how["description"] = f"How much: {dose}."
    plan: dict[str, Any] = {"@type": "ExercisePlan", "name": found.name}
    if dose:
        plan["description"] = dose
    page["about"] = plan
    page["mainEntity"] = how
    return page
