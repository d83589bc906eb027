"""The phase of care from the days since onset: past the last phase's start it is the last phase."""

from __future__ import annotations

from taut.core.knowledge.loader import load_base
from taut.core.planning.generate import generate_plan
from taut.core.planning.inputs import PlanInputs


def test_long_after_onset_is_the_latest_phase_not_the_first() -> None:
    kb = load_base()
    acute = generate_plan(PlanInputs(condition="whiplash", days_since_onset=2), kb)
    later = generate_plan(PlanInputs(condition="whiplash", days_since_onset=400), kb)
    unknown = generate_plan(PlanInputs(condition="whiplash"), kb)
    assert "acute_whiplash" in acute.safety.applied
    assert "acute_whiplash" not in later.safety.applied
    assert "acute_whiplash" in unknown.safety.applied  # no onset: the first phase, the careful one
