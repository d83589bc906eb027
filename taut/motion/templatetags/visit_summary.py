"""{% visit_summary visit %}: everything recorded at a visit, at a glance.

One card per kind of record (range of motion, outcome measures, special tests, wellness, posture
photos, gait videos, range-of-motion photos), each with its key findings in words and a link to
its full page. Shown to clinical roles only: front desk receives none of it. The visit page's own
read is audited; the summary adds no entry. The tag lives in motion because motion sits above
assessments in the import layers and the clients app may import neither.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from taut.access import capabilities
from taut.assessments import services as assessments
from taut.assessments.models import OutcomeMeasure, RomAssessment, SpecialTestResult, WellnessAnswers
from taut.atlas.templatetags.words import words
from taut.clients.models import Visit
from taut.core.knowledge.loader import load_base
from taut.motion.models import GaitVideo, PosturePhoto, RomPhoto

register = template.Library()

_MOST = 6  # findings listed per card before "and N more"


def _card(title: str, url: str, lines: list[str], summary: str) -> dict[str, Any]:
    shown = lines[:_MOST]
    return {"title": title, "url": url, "summary": summary, "lines": shown, "more": len(lines) - len(shown)}


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _rom_card(visit: Visit, kwargs: dict[str, int]) -> dict[str, Any] | None:
    record: RomAssessment | None = assessments.get_rom(visit)
    if record is None:
        return None
    readings = assessments.rom_readings(record, visit)
    lines: list[str] = []
    for r in readings:
        findings = [str(f) for f in r.get("findings") or []]
        if findings:
            side = "" if r.get("side") in (None, "", "midline") else f" ({r['side']})"
            lines.append(f"{words(r.get('motion', '')).capitalize()}{side}: {'; '.join(findings)}")
    lines += [f"{a[:1].upper()}{a[1:]}" for a in assessments.rom_asymmetries(readings)]
    summary = _plural(len(readings), "movement") + " measured"
    summary += "." if lines else "; all within the norm."
    return _card("Range of motion", reverse("assessments:rom", kwargs=kwargs), lines, summary)


def _measures_card(visit: Visit, kwargs: dict[str, int]) -> dict[str, Any] | None:
    recorded = list(OutcomeMeasure.objects.filter(visit=visit).order_by("instrument"))
    if not recorded:
        return None
    names = load_base().instruments
    lines = []
    for m in recorded:
        entry = names.get(m.instrument)
        name = getattr(entry, "name", None) or words(m.instrument)
        score = m.score or {}
        text = f"{name}: score {score.get('value')}"
        if score.get("percent") is not None:
            text += f" ({score['percent']}%)"
        if score.get("band"):
            text += f", {score['band']}"
        lines.append(text)
    summary = _plural(len(recorded), "measure") + " scored."
    return _card("Outcome measures", reverse("assessments:measures", kwargs=kwargs), lines, summary)


def _special_tests_card(visit: Visit, kwargs: dict[str, int]) -> dict[str, Any] | None:
    results = list(SpecialTestResult.objects.filter(visit=visit).order_by("test", "side"))
    if not results:
        return None
    tests = load_base().special_tests
    lines = []
    for r in results:
        if r.result == SpecialTestResult.Result.NEGATIVE:
            continue
        name = getattr(tests.get(r.test), "name", None) or words(r.test)
        side = "" if r.side == SpecialTestResult.Side.MIDLINE else f" ({r.side})"
        note = f": {r.note}" if r.note else ""
        lines.append(f"{name}{side} {r.get_result_display().lower()}{note}")
    negative = sum(1 for r in results if r.result == SpecialTestResult.Result.NEGATIVE)
    summary = _plural(len(results), "result") + " recorded"
    summary += f", {negative} negative." if negative else "."
    return _card("Special tests", reverse("assessments:special_tests", kwargs=kwargs), lines, summary)


def _wellness_card(visit: Visit, kwargs: dict[str, int]) -> dict[str, Any] | None:
    record: WellnessAnswers | None = getattr(visit, "wellness", None)
    if record is None:
        return None
    advice = (record.advice or {}).get("advice") or []
    lines = [str(a.get("text", "")) for a in advice if isinstance(a, dict) and a.get("text")]
    summary = _plural(len(record.answers or {}), "question") + " answered; "
    summary += _plural(len(lines), "advice item") + " for the plan." if lines else "nothing asks for attention."
    return _card("Wellness", reverse("assessments:wellness", kwargs=kwargs), lines, summary)


def _posture_cards(visit: Visit, kwargs: dict[str, int]) -> list[dict[str, Any]]:
    cards = []
    for photo in PosturePhoto.objects.filter(visit=visit).order_by("view", "pk"):
        report = photo.report or {}
        lines = [str(f.get("name", "")) for f in report.get("findings") or [] if isinstance(f, dict)]
        lines += [f"Pattern: {p.get('name', '')}" for p in report.get("patterns") or [] if isinstance(p, dict)]
        measured = _plural(len(report.get("measures") or []), "measure")
        summary = f"{measured}; " + (
            _plural(len(lines), "finding") + "." if lines else "none outside its typical range."
        )
        url = reverse("motion:posture_photo", kwargs={**kwargs, "photo_id": photo.pk})
        card = _card(f"Posture, {photo.get_view_display().lower()} photo", url, lines, summary)
        earlier = (
            PosturePhoto.objects.filter(client_id=visit.client_id, view=photo.view)
            .exclude(visit=visit)
            .filter(visit__date__lte=visit.date)
            .order_by("-visit__date", "-pk")
            .first()
        )
        if earlier is not None:
            query = urlencode({"a": earlier.pk, "b": photo.pk})
            card["compare"] = reverse("motion:posture_compare", kwargs={"client_id": visit.client_id}) + "?" + query
            card["compare_label"] = f"Compare with {earlier.visit.date:%Y-%m-%d}"
        cards.append(card)
    return cards


def _gait_cards(visit: Visit, kwargs: dict[str, int]) -> list[dict[str, Any]]:
    cards = []
    for video in GaitVideo.objects.filter(visit=visit).order_by("pk"):
        url = reverse("motion:gait_video", kwargs={**kwargs, "video_id": video.pk})
        title = f"Gait, {video.get_view_display().lower()}"
        report = video.report or {}
        if video.status != GaitVideo.Status.DONE or not report:
            cards.append(_card(title, url, [], f"{video.get_status_display()}."))
            continue
        lines = []
        for f in report.get("findings") or []:
            if isinstance(f, dict):
                side = f.get("side")
                lines.append(f"{f.get('name', '')}" + ("" if side in (None, "", "both") else f" ({side})"))
        metrics = report.get("metrics") or []
        flagged = sum(1 for m in metrics if isinstance(m, dict) and m.get("flagged"))
        summary = _plural(len(metrics), "measure") + f", {flagged} outside the typical range; "
        summary += _plural(len(lines), "finding") + "." if lines else "no findings."
        cards.append(_card(title, url, lines, summary))
    return cards


def _rom_photo_card(visit: Visit, kwargs: dict[str, int]) -> dict[str, Any] | None:
    photos = list(RomPhoto.objects.filter(visit=visit).order_by("motion", "side", "pk"))
    if not photos:
        return None
    lines = [
        f"{words(p.motion).capitalize()} ({p.side}, {p.get_mode_display().split(' (')[0].lower()}): "
        f"{p.degrees:.0f}°" + (f", {p.reading}" if p.reading else "")
        for p in photos
    ]
    summary = _plural(len(photos), "photo") + " measured."
    return _card("Range of motion from photos", reverse("motion:rom_photos", kwargs=kwargs), lines, summary)


def summary_cards(visit: Visit) -> list[dict[str, Any]]:
    """The visit's records beside the pain chart, one card each, in the order of the assessment."""
    kwargs = {"client_id": visit.client_id, "visit_id": visit.pk}
    cards: list[dict[str, Any] | None] = [
        _rom_card(visit, kwargs),
        _rom_photo_card(visit, kwargs),
        _measures_card(visit, kwargs),
        _special_tests_card(visit, kwargs),
        _wellness_card(visit, kwargs),
    ]
    found = [c for c in cards if c is not None]
    return found + _posture_cards(visit, kwargs) + _gait_cards(visit, kwargs)


@register.inclusion_tag("motion/_visit_summary.html", takes_context=True)
def visit_summary(context: template.Context, visit: Visit | None) -> dict[str, Any]:
    role = getattr(context.get("request"), "role", None)
    if visit is None or not getattr(visit, "pk", None) or not capabilities.has(role, "can_view_clinical"):
        return {"cards": [], "shown": False}
    return {"cards": summary_cards(visit), "shown": True}
