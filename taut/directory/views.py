"""The directory's pages: the public search and listing pages (no login, rate-limited, no
client data), the practitioner's own listing, and the owner's CSV import and export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from taut.access.decorators import requires
from taut.directory import contact, external, public, query, services, structured, throttle
from taut.directory.models import CREDENTIALS, Listing

RADII = (5, 10, 25, 50, 100, 250)


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "directory/too_many.html", status=429)
    response["Retry-After"] = "60"
    return response


def _choices() -> dict[str, Any]:
    return {
        "credentials": CREDENTIALS,
        "conditions": services.condition_choices(),
        "radii": RADII,
        "directories": external.DIRECTORIES,
    }


@require_http_methods(["GET"])
def find(request: HttpRequest) -> HttpResponse:
    """Search by place (ZIP, Canadian postal code, city), radius, credential, condition, language,
    modality; the results come 20 to a page, nearest first."""
    if not throttle.allow(request):
        return _too_many(request)
    q = request.GET
    unit = q.get("unit", "km") if q.get("unit") in {"km", "mi"} else "km"
    context: dict[str, Any] = {**_choices(), "q": q, "results": None, "error": "", "suggestions": (), "unit": unit}
    if not q.get("near", "").strip():
        return render(request, "directory/find.html", context)
    try:
        search = query.parse(q, unit=unit)
    except query.SearchError as exc:
        status = {"unknown_place": 404, "ambiguous_place": 200}.get(exc.kind, 400)
        context["error"], context["suggestions"] = exc.message, exc.suggestions
        return render(request, "directory/find.html", context, status=status)
    hits = public.find(search.place, search.radius_km, search.filters, limit=None)
    paginator = Paginator(hits, query.PER_PAGE)
    number, context["page_note"] = query.page_number(q.get("page"), paginator.num_pages)
    page = paginator.page(number)
    keep = q.copy()
    keep.pop("page", None)
    context.update(
        place=search.place,
        radius=search.radius,
        page=page,
        count=paginator.count,
        page_links=list(paginator.get_elided_page_range(number, on_each_side=2, on_ends=1)),
        ellipsis=Paginator.ELLIPSIS,
        base_query=keep.urlencode(),
        results=[{"listing": listing, "distance": hit.distance(unit)} for listing, hit in page.object_list],
    )
    return render(request, "directory/find.html", context)


def _listing_page(request: HttpRequest, listing: Listing, status: int = 200, **extra: Any) -> HttpResponse:
    condition_names = services.condition_choices()
    conditions = [condition_names.get(c, c) for c in listing.conditions]
    url = request.build_absolute_uri(reverse("directory:public_listing", args=[listing.pk]))
    context = {
        "listing": listing,
        "conditions": conditions,
        "structured": structured.listing_jsonld(listing, url, conditions),
        "takes_messages": contact.takes_messages(listing),
        "sent": request.GET.get("sent") == "1",
        "message": {},
        "message_errors": {},
        "honeypot": contact.HONEYPOT,
        **extra,
    }
    return render(request, "directory/listing.html", context, status=status)


def _public(listing_id: int) -> tuple[Listing | None, int]:
    listing = public.published_listing(listing_id)
    if listing is None:
        return None, 404
    return (listing, 200) if listing.published else (None, 410)


def _gone(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, "directory/gone.html", {"missing": status == 404}, status=status)


@require_http_methods(["GET"])
def public_listing(request: HttpRequest, listing_id: int) -> HttpResponse:
    if not throttle.allow(request):
        return _too_many(request)
    listing, status = _public(listing_id)
    if listing is None:
        return _gone(request, status)
    return _listing_page(request, listing)


@require_POST
def contact_practitioner(request: HttpRequest, listing_id: int) -> HttpResponse:
    """A visitor's message to the practitioner, by e-mail; the address stays hidden."""
    if not throttle.allow(request):
        return _too_many(request)
    listing, status = _public(listing_id)
    if listing is None:
        return _gone(request, status)
    if not contact.takes_messages(listing):
        note = "This practitioner does not take messages through the directory; use their booking link."
        return _listing_page(request, listing, 404, contact_closed=note)
    sent = redirect(reverse("directory:public_listing", args=[listing.pk]) + "?sent=1#contact")
    if request.POST.get(contact.HONEYPOT, ""):
        return sent  # a bot filled the hidden field: it looks sent, nothing is
    data = {name: request.POST.get(name, "") for name in contact.LIMITS}
    try:
        contact.clean(data)
    except contact.MessageError as exc:
        return _listing_page(request, listing, 400, message=data, message_errors=exc.errors)
    if not throttle.allow(request, f"contact:{listing.pk}", throttle.messages_limit(), 3600):
        response = render(request, "directory/too_many.html", {"messages_limit": True}, status=429)
        response["Retry-After"] = "3600"
        return response
    url = request.build_absolute_uri(reverse("directory:public_listing", args=[listing.pk]))
    try:
        contact.do_send_message(listing, data, url)
    except OSError:
        error = {"message": "The message could not be sent just now; please try again later."}
        return _listing_page(request, listing, 503, message=data, message_errors=error)
    return sent


def _form_data(listing: Listing | None) -> dict[str, Any]:
    if listing is None:
        return {"show_clinic": True, "contact_form": True, "credentials": [], "conditions": [], "languages": []}
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
        "contact_form": listing.contact_form,
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
            contact_form=p.get("contact_form", ""),
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
    context = {**_choices(), "listing": listing, "form": form, "errors": errors, "has_email": bool(request.user.email)}  # type: ignore[union-attr]
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
