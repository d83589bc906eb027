"""A gluteus maximus lurch is a thrust back of the trunk as one foot takes the weight, not a
trunk held back all the time (synthetic walks with known truth, evaluation.gait_walker)."""

from __future__ import annotations

import pytest

from evaluation.gait_walker import walk
from taut.core.knowledge.loader import load_base
from taut.core.measures.gait import analyse

BASE = load_base()


def _lurches(report: object) -> list[tuple[str, str]]:
    return [(f.id, f.side) for f in report.findings if f.id == "gluteus_maximus_lurch"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("side", "direction"), [("left", 1), ("right", -1)])
def test_a_lurch_on_one_side_is_flagged_on_that_side_and_names_gluteus_maximus(side: str, direction: int) -> None:
    series, _ = walk(lurch_deg=10.0, lurch_side=side, direction=direction, seed=3)
    report = analyse(series, "sagittal", kb=BASE)
    thrust = report.metric("trunk_extension_loading")
    assert thrust is not None
    other = "right" if side == "left" else "left"
    assert getattr(thrust, f"{side}_status") == "high"
    assert getattr(thrust, f"{other}_status") == "normal"
    found = [f for f in report.findings if f.id == "gluteus_maximus_lurch"]
    assert [f.side for f in found] == [side]
    assert [m.id for m in found[0].long] == ["gluteus_maximus"]


def test_a_trunk_held_back_all_the_time_is_not_a_lurch() -> None:
    """A steady 9-degree backward posture (inside two SD of healthy adults) raises nothing."""
    series, _ = walk(trunk_lean_deg=-9.0, seed=2)
    report = analyse(series, "sagittal", kb=BASE)
    lean = report.metric("trunk_lean_sagittal")
    assert lean is not None
    assert lean.value < -8.0
    assert lean.status == "normal"
    assert not _lurches(report)
    assert "backward_trunk_lean" not in {f.id for f in report.findings}


def test_a_far_backward_posture_is_flagged_as_posture_without_naming_a_muscle() -> None:
    series, _ = walk(trunk_lean_deg=-15.0, seed=2)
    report = analyse(series, "sagittal", kb=BASE)
    found = [f for f in report.findings if f.id == "backward_trunk_lean"]
    assert found
    assert not found[0].long
    assert not found[0].short
    assert not _lurches(report)


def test_a_normal_walker_has_no_trunk_finding() -> None:
    for seed in (1, 5):
        series, _ = walk(seed=seed)
        report = analyse(series, "sagittal", kb=BASE)
        thrust = report.metric("trunk_extension_loading")
        assert thrust is not None
        assert thrust.status == "normal"
        assert not {f.id for f in report.findings} & {"gluteus_maximus_lurch", "backward_trunk_lean"}
