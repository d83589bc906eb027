"""Search listings by distance and filters; pure: listings come in as plain values."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from taut.core.directory.geo import KM_PER_MILE, haversine_km


@dataclass(frozen=True)
class Candidate:
    id: int
    lat: float
    lon: float
    credentials: frozenset[str] = frozenset()
    conditions: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    modalities: str = ""  # the practitioner's own words ("trigger point therapy, cupping")


@dataclass(frozen=True)
class Filters:
    credential: str = ""
    condition: str = ""
    language: str = ""
    modality: str = ""  # words found in the modalities, case and accents ignored


@dataclass(frozen=True)
class Hit:
    id: int
    km: float

    def distance(self, unit: str) -> float:
        return self.km / KM_PER_MILE if unit == "mi" else self.km


def fold(text: str) -> str:
    """Lower case without accents, spaces collapsed: "Trigger-Point  Thérapie" -> "trigger-point therapie"."""
    plain = unicodedata.normalize("NFKD", text)
    return " ".join("".join(ch for ch in plain if not unicodedata.combining(ch)).casefold().split())


def matches(c: Candidate, f: Filters) -> bool:
    return (
        (not f.credential or f.credential in c.credentials)
        and (not f.condition or f.condition in c.conditions)
        and (not f.language or f.language.lower() in {x.lower() for x in c.languages})
        and (not f.modality or fold(f.modality) in fold(c.modalities))
    )


def search(candidates: Iterable[Candidate], lat: float, lon: float, radius_km: float, f: Filters) -> list[Hit]:
    """The candidates within radius_km that pass the filters, nearest first (ties by id)."""
    if radius_km <= 0:
        raise ValueError("The radius must be more than zero.")
    hits = []
    for c in candidates:
        if not matches(c, f):
            continue
        km = haversine_km(lat, lon, c.lat, c.lon)
        if km <= radius_km:
            hits.append(Hit(c.id, km))
    hits.sort(key=lambda h: (h.km, h.id))
    return hits
