"""`taut zones search PHRASE`: the resolution first, sided, with what matched; then close names."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from taut.cli_kb import zones_app

runner = CliRunner()


def test_search_prints_every_zone_of_the_phrase_first() -> None:
    result = runner.invoke(zones_app, ["search", "from the buttock down the back of the thigh to the calf"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "'the buttock': Upper buttock, Lower buttock"
    assert "'the back of the thigh': Back of the thigh" in lines
    assert "'the calf': Calf" in lines
    assert lines.index("'the calf': Calf") < lines.index("Other close matches:")


def test_side_option_applies_to_pieces_without_a_side_word() -> None:
    result = runner.invoke(zones_app, ["search", "calf on the injured side", "--side", "right", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["zone_ids"] == ["calf_r"]
    assert data["parts"][0]["side"] == "right"


def test_json_holds_the_resolution_and_close_matches() -> None:
    result = runner.invoke(zones_app, ["search", "side of the head", "--json"])
    data = json.loads(result.output)
    assert data["zone_ids"] == ["temple_l", "temple_r"]
    assert data["parts"][0]["matched"] == ["side of head"]
    assert data["unresolved"] == []
    assert all(c["base_id"] != "temple" for c in data["close"])


def test_nothing_found_exits_1_and_names_the_nearest_zones() -> None:
    result = runner.invoke(zones_app, ["search", "left tmpl"])
    assert result.exit_code == 1
    assert "no zone found" in result.output
    assert "Did you mean: Temple" in result.output


def test_a_bad_side_is_refused() -> None:
    result = runner.invoke(zones_app, ["search", "calf", "--side", "up"])
    assert result.exit_code == 2
    assert "--side must be left, right or both" in result.output
