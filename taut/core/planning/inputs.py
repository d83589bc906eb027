"""What a visit found, as a plain value the planner reads (the web layer builds it later)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RankedMuscle:
    muscle: str  # muscle id
    score: float


@dataclass(frozen=True, slots=True)
class PlanInputs:
    chief_complaint: str = ""
    functional_goals: tuple[str, ...] = ()
    condition: str | None = None  # condition id
    days_since_onset: int | None = None
    muscles: tuple[RankedMuscle, ...] = ()
    red_flags: tuple[str, ...] = ()  # red flag ids
    precautions: tuple[str, ...] = ()  # precaution ids answered yes at intake
    medications: tuple[str, ...] = ()  # in words, as the client wrote them
