"""The directory's one write path (create, update, opt out, CSV import), each with its audit
entry in the same transaction, and the public search over published listings."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction

from taut.access.models import Membership, Role
from taut.audit import service as audit
from taut.core.csvsafe import rows_to_csv
from taut.core.directory import geo
from taut.core.knowledge.loader import load_base
from taut.directory.models import CREDENTIALS, Listing

TEXT_LIMITS = {
    "display_name": 120,
    "clinic_name": 160,
    "street": 200,
    "city": 120,
    "postal_code": 12,
    "modalities": 300,
    "accessibility": 300,
    "booking_url": 300,
}
CSV_FIELDS = (
    "practitioner",
    "display_name",
    "clinic_name",
    "street",
    "show_street",
    "city",
    "postal_code",
    "country",
    "credentials",
    "modalities",
    "conditions",
    "languages",
    "accessibility",
    "booking_url",
)


class ListingError(ValueError):
    """Bad listing input; `errors` maps a field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def condition_choices() -> dict[str, str]:
    return {c.id: c.name for c in load_base().conditions.values()}


def _split(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
    else:
        items = str(value or "").replace(";", ",").split(",")
    return [i.strip() for i in items if i.strip()]


def _bool(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def clean(data: dict[str, Any]) -> dict[str, Any]:
    """Check a listing's fields and find its place offline; raise ListingError with every fault."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        value = str(data.get(name, "") or "").strip()
        if len(value) > limit:
            errors[name] = f"At most {limit} characters."
        out[name] = value
    for name in ("display_name", "city"):
        if not out[name] and name not in errors:
            errors[name] = "Required."
    url = out["booking_url"]
    if url:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            errors["booking_url"] = "Only an http:// or https:// address."
    out["show_street"] = _bool(data.get("show_street", False))
    out["show_clinic"] = _bool(data.get("show_clinic", True))
    if "contact_form" in data:  # a CSV without the column leaves the choice as it is
        out["contact_form"] = _bool(data["contact_form"])
    country = str(data.get("country", "") or "").strip().upper()
    if country not in geo.COUNTRIES:
        errors["country"] = "A two-letter code of the US, Canada or a European country (US, CA, DE...)."
    out["country"] = country
    creds = _split(data.get("credentials"))
    bad = [c for c in creds if c not in CREDENTIALS]
    if bad:
        errors["credentials"] = f"Unknown credential {bad[0]!r}; choose from: {', '.join(CREDENTIALS)}."
    out["credentials"] = list(dict.fromkeys(creds))
    known = condition_choices()
    conds = _split(data.get("conditions"))
    bad = [c for c in conds if c not in known]
    if bad:
        errors["conditions"] = f"Unknown condition {bad[0]!r} (use the knowledge base's condition ids)."
    out["conditions"] = list(dict.fromkeys(conds))
    langs = _split(data.get("languages"))
    if any(len(lang) > 40 for lang in langs) or len(langs) > 12:
        errors["languages"] = "Up to 12 languages of at most 40 characters each."
    out["languages"] = langs
    if "city" not in errors and "country" not in errors and "postal_code" not in errors:
        try:
            place = _locate(out["postal_code"], out["city"], country)
        except ValueError as exc:
            errors["postal_code" if out["postal_code"] else "city"] = str(exc)
        else:
            out["lat"], out["lon"], out["place_label"] = place.lat, place.lon, place.label
    if errors:
        raise ListingError(errors)
    return out


def _locate(postal: str, city: str, country: str) -> geo.Place:
    """The postal code's place where the data has it (US ZIP, Canadian FSA, European postal
    code; it must be a code of the listing's country), else the city's."""
    if postal and (country in {"US", "CA"} or country in geo.POSTAL_FORMATS):
        try:
            return geo.find_postal(postal, country)
        except geo.PostalNotPlaced:
            pass  # a real code of a village the data cannot place: the city's point instead
    place = geo.find_place(f"{city}, {country}")
    return place


def do_save_listing(clinic: Any, practitioner: Any, data: dict[str, Any]) -> Listing:
    """Create or update (and publish) the practitioner's listing in the active clinic."""
    fields = clean(data)
    with transaction.atomic():
        listing = Listing.objects.filter(practitioner=practitioner).first()
        action = "update" if listing else "create"
        if listing is None:
            listing = Listing(clinic=clinic, practitioner=practitioner)
        for key, value in fields.items():
            setattr(listing, key, value)
        listing.published = True
        listing.save()
        audit.record(action, listing, detail={"fields": sorted(fields)})
    return listing


def do_opt_out(listing: Listing) -> Listing:
    """Withdraw the listing at once: the public page answers 410 and the search skips it."""
    with transaction.atomic():
        listing.published = False
        listing.save(update_fields=["published", "updated_at"])
        audit.record("withdraw", listing)
    return listing


# CSV ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejected:
    line: int
    field: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    rejected: tuple[Rejected, ...]


def do_import_csv(clinic: Any, text: str, members: dict[str, Any]) -> ImportReport:
    """Import listings of the clinic's practitioners (by username); a bad row is reported and skipped."""
    rejected: list[Rejected] = []
    created = updated = 0
    reader = csv.DictReader(io.StringIO(text))
    missing = [f for f in ("practitioner", "display_name", "city", "country") if f not in (reader.fieldnames or [])]
    if missing:
        return ImportReport(0, 0, (Rejected(1, missing[0], "Missing column."),))
    for row in reader:
        line = reader.line_num
        data = {k: (v or "").lstrip("'") for k, v in row.items() if k}
        user = members.get(data.get("practitioner", "").strip())
        if user is None:
            rejected.append(Rejected(line, "practitioner", "Not a practitioner or owner of this clinic."))
            continue
        try:
            exists = Listing.objects.filter(practitioner=user).exists()
            do_save_listing(clinic, user, data)
        except ListingError as exc:
            rejected.extend(Rejected(line, f, msg) for f, msg in exc.errors.items())
            continue
        updated, created = (updated + 1, created) if exists else (updated, created + 1)
    return ImportReport(created, updated, tuple(rejected))


def export_csv(listings: Iterable[Listing]) -> Iterable[str]:
    """Listings as CSV, formula cells neutralised; audited as one export."""
    rows = [
        [
            l.practitioner.get_username(),
            l.display_name,
            l.clinic_name,
            l.street,
            "yes" if l.show_street else "no",
            l.city,
            l.postal_code,
            l.country,
            ";".join(l.credentials),
            l.modalities,
            ";".join(l.conditions),
            ";".join(l.languages),
            l.accessibility,
            l.booking_url,
        ]
        for l in listings  # noqa: E741
    ]
    audit.record("export", object_type="listing", object_id="", detail={"rows": len(rows)})
    return rows_to_csv(CSV_FIELDS, rows)


def clinic_members(clinic: Any) -> dict[str, Any]:
    """Usernames of the clinic's practitioners and owners: who may be listed."""
    rows = Membership.objects.filter(clinic=clinic, role__in=[Role.OWNER, Role.PRACTITIONER]).select_related("user")
    return {m.user.get_username(): m.user for m in rows}
