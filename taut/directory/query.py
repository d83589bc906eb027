"""The public search's parameters, read and checked once for the page and the API alike.

`parse()` turns the query (near, radius with its unit, credential, condition, language) into a
`Search` or raises `SearchError` with a message for people, the parameter at fault and, for a
place Taut does not know or a name shared by several places, the names to try.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from taut.core.directory import geo
from taut.core.directory.search import Filters
from taut.directory import services
from taut.directory.models import CREDENTIALS

MAX_RADIUS_KM = 500.0
DEFAULT_RADIUS = 25.0
PER_PAGE = 20


@dataclass(frozen=True)
class Search:
    place: geo.Place
    radius: float  # in `unit`
    radius_km: float
    unit: str
    filters: Filters


class SearchError(ValueError):
    """A search that cannot run; `kind` is "invalid", "unknown_place" or "ambiguous_place"."""

    def __init__(self, message: str, field: str, kind: str = "invalid", suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.kind = kind
        self.suggestions = suggestions


def parse(q: Mapping[str, str], *, radius_key: str = "radius", unit: str = "km") -> Search:
    """Check the parameters in the order a person would fix them; find the place offline."""
    near = (q.get("near") or "").strip()
    if not near:
        raise SearchError("Give a ZIP code, a postal code or a city.", "near")
    if len(near) > 100:
        raise SearchError("The place is at most 100 characters.", "near")
    raw = (q.get(radius_key) or "").strip()
    try:
        radius = float(raw) if raw else DEFAULT_RADIUS
        radius_km = geo.to_km(radius, unit)
        if not 0 < radius_km <= MAX_RADIUS_KM:  # also refuses nan and inf
            raise ValueError
    except ValueError:
        msg = f"The radius must be a number above 0 and up to {MAX_RADIUS_KM:.0f} km."
        raise SearchError(msg, radius_key) from None
    credential = (q.get("credential") or "").strip()
    if credential and credential not in CREDENTIALS:
        raise SearchError(f"Unknown credential; choose from: {', '.join(CREDENTIALS)}.", "credential")
    condition = (q.get("condition") or "").strip()
    if condition and condition not in services.condition_choices():
        raise SearchError("Unknown condition (use a condition id of the knowledge base).", "condition")
    language = (q.get("language") or "").strip()
    if len(language) > 40:
        raise SearchError("The language is at most 40 characters.", "language")
    modality = (q.get("modality") or "").strip()
    if len(modality) > 60:
        raise SearchError("The modality is at most 60 characters.", "modality")
    try:
        place = geo.find_place(near)
    except geo.PlaceNotFound as exc:
        raise SearchError(str(exc), "near", "unknown_place", tuple(exc.suggestions)) from None
    except geo.AmbiguousPlace as exc:
        raise SearchError(str(exc), "near", "ambiguous_place", tuple(exc.choices)) from None
    return Search(place, radius, radius_km, unit, Filters(credential, condition, language, modality))


def page_number(raw: str | None, pages: int) -> tuple[int, str]:
    """The page to show and, when the asked one does not exist, a note saying page 1 is shown."""
    if raw is None or raw == "":
        return 1, ""
    try:
        number = int(raw)
    except ValueError:
        return 1, f"There is no page {raw[:20]}. Showing page 1."
    if not 1 <= number <= max(pages, 1):
        return 1, f"There is no page {number}; there {'is' if pages <= 1 else 'are'} {max(pages, 1)}. Showing page 1."
    return number, ""
