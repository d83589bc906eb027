"""Where an error is, as the API reports it: indexes are numbers, every other part a name."""

import pytest

from taut.api.errors import location


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("answers.3", ["body", "answers", 3]),
        (["pain", 0, "zone"], ["body", "pain", 0, "zone"]),
        ("landmarks.³", ["body", "landmarks", "³"]),  # a superscript digit is a name, not an index
        ("landmarks.٣", ["body", "landmarks", "٣"]),  # so is an Arabic-Indic digit
        ("a..b", ["body", "a", "b"]),
    ],
)
def test_location_parts(path: object, expected: list[object]) -> None:
    assert location("body", path) == expected
