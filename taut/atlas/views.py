"""The atlas: browse and search the knowledge base, with patterns drawn on the body chart."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from taut.core.knowledge import queries
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import KnowledgeBase, Side

CHART_VIEWS = ("anterior", "posterior")


def _base() -> KnowledgeBase:
    return load_base()


def _views(base: KnowledgeBase, marks: dict[str, str]) -> list[tuple[str, str]]:
    """(id, label) of the chart views worth drawing: front and back, and any other that shows a mark."""
    shown = [v for v in base.views if any(s.zone in marks for s in base.views[v].shapes)]
    return [(v, base.views[v].label) for v in base.views if v in CHART_VIEWS or v in shown]


def _get(mapping: Any, key: str) -> Any:
    if key not in mapping:
        raise Http404("That entry is not in the knowledge base.")
    return mapping[key]


def _sources(base: KnowledgeBase, refs: Any) -> list[dict[str, Any]]:
    return [{"source": base.sources[r.source], "locator": r.locator} for r in refs if r.source in base.sources]


def _named(base: KnowledgeBase, base_ids: Any) -> list[tuple[str, str]]:
    """(sided zone id to link to, plain name) for unsided zone ids."""
    return [(base.sided(z)[-1], base.zone_specs[z].name) for z in base_ids if z in base.zone_specs]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    base = _base()
    query = request.GET.get("q", "")[:100].strip()
    hits = queries.find(base, query, limit=30) if query else []
    by_region: dict[str, list[Any]] = {}
    for m in sorted(base.muscles.values(), key=lambda m: m.name):
        by_region.setdefault(m.region.value.replace("_", " "), []).append(m)
    context = {
        "q": query,
        "hits": hits,
        "by_region": sorted(by_region.items()),
        "stats": queries.stats(base),
        "version": base.version,
        "nerves": sorted(base.nerves.values(), key=lambda n: n.name),
        "dermatomes": list(base.dermatomes.values()),
        "conditions": sorted(base.conditions.values(), key=lambda c: c.name),
        "exercises": sorted(base.exercises.values(), key=lambda e: e.name),
    }
    template = "atlas/_hits.html" if request.headers.get("HX-Request") else "atlas/index.html"
    return render(request, template, context)


@login_required
def muscle(request: HttpRequest, muscle_id: str) -> HttpResponse:
    base = _base()
    found = _get(base.muscles, muscle_id)
    marks = queries.referral_map(base, muscle_id, Side.RIGHT)
    tp_zones = sorted({base.sided(z)[-1] for tp in found.trigger_points for z in tp.zones})
    context = {
        "m": found,
        "views": _views(base, marks),
        "marks": marks,
        "tp_zones": tp_zones,
        "sources": _sources(base, found.sources),
        "entrapments": queries.entrapments_by_muscle(base, muscle_id),
        "essential": _named(base, found.referral.essential),
        "spillover": _named(base, found.referral.spillover),
        "nerve": base.nerves.get(found.innervation.nerve),
        "also": [base.nerves[n] for n in found.innervation.also if n in base.nerves],
        "exercises": [e for e in base.exercises.values() if muscle_id in e.muscles],
        "conditions": [c for c in base.conditions.values() if muscle_id in c.muscles],
        "version": base.version,
    }
    return render(request, "atlas/muscle.html", context)


def _territory(request: HttpRequest, template: str, name: str, found: Any, zones: Any, mark: str) -> HttpResponse:
    """A nerve's or a dermatome's page: its skin zones drawn on the chart (right side shown)."""
    base = _base()
    marks = {z: mark for base_id in zones for z in base.sided(base_id)[-1:]}
    context = {
        name: found,
        "views": _views(base, marks),
        "marks": marks,
        "sources": _sources(base, found.sources),
        "version": base.version,
    }
    return render(request, template, context)


@login_required
def nerve(request: HttpRequest, nerve_id: str) -> HttpResponse:
    found = _get(_base().nerves, nerve_id)
    return _territory(request, "atlas/nerve.html", "n", found, found.cutaneous_zones, "numbness")


@login_required
def dermatome(request: HttpRequest, root: str) -> HttpResponse:
    found = _get(_base().dermatomes, root)
    return _territory(request, "atlas/dermatome.html", "d", found, found.zones, "tingling")


@login_required
def zone(request: HttpRequest, zone_id: str) -> HttpResponse:
    base = _base()
    found = _get(base.zones, zone_id)
    context = {
        "z": found,
        "views": _views(base, {zone_id: "selected"}),
        "marks": {zone_id: "selected"},
        "referring": queries.muscles_referring_to(base, zone_id),
        "muscle_names": {m.id: m.name for m in base.muscles.values()},
        "nerves": [base.nerves[n] for n in queries.nerves_supplying(base, zone_id)],
        "dermatomes": queries.dermatomes_for(base, zone_id),
        "sources": _sources(base, found.sources),
        "version": base.version,
    }
    return render(request, "atlas/zone.html", context)


@login_required
def condition(request: HttpRequest, condition_id: str) -> HttpResponse:
    base = _base()
    found = _get(base.conditions, condition_id)
    marks = {z: "pain" for base_id in found.zones for z in base.sided(base_id)[-1:] if base_id in base.zone_specs}
    evidence = sorted(found.muscle_evidence, key=lambda e: (-(e.prevalence or 0), e.muscle))
    listed = [m for m in found.muscles if m not in {e.muscle for e in evidence}]
    context = {
        "c": found,
        "views": _views(base, marks),
        "marks": marks,
        "evidence": [(base.muscles[e.muscle], e) for e in evidence if e.muscle in base.muscles],
        "listed": [base.muscles[m] for m in listed if m in base.muscles],
        "flags": [base.red_flags[f] for f in found.red_flags if f in base.red_flags],
        "differentials": [base.conditions[d] for d in found.differentials if d in base.conditions],
        "sources": _sources(base, found.sources),
        "version": base.version,
    }
    return render(request, "atlas/condition.html", context)


@login_required
def exercise(request: HttpRequest, exercise_id: str) -> HttpResponse:
    base = _base()
    found = _get(base.exercises, exercise_id)
    context = {
        "e": found,
        "muscles": [base.muscles[m] for m in found.muscles if m in base.muscles],
        "sources": _sources(base, found.sources),
        "version": base.version,
    }
    return render(request, "atlas/exercise.html", context)


REFERENCE_LISTS = {
    "tests": ("Special tests", "special_tests"),
    "red-flags": ("Red flags", "red_flags"),
    "techniques": ("Techniques", "techniques"),
    "range-of-motion": ("Range of motion norms", "rom_norms"),
}


@login_required
def reference(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in REFERENCE_LISTS:
        raise Http404("There is no such list in the atlas.")
    base = _base()
    title, attribute = REFERENCE_LISTS[kind]
    items = sorted(getattr(base, attribute).values(), key=lambda item: getattr(item, "name", item.id))
    context = {
        "title": title,
        "kind": kind,
        "items": items,
        "source_names": {s.id: s.title for s in base.sources.values()},
        "muscle_names": {m.id: m.name for m in base.muscles.values()},
        "version": base.version,
    }
    return render(request, "atlas/reference.html", context)
