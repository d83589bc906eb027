"""What a visit found, as a plain value the planner reads (the web layer builds it later).

Every field has a default, so a plan can be made from whatever the visit recorded; fields
added later are optional, so inputs stored by an earlier version still read back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RankedMuscle:
    muscle: str  # muscle id
    score: float


@dataclass(frozen=True, slots=True)
class NeuralInput:
    """One suspect of the neural differential (``taut.core.reasoning.neural.NeuralFinding``)."""

    kind: str  # root | soft_tissue | fibro_osseous | bony | disc
    structure: str  # a root (C6) or a nerve id (median)
    name: str  # "C6 nerve root", "median nerve at the carpal tunnel"
    label: str = ""  # "nerve root compression (disc or bone at the spine)"
    muscle: str | None = None  # the entrapping muscle, for soft tissue
    score: float = 0.0

    @staticmethod
    def from_finding(finding: Any) -> NeuralInput:
        """From a ``NeuralFinding`` of the reasoning core (read by attribute, no import needed)."""
        name = finding.name + (f" at {finding.site}" if getattr(finding, "site", "") else "")
        return NeuralInput(
            kind=str(finding.kind),
            structure=finding.structure,
            name=name,
            label=finding.label,
            muscle=finding.muscle,
            score=float(finding.score),
        )


@dataclass(frozen=True, slots=True)
class MovementInput:
    """A posture or gait finding (movement findings of the knowledge base) and where it was seen."""

    finding: str  # movement finding id: forward_head, protracted_shoulders, ...
    seen_in: str = ""  # "the side photo", "the sagittal gait video"


@dataclass(frozen=True, slots=True)
class RomRestriction:
    """A restricted range of motion; the short muscles come from the ROM norms unless given."""

    motion: str  # a joint motion id: cervical_rotation, hip_flexion, ...
    measured: float | None = None  # degrees
    normal: float | None = None  # degrees
    muscles: tuple[str, ...] = ()  # muscle ids, when the practitioner named them


@dataclass(frozen=True, slots=True)
class OutcomeItem:
    """An item of an outcome measure the client found hard (a PSFS activity, an NDI item)."""

    instrument: str  # instrument id
    item: str  # in the client's words or the item's label
    score: float | None = None


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
    neural: tuple[NeuralInput, ...] = ()  # the suspects of the neural differential, best first
    skin_areas: tuple[str, ...] = ()  # regions (or zone ids) with a skin condition
    surgery_areas: tuple[str, ...] = ()  # regions (or zone ids) operated on in the last three months
    movement: tuple[MovementInput, ...] = ()  # posture and gait findings
    rom: tuple[RomRestriction, ...] = ()  # restricted ranges of motion
    outcome_items: tuple[OutcomeItem, ...] = ()
    wellness: tuple[tuple[str, str], ...] = ()  # ("domain.question", option value) answers
