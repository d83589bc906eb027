"""The clinical evaluation set (evaluation/pain_patterns.yaml) is well formed and fits the knowledge base.

Plain checks, no database: every case is cited, every zone resolves to a knowledge-base zone,
every chart builds with the reasoning's own chart builder, and every expected muscle exists.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import KnowledgeBase
from taut.core.reasoning.chart import PainChart, build_chart

EVAL_FILE = Path(__file__).resolve().parents[2] / "evaluation" / "pain_patterns.yaml"
KINDS = {"clinical_study", "referral_pattern"}
SIDES = {"left", "right", "both", "midline"}
SUFFIX = {"left": ("_l",), "right": ("_r",), "both": ("_l", "_r")}
SLUG = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")


@cache
def _cases() -> tuple[dict[str, Any], ...]:
    data = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))
    return tuple(data["cases"])


def _ids() -> list[str]:
    return [case["id"] for case in _cases()]


def _marks(base: KnowledgeBase, case: dict[str, Any]) -> list[tuple[str, int | None, str | None]]:
    """Turn the case's base-zone marks into the sided zone ids that build_chart expects."""
    marks: list[tuple[str, int | None, str | None]] = []
    for mark in case["chart"]["pain"]:
        zone, side = mark["zone"], mark["side"]
        bilateral = f"{zone}_l" in base.zones
        if side == "midline":
            assert not bilateral, f"{case['id']}: {zone} is a bilateral zone; give left, right or both"
            assert zone in base.zones, f"{case['id']}: zone {zone!r} is not in the knowledge base"
            marks.append((zone, mark.get("intensity"), mark.get("quality")))
            continue
        assert bilateral, f"{case['id']}: {zone!r} is not a bilateral zone (unsided zones take side: midline)"
        marks.extend((zone + suffix, mark.get("intensity"), mark.get("quality")) for suffix in SUFFIX[side])
    return marks


def chart_of(base: KnowledgeBase, case: dict[str, Any]) -> PainChart:
    chart = case["chart"]
    return build_chart(
        base,
        _marks(base, case),
        qualities=chart.get("qualities", ()),
        mechanism=chart.get("mechanism"),
        aggravating=chart.get("aggravating", ()),
        restricted=chart.get("restricted", ()),
        symptoms=chart.get("symptoms", ()),
    )


def test_enough_cases_of_each_kind() -> None:
    kinds = Counter(case["kind"] for case in _cases())
    assert sum(kinds.values()) >= 60
    assert set(kinds) <= KINDS
    assert kinds["clinical_study"] >= 30
    assert kinds["referral_pattern"] >= 30


def test_case_ids_are_unique_slugs() -> None:
    ids = _ids()
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates, f"duplicate case ids: {duplicates}"
    assert all(SLUG.match(i) for i in ids), [i for i in ids if not SLUG.match(i)]


@pytest.mark.parametrize("case", _cases(), ids=_ids())
def test_case_is_cited(case: dict[str, Any]) -> None:
    source = case.get("source") or {}
    assert case["kind"] in KINDS
    assert case.get("title"), "every case needs a short title"
    assert source.get("citation"), "every case needs a citation"
    assert source.get("doi") or source.get("url") or source.get("locator"), "cite a doi, url or locator"
    if source.get("doi"):
        assert DOI.match(source["doi"]), f"malformed doi {source['doi']!r}"
    if source.get("url"):
        assert source["url"].startswith(("http://", "https://"))
    if case["kind"] == "clinical_study":
        assert case.get("condition"), "clinical cases name a condition"
        assert SLUG.match(case["condition"]), "the condition is a slug like tension_type_headache"


@pytest.mark.parametrize("case", _cases(), ids=_ids())
def test_chart_resolves_and_builds(case: dict[str, Any]) -> None:
    base = load_base()
    pain = case["chart"]["pain"]
    assert pain, "a chart marks at least one zone"
    for mark in pain:
        assert mark["side"] in SIDES, f"side must be one of {sorted(SIDES)}"
        assert isinstance(mark["intensity"], int)
        assert 0 <= mark["intensity"] <= 10
    chart = chart_of(base, case)
    assert chart.marks


@pytest.mark.parametrize("case", _cases(), ids=_ids())
def test_expected_and_prevalence_are_consistent(case: dict[str, Any]) -> None:
    expected = case["expected"]
    assert expected, "every case expects at least one muscle"
    assert len(set(expected)) == len(expected), "expected muscles are listed once"
    prevalence = case.get("prevalence")
    if case["kind"] == "clinical_study":
        assert isinstance(prevalence, dict), "clinical cases carry a prevalence mapping (may be empty)"
        assert set(prevalence) <= set(expected), "prevalence only for expected muscles"
        assert all(0 <= float(v) <= 1 for v in prevalence.values())
        if not prevalence:
            assert case.get("notes"), "explain in notes why no prevalence is given"
    else:
        assert not prevalence, "referral-pattern cases have no prevalence"


@pytest.mark.parametrize("case", _cases(), ids=_ids())
def test_expected_muscles_exist(case: dict[str, Any]) -> None:
    muscles = load_base().muscles
    missing = [m for m in case["expected"] if m not in muscles]
    assert not missing, f"{case['id']}: expected muscle(s) not in the knowledge base: {', '.join(missing)}"


@pytest.mark.parametrize("case", _cases(), ids=_ids())
def test_case_says_where_in_plain_words(case: dict[str, Any]) -> None:
    """Each case also gives its pain in plain words (`where:`) and one `side:`, the unseen set's format."""
    where = case.get("where")
    assert isinstance(where, list), "give `where:` as a list of plain phrases"
    assert where, "at least one phrase"
    assert all(isinstance(p, str) and p.strip() for p in where)
    assert not any("_" in p for p in where), "plain words, not zone ids"
    assert case.get("side", "both") in {"left", "right", "both"}
