"""The typical-range snippet of the gait and posture tables shows tolerances people can read."""

import pytest
from django.template.loader import render_to_string


@pytest.mark.parametrize(
    ("ctx", "shown", "absent"),
    [
        ({"low": 0.95, "high": 1.05, "error": 0.03}, "0.95 to 1.05", "±0.0)"),
        ({"low": 100.0, "high": 120.0, "error": 0.4}, "(±0.4)", "±0.0)"),
        ({"low": 1.0, "high": 1.2, "error": 0.025}, "(±0.025)", "±0.0)"),
    ],
)
def test_tolerance_keeps_its_precision(ctx: dict[str, float], shown: str, absent: str) -> None:
    """A small tolerance (0.03 s, 0.025) is printed as itself, never rounded to "±0.0"."""
    html = render_to_string("motion/_typical.html", ctx)
    assert shown in html
    assert absent not in html
