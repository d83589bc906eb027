"""anatomy_terms.yaml: each broken rule is reported at its line with how to fix it."""

from __future__ import annotations

import pytest

from tests.kb.conftest import Breaker, line_of

NAME = "anatomy_terms.yaml"


@pytest.mark.parametrize(
    ("old", "new", "marker", "what"),
    [
        (
            "  zones: [interscapular, medial_scapular_border]\n  bare: [interscapular]",
            "  zones: [interscapular, medial_scapular_bordr]\n  bare: [interscapular]",
            "medial_scapular_bordr",
            "not in zones.yaml",
        ),
        ("  as_place: [posterior]\n", "  as_place: [backwards]\n", "backwards", "not a place word"),
        ("  words: [tibia, tibial,", "  words: [tibia, fibula,", "  words: [fibula, fibula bone]", "already a word of"),
    ],
)
def test_anatomy_term_rules(break_file: Breaker, old: str, new: str, marker: str, what: str) -> None:
    errors, text = break_file(NAME, old, new)
    line = line_of(text, marker)
    assert any(e.file == NAME and e.line == line and what in e.what for e in errors), [e.message for e in errors]


@pytest.mark.parametrize(
    ("old", "new", "what"),
    [
        ("- id: anterior\n  kind: place\n", "- id: anterior\n  kind: place\n  zones: [shin]\n", "names no zones"),
        ("  zones: [elbow_posterior]\n", "", "needs the zones"),
        ("  zones: [shin, leg_medial]\n  bare: [shin]", "  zones: [shin]\n  bare: [calf]", "not among"),
    ],
)
def test_anatomy_term_shape(break_file: Breaker, old: str, new: str, what: str) -> None:
    errors, _ = break_file(NAME, old, new)
    assert any(e.file == NAME and what in e.message for e in errors), [e.message for e in errors]


def test_an_unknown_source_is_reported(break_file: Breaker) -> None:
    errors, _ = break_file(NAME, "  - source: terminologia_anatomica_2\n", "  - source: terminologia_anatomica_9\n")
    assert any(e.file == NAME and "terminologia_anatomica_9" in e.what for e in errors)
