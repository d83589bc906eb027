"""The public directory's search as JSON: no token, rate-limited per address, the same checks
and the same core search as the page `/find/` (taut.directory.query, taut.directory.public).

Only what a listing's public page shows is answered: never a street the practitioner hid, a
position, an account or an e-mail address.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router
from ninja.responses import Status
from pydantic import BaseModel, Field

from taut.directory import public, query, throttle
from taut.directory.models import Listing

router = Router(tags=["directory"])


class SearchParams(BaseModel):
    near: str = Field("", max_length=100, description="A US ZIP code, a Canadian postal code or a city")
    radius_km: str = Field("25", max_length=20, description="Above 0 and up to 500")
    credential: str = Field("", max_length=40, description="A credential key (cmtpt, rmt, lmt ...)")
    condition: str = Field("", max_length=80, description="A condition id of the knowledge base")
    language: str = Field("", max_length=40)
    modality: str = Field("", max_length=60, description="Words found in the practitioner's modalities")
    page: int = Field(1, ge=1, le=100000)


class PlaceOut(BaseModel):
    label: str
    country: str
    kind: str


class ListingHitOut(BaseModel):
    id: int
    name: str
    clinic: str = Field(description="Empty when the practitioner does not show it")
    area: str
    street: str = Field(description="Empty unless the practitioner shows it")
    country: str
    distance_km: float
    credentials: list[str]
    conditions: list[str]
    languages: list[str]
    modalities: str
    booking_url: str
    url: str


class SearchOut(BaseModel):
    place: PlaceOut
    radius_km: float
    count: int
    page: int
    pages: int
    per_page: int
    results: list[ListingHitOut]


class SearchErrorItem(BaseModel):
    type: str
    loc: list[str | int]
    msg: str
    suggestions: list[str] = Field(default_factory=list, description="Places to try instead, or to choose from")


class SearchErrors(BaseModel):
    errors: list[SearchErrorItem]


def _error(status: int, kind: str, field: str, msg: str, suggestions: tuple[str, ...] = ()) -> Status[Any]:
    loc: list[str | int] = ["query", field] if field else []
    return Status(status, {"errors": [{"type": kind, "loc": loc, "msg": msg, "suggestions": list(suggestions)}]})


def _hit(request: HttpRequest, listing: Listing, km: float) -> dict[str, Any]:
    street = listing.street if listing.show_street else ""
    return {
        "id": listing.pk,
        "name": listing.display_name,
        "clinic": listing.clinic_name if listing.show_clinic else "",
        "area": listing.area,
        "street": f"{street}, {listing.city} {listing.postal_code}".strip() if street else "",
        "country": listing.country,
        "distance_km": round(km, 1),
        "credentials": list(listing.credentials),
        "conditions": list(listing.conditions),
        "languages": list(listing.languages),
        "modalities": listing.modalities,
        "booking_url": listing.booking_url,
        "url": request.build_absolute_uri(reverse("directory:public_listing", args=[listing.pk])),
    }


@router.get(
    "/directory/search",
    auth=None,
    response={200: SearchOut, 400: SearchErrors, 422: SearchErrors, 429: SearchErrors},
    summary="Search the public directory of practitioners",
)
def directory_search(request: HttpRequest, params: Query[SearchParams]) -> Any:
    """Published listings near a place, nearest first, 20 to a page; no token needed."""
    if not throttle.allow(request):
        return _error(429, "too_many_requests", "", "Too many searches from this address; wait a minute.")
    try:
        search = query.parse(params.model_dump(), radius_key="radius_km")
    except query.SearchError as exc:
        return _error(400, exc.kind, exc.field, exc.message, exc.suggestions)
    hits = public.find(search.place, search.radius_km, search.filters, limit=None)
    paginator = Paginator(hits, query.PER_PAGE)
    pages = max(paginator.num_pages, 1)
    if params.page > pages:
        msg = f"There is no page {params.page}; there {'is 1 page' if pages == 1 else f'are {pages} pages'}."
        return _error(400, "invalid", "page", msg)
    page = paginator.page(params.page)
    return {
        "place": {"label": search.place.label, "country": search.place.country, "kind": search.place.kind},
        "radius_km": search.radius_km,
        "count": paginator.count,
        "page": page.number,
        "pages": pages,
        "per_page": query.PER_PAGE,
        "results": [_hit(request, listing, hit.km) for listing, hit in page.object_list],
    }
