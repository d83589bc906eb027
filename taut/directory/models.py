"""A practitioner's public directory listing: only the fields they chose to show.

A listing belongs to a clinic (scoped like every record) and to one practitioner. It holds no
client data. Opting out clears `published`: the public page then answers 410 and the search
no longer finds it.
"""

from __future__ import annotations

import math
import zlib
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from taut.access.models import Clinic

# Credentials and who certifies them (the certifying body is part of the choice).
CREDENTIALS: dict[str, str] = {
    "cmtpt": "CMTPT: Certified Myofascial Trigger Point Therapist (NAMTPT / Certification Board)",
    "nmt_american": "NMT certification: NMT American version (NMT Center)",
    "nmt_st_john": "NMT certification: St. John Method",
    "rmt": "RMT: Registered Massage Therapist (provincial college, Canada)",
    "lmt": "LMT: Licensed Massage Therapist (US state board)",
    "bctmb": "BCTMB: Board Certified in Therapeutic Massage and Bodywork (NCBTMB)",
    "physio": "Physiotherapist / physical therapist (national or state registration)",
}


# The search index: a grid of CELL_DEG degrees; a listing's cell is row * CELL_COLS + column.
# A search reads only the cells its bounding box touches (a few ranges of cell numbers, one per
# grid row) through the index (published, cell); docs/directory.md "Scale" explains the design.
CELL_DEG = 0.1
CELL_COLS = 3600  # 360 / CELL_DEG
CELL_ROWS = 1800  # 180 / CELL_DEG
_EDGE = 1e-9  # degrees added around a box so rounding never leaves a cell out


def _row(lat: float) -> int:
    return min(CELL_ROWS - 1, max(0, math.floor((lat + 90.0) / CELL_DEG)))


def _col(lon: float) -> int:
    return min(CELL_COLS - 1, max(0, math.floor((lon + 180.0) / CELL_DEG)))


def grid_cell(lat: float, lon: float) -> int:
    """The grid cell holding the point (lat, lon in degrees)."""
    return _row(lat) * CELL_COLS + _col(lon)


def cell_ranges(min_lat: float, max_lat: float, min_lon: float, max_lon: float) -> list[tuple[int, int]]:
    """Inclusive ranges of cell numbers that together hold every point of the box; the box may
    cross the antimeridian (min_lon below -180 or max_lon above 180)."""
    lo, hi = min_lon - _EDGE, max_lon + _EDGE
    spans: list[tuple[int, int]] = []
    if hi - lo >= 360.0:
        spans = [(0, CELL_COLS - 1)]
    else:
        if lo < -180.0:
            spans.append((_col(lo + 360.0), CELL_COLS - 1))
            lo = -180.0
        if hi > 180.0:
            spans.append((0, _col(hi - 360.0)))
            hi = 180.0
        spans.append((_col(lo), _col(hi)))
    ranges = sorted(
        (row * CELL_COLS + a, row * CELL_COLS + b)
        for row in range(_row(min_lat - _EDGE), _row(max_lat + _EDGE) + 1)
        for a, b in spans
    )
    merged: list[tuple[int, int]] = []
    for a, b in ranges:
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


# Bits 0-6 of a signature are the credentials, one each and exact (a new credential takes the
# next free bit: never reorder); bits 7-62 hold the other filter values, two hashed bits each.
CREDENTIAL_BITS: dict[str, int] = {c: 1 << i for i, c in enumerate(CREDENTIALS)}
_HASHED_FROM, _HASHED = len(CREDENTIALS), 63 - len(CREDENTIALS)


def term_bits(kind: str, value: str) -> int:
    """The bits that stand for one filter value in a listing's `signature`."""
    if kind == "credential" and value in CREDENTIAL_BITS:
        return CREDENTIAL_BITS[value]
    value = value.lower() if kind == "language" else value
    code = zlib.crc32(f"{kind}:{value}".encode())
    return (1 << (_HASHED_FROM + code % _HASHED)) | (1 << (_HASHED_FROM + (code // _HASHED) % _HASHED))


_CREDENTIAL_MASK = (1 << len(CREDENTIALS)) - 1


def credentials_of(signature: int) -> frozenset[str]:
    """The credentials a signature holds (exact: each has its own bit)."""
    return _credentials_of(signature & _CREDENTIAL_MASK)


@lru_cache(maxsize=1 << 7)
def _credentials_of(bits: int) -> frozenset[str]:
    return frozenset(c for c, bit in CREDENTIAL_BITS.items() if bits & bit)


def signature(credentials: list[str], conditions: list[str], languages: list[str]) -> int:
    """The listing's filter values in one integer: its credentials exactly, and its conditions
    and languages as a Bloom filter (a listing whose signature lacks a value's bits cannot have
    the value; one that has them probably does, and Python checks)."""
    bits = 0
    for kind, values in (("credential", credentials), ("condition", conditions), ("language", languages)):
        for value in values:
            bits |= term_bits(kind, str(value))
    return bits


DERIVED = ("cell", "signature")


class ListingManager(models.Manager["Listing"]):
    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Listing]:
        """Bulk creation skips save(): the index columns are filled here too."""
        objs = list(objs)
        for obj in objs:
            obj.fill_derived()
        return super().bulk_create(objs, *args, **kwargs)


class Listing(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published = models.BooleanField(default=True)
    display_name = models.CharField(max_length=120)
    clinic_name = models.CharField(max_length=160, blank=True)
    show_clinic = models.BooleanField(default=True)
    street = models.CharField(max_length=200, blank=True)
    show_street = models.BooleanField(default=False, help_text="otherwise only the area is shown")
    city = models.CharField(max_length=120)
    postal_code = models.CharField(max_length=12, blank=True)
    country = models.CharField(max_length=2)
    place_label = models.CharField(max_length=200, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    credentials = models.JSONField(default=list)
    modalities = models.CharField(max_length=300, blank=True)
    conditions = models.JSONField(default=list)
    languages = models.JSONField(default=list)
    accessibility = models.CharField(max_length=300, blank=True)
    booking_url = models.URLField(max_length=300, blank=True)
    contact_form = models.BooleanField(
        default=True, help_text="visitors may write through a form; the e-mail address is never shown"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # derived in save() from lat/lon and the lists above: the search index (see grid_cell)
    cell = models.IntegerField(default=0, editable=False)
    signature = models.BigIntegerField(default=0, editable=False)

    objects = ScopedManager(ListingManager, clinic="clinic")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic", "practitioner"], name="one_listing_per_practitioner")]
        # published listings only; the search reads cells, filter and position from the index alone
        indexes = [
            models.Index(
                fields=["cell", "signature", "lat", "lon", "id", "published"],  # SQLite covers with published
                condition=models.Q(published=True),
                name="directory_listing_cell",
            )
        ]

    def __str__(self) -> str:
        return f"Listing #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_derived()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = list(dict.fromkeys([*update_fields, *DERIVED]))
        super().save(*args, **kwargs)

    @staticmethod
    def derived_values(values: dict[str, Any]) -> dict[str, Any]:
        """The index columns for the given field values (also used by bulk loads)."""
        return {
            "cell": grid_cell(float(values["lat"]), float(values["lon"])),
            "signature": signature(
                list(values.get("credentials") or []),
                list(values.get("conditions") or []),
                list(values.get("languages") or []),
            ),
        }

    def fill_derived(self) -> None:
        for key, value in self.derived_values(vars(self)).items():
            setattr(self, key, value)

    @property
    def area(self) -> str:
        """The city and only the first part of the postal code (ZIP 3 digits, FSA, outward code)."""
        prefix = self.postal_code.split(" ")[0][:3] if self.postal_code else ""
        return f"{self.city} {prefix}".strip()

    def credential_labels(self) -> list[str]:
        return [CREDENTIALS[c] for c in self.credentials if c in CREDENTIALS]
