"""The directory's pages: the public search and listing pages (no login, rate-limited, no
client data), the practitioner's own listing, and the owner's CSV import and export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from taut.access.decorators import requires
from taut.core.directory import geo
from taut.core.directory.search import Filters
from taut.directory import public, services, throttle
from taut.directory.models import CREDENTIALS, Listing

RADII = (5, 10, 25, 50, 100, 250)
MAX_RADIUS_KM = 500.0


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "directory/too_many.html", status=429)
    response["Retry-After"] = "60"
    return response


def _choices() -> dict[str, Any]:
    return {"credentials": CREDENTIALS, "conditions": services.condition_choices(), "radii": RADII}


@require_http_methods(["GET"])
def find(request: HttpRequest) -> HttpResponse:
    """Search by place (ZIP, Canadian postal code, city), radius, credential, condition, language."""
    if not throttle.allow(request):
        return _too_many(request)
    q = request.GET
    context: dict[str, Any] = {**_choices(), "q": q, "results": None, "error": "", "suggestions": ()}
    near = q.get("near", "").strip()
    unit = q.get("unit", "km") if q.get("unit") in {"km", "mi"} else "km"
    context["unit"] = unit
    if near:
        status = 200
        try:
            radius = float(q.get("radius", "25") or 25)
            radius_km = geo.to_km(radius, unit)
            if not 0 < radius_km <= MAX_RADIUS_KM:
                raise ValueError
        except ValueError:
            context["error"] = f"The radius must be a number above 0 and up to {MAX_RADIUS_KM:.0f} km."
            status = 400
        else:
            credential = q.get("credential", "")
            condition = q.get("condition", "")
            if credential and credential not in CREDENTIALS:
                context["error"], status = "Unknown credential.", 400
            elif condition and condition not in context["conditions"]:
                context["error"], status = "Unknown condition.", 400
            else:
                try:
                    place = geo.find_place(near)
                except geo.PlaceNotFound as exc:
                    context["error"], context["suggestions"], status = str(exc), exc.suggestions, 404
                except geo.AmbiguousPlace as exc:
                    context["error"], context["suggestions"] = str(exc), exc.choices
                else:
                    filters = Filters(credential, condition, q.get("language", "").strip()[:40])
                    hits = public.find(place, radius_km, filters)
                    context["place"] = place
                    context["radius"] = radius
                    context["results"] = [{"listing": listing, "distance": hit.distance(unit)} for listing, hit in hits]
        return render(request, "directory/find.html", context, status=status)
    return render(request, "directory/find.html", context)


@require_http_methods(["GET"])
def public_listing(request: HttpRequest, listing_id: int) -> HttpResponse:
    if not throttle.allow(request):
        return _too_many(request)
    listing = public.published_listing(listing_id)
    if listing is None:
        return render(request, "directory/gone.html", {"missing": True}, status=404)
    if not listing.published:
        return render(request, "directory/gone.html", {}, status=410)
    condition_names = services.condition_choices()
    context = {
        "listing": listing,
        "conditions": [condition_names.get(c, c) for c in listing.conditions],
    }
    return render(request, "directory/listing.html", context)


def _form_data(listing: Listing | None) -> dict[str, Any]:
    if listing is None:
        return {"show_clinic": True, "credentials": [], "conditions": [], "languages": []}
    return {
        "display_name": listing.display_name,
        "clinic_name": listing.clinic_name,
        "show_clinic": listing.show_clinic,
        "street": listing.street,
        "show_street": listing.show_street,
        "city": listing.city,
        "postal_code": listing.postal_code,
        "country": listing.country,
        "credentials": listing.credentials,
        "modalities": listing.modalities,
        "conditions": listing.conditions,
        "languages": ", ".join(listing.languages),
        "accessibility": listing.accessibility,
        "booking_url": listing.booking_url,
    }


@requires("can_edit_listing")
@require_http_methods(["GET", "POST"])
def my_listing(request: HttpRequest) -> HttpResponse:
    listing = Listing.objects.filter(practitioner_id=request.user.pk).first()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        p = request.POST
        data: dict[str, Any] = {k: p.get(k, "") for k in services.TEXT_LIMITS}
        data.update(
            country=p.get("country", ""),
            show_street=p.get("show_street", ""),
            show_clinic=p.get("show_clinic", ""),
            credentials=p.getlist("credentials"),
            conditions=p.getlist("conditions"),
            languages=p.get("languages", ""),
        )
        try:
            services.do_save_listing(request.clinic, request.user, data)  # type: ignore[attr-defined]
        except services.ListingError as exc:
            errors, status = exc.errors, 400
            form = data
        else:
            messages.success(request, "Your listing is published.")
            return redirect("directory:my_listing")
    else:
        form = _form_data(listing)
    context = {**_choices(), "listing": listing, "form": form, "errors": errors}
    return render(request, "directory/my_listing.html", context, status=status)


@requires("can_edit_listing")
@require_POST
def withdraw(request: HttpRequest) -> HttpResponse:
    listing = Listing.objects.filter(practitioner_id=request.user.pk, published=True).first()
    if listing is not None:
        services.do_opt_out(listing)
        messages.success(request, "Your listing is withdrawn: it is no longer public.")
    return redirect("directory:my_listing")


@requires("can_manage_listings")
@require_http_methods(["GET"])
def export(request: HttpRequest) -> StreamingHttpResponse:
    with transaction.atomic():
        listings = list(Listing.objects.select_related("practitioner").order_by("id"))
        lines = list(services.export_csv(listings))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="listings.csv"'
    response["Cache-Control"] = "no-store"
    return response


MAX_CSV_BYTES = 2_000_000


@requires("can_manage_listings")
@require_http_methods(["GET", "POST"])
def import_csv(request: HttpRequest) -> HttpResponse:
    report = None
    error = ""
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or upload.size is None or upload.size > MAX_CSV_BYTES:
            error, status = f"Choose a CSV file of at most {MAX_CSV_BYTES // 1_000_000} MB.", 400
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                error, status = "The file is not UTF-8 text.", 400
            else:
                clinic = request.clinic  # type: ignore[attr-defined]
                report = services.do_import_csv(clinic, text, services.clinic_members(clinic))
    return render(request, "directory/import.html", {"report": report, "error": error}, status=status)
