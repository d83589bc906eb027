"""`taut kb` and `taut zones` commands."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from taut.cli_kb import kb_app, zones_app
from taut.core.knowledge import load_base

runner = CliRunner()


def test_stats_json_counts_citations() -> None:
    result = runner.invoke(kb_app, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["version"] == load_base().version
    assert data["facts"] == data["facts_cited"]
    assert data["zones_sided"] >= 150


def test_stats_text() -> None:
    result = runner.invoke(kb_app, ["stats"])
    assert result.exit_code == 0
    assert "zones_base" in result.output


def test_export_json() -> None:
    result = runner.invoke(kb_app, ["export", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["version"] == load_base().version


def test_export_rejects_other_formats() -> None:
    result = runner.invoke(kb_app, ["export", "--format", "xml"])
    assert result.exit_code == 2


def test_show_by_synonym() -> None:
    result = runner.invoke(kb_app, ["show", "SCM", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["kind"], data["id"]) == ("muscle", "sternocleidomastoid")


def test_show_zone_and_nerve_as_text() -> None:
    assert "retro_orbital" in runner.invoke(kb_app, ["show", "behind the eye"]).output
    assert "common_fibular" in runner.invoke(kb_app, ["show", "common peroneal nerve"]).output


def test_show_unknown_name_fails_with_hint() -> None:
    result = runner.invoke(kb_app, ["show", "xyzzy"])
    assert result.exit_code == 1


def test_check_passes_on_bundled_data() -> None:
    result = runner.invoke(kb_app, ["check"])
    assert result.exit_code == 0
    assert "OK" in result.output


def test_zones_search_json() -> None:
    result = runner.invoke(zones_app, ["search", "left temple", "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["zone_ids"] == ["temple_l"]
    assert found["parts"][0]["matched"] == ["temple"]


def test_sub_apps_mount_on_a_main_app() -> None:
    app = typer.Typer()
    app.add_typer(kb_app, name="kb")
    app.add_typer(zones_app, name="zones")
    result = runner.invoke(app, ["zones", "search", "calf"])
    assert result.exit_code == 0, result.output
    assert "calf_l" in result.output
    assert runner.invoke(app, ["kb", "stats"]).exit_code == 0
