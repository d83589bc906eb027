"""Read-only API over the knowledge base (no client data; any signed-in token may read it)."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Query, Router
from pydantic import BaseModel, Field

from taut.api.errors import READ_ERR
from taut.core.bodymap.phrases import close_data, close_zones, resolution_data, resolve_phrase
from taut.core.knowledge import queries
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import (
    Condition,
    Dermatome,
    Exercise,
    Muscle,
    Nerve,
    RedFlag,
    RomNorm,
    Side,
    SpecialTest,
    Technique,
)

router = Router(tags=["knowledge base"])


class KbInfoOut(BaseModel):
    version: str
    counts: dict[str, Any]


class HitOut(BaseModel):
    kind: str
    id: str
    name: str
    matched: str
    score: float


class ZoneOut(BaseModel):
    id: str
    base_id: str
    side: str
    name: str
    label: str
    synonyms: list[str]
    region: str
    neighbours: list[str]
    views: list[str]
    referring_muscles: list[dict[str, str]]
    nerves: list[str]
    dermatomes: list[str]


class SearchParams(BaseModel):
    q: str = Field(min_length=1, max_length=100)
    limit: int = Field(10, ge=1, le=50)


def _get(mapping: Any, key: str, what: str) -> Any:
    if key not in mapping:
        raise Http404(f"No {what} {key!r} in the knowledge base.")
    return mapping[key]


@router.get("/kb", response={200: KbInfoOut, **READ_ERR})
def kb_info(request: HttpRequest) -> Any:
    base = load_base()
    return {"version": base.version, "counts": queries.stats(base)}


@router.get("/kb/search", response={200: list[HitOut], **READ_ERR})
def kb_search(request: HttpRequest, params: Query[SearchParams]) -> Any:
    return [dataclasses.asdict(hit) for hit in queries.find(load_base(), params.q, limit=params.limit)]


@router.get("/kb/muscles", response={200: list[Muscle], **READ_ERR})
def kb_muscles(request: HttpRequest) -> Any:
    return list(load_base().muscles.values())


@router.get("/kb/muscles/{muscle_id}", response={200: Muscle, **READ_ERR})
def kb_muscle(request: HttpRequest, muscle_id: str) -> Any:
    return _get(load_base().muscles, muscle_id, "muscle")


class ZoneSearchParams(SearchParams):
    q: str = Field(min_length=1, max_length=200)
    side: Literal["left", "right", "both"] | None = None


class PhrasePartOut(BaseModel):
    text: str
    base_ids: list[str]
    zone_ids: list[str]
    side: str | None
    score: float
    matched: list[str]


class CloseZoneOut(BaseModel):
    base_id: str
    zone_ids: list[str]
    name: str
    matched: str
    score: float


class ZoneSearchOut(BaseModel):
    text: str
    zone_ids: list[str]
    parts: list[PhrasePartOut]
    unresolved: list[str]
    suggestions: list[str]
    zones: list[ZoneOut]
    close: list[CloseZoneOut]


@router.get("/kb/zones", response={200: ZoneSearchOut, **READ_ERR})
def kb_zones(request: HttpRequest, params: Query[ZoneSearchParams]) -> Any:
    """Read ``q`` as places on the body ("side of the head", "hip and thigh"): every zone it names,
    sided (``side`` applies to pieces without a side word), then other close matches."""
    base = load_base()
    default = Side(params.side) if params.side in ("left", "right") else None
    resolution = resolve_phrase(base, params.q, default_side=default)
    found = {b for part in resolution.parts for b in part.base_ids}
    close = [h for h in close_zones(base, params.q, limit=params.limit + len(found)) if h.base_id not in found]
    return {
        **resolution_data(resolution),
        "zones": [_zone(base, zone_id) for zone_id in resolution.zone_ids],
        "close": [close_data(h) for h in close[: params.limit]],
    }


@router.get("/kb/zones/{zone_id}", response={200: ZoneOut, **READ_ERR})
def kb_zone(request: HttpRequest, zone_id: str) -> Any:
    base = load_base()
    _get(base.zones, zone_id, "zone")
    return _zone(base, zone_id)


def _zone(base: Any, zone_id: str) -> dict[str, Any]:
    zone = base.zones[zone_id]
    return {
        "id": zone.id,
        "base_id": zone.base_id,
        "side": zone.side.value,
        "name": zone.name,
        "label": zone.label,
        "synonyms": list(zone.synonyms),
        "region": zone.region.value,
        "neighbours": list(zone.neighbours),
        "views": list(zone.views),
        "referring_muscles": [
            {"muscle": h.muscle, "level": h.level} for h in queries.muscles_referring_to(base, zone_id)
        ],
        "nerves": queries.nerves_supplying(base, zone_id),
        "dermatomes": queries.dermatomes_for(base, zone_id),
    }


@router.get("/kb/nerves/{nerve_id}", response={200: Nerve, **READ_ERR})
def kb_nerve(request: HttpRequest, nerve_id: str) -> Any:
    return _get(load_base().nerves, nerve_id, "nerve")


@router.get("/kb/dermatomes/{root}", response={200: Dermatome, **READ_ERR})
def kb_dermatome(request: HttpRequest, root: str) -> Any:
    return _get(load_base().dermatomes, root, "dermatome")


@router.get("/kb/conditions", response={200: list[Condition], **READ_ERR})
def kb_conditions(request: HttpRequest) -> Any:
    return list(load_base().conditions.values())


@router.get("/kb/exercises", response={200: list[Exercise], **READ_ERR})
def kb_exercises(request: HttpRequest) -> Any:
    return list(load_base().exercises.values())


@router.get("/kb/conditions/{condition_id}", response={200: Condition, **READ_ERR})
def kb_condition(request: HttpRequest, condition_id: str) -> Any:
    return _get(load_base().conditions, condition_id, "condition")


@router.get("/kb/exercises/{exercise_id}", response={200: Exercise, **READ_ERR})
def kb_exercise(request: HttpRequest, exercise_id: str) -> Any:
    return _get(load_base().exercises, exercise_id, "exercise")


@router.get("/kb/special-tests", response={200: list[SpecialTest], **READ_ERR})
def kb_special_tests(request: HttpRequest) -> Any:
    return list(load_base().special_tests.values())


@router.get("/kb/red-flags", response={200: list[RedFlag], **READ_ERR})
def kb_red_flags(request: HttpRequest) -> Any:
    return list(load_base().red_flags.values())


@router.get("/kb/techniques", response={200: list[Technique], **READ_ERR})
def kb_techniques(request: HttpRequest) -> Any:
    return list(load_base().techniques.values())


@router.get("/kb/rom-norms", response={200: list[RomNorm], **READ_ERR})
def kb_rom_norms(request: HttpRequest) -> Any:
    return list(load_base().rom_norms.values())
