"""The public directory's reads: published listings of every clinic (public by design).

The only code of the directory that crosses clinics; it reads listings only, never client data.
"""

from __future__ import annotations

from taut.access.scoping import unscoped
from taut.core.directory import geo
from taut.core.directory.search import Candidate, Filters, Hit, search
from taut.directory.models import Listing


def published_listing(pk: int) -> Listing | None:
    """A listing for the public page, from any clinic (the directory is public by design)."""
    with unscoped():
        return Listing.objects.filter(pk=pk).select_related("clinic").first()


def find(place: geo.Place, radius_km: float, filters: Filters, limit: int | None = 50) -> list[tuple[Listing, Hit]]:
    """Published listings within the radius that pass the filters, nearest first (all of them
    when `limit` is None: the page and the API cut them into pages)."""
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(place.lat, place.lon, radius_km)
    with unscoped():
        qs = Listing.objects.filter(published=True, lat__gte=min_lat, lat__lte=max_lat)
        if max_lon - min_lon < 360:
            qs = qs.filter(lon__gte=min_lon, lon__lte=max_lon)
        rows = {l.pk: l for l in qs}  # noqa: E741
    candidates = [
        Candidate(
            l.pk,
            l.lat,
            l.lon,
            frozenset(l.credentials),
            frozenset(l.conditions),
            frozenset(l.languages),
            l.modalities,
        )
        for l in rows.values()  # noqa: E741
    ]
    hits = search(candidates, place.lat, place.lon, radius_km, filters)
    if limit is not None:
        hits = hits[:limit]
    return [(rows[h.id], h) for h in hits]
