"""Progress across the course of care: the client's records turned into the core's dated series.

Pain by region comes from the pain charts (a region marked at one chart and not at another counts
as 0 there) and pain now, before and after treatment from the signed session notes; range of motion
from the visits' ROM entries against their norm; outcome measures with their smallest important
change from the knowledge base; posture and gait measures with their measurement error.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from taut.assessments.models import OutcomeMeasure, PainChart, RomAssessment
from taut.audit import service as audit
from taut.clients.models import Client
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import Instrument
from taut.core.measures import progress as core
from taut.core.measures.progress_plot import plot_png
from taut.motion.models import GaitVideo, PosturePhoto
from taut.notes.models import SessionNote

PAIN_INSTRUMENT = "nprs"  # the 0-10 numeric pain rating scale: its MCID is the pain series' threshold
UNITS = {"deg": "degrees", "°": "degrees", "degree": "degrees"}


@dataclass(frozen=True)
class Chart:
    """One measure on the page: its progress in words and its chart as a data: URI."""

    progress: core.MeasureProgress
    png_uri: str

    @property
    def verdict_label(self) -> str:
        if self.progress.first is None:
            return "measured once"
        return {"better": "better", "worse": "worse", "same": "no change that matters", "changed": "changed"}[
            self.progress.verdict
        ]


@dataclass(frozen=True)
class Section:
    kind: str
    title: str
    charts: tuple[Chart, ...]


@dataclass(frozen=True)
class ProgressView:
    summary: core.ProgressSummary
    sections: tuple[Section, ...]


# ------------------------------------------------------------------ reading the records


def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        return None
    return float(x)


def _nprs() -> Instrument | None:
    return load_base().instruments.get(PAIN_INSTRUMENT)


def _pain_threshold() -> dict[str, Any]:
    nprs = _nprs()
    if nprs is None or nprs.mcid is None:
        return {}
    return {
        "threshold": nprs.mcid.value,
        "threshold_kind": "mcid",
        "threshold_note": f"the {nprs.name}'s smallest important change",
        "sources": (nprs.mcid.source.source,),
    }


def pain_series(client: Client) -> list[core.Series]:
    """Pain by region from the pain charts, and pain now / before / after treatment from the signed notes."""
    base = load_base()
    charts = list(PainChart.objects.filter(client=client).select_related("visit").order_by("visit__date", "pk"))
    by_zone: dict[str, dict[int, float]] = {}
    for chart in charts:
        for mark in (chart.inputs or {}).get("pain") or []:
            zone, value = str(mark.get("zone") or ""), _num(mark.get("intensity"))
            if zone and value is not None:
                marks = by_zone.setdefault(zone, {})
                marks[chart.pk] = max(value, marks.get(chart.pk, 0.0))
    threshold = _pain_threshold()
    out: list[core.Series] = []
    for zone, marks in sorted(by_zone.items()):
        known = base.zones.get(zone)
        name = known.name if known else zone.replace("_", " ")
        points = tuple(core.Point(c.visit.date, marks.get(c.pk, 0.0), "pain chart") for c in charts)
        out.append(core.Series(f"pain:{zone}", f"Pain, {name}", "pain", "points", points, "lower_better", **threshold))
    notes = list(
        SessionNote.objects.filter(client=client, status=SessionNote.Status.SIGNED)
        .select_related("visit")
        .order_by("visit__date", "pk")
    )
    for field, label in (("pain_now", "now"), ("pain_before", "before treatment"), ("pain_after", "after treatment")):
        points = tuple(
            core.Point(n.visit.date, float(getattr(n, field)), "session note")
            for n in notes
            if getattr(n, field) is not None
        )
        if points:
            name = f"Pain {label} (session notes)"
            out.append(core.Series(f"pain:{field}", name, "pain", "points", points, "lower_better", **threshold))
    return out


def rom_series(client: Client) -> list[core.Series]:
    """Each motion and side (active, else passive range) across the visits, against its norm."""
    records = RomAssessment.objects.filter(client=client).select_related("visit").order_by("visit__date", "pk")
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for record in records:
        readings = record.readings or []
        for i, entry in enumerate(record.entries or []):
            reading = readings[i] if i < len(readings) and isinstance(readings[i], dict) else {}
            for mode in ("active", "passive"):
                value = _num(entry.get(mode))
                if value is None:
                    continue
                key = (str(entry.get("motion") or ""), str(entry.get("side") or ""), mode)
                item = found.setdefault(key, {"points": [], "norm": None, "unit": "degrees"})
                item["points"].append(core.Point(record.visit.date, value, "range of motion"))
                item["norm"] = _num(reading.get("norm")) or item["norm"]
                item["unit"] = UNITS.get(str(reading.get("unit") or "degrees"), str(reading.get("unit") or "degrees"))
    out = []
    for (motion, side, mode), item in sorted(found.items()):
        label = motion.replace("_", " ").capitalize()
        where = f", {side}" if side and side != "none" else ""
        norm = item["norm"]
        out.append(
            core.Series(
                f"rom:{motion}:{side}:{mode}",
                f"{label}{where} ({mode})",
                "rom",
                item["unit"],
                tuple(item["points"]),
                "up_to_norm" if norm else "higher_better",
                norm=norm,
            )
        )
    return out


def outcome_series(client: Client) -> list[core.Series]:
    """Each outcome measure's scores, with its direction and smallest important change from the knowledge base."""
    base = load_base()
    found: dict[str, list[core.Point]] = {}
    for m in OutcomeMeasure.objects.filter(client=client).select_related("visit").order_by("visit__date", "pk"):
        instrument = base.instruments.get(m.instrument)
        if instrument is None:
            continue
        in_percent = instrument.mcid is not None and instrument.mcid.unit == "percent"
        value = _num((m.score or {}).get("percent" if in_percent else "value"))
        if value is None:
            value = _num((m.score or {}).get("value"))
        if value is not None:
            found.setdefault(m.instrument, []).append(core.Point(m.visit.date, value, "outcome measure"))
    out = []
    for instrument_id, points in found.items():
        inst = base.instruments[instrument_id]
        mcid = inst.mcid
        sources = tuple(ref.source for ref in inst.sources) + ((mcid.source.source,) if mcid else ())
        out.append(
            core.Series(
                f"outcome:{instrument_id}",
                inst.name,
                "outcome",
                "%" if mcid and mcid.unit == "percent" else "points",
                tuple(points),
                "lower_better" if inst.higher_is == "worse" else "higher_better",
                threshold=mcid.value if mcid else None,
                threshold_kind="mcid" if mcid else None,
                threshold_note=mcid.note if mcid else "",
                sources=sources,
            )
        )
    return out


def _measure_series(
    kind: core.Kind, key: str, name: str, rows: Iterable[tuple[dt.date, dict[str, Any], Any]]
) -> core.Series | None:
    points: list[core.Point] = []
    low: float | None = None
    high: float | None = None
    error: float | None = None
    unit = ""
    sources: tuple[str, ...] = ()
    for when, m, normal in rows:
        value = _num(m.get("value"))
        if value is None:
            continue
        points.append(core.Point(when, value, kind))
        if isinstance(normal, dict):
            low, high = _num(normal.get("low")), _num(normal.get("high"))
        elif isinstance(normal, list | tuple) and len(normal) == 2:
            low, high = _num(normal[0]), _num(normal[1])
        error = _num(m.get("error")) or error
        unit = UNITS.get(str(m.get("unit") or ""), str(m.get("unit") or ""))
        sources = tuple(str(s) for s in m.get("sources") or ())
    if not points:
        return None
    ranged = low is not None and high is not None and low <= high
    return core.Series(
        key,
        name,
        kind,
        unit,
        tuple(points),
        "into_range" if ranged else "unknown",
        normal_range=(low, high) if ranged else None,  # type: ignore[arg-type]
        threshold=error if error and error > 0 else None,
        threshold_kind="error" if error and error > 0 else None,
        threshold_note="the method's error as the measurement records it" if error else "",
        sources=sources,
    )


def motion_series(client: Client) -> list[core.Series]:
    """Posture measures per photo view and side, and gait metrics per video view, by date."""
    rows: dict[tuple[core.Kind, str], list[tuple[dt.date, dict[str, Any], Any]]] = {}
    names: dict[tuple[core.Kind, str], str] = {}
    photos = PosturePhoto.objects.filter(client=client).select_related("visit").order_by("visit__date", "pk")
    for photo in photos:
        for m in (photo.report or {}).get("measures") or []:
            side = m.get("side")
            key: tuple[core.Kind, str] = ("posture", f"posture:{photo.view}:{m.get('id')}:{side or ''}")
            names[key] = f"{m.get('name')}{f', {side}' if side else ''} ({photo.get_view_display().lower()} photo)"
            rows.setdefault(key, []).append((photo.visit.date, m, m.get("normal")))
    videos = GaitVideo.objects.filter(client=client, status=GaitVideo.Status.DONE).select_related("visit")
    for video in videos.order_by("visit__date", "pk"):
        for m in (video.report or {}).get("metrics") or []:
            gait_key: tuple[core.Kind, str] = ("gait", f"gait:{video.view}:{m.get('id')}")
            names[gait_key] = f"{m.get('name')} (gait, {video.get_view_display().lower()})"
            rows.setdefault(gait_key, []).append((video.visit.date, m, m.get("normal")))
    out = []
    for (kind, series_id), found in rows.items():
        series = _measure_series(kind, series_id, names[(kind, series_id)], found)
        if series is not None:
            out.append(series)
    return out


def build_series(client: Client) -> list[core.Series]:
    """Every dated measure of the client, in the active clinic (the caller audits the read)."""
    return pain_series(client) + rom_series(client) + outcome_series(client) + motion_series(client)


def png_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def read_progress(client: Client) -> ProgressView:
    """The client's progress in words and charts; the read is audited."""
    series = build_series(client)
    summary = core.summarise(series)
    sections = []
    for kind, title in core.KIND_NAMES.items():
        charts = tuple(Chart(m, png_uri(plot_png(m.series))) for m in summary.measures if m.series.kind == kind)
        if charts:
            sections.append(Section(kind, title, charts))
    with transaction.atomic():
        audit.record("read", client, detail={"view": "progress", "measures": len(series)})
    return ProgressView(summary, tuple(sections))
