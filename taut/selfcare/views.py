"""The public self-care pages: no login, no session, no client data; rate-limited per address.

Everything shown comes from the knowledge base (taut.core.knowledge) through taut.selfcare.pages.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from taut.core.knowledge import queries
from taut.core.knowledge.loader import load_base
from taut.selfcare import pages, throttle


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "selfcare/too_many.html", status=429)
    response["Retry-After"] = "60"
    return response


def _missing(request: HttpRequest, what: str) -> HttpResponse:
    return render(request, "selfcare/missing.html", {"what": what}, status=404)


def _common() -> dict[str, Any]:
    return {"disclaimer": pages.DISCLAIMER, "version": load_base().version}


@require_http_methods(["GET", "HEAD"])
def index(request: HttpRequest) -> HttpResponse:
    if not throttle.allow(request):
        return _too_many(request)
    base = load_base()
    context = {
        **_common(),
        "conditions": [(c, pages.first_sentence(c.summary)) for c in pages.conditions(base)],
        "exercise_groups": pages.exercises_by_kind(base),
        "data": pages.index_data(base, request.build_absolute_uri()),
    }
    return render(request, "selfcare/index.html", context)


@require_http_methods(["GET", "HEAD"])
def condition(request: HttpRequest, condition_id: str) -> HttpResponse:
    if not throttle.allow(request):
        return _too_many(request)
    base = load_base()
    found = base.conditions.get(condition_id)
    if found is None:
        return _missing(request, "condition")
    care = queries.care_for_condition(base, condition_id)
    flags = pages.flags(base, condition_id)
    cited = pages.sources(
        base,
        found.sources,
        care.sources if care else (),
        *(base.red_flags[f.id].sources for f in flags),
    )
    context = {
        **_common(),
        "c": found,
        "care": care,
        "flags": flags,
        "exercises": queries.exercises_for_condition(base, condition_id),
        "find_url": reverse("directory:find") + f"?condition={condition_id}",
        "sources": cited,
        "data": pages.condition_data(base, found, request.build_absolute_uri(), cited),
    }
    return render(request, "selfcare/condition.html", context)


@require_http_methods(["GET", "HEAD"])
def exercise(request: HttpRequest, exercise_id: str) -> HttpResponse:
    if not throttle.allow(request):
        return _too_many(request)
    base = load_base()
    found = base.exercises.get(exercise_id)
    if found is None:
        return _missing(request, "exercise")
    cited = pages.sources(base, found.sources)
    context = {
        **_common(),
        "e": found,
        "dose": pages.dose_words(found),
        "figure": pages.figure_address(found),
        "conditions": [base.conditions[c] for c in found.conditions if c in base.conditions],
        "sources": cited,
        "data": pages.exercise_data(base, found, request.build_absolute_uri(), cited),
    }
    return render(request, "selfcare/exercise.html", context)
