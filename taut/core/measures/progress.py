"""Progress across a course of care: each measure's change since the first and the previous time.

A measure is a dated ``Series`` (pain in one region, one range of motion, one outcome measure, one
posture or gait measure). ``compare`` reads it and says, in words, whether the client is better,
the same or worse, by how much, and whether the change is beyond the measure's threshold: the
smallest important change (MCID) of an outcome measure, or the measurement's own error. A change
that does not reach the threshold is reported as "the same", with the size it had.

Direction is part of the series: ``lower_better`` (pain, most disability scales),
``higher_better`` (function scales), ``up_to_norm`` (range of motion: more is better until the
norm, beyond it nothing more is gained), ``into_range`` (posture and gait measures with a normal
range: closer to the range is better) and ``unknown`` (only "changed" or "the same" can be said).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from taut.core.errors import TautError

Direction = Literal["lower_better", "higher_better", "up_to_norm", "into_range", "unknown"]
ThresholdKind = Literal["mcid", "error"]
Verdict = Literal["better", "worse", "same", "changed"]
Kind = Literal["pain", "rom", "outcome", "posture", "gait"]

DIRECTIONS: tuple[str, ...] = ("lower_better", "higher_better", "up_to_norm", "into_range", "unknown")
KIND_NAMES: dict[str, str] = {
    "pain": "Pain",
    "rom": "Range of motion",
    "outcome": "Outcome measures",
    "posture": "Posture",
    "gait": "Gait",
}
EPSILON = 1e-9


class ProgressError(TautError, ValueError):
    """A series that cannot be read: no points, a value that is not a number, a bad threshold."""

    def __init__(self, measure: str, what: str, how_to_fix: str) -> None:
        self.measure = measure
        self.what = what
        self.how_to_fix = how_to_fix
        super().__init__(f"{measure}: {what}. How to fix: {how_to_fix}", code="progress")


@dataclass(frozen=True, slots=True)
class Point:
    """One measurement on one day; ``note`` says where it came from ("visit", "session note")."""

    when: dt.date
    value: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class Series:
    """One measure over time, with what "better" means for it and the change that matters."""

    id: str
    name: str
    kind: Kind
    unit: str
    points: tuple[Point, ...]
    direction: Direction
    norm: float | None = None  # up_to_norm: the normal value
    normal_range: tuple[float, float] | None = None  # into_range: the normal range
    threshold: float | None = None  # the smallest important change or the measurement error
    threshold_kind: ThresholdKind | None = None
    threshold_note: str = ""  # where the threshold comes from, in words
    sources: tuple[str, ...] = ()

    def ordered(self) -> tuple[Point, ...]:
        """The points by date (points of one day keep the order they were given in)."""
        return tuple(sorted(self.points, key=lambda p: p.when))


@dataclass(frozen=True, slots=True)
class Comparison:
    """The latest value against one earlier value of the same series."""

    against: Literal["first", "previous"]
    since: dt.date
    before: float
    after: float
    difference: float  # after - before, in the series' unit
    toward: Literal["better", "worse", "none", "unknown"]
    beyond: bool | None  # beyond the threshold; None when the series has none
    verdict: Verdict
    words: str


@dataclass(frozen=True, slots=True)
class MeasureProgress:
    """What one measure did over the course of care."""

    series: Series
    latest: Point
    first: Comparison | None  # None with a single point
    previous: Comparison | None  # None with fewer than three points (the previous is the first)
    verdict: Verdict  # the verdict against the first measurement ("same" with a single point)
    summary: str
    why: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProgressSummary:
    """Every measure, and one paragraph of words over them all."""

    measures: tuple[MeasureProgress, ...]
    better: tuple[str, ...]
    same: tuple[str, ...]
    worse: tuple[str, ...]
    changed: tuple[str, ...]
    single: tuple[str, ...]  # measured once: nothing to compare yet
    summary: str
    why: str
    sources: tuple[str, ...]


# ------------------------------------------------------------------ public API


def check(series: Series) -> tuple[Point, ...]:
    """The series' points by date, or a :class:`ProgressError` saying what is wrong with it."""
    name = series.name or series.id or "a measure"
    if series.direction not in DIRECTIONS:
        raise ProgressError(name, f"unknown direction {series.direction!r}", f"use one of {', '.join(DIRECTIONS)}")
    if not series.points:
        raise ProgressError(name, "the series has no measurements", "give at least one dated value")
    for p in series.points:
        if not isinstance(p.when, dt.date):
            raise ProgressError(name, f"{p.when!r} is not a date", "give each value the day it was measured")
        if isinstance(p.value, bool) or not isinstance(p.value, int | float) or not math.isfinite(p.value):
            raise ProgressError(name, f"the value on {p.when.isoformat()} is not a number", "enter a number")
    if series.threshold is not None:
        if not math.isfinite(series.threshold) or series.threshold <= 0:
            raise ProgressError(name, "the threshold must be a positive number", "give a positive threshold or none")
        if series.threshold_kind is None:
            raise ProgressError(name, "a threshold needs its kind", "say whether it is an MCID or a measurement error")
    if series.direction == "up_to_norm" and series.norm is None:
        raise ProgressError(name, "'up to the norm' needs the norm", "give the normal value, or use higher_better")
    bad_range = series.normal_range is None or series.normal_range[0] > series.normal_range[1]
    if series.direction == "into_range" and bad_range:
        raise ProgressError(name, "'into the range' needs a normal range (low <= high)", "give the normal range")
    return series.ordered()


def compare(series: Series) -> MeasureProgress:
    """The latest value of the series against its first and its previous value, in numbers and words."""
    points = check(series)
    latest = points[-1]
    first = _compare(series, points[0], latest, "first") if len(points) > 1 else None
    previous = _compare(series, points[-2], latest, "previous") if len(points) > 2 else None
    verdict: Verdict = first.verdict if first else "same"
    unit = _unit(series.unit)
    head = f"{series.name}: {_num(latest.value)}{unit} on {latest.when.isoformat()}"
    if first is None:
        summary = f"{head}; measured once, nothing to compare with yet."
    else:
        summary = f"{head}; {first.words}"
        if previous is not None:
            summary += f"; {previous.words}"
        summary += "."
    return MeasureProgress(
        series=series,
        latest=latest,
        first=first,
        previous=previous,
        verdict=verdict,
        summary=summary,
        why=_why(series),
        sources=tuple(dict.fromkeys(series.sources)),
    )


def summarise(all_series: Iterable[Series]) -> ProgressSummary:
    """Compare every series and say in a few sentences on which measures the client is better, the same or worse."""
    measures = tuple(compare(s) for s in all_series)
    groups: dict[str, list[str]] = {"better": [], "same": [], "worse": [], "changed": [], "single": []}
    for m in measures:
        key = "single" if m.first is None else m.verdict
        groups[key].append(m.series.name)
    parts: list[str] = []
    if not measures:
        parts.append("No measurements yet: record pain, range of motion or an outcome measure at a visit.")
    if groups["better"]:
        parts.append(f"Better since the first measurement on {_join(groups['better'])}.")
    if groups["worse"]:
        parts.append(f"Worse on {_join(groups['worse'])}.")
    if groups["same"]:
        parts.append(f"No change that matters on {_join(groups['same'])}.")
    if groups["changed"]:
        parts.append(f"Changed, with no direction known to call it better or worse, on {_join(groups['changed'])}.")
    if groups["single"]:
        parts.append(f"Measured once so far: {_join(groups['single'])}.")
    sources = tuple(dict.fromkeys(s for m in measures for s in m.sources))
    return ProgressSummary(
        measures=measures,
        better=tuple(groups["better"]),
        same=tuple(groups["same"]),
        worse=tuple(groups["worse"]),
        changed=tuple(groups["changed"]),
        single=tuple(groups["single"]),
        summary=" ".join(parts),
        why=(
            "Each measure's latest value is compared with its first; a change smaller than the measure's "
            "smallest important change or its measurement error counts as no change."
        ),
        sources=sources,
    )


def goodness(series: Series, value: float) -> float | None:
    """A number that rises as the client gets better on this measure (None when the direction is unknown)."""
    if series.direction == "higher_better":
        return value
    if series.direction == "lower_better":
        return -value
    if series.direction == "up_to_norm":
        assert series.norm is not None
        return min(value, series.norm)
    if series.direction == "into_range":
        assert series.normal_range is not None
        low, high = series.normal_range
        return -max(low - value, value - high, 0.0)
    return None


# ------------------------------------------------------------------ internals


def _compare(series: Series, before: Point, after: Point, against: Literal["first", "previous"]) -> Comparison:
    difference = _round(after.value - before.value)
    g0, g1 = goodness(series, before.value), goodness(series, after.value)
    toward: Literal["better", "worse", "none", "unknown"]
    if g0 is None or g1 is None:
        toward = "none" if abs(difference) < EPSILON else "unknown"
    elif abs(g1 - g0) < EPSILON:
        toward = "none"
    else:
        toward = "better" if g1 > g0 else "worse"
    beyond = None if series.threshold is None else abs(difference) >= series.threshold - EPSILON
    verdict: Verdict
    if toward == "none" or beyond is False:
        verdict = "same"
    elif toward == "unknown":
        verdict = "changed"
    else:
        verdict = toward
    when = "the first" if against == "first" else "the previous"
    since = f"since {when} measurement ({before.when.isoformat()}, {_num(before.value)}{_unit(series.unit)})"
    size = f"{_num(abs(difference))}{_unit(series.unit)}"
    words = _words(series, toward, beyond, size, since, before.value, after.value)
    return Comparison(against, before.when, before.value, after.value, difference, toward, beyond, verdict, words)


def _words(
    series: Series,
    toward: str,
    beyond: bool | None,
    size: str,
    since: str,
    before: float,
    after: float,
) -> str:
    threshold = _threshold_words(series)
    if toward == "none":
        if abs(after - before) < EPSILON:
            return f"the same {since}"
        if series.direction == "up_to_norm":
            return f"the same {since}: at or above the norm both times ({size} apart)"
        return f"the same {since}: within the normal range both times ({size} apart)"
    if beyond is False:
        lean = "" if toward == "unknown" else f" toward {toward}"
        if series.threshold_kind == "error":
            return f"no change beyond the measurement's error {_threshold_amount(series)} {since}: {size}{lean}"
        return f"no change as large as the smallest important change {_threshold_amount(series)} {since}: {size}{lean}"
    if toward == "unknown":
        tail = f", beyond {threshold}" if beyond else f" ({_no_threshold(series)})"
        return f"changed by {size} {since}{tail}"
    tail = f", beyond {threshold}" if beyond else f" ({_no_threshold(series)})"
    return f"{toward} by {size} {since}{tail}"


def _threshold_amount(series: Series) -> str:
    amount = f"{_num(series.threshold or 0)}{_unit(series.unit)}"
    return f"(±{amount})" if series.threshold_kind == "error" else f"({amount})"


def _threshold_words(series: Series) -> str:
    """The threshold as a noun phrase: "the smallest important change (5 points)"."""
    if series.threshold is None:
        return ""
    if series.threshold_kind == "error":
        return f"the measurement's error {_threshold_amount(series)}"
    return f"the smallest important change {_threshold_amount(series)}"


def _no_threshold(series: Series) -> str:
    return "no smallest important change or measurement error on file to judge it against"


def _why(series: Series) -> str:
    direction = {
        "lower_better": "a lower value is better",
        "higher_better": "a higher value is better",
        "up_to_norm": f"a higher value is better up to the norm ({_num(series.norm or 0)}{_unit(series.unit)})",
        "into_range": "a value closer to the normal range is better"
        + (
            f" ({_num(series.normal_range[0])} to {_num(series.normal_range[1])}{_unit(series.unit)})"
            if series.normal_range
            else ""
        ),
        "unknown": "no direction is known for this measure, so only a change can be reported",
    }[series.direction]
    text = f"{series.name}: {direction}; "
    if series.threshold is None:
        text += "no smallest important change or measurement error is on file, so any change is reported"
    else:
        text += f"{_threshold_words(series)} is the threshold; a smaller change counts as no change"
    if series.threshold_note:
        text += f" ({series.threshold_note})"
    return text + "."


def _num(x: float) -> str:
    r = _round(x)
    return str(int(r)) if float(r).is_integer() else f"{r:g}"


def _unit(unit: str) -> str:
    if not unit:
        return ""
    if unit in {"°", "%", "/10"}:
        return unit
    if unit == "degrees":
        return "°"
    return f" {unit}"


def _round(x: float) -> float:
    return round(x + 0.0, 2) + 0.0


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
