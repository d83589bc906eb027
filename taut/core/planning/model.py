"""What a plan holds: frozen values, each item with ``why`` and ``sources``, and JSON to and from."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from taut.core.planning.inputs import PlanInputs, RankedMuscle


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


@dataclass(frozen=True, slots=True)
class ExerciseItem:
    exercise: str
    name: str
    dose: str
    progressions: tuple[str, ...]
    why: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SafetyCheck:
    ran: bool
    checked: tuple[str, ...]
    applied: tuple[str, ...]  # precaution ids that changed the plan
    why: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    kb_version: str
    inputs: PlanInputs
    safety: SafetyCheck
    referrals: tuple[Referral, ...] = ()
    items: tuple[TreatmentItem, ...] = ()
    exercises: tuple[ExerciseItem, ...] = ()
    edits: tuple[str, ...] = field(default=())

    def to_json(self) -> str:
        from dataclasses import asdict

        return json.dumps(asdict(self), sort_keys=True)

    @staticmethod
    def from_json(text: str) -> Plan:
        d = json.loads(text)
        i = d["inputs"]
        inputs = PlanInputs(
            chief_complaint=i["chief_complaint"],
            functional_goals=tuple(i["functional_goals"]),
            condition=i["condition"],
            days_since_onset=i["days_since_onset"],
            muscles=tuple(RankedMuscle(m["muscle"], m["score"]) for m in i["muscles"]),
            red_flags=tuple(i["red_flags"]),
            precautions=tuple(i["precautions"]),
            medications=tuple(i["medications"]),
        )
        s = d["safety"]
        return Plan(
            kb_version=d["kb_version"],
            inputs=inputs,
            safety=SafetyCheck(s["ran"], tuple(s["checked"]), tuple(s["applied"]), s["why"], tuple(s["sources"])),
            referrals=tuple(Referral(**{**r, "sources": tuple(r["sources"])}) for r in d["referrals"]),
            items=tuple(
                TreatmentItem(**{**t, "changes": tuple(t["changes"]), "sources": tuple(t["sources"])})
                for t in d["items"]
            ),
            exercises=tuple(
                ExerciseItem(**{**e, "progressions": tuple(e["progressions"]), "sources": tuple(e["sources"])})
                for e in d["exercises"]
            ),
            edits=tuple(d["edits"]),
        )
