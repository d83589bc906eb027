"""One rule reads a value against a movement norm, for posture and gait alike."""

from __future__ import annotations

import pytest

from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import MovementMeasure, NormalRange
from taut.core.measures import gait, movement, posture

BASE = load_base()


def _spec(low: float | None, high: float | None, error: float) -> MovementMeasure:
    any_measure = next(iter(BASE.movement_measures.values()))
    return any_measure.model_copy(update={"normal": NormalRange(low=low, high=high), "error": error})


@pytest.mark.parametrize(
    ("low", "high", "error", "value", "expected"),
    [
        (10.0, 20.0, 2.0, 7.9, "low"),  # below low by more than the error
        (10.0, 20.0, 2.0, 8.0, "normal"),  # within the error of the range
        (10.0, 20.0, 2.0, 22.0, "normal"),
        (10.0, 20.0, 2.0, 22.1, "high"),
        (None, 20.0, 0.0, -500.0, "normal"),  # an open end never flags
        (10.0, None, 0.0, 500.0, "normal"),
    ],
)
def test_the_one_status_rule(low: float | None, high: float | None, error: float, value: float, expected: str) -> None:
    assert movement.status(_spec(low, high, error), value) == expected


def test_gait_reads_its_norms_with_the_same_rule() -> None:
    spec = _spec(10.0, 20.0, 2.0)
    for value in (0.0, 7.9, 8.0, 15.0, 22.0, 22.1, 40.0):
        assert gait._status(value, spec) == movement.status(spec, value)
    assert gait._status(None, spec) is None
    assert gait._status(5.0, None) == "no_norm"


def test_posture_and_gait_share_one_skipped_record() -> None:
    assert posture.Skipped is gait.Skipped is movement.Skipped
