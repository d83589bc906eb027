"""schema.org structured data of a public listing (JSON-LD), built only from what it shows.

A listing that shows only its area gives the city, the first part of the postal code and a
position rounded to 0.1 degree (about 11 km); one that shows its street gives the street, the
whole postal code and the stored centre of that postal code or city (it is never more precise).
The street, the clinic's name when hidden, the practitioner's account and e-mail never appear.
"""

from __future__ import annotations

from typing import Any

from taut.directory.models import Listing

MEDICAL_CREDENTIALS = frozenset({"physio"})  # a registered health profession: a MedicalBusiness
AREA_DECIMALS = 1  # about 11 km of latitude: no finer than the area the page shows
STREET_DECIMALS = 3


def listing_jsonld(listing: Listing, url: str, condition_names: list[str]) -> dict[str, Any]:
    """A HealthAndBeautyBusiness (or MedicalBusiness for a physiotherapist) with the practitioner
    as a Person; only fields the public page shows."""
    medical = bool(MEDICAL_CREDENTIALS & set(listing.credentials))
    street = listing.show_street and bool(listing.street)
    address: dict[str, Any] = {
        "@type": "PostalAddress",
        "addressLocality": listing.city,
        "addressCountry": listing.country,
    }
    if street:
        address["streetAddress"] = listing.street
        if listing.postal_code:
            address["postalCode"] = listing.postal_code
    elif listing.postal_code:
        address["postalCode"] = listing.area.removeprefix(listing.city).strip()
    decimals = STREET_DECIMALS if street else AREA_DECIMALS
    person: dict[str, Any] = {"@type": "Person", "name": listing.display_name}
    if listing.languages:
        person["knowsLanguage"] = list(listing.languages)
    credentials = listing.credential_labels()
    if credentials:
        person["hasCredential"] = [
            {"@type": "EducationalOccupationalCredential", "name": label} for label in credentials
        ]
    shows_clinic = listing.show_clinic and bool(listing.clinic_name)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalBusiness" if medical else "HealthAndBeautyBusiness",
        "name": listing.clinic_name if shows_clinic else listing.display_name,
        "url": url,
        "address": address,
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": round(listing.lat, decimals),
            "longitude": round(listing.lon, decimals),
        },
        "employee": person,
    }
    if listing.languages:
        data["knowsLanguage"] = list(listing.languages)
    about = [*condition_names, *([listing.modalities] if listing.modalities else [])]
    if about:
        data["knowsAbout"] = about
    if listing.accessibility:
        data["amenityFeature"] = {"@type": "LocationFeatureSpecification", "name": listing.accessibility, "value": True}
    if listing.booking_url:
        data["potentialAction"] = {"@type": "ReserveAction", "target": listing.booking_url}
    return data
