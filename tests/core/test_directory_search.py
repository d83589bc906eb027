"""The directory's pure logic: distances, offline place look-up (no network) and search order."""

from __future__ import annotations

import math

import pytest

from taut.core.directory import geo
from taut.core.directory.search import Candidate, Filters, search


def test_haversine_known_distances() -> None:
    # London to Paris is about 344 km; one degree of latitude about 111.2 km
    assert geo.haversine_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343.5, abs=1.5)
    assert geo.haversine_km(0, 0, 1, 0) == pytest.approx(111.19, abs=0.05)
    assert geo.haversine_km(45, 10, 45, 10) == 0.0
    # symmetric
    a = geo.haversine_km(43.65, -79.38, 40.71, -74.01)
    assert a == pytest.approx(geo.haversine_km(40.71, -74.01, 43.65, -79.38))


def test_units() -> None:
    assert geo.to_km(10, "mi") == pytest.approx(16.09344)
    assert geo.to_km(10, "km") == 10
    with pytest.raises(ValueError, match="km or mi"):
        geo.to_km(1, "furlong")


def test_bounding_box_holds_the_circle() -> None:
    lat, lon, r = 60.0, 10.0, 50.0
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(lat, lon, r)
    for bearing in range(0, 360, 15):
        # a point r km away along the bearing (small-distance approximation, slightly inside)
        d = (r * 0.999) / geo.EARTH_RADIUS_KM
        b = math.radians(bearing)
        plat = math.degrees(
            math.asin(
                math.sin(math.radians(lat)) * math.cos(d) + math.cos(math.radians(lat)) * math.sin(d) * math.cos(b)
            )
        )
        plon = lon + math.degrees(
            math.atan2(
                math.sin(b) * math.sin(d) * math.cos(math.radians(lat)),
                math.cos(d) - math.sin(math.radians(lat)) * math.sin(math.radians(plat)),
            )
        )
        assert min_lat <= plat <= max_lat
        assert min_lon <= plon <= max_lon


def test_us_zip() -> None:
    place = geo.find_place("90210")
    assert place.country == "US"
    assert place.kind == "zip"
    assert "Beverly Hills" in place.label
    assert place.lat == pytest.approx(34.09, abs=0.05)
    assert place.lon == pytest.approx(-118.41, abs=0.05)


def test_canadian_postal_code_uses_its_fsa() -> None:
    full, fsa = geo.find_place("M5V 3L9"), geo.find_place("m5v")
    assert full == fsa
    assert full.country == "CA"
    assert full.kind == "fsa"
    assert "(M5V)" in full.label
    assert geo.haversine_km(full.lat, full.lon, 43.65, -79.38) < 10  # downtown Toronto


def test_cities_with_accents_and_qualifiers() -> None:
    assert geo.find_place("Zurich") == geo.find_place("Zürich")
    assert geo.find_place("Zürich").country == "CH"
    toronto = geo.find_place("Toronto, Canada")
    assert toronto.country == "CA"
    assert toronto.label == "Toronto, ON, CA"
    texas = geo.find_place("Paris, Texas")
    assert texas.country == "US"
    assert texas.lon < -90
    assert geo.find_place("Paris").country == "FR"


def test_unknown_place_suggests_nearby_names() -> None:
    with pytest.raises(geo.PlaceNotFound) as info:
        geo.find_place("Lndon")
    assert "London, GB" in info.value.suggestions
    with pytest.raises(geo.PlaceNotFound):
        geo.find_place("Xyzzyqq")
    with pytest.raises(geo.PlaceNotFound):
        geo.find_place("00000")  # five digits, but no such ZIP
    with pytest.raises(geo.PlaceNotFound):
        geo.find_place("Tokyo")  # outside the US, Canada and Europe: never a guess elsewhere


def test_search_sorts_by_distance_and_filters() -> None:
    here = (40.0, -75.0)
    cands = [
        Candidate(1, 40.2, -75.0, frozenset({"cmtpt"}), frozenset({"tension_headache"}), frozenset({"English"})),
        Candidate(2, 40.05, -75.0, frozenset({"rmt"}), frozenset(), frozenset({"French"})),
        Candidate(3, 41.5, -75.0, frozenset({"cmtpt"}), frozenset(), frozenset()),  # ~167 km
    ]
    hits = search(cands, *here, 50, Filters())
    assert [h.id for h in hits] == [2, 1]
    assert hits[0].km == pytest.approx(5.56, abs=0.05)
    assert hits[0].distance("mi") == pytest.approx(hits[0].km / 1.609344)
    assert [h.id for h in search(cands, *here, 500, Filters(credential="cmtpt"))] == [1, 3]
    assert [h.id for h in search(cands, *here, 500, Filters(condition="tension_headache"))] == [1]
    assert [h.id for h in search(cands, *here, 500, Filters(language="french"))] == [2]
    with pytest.raises(ValueError, match="more than zero"):
        search(cands, *here, 0, Filters())


def test_modality_filter_ignores_case_accents_and_spacing() -> None:
    """A modality is found among the practitioner's own words, whatever their case or accents."""
    cands = [
        Candidate(1, 40.0, -75.0, modalities="Trigger point therapy, Myofascial release"),
        Candidate(2, 40.0, -75.0, modalities="Thérapie manuelle"),
        Candidate(3, 40.0, -75.0),
    ]
    assert [h.id for h in search(cands, 40.0, -75.0, 10, Filters(modality="trigger  POINT"))] == [1]
    assert [h.id for h in search(cands, 40.0, -75.0, 10, Filters(modality="therapie"))] == [2]
    assert [h.id for h in search(cands, 40.0, -75.0, 10, Filters(modality="cupping"))] == []
    assert [h.id for h in search(cands, 40.0, -75.0, 10, Filters())] == [1, 2, 3]


def test_look_up_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert geo.find_place("10001, US").country == "US"
    assert geo.find_place("H2X").country == "CA"
    assert geo.find_place("München").country == "DE"
