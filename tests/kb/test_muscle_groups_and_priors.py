"""Muscle groups (muscle_groups.yaml) and the cited prior compiled from conditions.yaml."""

from __future__ import annotations

import pytest

from taut.core.knowledge import load_base
from taut.core.reasoning import priors
from taut.core.reasoning.chart import build_chart

from .conftest import Breaker, line_of

BASE = load_base()


def test_groups_load_with_members_and_citations() -> None:
    groups = BASE.muscle_groups
    for expected in ("suboccipitals", "scalenes", "hamstrings", "quadriceps", "hip_adductors", "rotator_cuff"):
        assert expected in groups
    for extra in ("erector_spinae", "multifidi", "deep_neck_flexors", "pterygoids"):
        assert extra in groups
    assert set(groups["deep_neck_flexors"].members) == {"longus_capitis", "longus_colli"}
    members = [m for g in groups.values() for m in g.members]
    assert len(members) == len(set(members)), "a muscle belongs to one group at most"
    for group in groups.values():
        assert group.sources
        assert all(ref.source in BASE.sources for ref in group.sources)
        assert all(m in BASE.muscles for m in group.members)


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            "members: [lateral_pterygoid, medial_pterygoid]",
            "members: [lateral_pterygoid, medial_pterygoidd]",
            ["'medial_pterygoidd'", "not in muscles/"],
        ),
        (
            "members: [rhomboid_major, rhomboid_minor]",
            "members: [rhomboid_major, rhomboid_minor, lateral_pterygoid]",
            ["'lateral_pterygoid'", "already a member", "pterygoids"],
        ),
        (
            '- {source: travell_simons_3e, locator: "chapter on the rhomboid muscles"}',
            '- {source: travell_simons_4e, locator: "chapter on the rhomboid muscles"}',
            ["'travell_simons_4e'", "not in sources.yaml"],
        ),
    ],
    ids=["member-exists", "one-group-per-muscle", "source-exists"],
)
def test_a_broken_group_is_refused_with_its_line(break_file: Breaker, old: str, new: str, words: list[str]) -> None:
    errors, text = break_file("muscle_groups.yaml", old, new)
    assert errors, "the broken group must be refused"
    error = next(e for e in errors if e.file == "muscle_groups.yaml")
    for word in words:
        assert word in error.message
    assert error.line is not None
    assert error.line >= line_of(text, new)


def test_a_group_of_one_is_refused_by_the_schema(break_file: Breaker) -> None:
    errors, _ = break_file("muscle_groups.yaml", "members: [longus_capitis, longus_colli]", "members: [longus_capitis]")
    assert any(e.file == "muscle_groups.yaml" and "members" in e.message for e in errors)


def test_every_prior_figure_traces_to_a_condition_that_names_the_muscle() -> None:
    table = priors.table(BASE)
    for condition_id, named in table.by_condition.items():
        condition = BASE.conditions[condition_id]
        study = {e.muscle: e for e in condition.muscle_evidence}
        for muscle, found in named.items():
            assert found.sources, (condition_id, muscle)
            assert all(s in BASE.sources for s in found.sources)
            if found.basis == "study figure":
                assert found.weight == study[muscle].prevalence
                assert found.sources == (study[muscle].source.source,)
            elif found.basis == "study":
                assert muscle in study
                assert found.weight == priors.W_STUDY
            else:
                assert muscle in condition.muscles
                assert found.weight == priors.W_LISTED


def test_the_prior_of_a_head_chart_favours_the_muscles_studies_find() -> None:
    chart = build_chart(BASE, [(z, 6, None) for z in ("temple_l", "temple_r", "forehead_l", "forehead_r")])
    cp = priors.for_chart(BASE, chart)
    trapezius = priors.prior(BASE, cp, "upper_trapezius")
    superior = priors.prior(BASE, cp, "obliquus_capitis_superior")
    nobody = priors.prior(BASE, cp, "soleus")
    assert trapezius.rate > superior.rate > nobody.rate == 0.0
    assert nobody.factor == pytest.approx(priors.PRIOR_FLOOR)
    assert trapezius.factor == pytest.approx(priors.PRIOR_FLOOR + trapezius.rate)
    assert "tension_type_headache" in trapezius.conditions
    assert "fernandez_2007_etth" in trapezius.sources


def test_a_named_condition_uses_its_own_figure() -> None:
    chart = build_chart(BASE, [("occiput_l", 6, None)], condition="tension_type_headache")
    cp = priors.for_chart(BASE, chart)
    found = priors.prior(BASE, cp, "rectus_capitis_posterior_major")
    assert found.rate == pytest.approx(0.65)
    assert found.sources == ("fernandez_2006_ctth_suboccipital",)
    assert priors.prior(BASE, cp, "soleus").rate == 0.0
