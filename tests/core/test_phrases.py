"""Plain words to zones: the phrase table (tests/core/phrases.yaml) and properties of the reader."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from taut.core.bodymap import resolve_phrase
from taut.core.bodymap.phrases import _index
from taut.core.knowledge import load_base
from taut.core.knowledge.schema import Side

TABLE = yaml.safe_load((Path(__file__).parent / "phrases.yaml").read_text(encoding="utf-8"))["cases"]
SIDES = {"left": Side.LEFT, "right": Side.RIGHT, None: None}


def _case_id(case: dict[str, Any]) -> str:
    text = str(case["p"]).strip() or repr(case["p"])
    return f"{text} [{case['side']}]" if case.get("side") else text


@pytest.mark.parametrize("case", TABLE, ids=[_case_id(c) for c in TABLE])
def test_phrase_table(case: dict[str, Any]) -> None:
    base = load_base()
    found = resolve_phrase(base, case["p"], default_side=SIDES[case.get("side")])
    base_ids = {b for part in found.parts for b in part.base_ids}
    if case.get("none"):
        assert found.zone_ids == (), found
        if case["p"].strip():
            assert found.unresolved, found
        for name in case.get("suggest", ()):
            assert name in found.suggestions, found.suggestions
        return
    assert base_ids == set(case["z"]), found.parts
    assert found.unresolved == (), found.unresolved
    assert all(z in base.zones for z in found.zone_ids)
    if "sided" in case:
        assert set(found.zone_ids) == set(case["sided"]), found.zone_ids
    if "parts" in case:
        assert len(found.parts) == case["parts"], found.parts


def test_the_table_is_big_and_names_real_zones() -> None:
    base = load_base()
    assert len(TABLE) >= 300
    named = {z for case in TABLE for z in case.get("z", ())}
    assert named <= set(base.zone_specs)
    regions = {base.zone_specs[z].region for z in named}
    assert regions == {spec.region for spec in base.zone_specs.values()}, "every body region has phrases"
    assert len({_case_id(c) for c in TABLE}) == len(TABLE), "no phrase twice"


def test_a_wrong_body_part_never_comes_in() -> None:
    base = load_base()
    for text, wrong in (
        ("back of the head", "hand_dorsum"),
        ("side of the head", "forehead"),
        ("behind the knee", "mastoid"),
        ("back of the knee", "hand_dorsum"),
        ("front of the thigh", "anterior_neck"),
        ("inner side of the knee", "elbow_medial"),
    ):
        found = resolve_phrase(base, text)
        assert not any(z.startswith(wrong) for z in found.zone_ids), (text, found.zone_ids)


def test_parts_say_what_matched_and_score() -> None:
    found = resolve_phrase(load_base(), "jaw, cheek and ear")
    assert [p.text for p in found.parts] == ["jaw", "cheek", "ear"]
    assert found.parts[1].matched == ("cheek",)
    assert all(0 < p.score <= 1 for p in found.parts)
    typo = resolve_phrase(load_base(), "tempel").parts[0]
    assert typo.score < 1


def test_zone_ids_are_the_union_of_the_parts_in_order() -> None:
    found = resolve_phrase(load_base(), "left calf and left heel and the left calf")
    assert found.zone_ids == ("calf_l", "heel_l")


def test_side_words_are_reported_on_the_part() -> None:
    base = load_base()
    found = resolve_phrase(base, "left hip and right knee")
    assert [p.side for p in found.parts] == [Side.LEFT, Side.RIGHT]
    assert resolve_phrase(base, "knee").parts[0].side is None
    assert resolve_phrase(base, "both knees").parts[0].side is Side.MIDLINE
    assert resolve_phrase(base, "knee on the injured side", default_side=Side.RIGHT).parts[0].side is Side.RIGHT


def test_default_side_applies_only_without_a_side_word() -> None:
    base = load_base()
    assert resolve_phrase(base, "calf", default_side=Side.RIGHT).zone_ids == ("calf_r",)
    assert resolve_phrase(base, "left calf", default_side=Side.RIGHT).zone_ids == ("calf_l",)
    assert resolve_phrase(base, "calf", default_side=Side.MIDLINE).zone_ids == ("calf_l", "calf_r")


@pytest.mark.parametrize(
    ("text", "suggested"),
    [("left tempel", "Temple"), ("templ_l", "Temple"), ("left elbowz-nowhere", "Outer elbow"), ("calff", "Calf")],
)
def test_strict_reading_asks_instead_of_guessing(text: str, suggested: str) -> None:
    """What goes into a record is not guessed: a misspelt or unknown word leaves its piece unresolved,
    and the lenient reading of it comes first among the suggestions."""
    base = load_base()
    assert resolve_phrase(base, text).zone_ids, "the lenient reading finds it"
    strict = resolve_phrase(base, text, strict=True)
    assert strict.zone_ids == ()
    assert strict.unresolved
    assert strict.suggestions[0] == suggested


def test_strict_reading_still_takes_plain_phrases() -> None:
    base = load_base()
    for case in TABLE:
        if case.get("z") and not any(ch.isdigit() for ch in case["p"]) and "(" not in case["p"]:
            lenient = resolve_phrase(base, case["p"])
            strict = resolve_phrase(base, case["p"], strict=True)
            if all(p.score >= 0.95 for p in lenient.parts) and len(case["p"].split()) <= 3:
                assert strict.zone_ids == lenient.zone_ids, case["p"]


def test_a_sided_id_reads_as_itself() -> None:
    found = resolve_phrase(load_base(), "temple_l")
    assert found.zone_ids == ("temple_l",)


def test_no_lexicon_phrase_means_two_zones() -> None:
    """Once filler words are dropped, a name or synonym still belongs to one zone only."""
    index = _index(load_base())
    for key, entries in index.lexicon.items():
        zones = [e.id for e in entries if e.kind == "zone"]
        assert len(zones) <= 1, (key, zones)
        kinds = {e.kind for e in entries}
        assert "place" not in kinds or kinds == {"place"}, key


def test_every_zone_name_reads_as_its_zone() -> None:
    base = load_base()
    for spec in base.zone_specs.values():
        for name in (spec.name, *spec.synonyms):
            found = resolve_phrase(base, name)
            assert {b for p in found.parts for b in p.base_ids} == {spec.id}, (name, found.parts)


def test_every_anatomical_term_reads_as_its_zones() -> None:
    base = load_base()
    for term in base.anatomy_terms.values():
        if term.kind == "place":
            continue
        for word in term.words:
            found = resolve_phrase(base, word)
            got = {b for p in found.parts for b in p.base_ids}
            assert got, word
            assert got <= set(term.zones), (word, got)


def test_resolving_is_fast_once_warm() -> None:
    base = load_base()
    phrases = [c["p"] for c in TABLE]
    for text in phrases:
        resolve_phrase(base, text)
    start = time.perf_counter()
    rounds = 3
    for _ in range(rounds):
        for text in phrases:
            resolve_phrase(base, text)
    per_call = (time.perf_counter() - start) / (rounds * len(phrases))
    assert per_call < 0.002, f"{per_call * 1000:.3f} ms per phrase"


# ---------------------------------------------------------------- properties

WORDS = sorted({w for c in TABLE for w in str(c["p"]).replace(",", " ").split()})
SIDE_WORDS = [
    "left",
    "right",
    "both",
    "bilateral",
    "on the left",
    "on the right side",
    "left-sided",
    "on the injured side",
]
SIDED = {"left", "right", "both", "bilateral", "rt", "either", "each", "opposite", "other", "injured"}
LOCATIONS = [
    c["p"]
    for c in TABLE
    if c.get("z") and "side" not in c and "sided" not in c and not SIDED & set(re.findall(r"[a-z]+", c["p"].lower()))
]


@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_never_raises_on_any_text(text: str) -> None:
    base = load_base()
    found = resolve_phrase(base, text)
    assert all(z in base.zones for z in found.zone_ids)
    assert len(set(found.zone_ids)) == len(found.zone_ids)


@given(st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join))
@settings(max_examples=300, deadline=None)
def test_never_raises_on_body_words_in_any_order(text: str) -> None:
    base = load_base()
    found = resolve_phrase(base, text, default_side=Side.LEFT)
    assert all(z in base.zones for z in found.zone_ids)
    for part in found.parts:
        assert part.base_ids
        assert 0 < part.score <= 1


@given(st.sampled_from(LOCATIONS), st.sampled_from([None, Side.LEFT, Side.RIGHT, Side.MIDLINE]))
@settings(max_examples=200, deadline=None)
def test_deterministic(text: str, side: Side | None) -> None:
    base = load_base()
    assert resolve_phrase(base, text, default_side=side) == resolve_phrase(base, text, default_side=side)


@given(st.sampled_from(LOCATIONS), st.sampled_from(SIDE_WORDS), st.booleans())
@settings(max_examples=300, deadline=None)
def test_side_words_never_change_the_base_zones(text: str, side_word: str, before: bool) -> None:
    base = load_base()
    plain = resolve_phrase(base, text)
    sided = resolve_phrase(base, f"{side_word} {text}" if before else f"{text} {side_word}")
    assert [p.base_ids for p in sided.parts] == [p.base_ids for p in plain.parts]


@given(st.sampled_from(LOCATIONS))
@settings(max_examples=100, deadline=None)
def test_a_side_word_narrows_to_that_side(text: str) -> None:
    base = load_base()
    found = resolve_phrase(base, f"left {text}")
    for zone_id in found.zone_ids:
        assert base.zones[zone_id].side in (Side.LEFT, Side.MIDLINE)
