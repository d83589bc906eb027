"""instruments.yaml and wellness.yaml: complete, cited, licensed, and checked by the loader."""

from __future__ import annotations

import re

import pytest

from taut.core.knowledge import load_base
from tests.kb.conftest import Breaker

BASE = load_base()

REQUIRED = {"nprs", "psfs", "ndi", "rmdq", "quickdash", "lefs", "pss10", "nijmegen"}
WELLNESS_DOMAINS = {"hydration", "nutrition", "breathing", "stress", "sleep", "physical_activity", "work_posture"}


def test_every_promised_instrument_is_in_the_base() -> None:
    """The eight instruments of the intake are present (ODI 2.1a is left out on licence grounds)."""
    assert set(BASE.instruments) >= REQUIRED
    assert "odi" not in BASE.instruments


@pytest.mark.parametrize("instrument_id", sorted(REQUIRED))
def test_an_instrument_records_its_licence_and_cites_sources_that_record_theirs(instrument_id: str) -> None:
    """Each instrument states its licence, and at least one cited source carries a licence or the
    instrument's own wording is ours."""
    inst = BASE.instruments[instrument_id]
    assert len(inst.license) > 20, "say who owns the instrument and on what terms it may be used"
    cited = [BASE.sources[ref.source] for ref in inst.sources]
    assert inst.item_text == "ours" or any(s.license for s in cited), (
        f"{instrument_id}: add `license` to one of its sources in sources.yaml"
    )


@pytest.mark.parametrize("instrument_id", sorted(REQUIRED))
def test_the_score_range_follows_from_the_items(instrument_id: str) -> None:
    """score_min/score_max agree with the item count, item range and scoring rule."""
    inst = BASE.instruments[instrument_id]
    items = inst.items
    if inst.scoring_rule in {"sum", "sum_percent"}:
        assert inst.score_min == items.count_max * items.min_value
        assert inst.score_max == items.count_max * items.max_value
    elif inst.scoring_rule in {"single", "mean"}:
        assert (inst.score_min, inst.score_max) == (items.min_value, items.max_value)
    else:
        assert (inst.score_min, inst.score_max) == (0, 100)


@pytest.mark.parametrize("instrument_id", sorted(REQUIRED))
def test_bands_cover_the_range_without_gaps_in_whole_points(instrument_id: str) -> None:
    """Bands start at the minimum, end at the maximum, and follow each other point by point."""
    inst = BASE.instruments[instrument_id]
    if not inst.bands:
        return
    assert inst.bands[0].low == inst.score_min
    assert inst.bands[-1].high == inst.score_max
    for before, after in zip(inst.bands, inst.bands[1:], strict=False):
        assert after.low == before.high + 1, f"{instrument_id}: gap or overlap at {before.label!r}"


def test_published_item_wording_is_never_stored() -> None:
    """Domain labels are short labels in our words, not questions copied from a form."""
    for inst in BASE.instruments.values():
        for label in inst.items.domains:
            assert len(label) <= 45, f"{inst.id}: {label!r} reads like item text"
            assert not label.endswith("?"), f"{inst.id}: {label!r} reads like item text"


def test_the_reverse_scored_items_of_the_pss10_are_4_5_7_and_8() -> None:
    """Cohen's scoring reverses the four positively worded items."""
    assert BASE.instruments["pss10"].items.reverse_scored == (4, 5, 7, 8)


def test_every_wellness_domain_is_there_and_every_advice_is_reachable() -> None:
    """All seven domains exist; each advice item can be raised by some answer."""
    assert set(BASE.wellness) == WELLNESS_DOMAINS
    for domain in BASE.wellness.values():
        raised = {a for q in domain.questions for o in q.options for a in o.advice}
        assert raised == {a.id for a in domain.advice}, f"{domain.id}: advice never raised or unknown"
        assert any(o.flag for q in domain.questions for o in q.options), f"{domain.id}: no answer flags it"


def test_wellness_advice_that_states_a_number_cites_a_source() -> None:
    """Advice quoting minutes, hours or litres names where the figure comes from."""
    for domain in BASE.wellness.values():
        for advice in domain.advice:
            if re.search(r"\d+\s*(minutes|hours|litres)", advice.text):
                assert advice.sources, f"{domain.id}.{advice.id} states a figure without a source"


def test_an_unknown_source_in_an_mcid_is_reported_with_its_line(break_file: Breaker) -> None:
    """A misspelt source id inside `mcid` is an error pointing at that line."""
    errors, _ = break_file(
        "instruments.yaml",
        "source: {source: farrar_2001_nprs_change, locator: abstract (2-point",
        "source: {source: farrar_2001_nprs, locator: abstract (2-point",
    )
    assert any("farrar_2001_nprs" in e.what and e.file == "instruments.yaml" for e in errors), errors


def test_bands_without_a_source_are_rejected(break_file: Breaker) -> None:
    """Interpretation bands need a cited source."""
    errors, _ = break_file(
        "instruments.yaml",
        "  bands_source: {source: vernon_ndi_scoring_note, locator: scoring intervals of the original report"
        " (raw score out of 50)}\n",
        "",
    )
    assert any("bands_source" in e.what for e in errors), errors


def test_a_reverse_scored_item_outside_the_items_is_rejected(break_file: Breaker) -> None:
    """Reverse-scored item numbers must exist."""
    errors, _ = break_file("instruments.yaml", "reverse_scored: [4, 5, 7, 8]", "reverse_scored: [4, 5, 7, 18]")
    assert any("outside 1..10" in e.what for e in errors), errors


def test_an_option_naming_unknown_advice_is_rejected(break_file: Breaker) -> None:
    """An option's advice id must be defined in its domain."""
    errors, _ = break_file("wellness.yaml", "advice: [drink_regularly]}", "advice: [drink_more]}")
    assert any("drink_more" in e.what and e.file == "wellness.yaml" for e in errors), errors


def test_a_duplicated_instrument_id_is_rejected(break_file: Breaker) -> None:
    """Instrument ids are unique."""
    errors, _ = break_file("instruments.yaml", "- id: psfs\n", "- id: nprs\n")
    assert any("used twice" in e.what for e in errors), errors
