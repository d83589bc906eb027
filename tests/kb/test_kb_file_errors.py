"""A malformed data file fails with the file, the line, what is wrong and how to fix it."""

from __future__ import annotations

import pytest

from taut.core.knowledge.loader import DATA_DIR

from .conftest import Breaker, line_of

# (file, text to replace, replacement, marker whose line the error must point at, words in the message)
CASES = [
    pytest.param(
        "zones.yaml", "  name: Forehead\n", "  nmae: Forehead\n", "nmae", ["nmae", "remove the key"], id="misspelt-key"
    ),
    pytest.param("zones.yaml", "- id: forehead\n", "- id: Fore-head\n", "Fore-head", ["snake_case"], id="bad-id"),
    pytest.param(
        "zones.yaml", "  region: head\n", "  region: heda\n", "heda", ["heda", "allowed values"], id="bad-region"
    ),
    pytest.param(
        "zones.yaml",
        "  name: Forehead\n",
        "  name: Forehead\n  name: Brow\n",
        "name: Brow",
        ["appears twice", "keep one"],
        id="duplicate-key",
    ),
    pytest.param("nerves.yaml", "  roots: [C2]\n", "  roots: [C9]\n", "[C9]", ["spinal root"], id="bad-root"),
    pytest.param(
        "sources.yaml",
        "  pages: 1205-1212\n  doi: 10.1097/j.pain.0000000000000506\n",
        "",
        "- id: michigan_body_map",
        ["doi"],
        id="paper-without-doi",
    ),
    pytest.param(
        "dermatomes.yaml",
        "  sources: *isncsci_key_muscles\n",
        "  sources: []\n",
        "sources: []",
        ["add at least one citation"],
        id="no-citation",
    ),
    pytest.param(
        "muscles/upper_trapezius.yaml",
        "symptoms: [pain, headache, stiffness]",
        "symptoms: [pain, headache, stifness]",
        "stifness",
        ["stifness", "allowed values"],
        id="unknown-symptom",
    ),
    pytest.param(
        "muscles/upper_trapezius.yaml",
        "restricted_motions: [cervical_rotation,",
        "restricted_motions: [neck_rotation,",
        "neck_rotation",
        ["neck_rotation", "allowed values"],
        id="unknown-motion",
    ),
    pytest.param(
        "muscles/upper_trapezius.yaml",
        "curated_on: 2026-11-25",
        "curated_on: 25/11/2026",
        "25/11/2026",
        ["YYYY-MM-DD"],
        id="bad-date",
    ),
    pytest.param(
        "muscles/gluteus_minimus.yaml",
        "id: gluteus_minimus",
        "id: gluteus_min",
        "id: gluteus_min",
        ["rename the file"],
        id="id-differs-from-file-name",
    ),
    pytest.param(
        "muscles/sternocleidomastoid.yaml",
        "  method: pincer\n",
        "  method: pinch\n",
        "pinch",
        ["pinch", "allowed values"],
        id="bad-palpation-method",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "marker", "words"), CASES)
def test_malformed_file_is_reported_with_line_and_fix(
    break_file: Breaker, name: str, old: str, new: str, marker: str, words: list[str]
) -> None:
    errors, text = break_file(name, old, new)
    assert errors, "the defect was not detected"
    expected_line = line_of(text, marker)
    matching = [e for e in errors if e.file == name and e.line == expected_line]
    assert matching, f"no error at {name}:{expected_line}; got {[e.message for e in errors]}"
    message = " ".join(e.message for e in matching)
    for word in words:
        assert word in message
    assert all(e.how_to_fix for e in errors)


def test_yaml_syntax_error_points_near_the_break(break_file: Breaker) -> None:
    errors, text = break_file("zones.yaml", "  bilateral: true\n", "  bilateral: true\n   oops: [\n")
    assert len(errors) == 1
    error = errors[0]
    assert error.file == "zones.yaml"
    assert error.line is not None
    assert abs(error.line - line_of(text, "oops")) <= 3
    assert "not valid YAML" in error.message
    assert "indentation" in error.how_to_fix


def test_bad_version_file(break_file: Breaker) -> None:
    current = (DATA_DIR / "VERSION").read_text().strip()
    errors, _ = break_file("VERSION", current, "zero")
    assert [e.file for e in errors] == ["VERSION"]
    assert "semantic version" in errors[0].message


def test_missing_required_key_names_the_key(break_file: Breaker) -> None:
    errors, _ = break_file("muscles/upper_trapezius.yaml", "evidence_level: expert_opinion\n", "")
    assert any("evidence_level" in e.message and "add the key" in e.how_to_fix for e in errors)
    assert all(e.line is not None for e in errors)


def test_error_message_reads_as_file_line_what_fix(break_file: Breaker) -> None:
    errors, text = break_file("zones.yaml", "  region: head\n", "  region: heda\n")
    message = errors[0].message
    assert message.startswith(f"zones.yaml:{line_of(text, 'heda')}: ")
    assert "How to fix:" in message
