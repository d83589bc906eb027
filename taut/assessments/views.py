"""The body pain chart: draw it, see the ranked trigger points at once, file it with the visit."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from taut.access.decorators import requires
from taut.assessments import rom_form, services
from taut.assessments.forms import PainChartForm
from taut.clients import services as clients
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import KnowledgeBase, Side
from taut.core.reasoning.analysis import Analysis
from taut.core.reasoning.ranking import Candidate, levels_for, percent

CHART_VIEWS = ("anterior", "posterior", "lateral", "face")


def _lines(inputs: dict[str, Any]) -> str:
    """The marks as the form's lines, each zone by its label ("Temple (right):4:throbbing")."""
    zones = load_base().zones
    out = []
    for mark in inputs.get("pain", []):
        zone = zones.get(str(mark["zone"]))
        parts = [zone.label if zone is not None else str(mark["zone"])]
        if mark.get("intensity") is not None:
            parts.append(str(mark["intensity"]))
        if mark.get("quality"):
            parts.append(str(mark["quality"]))
        out.append(":".join(parts))
    return "\n".join(out)


SIDE_WORDS = {"left": "left", "right": "right", "both": "both sides", "either": "either side"}


def ranking_context(base: KnowledgeBase, result: Analysis) -> dict[str, Any]:
    """What the ranked list needs: one row per muscle or group, each member's why and the
    pattern for the hover overlay (a group row's overlay is its members' patterns together)."""
    side = {"left": Side.LEFT, "right": Side.RIGHT}
    labels = {z: base.zones[z].label for z in base.zones}

    def pattern(c: Candidate) -> dict[str, str]:
        levels = levels_for(base, c.muscle, side.get(c.side, Side.MIDLINE))
        return {z: level for z, level in levels.items() if level != "neighbour"}

    def member(c: Candidate) -> dict[str, Any]:
        return {
            "c": c,
            "why": c.describe(labels),
            "percent": percent(c.probability),
            "sides": SIDE_WORDS.get(c.side, c.side),
            "overlay": json.dumps(pattern(c), sort_keys=True),
        }

    rows = []
    for row in result.rows:
        members = [member(c) for c in row.members]
        union: dict[str, str] = {}
        for c in row.members:
            for z, level in pattern(c).items():
                if union.get(z) != "essential":
                    union[z] = level
        rows.append(
            {
                "row": row,
                "members": members,
                "percent": percent(row.probability),
                "sides": " and ".join(row.sides) if len(row.sides) == 2 else row.sides[0],
                "overlay": json.dumps(union, sort_keys=True),
            }
        )
    tests = base.special_tests

    def names(ids: tuple[str, ...]) -> list[str]:
        return [tests[t].name for t in ids if t in tests]

    neural = [
        {
            **asdict(n),
            "tests_names": names(n.tests),
            "confirmed_names": names(n.confirmed_by),
            "against_names": names(n.argued_against_by),
        }
        for n in result.neural
    ]
    return {
        "neural": neural,
        "ask_about": [base.red_flags[f].name for f in result.ask_about[:6] if f in base.red_flags],
        "result": result,
        "rows": rows,
        "palpation": [
            {"name": c.name, "sides": SIDE_WORDS.get(c.side, c.side), "muscle": c.muscle} for c in result.explaining
        ],
        "unexplained": [labels[z] for z in result.unexplained],
    }


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """Rank the posted chart without saving anything (no client data is read or written)."""
    form = PainChartForm(request.POST)
    context: dict[str, Any] = {}
    if form.is_valid():
        try:
            inputs = services.inputs_from_text(form.cleaned_data["pain"], form.cleaned_data)
            posted = request.POST.getlist("test")[:100]  # the visit's recorded tests, as the page's hidden fields
            tests = [dict(zip(("test", "side", "result"), t.split(":"), strict=False)) for t in posted]
            context = ranking_context(load_base(), services.compute(inputs, tests=tests))
        except ValidationError as exc:
            context = {"errors": exc.messages}
    else:
        context = {"errors": [f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()]}
    return render(request, "assessments/_ranking.html", context)


@requires("can_edit_clinical")
def pain_chart(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    client = clients.get_client(client_id)
    visit = clients.get_visit(client, visit_id)
    existing = services.get_pain_chart(visit)
    initial: dict[str, Any] = {}
    if existing is not None:
        initial = {**existing.inputs, "pain": _lines(existing.inputs)}
    if not initial.get("restricted"):
        initial["restricted"] = services.restricted_from_rom(visit)  # what this visit's ROM found
    form = PainChartForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            inputs = services.inputs_from_text(form.cleaned_data["pain"], form.cleaned_data)
            services.do_save_pain_chart(visit, inputs, request.user, getattr(request, "role", None))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Pain chart saved with the visit.")
            return redirect("clients:visit_detail", client_id=client.pk, visit_id=visit.pk)
    elif request.method != "POST":
        clients.audit_read(existing or visit)
    base = load_base()
    saved = existing.inputs.get("pain", []) if existing else []
    marks = {m["zone"]: "pain" for m in saved if m["zone"] in base.zones}
    context = {
        "marks": marks,
        "client": client,
        "visit": visit,
        "form": form,
        "views": [(v, base.views[v].label) for v in CHART_VIEWS if v in base.views],
        "existing": existing,
        "tests": [f"{t['test']}:{t['side']}:{t['result']}" for t in services.results_for_analysis(visit)],
    }
    return render(request, "assessments/pain_chart.html", context)


@requires("can_edit_clinical")
def rom(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    """Record active and passive range of motion; see each against the norm for the client's age and sex."""
    client = clients.get_client(client_id)
    visit = clients.get_visit(client, visit_id)
    existing = services.get_rom(visit)
    errors: list[str] = []
    if request.method == "POST":
        entries = rom_form.entries_from_post(request.POST)
        try:
            services.do_save_rom(visit, entries, request.user, getattr(request, "role", None))
        except ValidationError as exc:
            errors = [rom_form.error_words(k, v, entries) for k, v in exc.message_dict.items()]
            values = request.POST.dict()
        else:
            messages.success(request, "Range of motion saved with the visit.")
            return redirect("assessments:rom", client_id=client.pk, visit_id=visit.pk)
    else:
        clients.audit_read(existing or visit)
        values = rom_form.values_from_entries(existing.entries) if existing else {}
    readings = services.rom_readings(existing, visit) if existing else []
    context = {
        "client": client,
        "visit": visit,
        "groups": rom_form.groups(),
        "values": values,
        "end_feels": rom_form.END_FEELS,
        "errors": errors,
        "existing": existing,
        "readings": readings,
        "asymmetries": services.rom_asymmetries(readings),
    }
    return render(request, "assessments/rom.html", context)
