"""The directory's grid-cell index on a real database: the indexed search finds exactly the
listings an exact scan of every published row finds (same ids, same order, same distances)."""

from __future__ import annotations

import random

import pytest
from django.contrib.auth import get_user_model

from taut.access.scoping import clinic_scope, unscoped
from taut.core.directory import geo
from taut.core.directory.search import Candidate, Filters, Hit, search
from taut.directory import public
from taut.directory.models import CREDENTIALS, Listing, cell_ranges, grid_cell
from tests.factories import ClinicWorld

pytestmark = pytest.mark.django_db

# a few crowded places, one far north, and one on the antimeridian (Alaska's Aleutians)
CENTRES = [(40.71, -74.01), (51.51, -0.13), (48.86, 2.35), (69.65, 18.96), (51.88, 179.95), (43.65, -79.38)]
CONDITIONS = ["tension_headache", "low_back_pain", "neck_pain"]
LANGUAGES = ["English", "French", "german"]


def _random_listings(world: ClinicWorld, n: int, rng: random.Random) -> list[Listing]:
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"index-{world.clinic.pk}-{i}") for i in range(n)]
    )
    rows = []
    for i, user in enumerate(users):
        lat0, lon0 = rng.choice(CENTRES)
        lon = lon0 + rng.uniform(-0.6, 0.6)
        rows.append(
            Listing(
                clinic=world.clinic,
                practitioner=user,
                published=rng.random() < 0.9,
                display_name=f"Indexed {i}",
                city="Somewhere",
                country="US",
                lat=lat0 + rng.uniform(-0.4, 0.4),
                lon=((lon + 180.0) % 360.0) - 180.0,
                credentials=rng.sample(sorted(CREDENTIALS), k=rng.randint(0, 2)),
                conditions=rng.sample(CONDITIONS, k=rng.randint(0, 2)),
                languages=rng.sample(LANGUAGES, k=rng.randint(1, 2)),
                modalities=rng.choice(["trigger point therapy", "cupping", ""]),
            )
        )
    with clinic_scope(world.clinic):
        half = n // 2
        created = Listing.objects.bulk_create(rows[:half])  # the bulk path (imports, fixtures)
        for listing in rows[half:]:  # and the one-by-one path of do_save_listing
            listing.save()
        return [*created, *rows[half:]]


def _exact(lat: float, lon: float, radius_km: float, filters: Filters) -> list[Hit]:
    """Every published row, no index: the naive scan."""
    with unscoped():
        candidates = [
            Candidate(pk, la, lo, frozenset(cr), frozenset(co), frozenset(lg), mo)
            for pk, la, lo, cr, co, lg, mo in Listing.objects.filter(published=True).values_list(
                "pk", "lat", "lon", "credentials", "conditions", "languages", "modalities"
            )
        ]
    return search(candidates, lat, lon, radius_km, filters)


def test_the_indexed_search_finds_exactly_what_a_full_scan_finds(clinic_a: ClinicWorld) -> None:
    rng = random.Random(18)
    _random_listings(clinic_a, 300, rng)
    filter_choices = [
        Filters(),
        Filters(credential="cmtpt"),
        Filters(condition="neck_pain"),
        Filters(language="GERMAN"),  # languages match whatever their case
        Filters(credential="lmt", language="english"),
        Filters(modality="Trigger Point"),
    ]
    compared = found = 0
    for _ in range(120):
        lat0, lon0 = rng.choice(CENTRES)
        lat, lon = lat0 + rng.uniform(-0.3, 0.3), lon0 + rng.uniform(-0.3, 0.3)
        lon = ((lon + 180.0) % 360.0) - 180.0
        radius = rng.choice([5.0, 25.0, 40.0])
        filters = rng.choice(filter_choices)
        place = geo.Place("test", "US", lat, lon, "city")
        indexed = [hit for _listing, hit in public.find(place, radius, filters, limit=None)]
        assert indexed == _exact(lat, lon, radius, filters), (lat, lon, radius, filters)
        compared += 1
        found += len(indexed)
    assert compared == 120
    assert found > 500  # the comparison is not between empty lists


def test_a_moved_listing_moves_to_its_new_cell(clinic_a: ClinicWorld) -> None:
    rng = random.Random(3)
    listing = _random_listings(clinic_a, 2, rng)[1]
    listing.lat, listing.lon = 45.5, -73.57  # to Montréal
    with clinic_scope(clinic_a.clinic):
        listing.save(update_fields=["lat", "lon", "updated_at"])
        stored = Listing.objects.get(pk=listing.pk)
    assert stored.cell == grid_cell(45.5, -73.57)
    near = public.find(geo.Place("Montréal", "CA", 45.5, -73.57, "city"), 1.0, Filters(), limit=None)
    assert [l.pk for l, _hit in near] == [listing.pk]  # noqa: E741


def test_a_box_across_the_antimeridian_covers_both_sides() -> None:
    ranges = cell_ranges(*geo.bounding_box(51.88, 179.95, 25.0))
    for lat, lon in [(51.88, 179.99), (51.88, -179.9), (51.7, 179.7), (52.0, -179.8)]:
        assert any(a <= grid_cell(lat, lon) <= b for a, b in ranges), (lat, lon)
    assert not any(a <= grid_cell(51.88, 0.0) <= b for a, b in ranges)


def test_a_bad_radius_is_refused() -> None:
    with pytest.raises(ValueError, match="more than zero"):
        public.find(geo.Place("x", "US", 40.0, -74.0, "city"), 0.0, Filters())
