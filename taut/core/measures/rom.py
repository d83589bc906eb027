"""Range of motion: check a measurement, compare it with the norm, and read what it means.

The reading follows the usual clinical logic (and says so in words):

* both active and passive below the norm -> the motion is restricted, by a short muscle or a
  stiff joint; the muscles whose shortness restricts it are named from the knowledge base;
* active clearly below passive -> the range is there but not produced: pain, guarding or weakness;
* pain on the motion, or a painful arc, is reported as such;
* well beyond the norm -> more range than usual (hypermobility);
* a left-right difference beyond the threshold is noted.

The thresholds are Taut's conventions (below), not facts from a source; the norms are.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from taut.core.errors import FieldError
from taut.core.knowledge import queries
from taut.core.knowledge.schema import JointMotion, KnowledgeBase

RESTRICTED_BELOW = 0.8  # share of the norm under which a motion reads as restricted
HYPERMOBILE_ABOVE = 1.2  # share of the norm above which it reads as more than usual
ACTIVE_PASSIVE_GAP = 10.0  # degrees (or mm) by which active must fall short of passive to count
SIDE_DIFFERENCE = 0.15  # share of the norm by which left and right must differ to count
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

    @property
    def restricted(self) -> bool:
        return any(code in RESTRICTED for code in self.codes)


# Each finding a reading can carry: its code, and what it says.
FINDINGS: dict[str, str] = {
    "restricted_passive": "restricted, passive too: a short muscle or a stiff joint",
    "restricted_active_untested": "restricted actively; test passive range to tell shortness from pain or weakness",
    "restricted_active": "restricted actively only",
    "hypermobile": "more range than usual (hypermobile)",
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
        high = [p for p in (active_pct, passive_pct) if p is not None and p > HYPERMOBILE_ABOVE * 100]
        if high:
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


def restricted_motions(readings: list[RomReading]) -> frozenset[str]:
    """The motions read as restricted (for the pain-pattern reasoning)."""
    return frozenset(r.motion for r in readings if r.restricted)
