"""The evaluation runner: the unseen set's format loads and scores, the baseline is the plain
lookup, and a group row counts as its members in order. Uses files written here, never the
unseen set itself."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from evaluation import runner, words
from taut.core.knowledge import load_base, queries
from taut.core.knowledge.schema import Side
from taut.core.reasoning.chart import build_chart
from taut.core.reasoning.ranking import flatten, group_rows, rank

BASE = load_base()

UNSEEN_FORMAT = """\
version: 1
written_on: 2026-12-06
cases:
  - id: made_up_upper_trapezius
    kind: referral_pattern
    title: A case written for this test
    where: ["side of the neck", "the temple"]
    side: left
    expected: [upper_trapezius]
    source: {citation: "written for the test", locator: "none"}
  - id: made_up_nothing_found
    kind: clinical_study
    title: No phrase reaches a zone
    condition: made_up
    where: ["qqqq zzzz"]
    expected: [masseter]
    source: {citation: "written for the test", locator: "none"}
"""


def test_cases_in_the_unseen_format_load_and_score(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(UNSEEN_FORMAT, encoding="utf-8")
    cases = runner.load_word_cases(BASE, path)
    assert [c.id for c in cases] == ["made_up_upper_trapezius", "made_up_nothing_found"]
    first, nothing = cases
    assert first.chart is not None
    assert {m.zone for m in first.chart.marks} <= {z for z in BASE.zones if z.endswith("_l") or "_" not in z}
    assert all(m.intensity == runner.WORD_INTENSITY for m in first.chart.marks)
    assert not first.chart.qualities
    assert nothing.chart is None, "a phrase that matches nothing gives no chart"
    s = runner.score(BASE, cases, runner.taut_ranking)
    assert s.cases == 2
    assert s.top5 <= 0.5, "the case with no zones is a miss"
    lines = runner.table(BASE, cases)
    assert any(line.startswith("| single-muscle patterns | Taut | 1 |") for line in lines)


def test_words_reach_zones_with_the_default_side_unless_a_phrase_names_one() -> None:
    """Through the phrase resolver when it is in the tree, else the first search hit."""
    assert words.zones_for(BASE, ["temple"], "left") == ("temple_l",)
    assert words.zones_for(BASE, ["temple"], "both") == ("temple_l", "temple_r")
    assert words.zones_for(BASE, ["right temple"], "left") == ("temple_r",)
    assert words.zones_for(BASE, ["qqqq zzzz"]) == ()


def test_the_lookup_counts_marked_zones_ties_by_name() -> None:
    chart = build_chart(BASE, [("temple_l", 6, None), ("lateral_neck_l", 6, None)])
    order = runner.lookup_baseline(BASE, chart)
    marked = {"temple_l", "lateral_neck_l"}

    def touched(muscle: str) -> int:
        return max(len(marked & set(queries.referral_map(BASE, muscle, s))) for s in (Side.LEFT, Side.RIGHT))

    counts = [touched(m) for m in order]
    assert counts == sorted(counts, reverse=True)
    assert all(c > 0 for c in counts)
    for a, b in itertools.pairwise(order):
        if touched(a) == touched(b):
            assert BASE.muscles[a].name <= BASE.muscles[b].name


def test_a_group_row_counts_as_its_members_in_order() -> None:
    chart = build_chart(BASE, [(z, 6, None) for z in ("occiput_l", "temple_l", "suboccipital_l")])
    rows = group_rows(BASE, rank(BASE, chart))
    assert runner.taut_ranking(BASE, chart) == [c.muscle for c in flatten(rows)]
    group = next(i for i, r in enumerate(rows) if r.group == "suboccipitals")
    members = [c.muscle for c in rows[group].members]
    expected = frozenset({members[-1]})
    case = runner.Case("x", "referral_pattern", chart, expected)
    place = sum(len(r.members) for r in rows[:group]) + len(members)
    by_muscle = runner.score(BASE, [case], runner.taut_ranking)
    by_row = runner.score_rows(BASE, [case])
    assert by_muscle.mrr == pytest.approx(1 / place)
    assert by_row.mrr == pytest.approx(1 / (group + 1))
