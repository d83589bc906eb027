"""Progress of one measure: direction, the threshold (MCID or error), first vs previous, and the words."""

from __future__ import annotations

import datetime as dt

import pytest

from taut.core.knowledge.loader import load_base
from taut.core.measures.progress import Point, ProgressError, Series, compare, goodness, summarise

D1, D2, D3 = dt.date(2026, 1, 5), dt.date(2026, 2, 2), dt.date(2026, 3, 2)


def series(values: list[float], direction: str = "lower_better", **kw: object) -> Series:
    days = [D1, D2, D3][: len(values)]
    fields: dict[str, object] = {"id": "m", "name": "Measure", "kind": "outcome", "unit": "points"} | kw
    return Series(points=tuple(Point(d, v) for d, v in zip(days, values, strict=True)), direction=direction, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("direction", "values", "extra", "verdict"),
    [
        ("lower_better", [8, 3], {}, "better"),
        ("lower_better", [3, 8], {}, "worse"),
        ("higher_better", [30, 50], {}, "better"),
        ("higher_better", [50, 30], {}, "worse"),
        ("up_to_norm", [40, 70], {"norm": 80}, "better"),
        ("up_to_norm", [85, 95], {"norm": 80}, "same"),  # beyond the norm nothing more is gained
        ("up_to_norm", [90, 70], {"norm": 80}, "worse"),
        ("into_range", [30, 15], {"normal_range": (5.0, 12.0)}, "better"),
        ("into_range", [8, 10], {"normal_range": (5.0, 12.0)}, "same"),
        ("into_range", [10, 20], {"normal_range": (5.0, 12.0)}, "worse"),
        ("unknown", [10, 20], {}, "changed"),
        ("lower_better", [5, 5], {}, "same"),
    ],
)
def test_direction_decides_better_or_worse(direction: str, values: list[float], extra: dict[str, object],
                                           verdict: str) -> None:  # fmt: skip
    """Lower pain is better, more range is better up to the norm, closer to the normal range is better."""
    assert compare(series(values, direction, **extra)).verdict == verdict


def test_instrument_direction_comes_from_the_knowledge_base() -> None:
    """A scale where higher is worse (NDI) and one where higher is better (LEFS) read in opposite directions."""
    base = load_base()
    assert base.instruments["ndi"].higher_is == "worse"
    assert base.instruments["lefs"].higher_is == "better"
    ndi = series([30, 20], "lower_better" if base.instruments["ndi"].higher_is == "worse" else "higher_better")
    lefs = series([30, 20], "lower_better" if base.instruments["lefs"].higher_is == "worse" else "higher_better")
    assert (compare(ndi).verdict, compare(lefs).verdict) == ("better", "worse")


@pytest.mark.parametrize(
    ("after", "beyond", "verdict"), [(16, True, "better"), (15, True, "better"), (17, False, "same")]
)
def test_mcid_threshold(after: float, beyond: bool, verdict: str) -> None:
    """A change reaching the smallest important change counts; a smaller one is the same."""
    m = compare(series([20, after], threshold=4, threshold_kind="mcid"))
    assert m.first is not None
    assert (m.first.beyond, m.verdict, m.first.difference) == (beyond, verdict, after - 20)
    if beyond:
        assert "beyond the smallest important change (4 points)" in m.summary
    else:
        assert "no change as large as the smallest important change (4 points)" in m.summary
        assert "3 points toward better" in m.summary


def test_change_inside_the_error_is_no_change() -> None:
    """A difference smaller than the measurement's error says so, with its size."""
    m = compare(series([12.0, 10.5], "lower_better", unit="degrees", threshold=3, threshold_kind="error"))
    assert m.verdict == "same"
    assert "no change beyond the measurement's error (±3°)" in m.summary
    assert "1.5°" in m.summary


def test_first_and_previous_are_both_compared() -> None:
    """The latest value is set against the first and against the one before it."""
    m = compare(series([30, 18, 16], threshold=5, threshold_kind="mcid"))
    assert m.first is not None
    assert m.previous is not None
    assert (m.first.since, m.first.difference, m.first.verdict) == (D1, -14, "better")
    assert (m.previous.since, m.previous.difference, m.previous.verdict) == (D2, -2, "same")
    assert "better by 14 points since the first measurement (2026-01-05, 30 points)" in m.summary
    assert "since the previous measurement (2026-02-02, 18 points): 2 points toward better" in m.summary


def test_two_points_have_no_separate_previous() -> None:
    """With two measurements the previous one is the first: it is compared once."""
    m = compare(series([30, 18]))
    assert m.first is not None
    assert m.previous is None
    assert m.summary.count("since the") == 1


def test_without_threshold_the_words_say_so() -> None:
    """A measure with no known MCID or error reports the change and says nothing judges it."""
    m = compare(series([40, 60], "up_to_norm", norm=80, unit="degrees"))
    assert m.verdict == "better"
    assert m.first is not None
    assert m.first.beyond is None
    assert "better by 20°" in m.summary
    assert "no smallest important change or measurement error on file" in m.summary
    assert "up to the norm (80°)" in m.why


def test_single_point_and_points_out_of_order() -> None:
    """One point has nothing to compare; points are read by date whatever their order."""
    assert "measured once" in compare(series([5])).summary
    s = Series("m", "Measure", "pain", "points", (Point(D3, 2), Point(D1, 8)), "lower_better")
    m = compare(s)
    assert m.latest.when == D3
    assert m.first is not None
    assert m.first.difference == -6


@pytest.mark.parametrize(
    ("kw", "fragment"),
    [
        ({"points": ()}, "no measurements"),
        ({"points": (Point(D1, float("nan")),)}, "not a number"),
        ({"direction": "sideways"}, "unknown direction"),
        ({"direction": "up_to_norm"}, "needs the norm"),
        ({"direction": "into_range", "normal_range": (9.0, 3.0)}, "normal range"),
        ({"threshold": -1.0, "threshold_kind": "mcid"}, "positive"),
        ({"threshold": 2.0}, "needs its kind"),
    ],
)
def test_bad_series_is_a_clear_error(kw: dict[str, object], fragment: str) -> None:
    """A series that cannot be read raises an error that names the measure and says how to fix it."""
    fields: dict[str, object] = {"id": "m", "name": "Neck pain", "kind": "pain", "unit": "points",
                                 "points": (Point(D1, 3.0),), "direction": "lower_better"} | kw  # fmt: skip
    with pytest.raises(ProgressError, match=fragment) as info:
        compare(Series(**fields))  # type: ignore[arg-type]
    assert str(info.value).startswith("Neck pain:")
    assert "How to fix" in str(info.value)


def test_summary_groups_the_measures() -> None:
    """The summary names the measures that are better, the same, worse and measured once."""
    better = series([8, 3], name="Neck pain", threshold=2, threshold_kind="mcid")
    same = series([8, 7], name="Back pain", threshold=2, threshold_kind="mcid")
    worse = series([40, 20], "higher_better", name="Lower Extremity Functional Scale")
    once = series([4], name="Jaw pain")
    s = summarise([better, same, worse, once])
    assert (s.better, s.same, s.worse, s.single) == (("Neck pain",), ("Back pain",), (worse.name,), ("Jaw pain",))
    assert "Better since the first measurement on Neck pain." in s.summary
    assert "No change that matters on Back pain." in s.summary
    assert "Measured once so far: Jaw pain." in s.summary
    assert summarise([]).summary.startswith("No measurements yet")


def test_goodness_and_sources_are_kept() -> None:
    """The results are frozen and carry their sources."""
    s = series([3, 1], sources=("farrar_2001_nprs_change", "farrar_2001_nprs_change"))
    m = compare(s)
    assert m.sources == ("farrar_2001_nprs_change",)
    assert goodness(s, 3) == -3
    with pytest.raises(AttributeError):
        m.verdict = "worse"  # type: ignore[misc]
