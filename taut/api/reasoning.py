"""Reasoning over a pain chart: stateless ranking, and the chart filed with a visit."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router
from pydantic import BaseModel, ConfigDict, Field

from taut.api.errors import ERR
from taut.assessments import services as assessments
from taut.clients import services as clients
from taut.records import services as records

router = Router(tags=["reasoning"])


class MarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    zone: str = Field(min_length=1, max_length=100, description="A zone id (temple_l) or name ('left temple')")
    intensity: int | None = Field(None, ge=0, le=10, strict=True)  # strict: true is not 1
    quality: str | None = Field(None, max_length=30)


class ChartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pain: list[MarkIn] = Field(min_length=1, max_length=200)
    qualities: list[str] = Field(default_factory=list, max_length=20)
    mechanism: str | None = Field(None, max_length=40)
    aggravating: list[str] = Field(default_factory=list, max_length=60)
    easing: list[str] = Field(default_factory=list, max_length=60)
    restricted: list[str] = Field(default_factory=list, max_length=60)
    symptoms: list[str] = Field(default_factory=list, max_length=40)
    condition: str | None = Field(None, max_length=60)
    red_flags: list[str] = Field(default_factory=list, max_length=40)


class TestResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    test: str = Field(min_length=1, max_length=100, description="A special test id (phalen) or name")
    side: Literal["left", "right", "midline"] = "midline"
    result: Literal["positive", "negative", "equivocal"]


class RankIn(ChartIn):
    """A chart, and optionally special-test results to weigh into the neural differential."""

    tests: list[TestResultIn] = Field(default_factory=list, max_length=100)


class FindingOut(BaseModel):
    kind: str
    value: str
    factor: float


class PriorOut(BaseModel):
    rate: float = Field(description="The cited base rate (0-1) the prior was derived from")
    factor: float = Field(description="What multiplied the odds: the floor plus the rate")
    basis: str
    conditions: list[str]
    sources: list[str] = Field(description="Source ids (see /kb/sources) behind the rate")


class CandidateOut(BaseModel):
    muscle: str
    name: str
    side: str = Field(description="left, right, both, or either (the same pattern whichever side holds it)")
    sides: list[str] = []
    probability: float
    log_score: float
    explained: list[tuple[str, str]] = Field(
        description="(marked zone, essential|spillover|site: over one of the muscle's own trigger points)"
    )
    near: list[str] = Field(default_factory=list, description="Marked zones next to an essential zone")
    unexplained: list[str]
    unmarked_essential: list[str]
    findings: list[FindingOut]
    coverage: float
    prior: PriorOut | None = None
    specificity: int = 0
    tie: str = ""
    group: str | None = None
    why: str


class RowOut(BaseModel):
    key: str = Field(description="The muscle id, or the group id for a group row")
    name: str
    group: str | None
    probability: float = Field(description="The sum of the members' probabilities")
    sides: list[str]
    members: list[str] = Field(description="Muscle ids in the row, by their own score")


class RedFlagOut(BaseModel):
    id: str
    name: str
    urgency: str
    why: str
    action: str


class NeuralOut(BaseModel):
    kind: str
    structure: str
    name: str
    site: str
    muscle: str | None
    fit: float
    specificity: float
    score: float
    matched: list[str]
    tests: list[str]
    label: str
    advice: str
    sides: list[str] = []
    prior_score: float | None = None
    likelihood: float = 1.0
    confirmed_by: list[str] = []
    argued_against_by: list[str] = []
    evidence: list[str] = []


class TestResultOut(BaseModel):
    test: str
    side: str
    result: str


class AnalysisOut(BaseModel):
    kb_version: str
    stop: bool
    red_flags: list[RedFlagOut]
    ask_about: list[str]
    neural: list[NeuralOut]
    chart: dict[str, Any]
    candidates: list[CandidateOut]
    explaining: list[dict[str, Any]] = Field(description="The explaining set, in palpation order")
    rows: list[RowOut] = Field(default_factory=list, description="The candidates as shown, grouped")
    coverage: float
    unexplained: list[str]
    palpation_order: list[str]
    tests: list[TestResultOut] = []


class PainChartOut(BaseModel):
    id: int
    visit_id: int
    inputs: dict[str, Any]
    analysis: AnalysisOut
    kb_version: str


def _inputs(payload: ChartIn, exclude: set[str] | None = None) -> dict[str, Any]:
    return payload.model_dump(exclude_none=True, exclude=exclude)


@router.post("/reasoning/rank", response={200: AnalysisOut, **ERR})
def rank(request: HttpRequest, payload: RankIn) -> Any:
    """Rank the trigger points that explain a chart, weighing any special-test results into the
    neural differential. Nothing is stored."""
    tests = [t.model_dump() for t in payload.tests]
    return assessments.compute(_inputs(payload, exclude={"tests"}), tests=tests).to_dict()


@router.get("/clients/{client_id}/visits/{visit_id}/pain-chart", response={200: PainChartOut, **ERR})
def get_pain_chart(request: HttpRequest, client_id: int, visit_id: int) -> Any:
    record = records.read_record(getattr(request, "role", None), client_id, visit_id, assessments.get_pain_chart,
                                 missing="This visit has no pain chart yet.")  # fmt: skip
    return {f: getattr(record, f) for f in ("id", "visit_id", "inputs", "analysis", "kb_version")}


@router.put("/clients/{client_id}/visits/{visit_id}/pain-chart", response={200: PainChartOut, **ERR})
def put_pain_chart(request: HttpRequest, client_id: int, visit_id: int, payload: ChartIn) -> Any:
    """File (or replace) the visit's pain chart and its analysis."""
    visit = clients.get_visit(clients.get_client(client_id), visit_id)
    record = assessments.do_save_pain_chart(visit, _inputs(payload), request.user, getattr(request, "role", None))
    return {f: getattr(record, f) for f in ("id", "visit_id", "inputs", "analysis", "kb_version")}


class RomEntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    motion: str = Field(min_length=1, max_length=60)
    side: Literal["left", "right", "midline"] = "midline"
    active: float | None = Field(None, ge=-1000, le=1000)
    passive: float | None = Field(None, ge=-1000, le=1000)
    end_feel: str | None = Field(None, max_length=20)
    painful: bool = False
    painful_arc: bool = False


class RomIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entries: list[RomEntryIn] = Field(min_length=1, max_length=200)


class RomReadingOut(BaseModel):
    motion: str
    side: str
    unit: str
    norm: float | None
    norm_id: str | None
    active_percent: float | None
    passive_percent: float | None
    findings: list[str]
    muscles: list[str]


class RomOut(BaseModel):
    id: int
    visit_id: int
    entries: list[dict[str, Any]]
    readings: list[RomReadingOut]
    kb_version: str


ROM_FIELDS = ("id", "visit_id", "entries", "readings", "kb_version")


@router.get("/clients/{client_id}/visits/{visit_id}/range-of-motion", response={200: RomOut, **ERR})
def get_rom(request: HttpRequest, client_id: int, visit_id: int) -> Any:
    record = records.read_record(getattr(request, "role", None), client_id, visit_id, assessments.get_rom,
                                 missing="This visit has no range-of-motion record yet.")  # fmt: skip
    return {f: getattr(record, f) for f in ROM_FIELDS}


@router.put("/clients/{client_id}/visits/{visit_id}/range-of-motion", response={200: RomOut, **ERR})
def put_rom(request: HttpRequest, client_id: int, visit_id: int, payload: RomIn) -> Any:
    """File (or replace) the visit's range of motion; each entry is read against the client's norms."""
    visit = clients.get_visit(clients.get_client(client_id), visit_id)
    entries = [e.model_dump() for e in payload.entries]
    record = assessments.do_save_rom(visit, entries, request.user, getattr(request, "role", None))
    return {f: getattr(record, f) for f in ROM_FIELDS}
