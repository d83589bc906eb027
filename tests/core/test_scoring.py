"""Outcome-measure scoring: exact published rules, missing items, reversed items, change, CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from taut.cli_measures import measures_app
from taut.core.errors import UnknownEntryError
from taut.core.knowledge import load_base
from taut.core.measures.scoring import Change, InvalidAnswersError, Score, change, find_instrument, score

BASE = load_base()
N = None  # an unanswered item

# (instrument, answers, value, percent, band): hand-computed from each instrument's published rule.
EXACT: list[tuple[str, Any, float, float | None, str | None]] = [
    # NPRS: the rating is the score
    ("nprs", [0], 0, None, None),
    ("nprs", [10], 10, None, None),
    ("nprs", 7, 7, None, None),
    # PSFS: mean of the rated activities (1 to 5 of them)
    ("psfs", [0, 0, 0], 0, None, None),
    ("psfs", [10, 10, 10], 10, None, None),
    ("psfs", [3, 5, 8], 5.33, None, None),  # 16 / 3
    ("psfs", [4, 6], 5, None, None),
    ("psfs", [2, 4, 6, 8, 10], 6, None, None),
    # NDI: sum of 10 items 0-5, x2 for percent; one omitted item prorated (sum / 45)
    ("ndi", [0] * 10, 0, 0, "no disability"),
    ("ndi", [5] * 10, 50, 100, "complete"),
    ("ndi", [1, 2, 3, 0, 1, 2, 1, 0, 3, 2], 15, 30, "moderate"),
    ("ndi", [2, 2, 2, 2, 2, 2, 2, N, 1, 1], 17.78, 35.56, "moderate"),  # 16 / 45 x 100
    ("ndi", {"1": 2, "2": 2, "3": 2, "4": 2, "5": 2, "6": 2, "7": 2, "9": 1, "10": 1}, 17.78, 35.56, "moderate"),
    ("ndi", [4, 0, 0, 0, 0, 0, 0, 0, 0, 0], 4, 8, "no disability"),
    ("ndi", [5, 0, 0, 0, 0, 0, 0, 0, 0, 0], 5, 10, "mild"),
    ("ndi", [5, 5, 5, 5, 5, 5, 5, 0, 0, N], 38.89, 77.78, "complete"),  # 35 / 45
    # RMDQ: count of ticked statements, 0-24; unticked counts 0
    ("rmdq", [0] * 24, 0, None, None),
    ("rmdq", [1] * 24, 24, None, None),
    ("rmdq", [1, 0] * 12, 12, None, None),
    ("rmdq", [True] * 10 + [False] * 14, 10, None, None),
    ("rmdq", [1] * 5 + [N] * 19, 5, None, None),
    # QuickDASH: ((sum / n) - 1) x 25, at least 10 of 11 answered
    ("quickdash", [1] * 11, 0, None, None),
    ("quickdash", [5] * 11, 100, None, None),
    ("quickdash", [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 3], 50, None, None),  # 33 / 11 = 3
    ("quickdash", [2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2], 36.36, None, None),  # (27 / 11 - 1) x 25
    ("quickdash", [2] * 10 + [N], 25, None, None),
    ("quickdash", [1, 1, 2, 2, 3, 3, 4, 4, 5, N, 5], 50, None, None),  # 30 / 10 = 3
    # LEFS: sum of 20 items 0-4, higher is better
    ("lefs", [0] * 20, 0, None, None),
    ("lefs", [4] * 20, 80, None, None),
    ("lefs", [3] * 10 + [2] * 10, 50, None, None),
    # PSS-10: items 4, 5, 7 and 8 reversed (0 <-> 4), then summed
    ("pss10", [0] * 10, 16, None, None),
    ("pss10", [4] * 10, 24, None, None),
    ("pss10", [4, 4, 4, 0, 0, 4, 0, 0, 4, 4], 40, None, None),
    ("pss10", [0, 0, 0, 4, 4, 0, 4, 4, 0, 0], 0, None, None),
    ("pss10", [2, 3, 1, 3, 2, 2, 1, 3, 2, 2], 19, None, None),  # 12 + (1 + 2 + 3 + 1)
    # Nijmegen: sum of 16 items 0-4; 23 or more suggests dysfunctional breathing
    ("nijmegen", [0] * 16, 0, None, "below the screening threshold"),
    ("nijmegen", [4] * 16, 64, None, "suggests dysfunctional breathing"),
    ("nijmegen", [2] * 11 + [0] * 5, 22, None, "below the screening threshold"),
    ("nijmegen", [2] * 11 + [1] + [0] * 4, 23, None, "suggests dysfunctional breathing"),
]


@pytest.mark.parametrize(("instrument", "answers", "value", "percent", "band"), EXACT)
def test_scores_match_hand_computed_published_examples(
    instrument: str, answers: Any, value: float, percent: float | None, band: str | None
) -> None:
    """Each instrument gives exactly the score its published rule gives by hand."""
    result = score(instrument, answers)
    assert result.value == pytest.approx(value, abs=0.005)
    if percent is None:
        assert result.percent is None
    else:
        assert result.percent == pytest.approx(percent, abs=0.005)
    assert result.band == band


# (instrument, answers, words expected in the error): answers no rule allows.
INVALID: list[tuple[str, Any, str]] = [
    ("nprs", [N], "unanswered"),
    ("nprs", [11], "outside the range 0 to 10"),
    ("nprs", [7.5], "not a whole number"),
    ("nprs", [3, 4], "2 items given"),
    ("psfs", [], "0 items given"),
    ("psfs", [1, 2, 3, 4, 5, 6], "6 items given"),
    ("psfs", [N, 3], "unanswered"),
    ("psfs", {"1": 3, "3": 4}, "not 1, 2, 3"),
    ("ndi", [2] * 9, "9 items given"),
    ("ndi", [2] * 11, "11 items given"),
    ("ndi", [2] * 8 + [N, N], "2 items (9, 10) are unanswered"),
    ("ndi", [6] + [0] * 9, "item 1: 6 is outside"),
    ("ndi", ["2"] + [0] * 9, "not a number"),
    ("ndi", {"11": 3}, "not an item number"),
    ("ndi", "2,2,2", "must be a list"),
    ("ndi", 3, "single number"),
    ("rmdq", [2] + [0] * 23, "outside the range 0 to 1"),
    ("quickdash", [3] * 9 + [N, N], "at most 1"),
    ("quickdash", [0] + [3] * 10, "outside the range 1 to 5"),
    ("lefs", [4] * 19 + [N], "every item"),
    ("pss10", [2] * 9 + [N], "every item"),
    ("nijmegen", [1] * 15, "15 items given"),
    ("nijmegen", [float("nan")] * 16, "not a number"),
]


@pytest.mark.parametrize(("instrument", "answers", "words"), INVALID)
def test_invalid_answers_raise_a_clear_error(instrument: str, answers: Any, words: str) -> None:
    """Wrong counts, values out of range and too many gaps are refused with advice."""
    with pytest.raises(InvalidAnswersError) as info:
        score(instrument, answers)
    assert words in str(info.value)
    assert "How to fix" in str(info.value)


def test_missing_items_at_the_limit_are_scored_with_a_warning() -> None:
    """An NDI with one omitted item is prorated and says so."""
    result = score("ndi", [3] * 9 + [N])
    assert result.missing == (10,)
    assert result.answered == 9
    assert result.value == 30  # 27 x 10 / 9
    assert result.percent == 60
    assert result.warnings
    assert "10" in result.warnings[0]


def test_unticked_checklist_items_count_zero_with_a_warning() -> None:
    """RMDQ blanks count as 'no' and are reported."""
    result = score("rmdq", [1] + [N] * 23)
    assert result.value == 1
    assert result.answered == 1
    assert len(result.missing) == 23
    assert "counted as 0" in result.warnings[0]


def test_a_score_explains_itself_and_names_its_sources() -> None:
    """The result carries how it was computed, its sources and the knowledge-base version."""
    result = score("pss10", [1] * 10)
    assert "reversing items 4, 5, 7, 8" in result.why
    assert "cohen_pss_scoring" in result.sources
    assert result.kb_version == BASE.version
    assert result.to_dict()["value"] == result.value


def test_instruments_are_found_by_name_or_synonym() -> None:
    """Ids, names and synonyms all find the instrument; unknown names suggest ids."""
    assert find_instrument("Neck Disability Index").id == "ndi"
    assert find_instrument("QuickDASH").id == "quickdash"
    assert find_instrument("PSS-10").id == "pss10"
    assert score("Roland-Morris", [0] * 24).instrument == "rmdq"
    with pytest.raises(UnknownEntryError):
        find_instrument("oswestry")


# ------------------------------------------------------------------ change

CHANGES: list[tuple[str, float, float, Change]] = [
    ("ndi", 20, 14, Change(-6, True, True)),
    ("ndi", 20, 15, Change(-5, True, True)),  # reaching the MCID counts
    ("ndi", 20, 17, Change(-3, False, True)),
    ("ndi", 14, 20, Change(6, True, False)),
    ("lefs", 40, 50, Change(10, True, True)),
    ("lefs", 50, 45, Change(-5, False, False)),
    ("psfs", 3, 5.5, Change(2.5, True, True)),
    ("nprs", 7, 5, Change(-2, True, True)),
    ("quickdash", 50, 40, Change(-10, False, True)),
    ("rmdq", 12, 7, Change(-5, True, True)),
    ("pss10", 30, 10, Change(-20, False, True)),  # no MCID is published
    ("nijmegen", 30, 30, Change(0, False, False)),
]


@pytest.mark.parametrize(("instrument", "before", "after", "expected"), CHANGES)
def test_change_against_the_mcid_follows_the_direction_of_the_scale(
    instrument: str, before: float, after: float, expected: Change
) -> None:
    """The difference, whether it reaches the MCID and whether it is an improvement."""
    assert change(instrument, before, after) == expected


def test_change_accepts_scores_and_refuses_scores_of_another_instrument() -> None:
    """Two Score values of one instrument compare; a score of another instrument is refused."""
    before = score("ndi", [3] * 10)
    after = score("ndi", [2] * 10)
    assert change("ndi", before, after) == Change(-10, True, True)
    with pytest.raises(InvalidAnswersError):
        change("lefs", before, after)


# ------------------------------------------------------------------ properties

FIXED = sorted(
    i for i in BASE.instruments if BASE.instruments[i].items.count_min == BASE.instruments[i].items.count_max
)


@st.composite
def answered(draw: st.DrawFn, instrument_id: str) -> list[float | None]:
    inst = BASE.instruments[instrument_id]
    items = inst.items
    count = draw(st.integers(items.count_min, items.count_max))
    values: list[float | None] = [draw(st.integers(int(items.min_value), int(items.max_value))) for _ in range(count)]
    allowed = inst.missing.max_missing if inst.missing.kind != "none" else 0
    for index in draw(st.lists(st.integers(0, count - 1), max_size=allowed, unique=True)):
        values[index] = None
    return values


@pytest.mark.parametrize("instrument_id", sorted(BASE.instruments))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_valid_answer_set_scores_within_the_range(instrument_id: str, data: st.DataObject) -> None:
    """Whatever the valid answers (gaps included), the score stays inside the instrument's range."""
    answers = data.draw(answered(instrument_id))
    result = score(instrument_id, answers)
    inst = BASE.instruments[instrument_id]
    assert inst.score_min <= result.value <= inst.score_max
    if result.percent is not None:
        assert 0 <= result.percent <= 100


@pytest.mark.parametrize("instrument_id", FIXED)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_raising_one_answer_moves_the_score_one_way(instrument_id: str, data: st.DataObject) -> None:
    """Raising one item never lowers the score, except on a reverse-scored item, where it never raises it."""
    inst = BASE.instruments[instrument_id]
    items = inst.items
    answers = [data.draw(st.integers(int(items.min_value), int(items.max_value))) for _ in range(items.count_max)]
    index = data.draw(st.integers(0, items.count_max - 1))
    if answers[index] == items.max_value:
        answers[index] -= 1
    raised = [*answers]
    raised[index] += 1
    low, high = score(instrument_id, answers).value, score(instrument_id, raised).value
    if index + 1 in items.reverse_scored:
        assert high <= low
    else:
        assert high >= low


@settings(max_examples=80, deadline=None)
@given(values=st.lists(st.integers(1, 5), min_size=11, max_size=11), gap=st.integers(0, 10))
def test_quickdash_with_one_gap_equals_the_mean_of_the_rest(values: list[int], gap: int) -> None:
    """The QuickDASH formula with a gap is ((sum of the 10 answers / 10) - 1) x 25."""
    answers: list[int | None] = [*values]
    answers[gap] = None
    rest = [v for i, v in enumerate(values) if i != gap]
    assert score("quickdash", answers).value == pytest.approx((sum(rest) / 10 - 1) * 25, abs=0.005)


# ------------------------------------------------------------------ command line

RUNNER = CliRunner()


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cli_scores_a_json_answers_file(tmp_path: Path) -> None:
    """`taut score ndi --answers FILE` prints the score, the band and the MCID."""
    path = _write(tmp_path, "ndi.json", json.dumps([2, 2, 2, 2, 2, 2, 2, None, 1, 1]))
    result = RUNNER.invoke(measures_app, ["ndi", "--answers", path])
    assert result.exit_code == 0, result.output
    assert "17.78" in result.output
    assert "35.56 %" in result.output
    assert "moderate" in result.output
    assert "MCID" in result.output


def test_cli_reads_yaml_by_item_number_and_prints_json(tmp_path: Path) -> None:
    """A YAML mapping of item numbers works, and --json prints the whole score."""
    path = _write(tmp_path, "pss.yaml", "\n".join(f"{i}: 2" for i in range(1, 11)))
    result = RUNNER.invoke(measures_app, ["PSS-10", "--answers", path, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["instrument"] == "pss10"
    assert data["value"] == 20
    assert data["mcid"] is None
    assert "Mind Garden" in data["license"]


def test_cli_accepts_an_answers_key(tmp_path: Path) -> None:
    """A file of the form {"answers": [...]} is read too."""
    path = _write(tmp_path, "lefs.json", json.dumps({"answers": [4] * 20}))
    result = RUNNER.invoke(measures_app, ["lefs", "--answers", path, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["value"] == 80


@pytest.mark.parametrize(
    ("instrument", "text", "words"),
    [
        ("ndi", "[1, 2, 3]", "3 items given"),
        ("oswestry", "[1]", "No instrument is called"),
        ("ndi", "[1, 2", "not valid JSON or YAML"),
        ("quickdash", json.dumps([3] * 9 + [None, None]), "at most 1"),
        ("nprs", "", "is empty"),
    ],
)
def test_cli_refuses_bad_input_with_exit_code_2(tmp_path: Path, instrument: str, text: str, words: str) -> None:
    """Bad answers, unknown instruments and broken files fail with a message, not a traceback."""
    path = _write(tmp_path, "answers.json", text)
    result = RUNNER.invoke(measures_app, [instrument, "--answers", path])
    assert result.exit_code == 2
    assert words in result.output
    assert not isinstance(result.exception, AssertionError | TypeError | ValueError | KeyError)


def test_cli_reports_a_missing_answers_file(tmp_path: Path) -> None:
    """A path that does not exist is named in the error."""
    result = RUNNER.invoke(measures_app, ["ndi", "--answers", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert "No answers file" in result.output


def test_score_is_frozen() -> None:
    """A Score cannot be changed after the fact."""
    result = score("nprs", 5)
    assert isinstance(result, Score)
    with pytest.raises(AttributeError):
        result.value = 1  # type: ignore[misc]
