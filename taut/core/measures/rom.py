"""Range of motion: check a measurement, compare it with the norm, and read what it means.

The reading follows the usual clinical logic (and says so in words):

* both active and passive below the norm -> the motion is restricted, by a short muscle or a
  stiff joint; the muscles whose shortness restricts it are named from the knowledge base;
* active clearly below passive -> the range is there but not produced: pain, guarding or weakness;
* pain on the motion, or a painful arc, is reported as such;
* beyond the published upper limit of normal -> more range than usual (hypermobility); a value
  above the average norm alone is never called hypermobile, since half of healthy people are;
* a left-right difference beyond the threshold is noted, in degrees.

RESTRICTED_BELOW and ACTIVE_PASSIVE_GAP are Taut's conventions, not facts from a source; the norms
are, and so is the left-right threshold: a difference of more than 10 degrees is beyond the
minimal detectable change of repeated cervical range-of-motion measurement (5.4 to 9.6 degrees,
source `fletcher_bandy_2008_crom`), so it is unlikely to be measurement error alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from taut.core.errors import FieldError
from taut.core.knowledge import queries
from taut.core.knowledge.schema import JointMotion, KnowledgeBase

RESTRICTED_BELOW = 0.8  # share of the norm under which a motion reads as restricted
ACTIVE_PASSIVE_GAP = 10.0  # degrees (or mm) by which active must fall short of passive to count
SIDE_DIFFERENCE = 0.15  # share of the norm by which left and right must differ to count (mm, or no norm)
SIDE_DIFFERENCE_DEGREES = 10.0  # degrees by which left and right must differ (more than) to count
SIDE_DIFFERENCE_SOURCE = "fletcher_bandy_2008_crom"
MAX_PLAUSIBLE = {"degrees": 200.0, "mm": 90.0}


class EndFeel(StrEnum):
    """What the examiner feels at the end of passive range."""

    NORMAL = "normal"
    HARD = "hard"  # bone on bone
    FIRM = "firm"  # capsule or ligament stretch
    SOFT = "soft"  # soft tissue meeting soft tissue
    SPRINGY = "springy"  # a rebound, e.g. a displaced disc of cartilage
    SPASM = "spasm"  # muscle guarding
    EMPTY = "empty"  # pain stops the motion before any resistance


class RomError(FieldError):
    """A range-of-motion entry that cannot be read (the field names which part)."""


@dataclass(frozen=True, slots=True)
class RomEntry:
    motion: JointMotion
    side: str  # left | right | midline
    active: float | None = None
    passive: float | None = None
    end_feel: EndFeel | None = None
    painful: bool = False
    painful_arc: bool = False


@dataclass(frozen=True, slots=True)
class RomReading:
    motion: str
    side: str
    unit: str
    norm: float | None
    norm_id: str | None
    active_percent: float | None
    passive_percent: float | None
    findings: tuple[str, ...]  # what each code means, in words, in the same order as ``codes``
    muscles: tuple[str, ...]  # muscles whose shortness restricts this motion, when it is restricted
    codes: tuple[str, ...] = ()  # the findings as stable codes (FINDINGS); callers branch on these
    active: float | None = None  # as measured, in ``unit``
    passive: float | None = None
    norm_low: float | None = None  # the published limits of normal, when the source gives them
    norm_high: float | None = None

    @property
    def restricted(self) -> bool:
        return any(code in RESTRICTED for code in self.codes)


# Each finding a reading can carry: its code, and what it says.
FINDINGS: dict[str, str] = {
    "restricted_passive": "restricted, passive too: a short muscle or a stiff joint",
    "restricted_active_untested": "restricted actively; test passive range to tell shortness from pain or weakness",
    "restricted_active": "restricted actively only",
    "hypermobile": "beyond the upper limit of normal: more range than usual (hypermobile)",
    "no_norm": "no norm in the knowledge base for this motion",
    "active_below_passive": "active below passive: pain, guarding or weakness rather than shortness",
    "painful": "painful on motion",
    "painful_arc": "painful arc",
}
RESTRICTED = frozenset({"restricted_passive", "restricted_active_untested", "restricted_active"})


def check_entry(base: KnowledgeBase, entry: RomEntry) -> None:
    """Refuse impossible values (a 400-degree entry is an error, not a record)."""
    norm = queries.rom_norm_for(base, entry.motion)
    unit = norm.unit if norm else "degrees"
    limit = round(max(MAX_PLAUSIBLE[unit], (norm.high_degrees or norm.normal_degrees) * 1.6 if norm else 0))
    if entry.side not in ("left", "right", "midline"):
        raise RomError("side", f"{entry.side!r} is not a side; use left, right or midline.")
    for name, value in (("active", entry.active), ("passive", entry.passive)):
        if value is None:
            continue
        if not 0 <= value <= limit:
            raise RomError(name, f"{value:g} {unit} is not a plausible {entry.motion.value.replace('_', ' ')}; "
                           f"enter a value from 0 to {limit:g} {unit}.")  # fmt: skip
    if entry.active is None and entry.passive is None:
        raise RomError("active", "enter an active or a passive value (or both).")


def read(base: KnowledgeBase, entry: RomEntry, *, age: int | None = None, sex: str | None = None) -> RomReading:
    check_entry(base, entry)
    norm = queries.rom_norm_for(base, entry.motion, age=age, sex=sex)
    codes: list[str] = []
    muscles: tuple[str, ...] = ()
    active_pct = passive_pct = None
    if norm is not None and norm.normal_degrees > 0:
        if entry.active is not None:
            active_pct = round(entry.active / norm.normal_degrees * 100, 1)
        if entry.passive is not None:
            passive_pct = round(entry.passive / norm.normal_degrees * 100, 1)
        cut = RESTRICTED_BELOW * 100
        active_low = active_pct is not None and active_pct < cut
        passive_low = passive_pct is not None and passive_pct < cut
        if passive_low and (active_pct is None or active_low):
            codes.append("restricted_passive")
            muscles = norm.restricting_muscles
        elif active_low and passive_pct is None:
            codes.append("restricted_active_untested")
            muscles = norm.restricting_muscles
        elif active_low:
            codes.append("restricted_active")
        top = norm.high_degrees  # only a published upper limit of normal makes a range hypermobile
        if top is not None and any(v is not None and v > top for v in (entry.active, entry.passive)):
            codes.append("hypermobile")
    else:
        codes.append("no_norm")
    short_active = norm is None or (entry.active or 0) < RESTRICTED_BELOW * norm.normal_degrees
    gap = entry.active is not None and entry.passive is not None and entry.passive - entry.active >= ACTIVE_PASSIVE_GAP
    if gap and short_active:
        codes.append("active_below_passive")
    if entry.painful:
        codes.append("painful")
    if entry.painful_arc:
        codes.append("painful_arc")
    if entry.end_feel is not None and entry.end_feel not in (EndFeel.NORMAL,):
        codes.append(f"end_feel_{entry.end_feel.value}")
    return RomReading(
        motion=entry.motion.value,
        side=entry.side,
        unit=norm.unit if norm else "degrees",
        norm=norm.normal_degrees if norm else None,
        norm_id=norm.id if norm else None,
        active_percent=active_pct,
        passive_percent=passive_pct,
        findings=tuple(_words(code) for code in codes),
        muscles=tuple(muscles),
        codes=tuple(codes),
        active=entry.active,
        passive=entry.passive,
        norm_low=norm.low_degrees if norm else None,
        norm_high=norm.high_degrees if norm else None,
    )


def _words(code: str) -> str:
    if code.startswith("end_feel_"):
        return f"{code.removeprefix('end_feel_')} end-feel"
    return FINDINGS[code]


def side_differences(readings: list[RomReading]) -> dict[str, float]:
    """Motion -> left minus right (in % of the norm) where the two sides differ beyond the threshold."""
    by_motion: dict[str, dict[str, float]] = {}
    for r in readings:
        value = r.active_percent if r.active_percent is not None else r.passive_percent
        if value is not None and r.side in ("left", "right"):
            by_motion.setdefault(r.motion, {})[r.side] = value
    return {
        motion: round(sides["left"] - sides["right"], 1)
        for motion, sides in by_motion.items()
        if len(sides) == 2 and abs(sides["left"] - sides["right"]) >= SIDE_DIFFERENCE * 100
    }


@dataclass(frozen=True, slots=True)
class Asymmetry:
    """A left-right difference in one motion beyond the threshold, with both values as measured."""

    motion: str
    mode: str  # active | passive: the values compared
    unit: str
    left: float
    right: float
    threshold: float
    source: str | None  # the source of the threshold (None: Taut's convention, for mm)

    @property
    def difference(self) -> float:
        return round(abs(self.left - self.right), 1)

    @property
    def smaller_side(self) -> str:
        return "left" if self.left < self.right else "right"

    def words(self) -> str:
        unit = "degrees" if self.unit == "degrees" else "mm"
        motion = self.motion.replace("_", " ")
        return (
            f"{motion[:1].upper()}{motion[1:]}: left {self.left:g} and right {self.right:g} {unit} ({self.mode}), "
            f"{self.difference:g} {unit} less on the {self.smaller_side}; a left-right difference of more than "
            f"{self.threshold:g} {unit} is beyond measurement error"
        )


def asymmetries(readings: list[RomReading]) -> list[Asymmetry]:
    """The motions whose left and right differ by more than the threshold, compared in degrees (or mm):
    active with active when both sides have it, else passive with passive."""
    by_motion: dict[str, dict[str, RomReading]] = {}
    for r in readings:
        if r.side in ("left", "right"):
            by_motion.setdefault(r.motion, {})[r.side] = r
    out: list[Asymmetry] = []
    for motion, sides in by_motion.items():
        if len(sides) != 2:
            continue
        left, right = sides["left"], sides["right"]
        for mode in ("active", "passive"):
            a, b = getattr(left, mode), getattr(right, mode)
            if a is None or b is None:
                continue
            if left.unit == "degrees":
                threshold, source = SIDE_DIFFERENCE_DEGREES, SIDE_DIFFERENCE_SOURCE
            else:
                threshold, source = round(SIDE_DIFFERENCE * (left.norm or max(a, b)), 1), None
            if abs(a - b) > threshold:
                out.append(Asymmetry(motion, mode, left.unit, float(a), float(b), threshold, source))
            break
    return out


def restricted_motions(readings: list[RomReading]) -> frozenset[str]:
    """The motions read as restricted (for the pain-pattern reasoning)."""
    return frozenset(r.motion for r in readings if r.restricted)
