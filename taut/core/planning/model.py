"""What a plan holds: frozen values, each item with ``why`` and ``sources``, and JSON to and from.

JSON written by an earlier version (without the later optional fields) reads back; fields it
lacks take their defaults.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from taut.core.planning.inputs import (
    MovementInput,
    NeuralInput,
    OutcomeItem,
    PlanInputs,
    RankedMuscle,
    RomRestriction,
)


@dataclass(frozen=True, slots=True)
class Referral:
    reason: str
    urgency: str
    instead_of_treatment: bool
    advice: str
    why: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TreatmentItem:
    region: str
    muscle: str
    technique: str
    position: str
    pressure: str
    light_pressure: bool
    dose: str
    changes: tuple[str, ...]
    why: str
    sources: tuple[str, ...]
    technique_name: str = ""
    finding: str = ""  # the finding that put the muscle in the plan, in words


@dataclass(frozen=True, slots=True)
class ExerciseItem:
    exercise: str
    name: str
    dose: str
    progressions: tuple[str, ...]
    why: str
    sources: tuple[str, ...]
    checks: tuple[str, ...] = ()  # dose checks against the exercise's dose range, in words


@dataclass(frozen=True, slots=True)
class SafetyCheck:
    ran: bool
    checked: tuple[str, ...]
    applied: tuple[str, ...]  # precaution ids that changed the plan
    why: str
    sources: tuple[str, ...]
    screened: tuple[str, ...] = ()  # screen items of the phase of care, checked and not reported
    modifications: tuple[str, ...] = ()  # what the applied precautions change, in words


@dataclass(frozen=True, slots=True)
class AvoidedArea:
    """A muscle that gets no direct work, and why."""

    muscle: str
    region: str
    reason: str  # the precaution's name and the area
    advice: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Goal:
    text: str  # in the client's terms
    why: str


@dataclass(frozen=True, slots=True)
class WellnessItem:
    id: str
    domain: str
    text: str
    why: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PerpetuatingFactor:
    text: str
    why: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reassessment:
    measure: str
    when: str
    why: str


@dataclass(frozen=True, slots=True)
class Schedule:
    session_frequency: str
    expected_course: str
    reassessment: tuple[Reassessment, ...]
    why: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Change:
    """One edit: what kind, on what, the value before and after, and the change in words."""

    kind: str  # add_muscle, remove_muscle, reorder, change_technique, add_exercise, remove_exercise, change_dose
    target: str  # the muscle or exercise id ("" for a reorder)
    before: str
    after: str
    words: str


@dataclass(frozen=True, slots=True)
class Plan:
    kb_version: str
    inputs: PlanInputs
    safety: SafetyCheck
    referrals: tuple[Referral, ...] = ()
    items: tuple[TreatmentItem, ...] = ()
    exercises: tuple[ExerciseItem, ...] = ()
    edits: tuple[str, ...] = field(default=())
    avoided: tuple[AvoidedArea, ...] = ()
    goals: tuple[Goal, ...] = ()
    wellness: tuple[WellnessItem, ...] = ()
    perpetuating: tuple[PerpetuatingFactor, ...] = ()
    schedule: Schedule | None = None
    changes: tuple[Change, ...] = ()

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @staticmethod
    def from_json(text: str) -> Plan:
        plan: Plan = _build(Plan, json.loads(text))
        return plan


# How nested values are rebuilt: field name -> the class of the value (or of each element).
_NESTED: dict[str, type] = {
    "inputs": PlanInputs,
    "safety": SafetyCheck,
    "referrals": Referral,
    "items": TreatmentItem,
    "exercises": ExerciseItem,
    "avoided": AvoidedArea,
    "goals": Goal,
    "wellness_items": WellnessItem,
    "perpetuating": PerpetuatingFactor,
    "schedule": Schedule,
    "reassessment": Reassessment,
    "changes": Change,
    "muscles": RankedMuscle,
    "neural": NeuralInput,
    "movement": MovementInput,
    "rom": RomRestriction,
    "outcome_items": OutcomeItem,
}


def _value(cls: type, name: str, value: Any) -> Any:
    nested = _NESTED.get("wellness_items" if (cls is Plan and name == "wellness") else name)
    if cls is SafetyCheck or (cls is TreatmentItem and name == "changes"):
        nested = None
    if isinstance(value, list):
        if nested is not None and cls is not RomRestriction:
            return tuple(_build(nested, v) for v in value)
        return tuple(tuple(v) if isinstance(v, list) else v for v in value)
    if isinstance(value, dict) and nested is not None:
        return _build(nested, value)
    return value


def _build(cls: Any, data: dict[str, Any]) -> Any:
    known = {f.name for f in fields(cls)}
    return cls(**{k: _value(cls, k, v) for k, v in data.items() if k in known})
