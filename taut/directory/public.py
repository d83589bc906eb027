"""The public directory's reads: published listings of every clinic (public by design).

The only code of the directory that crosses clinics; it reads listings only, never client data.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

from django.db.models import BigIntegerField, F, Value
from django.db.models.expressions import Combinable, CombinedExpression

from taut.access.scoping import unscoped
from taut.core.directory import geo
from taut.core.directory.search import Candidate, Filters, Hit, search
from taut.directory.models import CREDENTIAL_BITS, Listing, cell_ranges, credentials_of, term_bits

# the box is drawn a little wider than the radius: geo.bounding_box's longitude span is the
# small-angle one, a few metres short at the corners of a 25 km box far north
_BOX_MARGIN = 1.01
_CHUNK = 100  # listings loaded per query when the results are walked through
_LISTS = ("credentials", "conditions", "languages", "modalities")


def published_listing(pk: int) -> Listing | None:
    """A listing for the public page, from any clinic (the directory is public by design)."""
    with unscoped():
        return Listing.objects.filter(pk=pk).select_related("clinic").first()


class Results(Sequence[tuple[Listing, Hit]]):
    """The hits, nearest first; a listing is loaded only when its slice is asked for (a page)."""

    def __init__(self, hits: list[Hit]) -> None:
        self.hits = hits

    def __len__(self) -> int:
        return len(self.hits)

    def _load(self, hits: list[Hit]) -> list[tuple[Listing, Hit]]:
        with unscoped():
            rows = Listing.objects.in_bulk([h.id for h in hits])
        return [(rows[h.id], h) for h in hits if h.id in rows]  # one withdrawn meanwhile is left out

    @overload
    def __getitem__(self, index: int) -> tuple[Listing, Hit]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[Listing, Hit]]: ...
    def __getitem__(self, index: int | slice) -> tuple[Listing, Hit] | list[tuple[Listing, Hit]]:
        if isinstance(index, slice):
            return self._load(self.hits[index])
        found = self._load([self.hits[index]])
        if not found:
            raise IndexError(index)
        return found[0]

    def __iter__(self) -> Iterator[tuple[Listing, Hit]]:
        for start in range(0, len(self.hits), _CHUNK):
            yield from self._load(self.hits[start : start + _CHUNK])


def _candidates(place: geo.Place, radius_km: float, filters: Filters) -> list[Candidate]:
    """Published listings in the grid cells around the place that may pass the filters: the
    database drops most of the others (cells and filter signature, both in the index); the
    pure search then checks distance and filters exactly. With no filter or a credential only,
    the index alone answers (credentials are exact in the signature); conditions, languages
    and modalities are checked on the listings' own lists."""
    ranges = cell_ranges(*geo.bounding_box(place.lat, place.lon, radius_km * _BOX_MARGIN))
    mask = 0
    for kind, value in (
        ("credential", filters.credential),
        ("condition", filters.condition),
        ("language", filters.language),
    ):
        if value:
            mask |= term_bits(kind, value)
    exact = not (filters.condition or filters.language or filters.modality) and (
        not filters.credential or filters.credential in CREDENTIAL_BITS
    )  # then the index holds all the search needs: no table row is read
    columns = ("pk", "lat", "lon", "signature") if exact else ("pk", "lat", "lon", *_LISTS)
    with unscoped():
        base = Listing.objects.filter(published=True)
        if mask:
            big: BigIntegerField[int, int] = BigIntegerField()  # the mask may pass 2**31: PostgreSQL bigints
            wanted = Value(mask, output_field=big)
            bits = CombinedExpression(F("signature"), Combinable.BITAND, wanted, output_field=big)
            base = base.alias(bits=bits).filter(bits=wanted)
        # one query per range of cells, joined with UNION ALL (the ranges do not overlap): SQLite
        # reads a partial index range by range but not through an OR of ranges
        parts = [base.filter(cell__range=r).values_list(*columns) for r in ranges]
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        if exact:
            return [Candidate(pk, lat, lon, credentials_of(bits)) for pk, lat, lon, bits in rows]
        return [
            Candidate(pk, lat, lon, frozenset(creds), frozenset(conds), frozenset(langs), modalities)
            for pk, lat, lon, creds, conds, langs, modalities in rows
        ]


def find(place: geo.Place, radius_km: float, filters: Filters, limit: int | None = 50) -> Sequence[tuple[Listing, Hit]]:
    """Published listings within the radius that pass the filters, nearest first (all of them
    when `limit` is None: the page and the API cut them into pages, and only the listings of the
    page asked for are loaded)."""
    if radius_km <= 0:
        raise ValueError("The radius must be more than zero.")
    hits = search(_candidates(place, radius_km, filters), place.lat, place.lon, radius_km, filters)
    if limit is not None:
        return Results(hits[:limit])[:]
    return Results(hits)
