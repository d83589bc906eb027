"""Each integrity rule fails with a message that says how to fix the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from taut.core.errors import InvalidKnowledgeBaseError
from taut.core.knowledge import load_uncached

from .conftest import Breaker, line_of

FOREHEAD_NB = "neighbours: [eyebrow, temple, vertex]"
TRAP_REFERRAL = "essential: [lateral_neck, posterior_neck, mastoid, temple]"

# (file, old, new, marker for the expected line, words in the message, words in the fix)
RULES = [
    pytest.param(
        "zones.yaml",
        "synonyms: [posterior leg, back of the lower leg, calf muscle]",
        "synonyms: [posterior leg, back of the lower leg, calf muscle, kneecap]",
        "calf muscle, kneecap]",
        ["'kneecap'", "already used by zone 'knee_anterior'"],
        ["more specific"],
        id="names-unambiguous",
    ),
    pytest.param(
        "zones.yaml",
        FOREHEAD_NB,
        "neighbours: [eyebrow, temple, vertx]",
        "vertx]",
        ["unknown neighbour", "vertx"],
        ["vertex"],
        id="neighbour-resolves",
    ),
    pytest.param(
        "zones.yaml",
        FOREHEAD_NB,
        "neighbours: [eyebrow, temple, vertex, calf]",
        "calf]",
        ["not symmetric"],
        ["add forehead to the neighbours of calf"],
        id="neighbours-symmetric",
    ),
    pytest.param(
        "zones.yaml",
        FOREHEAD_NB,
        "neighbours: [eyebrow, temple, vertex, forehead]",
        "forehead]",
        ["lists itself"],
        ["remove"],
        id="neighbour-not-self",
    ),
    pytest.param(
        "zones.yaml",
        "- id: temple\n",
        "- id: forehead\n",
        "- id: forehead\n  name: Temple",
        ["used twice"],
        ["unique"],
        id="zone-ids-unique",
    ),
    pytest.param(
        "zones.yaml",
        "- id: nose\n",
        "- id: nose_l\n",
        "- id: nose_l",
        ["reserved"],
        ["bilateral: true"],
        id="side-suffix-reserved",
    ),
    pytest.param(
        "muscles/upper_trapezius.yaml",
        TRAP_REFERRAL,
        "essential: [lateral_neck, posterior_neck, mastoid, temple_l]",
        "temple_l",
        ["temple_l"],
        ["without a side", "'temple'"],
        id="muscles-use-unsided-zones",
    ),
    pytest.param(
        "muscles/upper_trapezius.yaml",
        TRAP_REFERRAL,
        "essential: [lateral_neck, posterior_neck, mastoid, tempel]",
        "tempel",
        ["tempel", "zones.yaml"],
        ["temple"],
        id="referral-zone-resolves",
    ),
    pytest.param(
        "muscles/upper_trapezius.yaml",
        "  nerve: accessory",
        "  nerve: acessory",
        "acessory",
        ["acessory", "nerves.yaml"],
        ["nerves.yaml"],
        id="innervation-resolves",
    ),
    pytest.param(
        "muscles/upper_trapezius.yaml",
        "entrapped_nerves: []",
        "entrapped_nerves: [ulnar_nerve]",
        "ulnar_nerve",
        ["ulnar_nerve"],
        ["nerves.yaml"],
        id="entrapped-nerve-resolves",
    ),
    pytest.param(
        "muscles/upper_trapezius.yaml",
        "  - source: travell_simons_3e",
        "  - source: travel_simons",
        "travel_simons",
        ["travel_simons", "sources.yaml"],
        ["add the source to sources.yaml"],
        id="source-resolves",
    ),
    pytest.param(
        "nerves.yaml",
        "  parent: median",
        "  parent: mediann",
        "mediann",
        ["mediann"],
        ["nerves.yaml"],
        id="parent-nerve-resolves",
    ),
    pytest.param(
        "nerves.yaml",
        "  cutaneous_zones: [occiput, parietal, vertex]",
        "  cutaneous_zones: [occiput, parietal, crown_of_head]",
        "crown_of_head",
        ["crown_of_head"],
        ["zones.yaml"],
        id="nerve-territory-resolves",
    ),
    pytest.param(
        "dermatomes.yaml",
        "{root: C2, zones: [occiput,",
        "{root: C2, zones: [occipt,",
        "occipt",
        ["occipt"],
        ["occiput"],
        id="dermatome-zone-resolves",
    ),
    pytest.param(
        "dermatomes.yaml",
        "- {root: C4,",
        "- {root: C3,",
        "- {root: C3, zones: [shoulder_top",
        ["used twice"],
        ["unique"],
        id="dermatome-roots-unique",
    ),
    pytest.param(
        "geometry.yaml",
        "    throat: [[114, 70]",
        "    throat: [[110, 70]",
        "throat:",
        ["not symmetric"],
        ["mirror each other"],
        id="midline-shape-symmetric",
    ),
    pytest.param(
        "geometry.yaml",
        "    temple: [[40, 58]",
        "    temple: [[140, 58]",
        "temple:",
        ["mirror line"],
        ["loader mirrors it"],
        id="bilateral-shape-one-side",
    ),
    pytest.param(
        "geometry.yaml",
        "    chin: [[112, 178]",
        "    chin: [[112, -8]",
        "chin:",
        ["view box"],
        ["inside"],
        id="shape-inside-view",
    ),
    pytest.param(
        "geometry.yaml",
        "    chin: ",
        "    chinn: ",
        "chinn:",
        ["unknown zone 'chinn'"],
        ["chin"],
        id="shape-zone-resolves",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "marker", "what", "fix"), RULES)
def test_integrity_rule(
    break_file: Breaker, name: str, old: str, new: str, marker: str, what: list[str], fix: list[str]
) -> None:
    errors, text = break_file(name, old, new)
    line = line_of(text, marker)
    matching = [e for e in errors if e.file == name and e.line == line]
    assert matching, f"no error at {name}:{line}; got {[e.message for e in errors]}"
    assert any(all(w in e.what for w in what) and all(f in e.how_to_fix for f in fix) for e in matching), [
        e.message for e in matching
    ]


def test_every_zone_needs_a_shape(break_file: Breaker) -> None:
    errors, _ = break_file("geometry.yaml", "    chin: ", "    chinn: ")
    assert any(e.file == "zones.yaml" and "'chin' has no shape" in e.what for e in errors)


def test_every_fact_needs_a_source(break_file: Breaker) -> None:
    errors, _ = break_file(
        "zones.yaml",
        "defaults:\n  sources:\n  - source: grays_anatomy_42\n"
        "    locator: surface anatomy sections of each body region\n"
        "  - source: michigan_body_map\n    locator: body regions (coarse region alignment)\n",
        "",
    )
    assert errors
    assert all("cites no source" in e.what for e in errors)
    assert "sources" in errors[0].how_to_fix


def test_selfcare_exercises_checked_once_exercises_exist(data_copy: Path) -> None:
    (data_copy / "exercises.yaml").write_text(
        "exercises:\n"
        "- id: upper_trapezius_stretch\n"
        "  name: Upper trapezius stretch\n"
        "  kind: stretch\n"
        "  muscles: [upper_trapezius]\n"
        "  steps: [Tilt the ear toward the opposite shoulder and hold.]\n"
        "  sources: [{source: chaitow_delany_nmt_v1, locator: chapter on the cervical region}]\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidKnowledgeBaseError) as caught:
        load_uncached(data_copy)
    missing = {e.what for e in caught.value.errors}
    assert any("'scm_stretch' is not in exercises.yaml" in w for w in missing)
    assert any("'gluteus_minimus_stretch' is not in exercises.yaml" in w for w in missing)
    assert not any("upper_trapezius_stretch" in w for w in missing)


def test_condition_references_resolve(data_copy: Path) -> None:
    (data_copy / "conditions.yaml").write_text(
        "conditions:\n"
        "- id: tension_type_headache\n"
        "  name: Tension-type headache\n"
        "  zones: [temple, forehead]\n"
        "  muscles: [upper_trapezius, no_such_muscle]\n"
        "  nerves: [greater_occipital]\n"
        "  differentials: [migraine]\n"
        "  sources: [{source: travell_simons_3e, locator: chapter on the trapezius muscle}]\n"
        "  evidence_level: expert_opinion\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidKnowledgeBaseError) as caught:
        load_uncached(data_copy)
    whats = sorted(e.what for e in caught.value.errors)
    assert len(whats) == 2
    assert "no_such_muscle" in whats[1] or "no_such_muscle" in whats[0]
    assert any("migraine" in w for w in whats)
    assert all(e.file == "conditions.yaml" and e.line for e in caught.value.errors)


def test_optional_files_load_when_valid(data_copy: Path) -> None:
    (data_copy / "rom_norms.yaml").write_text(
        "rom_norms:\n"
        "- id: cervical_rotation_adult\n"
        "  motion: cervical_rotation\n"
        "  normal_degrees: 80\n"
        "  sources: [{source: grays_anatomy_42, locator: section 5}]\n",
        encoding="utf-8",
    )
    (data_copy / "techniques.yaml").write_text(
        "techniques:\n"
        "- id: ischemic_compression\n"
        "  name: Trigger point pressure release\n"
        "  kind: manual_pressure\n"
        "  sources: [{source: travell_simons_3e, locator: chapter on therapeutic approaches}]\n",
        encoding="utf-8",
    )
    base = load_uncached(data_copy)
    assert "cervical_rotation_adult" in base.rom_norms
    assert "ischemic_compression" in base.techniques
