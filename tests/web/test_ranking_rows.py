"""The grouped, one-row-per-muscle ranking as the API, `taut rank` and the chart preview show it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from typer.testing import CliRunner

from taut.access.models import Role, User
from taut.cli import app
from taut.core.knowledge.loader import load_base
from tests.factories import ClinicWorld
from tests.web.routes import FAST_HASHERS

pytestmark = pytest.mark.django_db
ApiAs = Callable[[ClinicWorld, str], HttpClient]
WebAs = Callable[[User], HttpClient]
BASE = load_base()
SUBOCCIPITAL = ["occiput", "suboccipital", "temple", "forehead"]  # both sides


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def test_the_api_ranks_one_row_per_muscle_and_groups_near_identical_members(
    clinic_a: ClinicWorld, api_as: ApiAs
) -> None:
    api = api_as(clinic_a, Role.PRACTITIONER)
    body = {"pain": [{"zone": z, "intensity": 6} for z in SUBOCCIPITAL]}  # no side: both sides
    response = api.post("/api/v1/reasoning/rank", json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    muscles = [c["muscle"] for c in data["candidates"]]
    assert len(muscles) == len(set(muscles)), "a two-sided chart lists each muscle once"
    assert [m for row in data["rows"] for m in row["members"]] == muscles
    group = next(row for row in data["rows"] if row["group"] == "suboccipitals")
    assert set(group["members"]) == set(BASE.muscle_groups["suboccipitals"].members)
    assert group["sides"] == ["left", "right"]
    by_id = {c["muscle"]: c for c in data["candidates"]}
    assert group["probability"] == pytest.approx(sum(by_id[m]["probability"] for m in group["members"]))
    for c in data["candidates"]:
        assert c["prior"]["factor"] > 0
        assert f"prior {c['prior']['factor']:.2f}" in c["why"]
        assert set(c["sides"]) <= {"left", "right"}
    order = [entry.split(":")[0] for entry in data["palpation_order"]]
    assert muscles[0] in order
    assert set(order) <= set(muscles)
    assert [c["muscle"] for c in data["explaining"]] == order


def test_taut_rank_prints_group_rows_with_their_members_and_sides() -> None:
    args = ["rank", *[a for z in SUBOCCIPITAL for a in ("--pain", f"{z}:6")]]
    table = CliRunner().invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "Suboccipitals" in table.output
    assert "group of 4:" in table.output
    assert "left+right" in table.output
    assert " 0% " not in table.output
    as_json = CliRunner().invoke(app, [*args, "--json"])
    assert as_json.exit_code == 0
    rows = json.loads(as_json.output)["rows"]
    assert any(r["group"] == "suboccipitals" and len(r["members"]) == 4 for r in rows)


def test_the_chart_preview_shows_a_group_row_with_its_members(clinic_a: ClinicWorld, web_as: WebAs) -> None:
    http = web_as(clinic_a.users[Role.PRACTITIONER])
    response = http.post(reverse("assessments:reasoning_preview"), {"pain": "\n".join(f"{z}:6" for z in SUBOCCIPITAL)})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-group="suboccipitals"' in text
    for member in BASE.muscle_groups["suboccipitals"].members:
        assert text.count(f'data-muscle="{member}"') == 1
    assert "left and right" in text
    assert "Palpation order:" in text
