"""Outcome measures and the wellness questionnaire of a visit, and a client's score history."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router
from ninja.params import functions as params
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StringConstraints

from taut.access import capabilities
from taut.api.errors import ERR
from taut.assessments import measures
from taut.assessments.models import OutcomeMeasure, WellnessAnswers
from taut.clients import services as clients
from taut.records import services as records

router = Router(tags=["measures"])
INSTRUMENT: Any = params.Path(
    ..., min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$", description="Instrument id (ndi, lefs ...)"
)


class MeasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: list[StrictInt | StrictFloat | None] = Field(
        min_length=1,
        max_length=measures.MAX_ITEMS,
        description="Answers in item order as numbers; null for an item the client left blank",
    )


class ScoreOut(BaseModel):
    value: float
    percent: float | None
    band: str | None
    answered: int
    items: int
    missing: list[int]
    warnings: list[str]
    higher_is: str
    score_min: float
    score_max: float
    why: str


class MeasureOut(BaseModel):
    id: int
    visit_id: int
    instrument: str
    name: str
    answers: list[float | None]
    score: ScoreOut
    mcid: float | None
    kb_version: str


class HistoryScoreOut(BaseModel):
    visit_id: int
    date: dt.date
    value: float
    percent: float | None
    band: str | None
    difference: float | None = Field(description="Change since the first score (after minus before)")
    exceeds_mcid: bool
    improved: bool


class HistoryOut(BaseModel):
    instrument: str
    name: str
    higher_is: str
    mcid: float | None
    scores: list[HistoryScoreOut]


class WellnessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[
        Annotated[str, StringConstraints(max_length=80)], Annotated[str, StringConstraints(max_length=60)]
    ] = Field(min_length=1, max_length=100, description="{'domain.question': option value}, as in wellness.yaml")


class AdviceOut(BaseModel):
    id: str
    domain: str
    text: str
    because: list[str]
    sources: list[str]


class WellnessOut(BaseModel):
    id: int
    visit_id: int
    answers: dict[str, str]
    advice: list[AdviceOut]
    flags: dict[str, bool]
    unanswered: list[str]
    kb_version: str


def _measure_out(record: OutcomeMeasure) -> dict[str, Any]:
    instrument = measures.get_instrument(record.instrument)
    return {
        "id": record.pk,
        "visit_id": record.visit_id,
        "instrument": record.instrument,
        "name": instrument.name,
        "answers": record.answers,
        "score": record.score,
        "mcid": instrument.mcid.value if instrument.mcid else None,
        "kb_version": record.kb_version,
    }


def _wellness_out(record: WellnessAnswers) -> dict[str, Any]:
    return {
        "id": record.pk,
        "visit_id": record.visit_id,
        "answers": record.answers,
        "advice": record.advice.get("advice", []),
        "flags": record.advice.get("flags", {}),
        "unanswered": record.advice.get("unanswered", []),
        "kb_version": record.kb_version,
    }


def _role(request: HttpRequest) -> str | None:
    return getattr(request, "role", None)


@router.get("/clients/{client_id}/visits/{visit_id}/measures/{instrument}", response={200: MeasureOut, **ERR})
def get_measure(request: HttpRequest, client_id: int, visit_id: int, instrument: str = INSTRUMENT) -> Any:
    """The visit's score on one instrument, with the answers it was computed from."""
    found = measures.get_instrument(instrument)
    record = records.read_record(_role(request), client_id, visit_id, lambda v: measures.get_measure(v, found.id),
                                 missing="This visit has no score on that instrument yet.")  # fmt: skip
    return _measure_out(record)


@router.put("/clients/{client_id}/visits/{visit_id}/measures/{instrument}", response={200: MeasureOut, **ERR})
def put_measure(
    request: HttpRequest, client_id: int, visit_id: int, payload: MeasureIn, instrument: str = INSTRUMENT
) -> Any:
    """Score the answers by the instrument's published rules and file them with the visit
    (one score per instrument per visit; saving again replaces it)."""
    capabilities.require(_role(request), "can_edit_clinical")
    visit = clients.get_visit(clients.get_client(client_id), visit_id)
    found = measures.get_instrument(instrument)
    record = measures.do_record_measure(visit, found, payload.answers, request.user, _role(request))
    return _measure_out(record)


@router.get("/clients/{client_id}/measures", response={200: list[HistoryOut], **ERR})
def list_measures(request: HttpRequest, client_id: int) -> Any:
    """Each instrument's scores across the client's visits, with the change since the first."""
    capabilities.require(_role(request), "can_view_clinical")
    client = clients.get_client(client_id)
    clients.audit_list("outcomemeasure", client=client.pk)
    return measures.history_out(client)


@router.get("/clients/{client_id}/visits/{visit_id}/wellness", response={200: WellnessOut, **ERR})
def get_wellness(request: HttpRequest, client_id: int, visit_id: int) -> Any:
    """The visit's wellness answers and the advice items they raise."""
    record = records.read_record(_role(request), client_id, visit_id, measures.get_wellness,
                                 missing="This visit has no wellness answers yet.")  # fmt: skip
    return _wellness_out(record)


@router.put("/clients/{client_id}/visits/{visit_id}/wellness", response={200: WellnessOut, **ERR})
def put_wellness(request: HttpRequest, client_id: int, visit_id: int, payload: WellnessIn) -> Any:
    """File (or replace) the visit's wellness answers; the advice is computed from wellness.yaml."""
    capabilities.require(_role(request), "can_edit_clinical")
    visit = clients.get_visit(clients.get_client(client_id), visit_id)
    record = measures.do_save_wellness(visit, payload.answers, request.user, _role(request))
    return _wellness_out(record)
