"""Special tests done at a visit: read the visit's results, record (or correct) some."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router
from pydantic import Field

from taut.api.errors import ERR
from taut.api.schemas import Strict
from taut.assessments import special_tests as service
from taut.assessments.models import SpecialTestResult
from taut.clients import services as clients
from taut.core.knowledge.loader import load_base
from taut.records import services as records

router = Router(tags=["special tests"])
PATH = "/clients/{client_id}/visits/{visit_id}/special-tests"


class SpecialTestResultIn(Strict):
    test: str = Field(min_length=1, max_length=100, description="A special test id (phalen) or name")
    side: Literal["left", "right", "midline"]
    result: Literal["positive", "negative", "equivocal"]
    note: str = Field("", max_length=500)


class SpecialTestsIn(Strict):
    tests: list[SpecialTestResultIn] = Field(min_length=1, max_length=100)


class SpecialTestResultOut(Strict):
    id: int
    visit_id: int
    test: str
    name: str
    region: str
    side: str
    result: str
    note: str
    recorded_by_id: int
    created_at: dt.datetime
    updated_at: dt.datetime


def _out(records: list[SpecialTestResult]) -> list[dict[str, Any]]:
    tests = load_base().special_tests
    return [
        {
            **{f: getattr(r, f) for f in ("id", "visit_id", "test", "side", "result", "note", "recorded_by_id")},
            "name": tests[r.test].name if r.test in tests else r.test,
            "region": str(tests[r.test].region) if r.test in tests else "",
            "created_at": r.created_at,
            "updated_at": r.updated_at,
        }
        for r in records
    ]


@router.get(PATH, response={200: list[SpecialTestResultOut], **ERR})
def list_special_tests(request: HttpRequest, client_id: int, visit_id: int) -> Any:
    """The visit's special-test results, by test and side."""
    role = getattr(request, "role", None)
    return _out(records.list_records(role, client_id, visit_id, "specialtestresult", service.list_results))


@router.put(PATH, response={200: list[SpecialTestResultOut], **ERR})
def put_special_tests(request: HttpRequest, client_id: int, visit_id: int, payload: SpecialTestsIn) -> Any:
    """Record (or correct) results, one per test and side; results not named are kept. Answers with
    all of the visit's results. The visit's pain chart, if filed, is re-analysed with them."""
    visit = clients.get_visit(clients.get_client(client_id), visit_id)
    items = [r.model_dump() for r in payload.tests]
    service.do_record_special_tests(visit, items, request.user, getattr(request, "role", None))
    return _out(service.list_results(visit))
