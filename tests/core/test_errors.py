"""The core's errors carry a code and the field at fault, so callers never read the English message."""

from __future__ import annotations

import pytest

from taut.core.errors import FieldError, MeasurementError, TautError
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import JointMotion
from taut.core.measures import rom, scoring, wellness
from taut.core.reasoning.chart import ChartError


@pytest.mark.parametrize("kind", [ChartError, rom.RomError, MeasurementError])
def test_field_errors_are_one_kind_with_a_field_and_a_code(kind: type[FieldError]) -> None:
    exc = kind("entries.0.active", "out of range", code="out_of_range")
    assert isinstance(exc, FieldError)
    assert isinstance(exc, TautError)
    assert (exc.field, exc.code) == ("entries.0.active", "out_of_range")
    assert str(exc) == "entries.0.active: out of range"


def test_an_error_without_a_field_says_so() -> None:
    exc = TautError("something")
    assert exc.field is None
    assert exc.code == "invalid"


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ([0, 1, 2, 9, 0, 1, 2, 0, 1, 2], "answers.4"),  # out of range at item 4
        ([0, 1, 2, 0, 0.5, 1, 2, 0, 1, 2], "answers.5"),  # not a whole number at item 5
        ([0, 1, 2], "answers"),  # too few: no one item is at fault
    ],
)
def test_a_scoring_error_names_the_item(answers: list[float], field: str) -> None:
    with pytest.raises(scoring.InvalidAnswersError) as caught:
        scoring.score("ndi", answers)
    assert caught.value.field == field


def test_a_wellness_error_names_the_question() -> None:
    with pytest.raises(wellness.InvalidWellnessAnswerError) as caught:
        wellness.evaluate({"hydration.no_such_question": "often"})
    assert caught.value.key == "hydration.no_such_question"
    assert caught.value.field == "answers.hydration.no_such_question"


def test_a_rom_error_names_the_value() -> None:
    with pytest.raises(rom.RomError) as caught:
        rom.read(load_base(), rom.RomEntry(JointMotion.KNEE_FLEXION, "left", passive=999))
    assert caught.value.field == "passive"
