"""What posture and gait share when they read the movement knowledge (``data/movement/*.yaml``): the
typed entries, the one rule that says whether a value is low, normal or high against a measure's
norm, and the one record of a measure that could not be made."""

from __future__ import annotations

from dataclasses import dataclass

from taut.core.knowledge.schema import MovementMeasure

LOW, NORMAL, HIGH = "low", "normal", "high"


def status(spec: MovementMeasure, value: float) -> str:
    """ "low" or "high" when the value lies beyond the normal range by more than the measure's error,
    else "normal" (an open end of the range never flags)."""
    if spec.normal.low is not None and value < spec.normal.low - spec.error:
        return LOW
    if spec.normal.high is not None and value > spec.normal.high + spec.error:
        return HIGH
    return NORMAL


def finding_for(spec: MovementMeasure, value_status: str) -> str | None:
    """The finding the knowledge base names for a low or high value of this measure, if any."""
    flag = spec.low if value_status == LOW else spec.high if value_status == HIGH else None
    return flag.finding if flag is not None else None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A measure the view supports but the data could not give, and why (``side`` when one side only)."""

    id: str
    reason: str
    side: str | None = None
