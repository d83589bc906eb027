"""Queries per page have a budget: each main page of the demo's course-of-care client, read by its
practitioner, runs at most a fixed number of SQL queries, so a page that starts to query per row
(an N+1) fails here before it slows the clinic down. The budgets were set from the counts measured
when this test was written, with a margin of about a quarter; raise one only with the reason in
the commit."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from taut import demo
from taut.access.models import User
from taut.access.scoping import unscoped
from taut.clients.models import Client
from taut.demo import course
from tests.web.routes import FAST_HASHERS

pytestmark = pytest.mark.django_db

# page -> most queries (measured on 2026-12-08: today 38, client list 9, client 23, visit 24, pain
# chart 16, plans 12, progress 17, note 20, plan 16)
BUDGETS: dict[str, int] = {
    "today": 48,
    "client list": 12,
    "client": 29,
    "visit": 30,
    "pain chart": 20,
    "plans": 15,
    "progress": 22,
    "note": 25,
    "plan": 20,
}


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def pages(clara: Client) -> dict[str, str]:
    with unscoped():
        visits = list(clara.visits.order_by("date"))
        first, reassessment = visits[0], [v for v in visits if v.kind == "reassessment"][-1]
        note = reassessment.session_notes.first()
        plan = clara.treatment_plans.first()
    c = f"/clients/{clara.pk}/"
    out = {
        "today": "/",
        "client list": "/clients/",
        "client": c,
        "visit": f"{c}visits/{reassessment.pk}/",
        "pain chart": f"{c}visits/{first.pk}/pain-chart/",
        "plans": f"{c}plans/",
        "progress": f"{c}progress/",
    }
    assert note is not None
    assert plan is not None
    out["note"] = f"{c}visits/{reassessment.pk}/notes/{note.pk}/"
    out["plan"] = f"{c}plans/{plan.pk}/"
    return out


def test_each_main_page_stays_within_its_query_budget() -> None:
    demo.load()
    with unscoped():
        clara = Client.objects.get(given_name=course.GIVEN, family_name=course.FAMILY)
    http = HttpClient()
    http.force_login(User.objects.get(username=course.PRACTITIONER))
    counts: dict[str, int] = {}
    for name, url in pages(clara).items():
        http.get(url)  # once to warm the caches a running server holds (knowledge base, templates)
        with CaptureQueriesContext(connection) as ctx:
            response = http.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        counts[name] = len(ctx.captured_queries)
    over = {n: (c, BUDGETS[n]) for n, c in counts.items() if n in BUDGETS and c > BUDGETS[n]}
    assert not over, f"pages over their query budget (queries, budget): {over}"
    assert set(BUDGETS) == set(counts)
