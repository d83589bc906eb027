"""The three PDF reports of a client: the client report, the progress report and the referral letter.

``render_report(client, kind, user)`` reads the client's records in the active clinic, builds the
report's blocks (taut.reports.pdf_render draws them) and writes one audited read of the client.
A referral letter is refused (``ReportRefused``) when no active red flag and no suspected nerve root
or bony compression calls for one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from taut.assessments.models import OutcomeMeasure, PainChart, RomAssessment, SpecialTestResult
from taut.audit import service as audit
from taut.clients.models import Client, Visit
from taut.core.bodymap.figures import figure_svg
from taut.core.knowledge.loader import load_base
from taut.core.measures import progress as core
from taut.core.measures.progress_plot import plot_png
from taut.homecare import services as homecare
from taut.homecare.models import HomeProgramme
from taut.motion.models import GaitVideo, PosturePhoto
from taut.notes.models import SessionNote
from taut.plans import services as plans
from taut.plans.models import TreatmentPlan
from taut.reports import services
from taut.reports.pdf_render import Block, Bullets, Document, Drawing, Facts, Heading, Para, Picture, render

log = logging.getLogger(__name__)

KINDS = {"client": "Client report", "progress": "Progress report", "referral": "Referral letter"}
# kinds in the neural differential that call for a physician (taut.core.reasoning.neural.ADVICE)
REFERRAL_NEURAL = {"root", "bony", "disc", "fibro_osseous"}
TOP_MUSCLES = 5


class ReportRefused(Exception):
    """The report cannot be made for this client; the message says why, in words."""


class UnknownKind(ReportRefused):
    pass


@dataclass(frozen=True)
class Reason:
    """One thing that calls for a referral."""

    title: str
    why: str
    action: str


# ------------------------------------------------------------------ reading the records


def person_name(user: Any) -> str:
    if user is None:
        return "the practitioner"
    full = (user.get_full_name() or "").strip() if hasattr(user, "get_full_name") else ""
    return full or str(getattr(user, "username", "") or "the practitioner")


def _date(value: dt.date | None) -> str:
    return value.strftime("%d %B %Y").lstrip("0") if value else "—"


def latest_visit(client: Client) -> Visit | None:
    return Visit.objects.filter(client=client).order_by("-date", "-pk").first()


def latest_chart(client: Client) -> PainChart | None:
    return PainChart.objects.filter(client=client).select_related("visit").order_by("-visit__date", "-pk").first()


def _percent(p: Any) -> str:
    try:
        return f"{round(float(p) * 100):d}%"
    except (TypeError, ValueError):
        return ""


def _sides(sides: list[str]) -> str:
    if not sides:
        return ""
    if set(sides) >= {"left", "right"}:
        return " (both sides)"
    return f" ({' and '.join(sides)} side)"


def pain_words(chart: PainChart, *, for_client: bool = True) -> list[Block]:
    """The chart's pain map and its ranking, in words for the client or for a physician."""
    base = load_base()
    blocks: list[Block] = []
    marks = []
    for mark in (chart.inputs or {}).get("pain") or []:
        zone = str(mark.get("zone") or "")
        known = base.zones.get(zone)
        name = known.name if known else zone.replace("_", " ")
        intensity = mark.get("intensity")
        marks.append(f"{name}: pain {intensity} out of 10" if intensity is not None else name)
    if marks:
        lead = "Where you marked pain" if for_client else "Pain marked on the body chart"
        blocks.append(Para(f"{lead} on {_date(chart.visit.date)}:"))
        blocks.append(Bullets(tuple(marks)))
    analysis = chart.analysis or {}
    rows = [r for r in analysis.get("rows") or [] if r.get("name")][:TOP_MUSCLES]
    if rows:
        items = []
        for i, row in enumerate(rows):
            where = _sides(row.get("sides") or [])
            chance = _percent(row.get("probability"))
            lead = "most likely" if i == 0 else "also possible"
            items.append(f"{row['name']}{where}: {lead}{f', {chance} of the weight' if chance else ''}")
        blocks.append(
            Para(
                "Muscles whose trigger points most often send pain to the places you marked, most likely first. "
                "They are checked by hand at the next visit; this ranking is a starting point, not a diagnosis."
                if for_client
                else "Muscles whose trigger points most often refer pain to the marked areas (ranked from the "
                "pain chart, most likely first; to be confirmed by palpation):"
            )
        )
        blocks.append(Bullets(tuple(items)))
    neural = [n for n in analysis.get("neural") or [] if n.get("label")]
    if neural:
        lead = "your chart" if for_client else "the chart"
        blocks.append(Para(f"Numbness, tingling or burning in {lead} fits these nerve patterns:"))
        blocks.append(
            Bullets(tuple(f"{n.get('name')}: {n['label']}. {n.get('advice', '')}".strip() for n in neural[:3]))
        )
    return blocks


def posture_blocks(client: Client) -> tuple[list[Block], list[PosturePhoto]]:
    """Posture findings of the latest photos (one per view) and the photos themselves."""
    photos = list(PosturePhoto.objects.filter(client=client).select_related("visit").order_by("-visit__date", "-pk"))
    latest: dict[str, PosturePhoto] = {}
    for photo in photos:
        latest.setdefault(photo.view, photo)
    blocks: list[Block] = []
    for photo in latest.values():
        findings = (photo.report or {}).get("findings") or []
        view = photo.get_view_display().lower()
        if findings:
            items = tuple(f"{f.get('name')}{'. ' + f['note'] if f.get('note') else ''}" for f in findings)
            blocks.append(Para(f"From the {view} posture photo of {_date(photo.visit.date)}:"))
            blocks.append(Bullets(items))
        else:
            blocks.append(
                Para(f"The {view} posture photo of {_date(photo.visit.date)} showed nothing outside the normal range.")
            )
    return blocks, list(latest.values())


def gait_blocks(client: Client) -> list[Block]:
    video = (
        GaitVideo.objects.filter(client=client, status=GaitVideo.Status.DONE)
        .select_related("visit")
        .order_by("-visit__date", "-pk")
        .first()
    )
    if video is None:
        return []
    report = video.report or {}
    findings = report.get("findings") or []
    items = tuple(str(f.get("name") or f.get("text") or f) if isinstance(f, dict) else str(f) for f in findings)
    if not items:
        flagged = [m for m in report.get("metrics") or [] if m.get("flag")]
        items = tuple(f"{m.get('name')}: {m.get('value')} {m.get('unit') or ''}".strip() for m in flagged)
    lead = f"From the walking video of {_date(video.visit.date)}"
    if items:
        return [Para(lead + ":"), Bullets(items)]
    return [Para(lead + ": the measured walking pattern was within the normal range.")]


def rom_blocks(client: Client) -> list[Block]:
    record = RomAssessment.objects.filter(client=client).select_related("visit").order_by("-visit__date", "-pk").first()
    if record is None:
        return []
    readings = record.readings or []
    items = []
    for i, entry in enumerate(record.entries or []):
        reading = readings[i] if i < len(readings) and isinstance(readings[i], dict) else {}
        motion = str(entry.get("motion") or "").replace("_", " ").capitalize()
        side = entry.get("side")
        value = entry.get("active") if entry.get("active") is not None else entry.get("passive")
        text = f"{motion}{f', {side}' if side and side != 'none' else ''}: {value}°"
        norm = reading.get("norm")
        if norm:
            text += f" (normal about {norm:g}°)" if isinstance(norm, int | float) else f" (normal {norm})"
        found = reading.get("findings") or []
        if found:
            text += ". " + "; ".join(str(f.get("text") if isinstance(f, dict) else f) for f in found)
        items.append(text)
    if not items:
        return []
    return [Para(f"How far you could move on {_date(record.visit.date)}:"), Bullets(tuple(items))]


def plan_blocks(client: Client) -> list[Block]:
    """The latest signed treatment plan (goals, treatment by muscle, schedule) and the latest home
    programme (each exercise with its picture, steps, dose and when to stop)."""
    return _signed_plan_blocks(client) + _programme_blocks(client)


def _signed_plan_blocks(client: Client) -> list[Block]:
    record = (
        TreatmentPlan.objects.filter(client=client, status=TreatmentPlan.Status.SIGNED)
        .select_related("visit")
        .order_by("-signed_at", "-pk")
        .first()
    )
    if record is None:
        return []
    plan = plans.plan_of(record)
    kb = load_base()
    blocks: list[Block] = [Para(f"Treatment plan signed on {_date(record.visit.date)}.")]
    if plan.goals:
        blocks += [Para("What we are working toward:"), Bullets(tuple(g.text for g in plan.goals))]
    for referral in plan.referrals:
        blocks.append(Para(f"Please see a physician ({referral.urgency}): {referral.reason}. {referral.advice}"))
    treated = []
    for item in plan.items:
        muscle = kb.muscles[item.muscle].name if item.muscle in kb.muscles else item.muscle
        technique = item.technique_name or item.technique.replace("_", " ")
        treated.append(f"{muscle}: {technique}{', ' + item.dose if item.dose else ''}")
    if treated:
        blocks += [Para("In the sessions we will treat:"), Bullets(tuple(treated))]
    if plan.schedule is not None:
        blocks.append(Para(f"How often: {plan.schedule.session_frequency}. {plan.schedule.expected_course}"))
    return blocks


def _programme_blocks(client: Client) -> list[Block]:
    programme = HomeProgramme.objects.filter(client=client).order_by("-created_at", "-pk").first()
    if programme is None:
        return []
    blocks: list[Block] = [Heading("Your home exercises")]
    for n, shown in enumerate(homecare.shown_items(programme), start=1):
        exercise = shown.exercise
        blocks.append(Para(f"{n}. {exercise.name}: {shown.dose}"))
        if exercise.figure is not None:
            blocks.append(Drawing(figure_svg(exercise.figure, title=exercise.name, size=120)))
        blocks.append(Bullets(tuple(exercise.steps)))
        if exercise.contraindications:
            blocks.append(Para("Stop and ask us if: " + "; ".join(exercise.contraindications) + ".", muted=True))
    return blocks


def signed_notes(client: Client) -> list[SessionNote]:
    return list(
        SessionNote.objects.filter(client=client, status=SessionNote.Status.SIGNED)
        .select_related("visit")
        .order_by("-visit__date", "-pk")
    )


def home_care_blocks(client: Client) -> list[Block]:
    """What the latest signed note asks the client to do at home, as the practitioner wrote it."""
    for note in signed_notes(client):
        if note.home_care.strip() or note.plan.strip():
            blocks: list[Block] = []
            if note.plan.strip():
                blocks.append(Para("Plan: " + note.plan))
            if note.home_care.strip():
                blocks.append(Para("At home: " + note.home_care))
            return blocks
    return []


# ------------------------------------------------------------------ the reports


def _document(client: Client, kind: str, user: Any) -> Document:
    return Document(
        title=KINDS[kind],
        clinic=client.clinic.name,
        practitioner=person_name(user),
        subtitle=f"{client.full_name} · born {_date(client.date_of_birth)} · {_date(timezone.localdate())}",
    )


def client_report(client: Client, user: Any) -> Document:
    from taut.core.vision.annotate import annotate
    from taut.motion import points

    doc = _document(client, "client", user)
    visit = latest_visit(client)
    if visit is not None:
        doc.add(Heading("Your visit"))
        doc.add(Facts((("Date", _date(visit.date)), ("What brought you", visit.chief_complaint or "—"))))
    chart = latest_chart(client)
    findings: list[Block] = []
    if chart is not None:
        findings += pain_words(chart)
    posture, photos = posture_blocks(client)
    findings += posture + gait_blocks(client) + rom_blocks(client)
    doc.add(Heading("What we found"))
    doc.add(*findings) if findings else doc.add(Para("No assessment has been recorded yet."))
    for photo in photos:
        try:
            png = annotate(points.read_media(photo), photo.landmarks, photo.report)
        except (OSError, ValueError) as exc:  # a missing or unreadable file leaves the photo out, not the report
            log.warning("posture photo %s left out of the report: %s", photo.pk, exc)
            continue
        doc.add(
            Picture(png, f"{photo.get_view_display()} posture photo, {_date(photo.visit.date)}: the plumb line, "
                    "the landmarks and the angles measured.", 110)
        )  # fmt: skip
    plan = plan_blocks(client) + home_care_blocks(client)
    if plan:
        doc.add(Heading("Your plan and home care"), *plan)
    doc.add(
        Para(
            "Tell us at once if you notice new numbness or weakness, loss of bladder or bowel control, "
            "fever with the pain, or pain that wakes you every night.",
            muted=True,
        )
    )
    return doc


def progress_report(client: Client, user: Any) -> Document:
    doc = _document(client, "progress", user)
    summary = core.summarise(services.build_series(client))
    doc.add(Heading("In words"), Para(summary.summary), Para(summary.why, muted=True))
    if not summary.measures:
        doc.add(Para("No measure has been recorded yet."))
    for kind, title in core.KIND_NAMES.items():
        measures = [m for m in summary.measures if m.series.kind == kind]
        if not measures:
            continue
        doc.add(Heading(title))
        for m in measures:
            doc.add(Picture(plot_png(m.series), m.summary, 150))
            if m.series.threshold_note:
                doc.add(Para(f"Smallest change that matters: {m.series.threshold_note}.", muted=True))
    if summary.sources:
        doc.add(Para("Sources: " + "; ".join(summary.sources) + ".", muted=True))
    return doc


def referral_reasons(client: Client) -> list[Reason]:
    """The active red flags and the suspected root or bony compressions of the latest chart."""
    from taut.safety.services import active_flags

    reasons = [
        Reason(f"{f.kind.capitalize()}: {f.label} ({f.urgency_label.lower()})", f.why, f.action)
        for f in active_flags(client)
        if f.kind == "red flag" or f.urgency == "refer"
    ]
    chart = latest_chart(client)
    for n in ((chart.analysis or {}).get("neural") or []) if chart else []:
        if n.get("kind") in REFERRAL_NEURAL:
            where = f" ({n['site'][:1].lower()}{n['site'][1:]})" if n.get("site") else ""
            fit = _percent(n.get("fit"))
            reasons.append(
                Reason(
                    f"Suspected {n.get('label')}: {n.get('name')}{where}",
                    f"The numb, tingling or burning areas of the pain chart of {_date(chart.visit.date)} "  # type: ignore[union-attr]
                    f"follow this pattern ({fit} of them inside its territory).",
                    str(n.get("advice") or "Medical assessment."),
                )
            )
    return reasons


def tests_done(client: Client) -> list[str]:
    base = load_base()
    out = []
    results = SpecialTestResult.objects.filter(client=client).select_related("visit").order_by("visit__date", "pk")
    for r in results:
        test = base.special_tests.get(r.test)
        name = test.name if test else r.test.replace("_", " ")
        side = "" if r.side in ("", "none") else f" ({r.get_side_display().lower()})"
        out.append(
            f"{name}{side}: {r.get_result_display().lower()}, {_date(r.visit.date)}"
            + (f" ({r.note})" if r.note else "")
        )
    for m in OutcomeMeasure.objects.filter(client=client).select_related("visit").order_by("visit__date", "pk"):
        inst = base.instruments.get(m.instrument)
        value = (m.score or {}).get("value")
        out.append(f"{inst.name if inst else m.instrument}: {value} points, {_date(m.visit.date)}")
    return out


def referral_letter(client: Client, user: Any) -> Document:
    reasons = referral_reasons(client)
    if not reasons:
        raise ReportRefused(
            "Nothing calls for a referral: this client has no active red flag and no suspected nerve root "
            "or bony compression. Record the finding first, or write to the physician in your own words."
        )
    doc = _document(client, "referral", user)
    physician = (client.physician or "").strip()
    doc.add(Para(f"To: {physician or 'the client’s physician'}"))
    doc.add(
        Para(
            f"Re: {client.full_name}, born {_date(client.date_of_birth)}. I am referring this client for a medical "
            "assessment because of the findings below. Please let me know whether massage and soft-tissue "
            "treatment may continue, and with what limits."
        )
    )
    doc.add(Heading("Why I am referring"))
    for r in reasons:
        doc.add(Para(r.title), Para(r.why + " " + r.action, muted=True))
    findings: list[Block] = []
    chart = latest_chart(client)
    if chart is not None:
        findings += pain_words(chart, for_client=False)
    posture, _ = posture_blocks(client)
    findings += posture + gait_blocks(client) + rom_blocks(client)
    if findings:
        doc.add(Heading("Findings"), *findings)
    tests = tests_done(client)
    doc.add(
        Heading("Tests done"),
        Bullets(tuple(tests)) if tests else Para("No special tests or outcome measures recorded."),
    )
    visit = latest_visit(client)
    if visit is not None and visit.chief_complaint:
        doc.add(Heading("What the client came with"), Para(visit.chief_complaint))
    doc.add(Para(f"Kind regards,\n{person_name(user)}\n{client.clinic.name}"))
    return doc


BUILDERS: dict[str, Callable[[Client, Any], Document]] = {
    "client": client_report,
    "progress": progress_report,
    "referral": referral_letter,
}


def filename(client: Client, kind: str) -> str:
    return f"{kind}-report-{client.pk}-{timezone.localdate().isoformat()}.pdf"


def render_report(client: Client, kind: str, user: Any) -> bytes:
    """The report as PDF bytes; one audited read of the client (nothing is written when refused)."""
    if kind not in BUILDERS:
        raise UnknownKind(f"There is no {kind!r} report; choose client, progress or referral.")
    doc = BUILDERS[kind](client, user)
    data = render(doc)
    with transaction.atomic():
        audit.record("read", client, detail={"view": "report", "kind": kind, "bytes": len(data)})
    return data
