"""Session note pages under a visit: start, edit the draft (it saves itself), sign, correct, void."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from taut.access.decorators import requires
from taut.access.scoping import get_or_404
from taut.clients import services as clients
from taut.clients.models import Client, Visit
from taut.notes import forms, services
from taut.notes.models import NoteTemplate, SessionNote


def _role(request: HttpRequest) -> str | None:
    return getattr(request, "role", None)


def get_note(client_id: Any, visit_id: Any, note_id: Any) -> tuple[Client, Visit, SessionNote]:
    """Nested lookup: the clinic (scope), the client, the visit, then the note."""
    client = clients.get_client(client_id)
    visit = clients.get_visit(client, visit_id)
    note = get_or_404(SessionNote.objects.filter(visit=visit), pk=note_id)
    return client, visit, note


def ranked_muscles(visit: Visit) -> list[str]:
    """The muscles the visit's pain chart names as explaining the pain, in palpation order."""
    chart = getattr(visit, "pain_chart", None)
    if chart is None:
        return []
    known = dict(forms.muscle_choices())
    out: list[str] = []
    for c in (chart.analysis or {}).get("explaining", []):
        muscle = c.get("muscle") if isinstance(c, dict) else None
        if muscle in known and muscle not in out:
            out.append(muscle)
    return out


def _save(note: SessionNote, post: Any, request: HttpRequest) -> SessionNote:
    data = forms.check_rows(forms.data_from_post(post))
    return services.do_save_draft(note, data, request.user, _role(request))


@require_POST
@requires("can_edit_clinical")
def start_note(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    client = clients.get_client(client_id)
    visit = clients.get_visit(client, visit_id)
    chosen = request.POST.get("template", "")
    template = services.get_template(request.user, chosen) if chosen else None
    try:
        note = services.do_start_note(visit, request.user, _role(request), template)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("clients:visit_detail", client_id=client.pk, visit_id=visit.pk)
    return redirect("notes:edit", client_id=client.pk, visit_id=visit.pk, note_id=note.pk)


def _edit_context(
    client: Client, visit: Visit, note: SessionNote, values: dict[str, Any], request: HttpRequest
) -> dict[str, Any]:
    points = values.get("trigger_points") or []
    if not points and not note.trigger_points and request.method != "POST":
        points = [{"muscle": m, "kind": "active"} for m in ranked_muscles(visit)]
    return {
        "client": client,
        "visit": visit,
        "note": note,
        "values": values,
        "points": forms.rows_for_form(list(points), {"kind": "active"}),
        "retests": forms.rows_for_form(list(values.get("rom_retests") or []), {}),
        "techniques": forms.rows_for_form(list(values.get("techniques") or []), {"pressure": "moderate"}),
        "muscles": forms.muscle_choices(),
        "changes": forms.CHANGES,
        "kinds": forms.KINDS,
        "sides": forms.SIDES,
        "pressures": forms.PRESSURES,
        "pain_scale": range(11),
        "previous": services.previous_note(note),
        "phrases": _phrases(request),
        "adherence": services.note_adherence(note),
        "photos": services.posture_photos(note),
    }


def _phrases(request: HttpRequest) -> dict[str, list[NoteTemplate]]:
    """The user's phrases per SOAP field, for the note form's insert menus."""
    out: dict[str, list[NoteTemplate]] = {f: [] for f in services.TEMPLATE_FIELDS}
    for template in services.my_templates(request.user):
        if template.field in out:
            out[template.field].append(template)
    return out


@requires("can_edit_clinical")
def edit_note(request: HttpRequest, client_id: int, visit_id: int, note_id: int) -> HttpResponse:
    """The draft's form; a signed or voided note goes to its read-only page."""
    client, visit, note = get_note(client_id, visit_id, note_id)
    if note.status != SessionNote.Status.DRAFT:
        messages.error(request, "This note is signed or voided and cannot be changed: add an addendum instead.")
        return redirect("notes:detail", client_id=client.pk, visit_id=visit.pk, note_id=note.pk)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {f: getattr(note, f) for f in services.TEXT_FIELDS + services.PAIN_FIELDS}
    values.update(trigger_points=note.trigger_points, rom_retests=note.rom_retests, techniques=note.techniques)
    if request.method == "POST":
        try:
            _save(note, request.POST, request)
        except ValidationError as exc:
            errors = forms.field_errors(exc)
            values = forms.data_from_post(request.POST)
        else:
            messages.success(request, "Draft saved.")
            return redirect("notes:edit", client_id=client.pk, visit_id=visit.pk, note_id=note.pk)
    else:
        clients.audit_read(note)
    context = _edit_context(client, visit, note, values, request)
    context["errors"] = errors
    return render(request, "notes/edit.html", context, status=422 if errors else 200)


@require_POST
@requires("can_edit_clinical")
def save_draft(request: HttpRequest, client_id: int, visit_id: int, note_id: int) -> HttpResponse:
    """The autosave endpoint: the same checks as the form; on bad input nothing changes."""
    _, _, note = get_note(client_id, visit_id, note_id)
    try:
        note = _save(note, request.POST, request)
    except ValidationError as exc:
        return JsonResponse({"saved": False, "errors": forms.field_errors(exc)}, status=422)
    saved = timezone.localtime(note.updated_at)
    return JsonResponse({"saved": True, "saved_at": saved.strftime("%H:%M")})


@requires("can_view_clinical")
def note_detail(request: HttpRequest, client_id: int, visit_id: int, note_id: int) -> HttpResponse:
    """The note as recorded, read-only, with its addenda in order."""
    client, visit, note = get_note(client_id, visit_id, note_id)
    clients.audit_read(note)
    sides, kinds, pressures = dict(forms.SIDES), dict(forms.KINDS), dict(forms.PRESSURES)
    context = {
        "client": client,
        "visit": visit,
        "note": note,
        "points": [
            {
                **p,
                "name": forms.muscle_name(p.get("muscle", "")),
                "side_label": sides.get(p.get("side", ""), ""),
                "kind_label": kinds.get(p.get("kind", ""), ""),
            }
            for p in note.trigger_points
        ],
        "retests": [{**r, "side_label": sides.get(r.get("side", ""), "")} for r in note.rom_retests],
        "techniques": [
            {
                **t,
                "name": forms.muscle_name(t.get("muscle", "")),
                "pressure_label": pressures.get(t.get("pressure", ""), ""),
            }
            for t in note.techniques
        ],
        "addenda": list(note.addenda.all()),
        "previous": services.previous_note(note),
        "adherence": services.note_adherence(note),
        "photos": services.posture_photos(note),
        "change_label": dict(forms.CHANGES).get(note.change_since_last, note.change_since_last),
    }
    return render(request, "notes/detail.html", context)


def _act(request: HttpRequest, note: SessionNote, action: Any, success: str) -> HttpResponse:
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("notes:detail", client_id=note.client_id, visit_id=note.visit_id, note_id=note.pk)


@require_POST
@requires("can_edit_clinical")
def sign_note(request: HttpRequest, client_id: int, visit_id: int, note_id: int) -> HttpResponse:
    _, _, note = get_note(client_id, visit_id, note_id)
    return _act(
        request,
        note,
        lambda: services.do_sign_note(note, request.user, _role(request)),
        "Signed. The note is now locked; corrections are added as addenda.",
    )


@require_POST
@requires("can_edit_clinical")
def add_addendum(request: HttpRequest, client_id: int, visit_id: int, note_id: int) -> HttpResponse:
    _, _, note = get_note(client_id, visit_id, note_id)
    text, reason = request.POST.get("text", ""), request.POST.get("reason", "")
    if len(reason) > 500 or len(text) > forms.TEXT_MAX:
        messages.error(request, f"Keep the reason under 500 and the text under {forms.TEXT_MAX} characters.")
        return redirect("notes:detail", client_id=note.client_id, visit_id=note.visit_id, note_id=note.pk)
    return _act(
        request,
        note,
        lambda: services.do_add_addendum(note, text, reason, request.user, _role(request)),
        "Addendum added; the original note stays as signed.",
    )


@require_POST
@requires("can_edit_clinical")
def void_note(request: HttpRequest, client_id: int, visit_id: int, note_id: int) -> HttpResponse:
    _, _, note = get_note(client_id, visit_id, note_id)
    reason = request.POST.get("reason", "")
    if len(reason) > 500:
        messages.error(request, "Keep the reason under 500 characters.")
        return redirect("notes:detail", client_id=note.client_id, visit_id=note.visit_id, note_id=note.pk)
    return _act(
        request,
        note,
        lambda: services.do_void_note(note, reason, request.user, _role(request)),
        "The note is voided. It is kept and still shown, marked void.",
    )


# Phrases and templates -----------------------------------------------------------------------------


def _template_data(post: Any) -> dict[str, Any]:
    """A phrase or whole-note template from the posted form (``text`` or ``fields-<field>``)."""
    data: dict[str, Any] = {"name": post.get("name", ""), "field": post.get("field", "")}
    if data["field"] == NoteTemplate.NOTE:
        data["fields"] = {f: post.get(f"fields-{f}", "") for f in services.TEMPLATE_FIELDS}
    else:
        data["text"] = post.get("text", "")
    return data


def _template_form(
    request: HttpRequest, template: NoteTemplate | None, values: dict[str, Any], errors: dict[str, str]
) -> HttpResponse:
    fields = values.get("fields") or {}
    context = {
        "template": template,
        "values": values,
        "errors": errors,
        "field_choices": list(services.FIELD_LABELS.items()),
        "note_fields": [(f, services.FIELD_LABELS[f], fields.get(f, "")) for f in services.TEMPLATE_FIELDS],
        "next": _safe_next(request),
    }
    return render(request, "notes/template_form.html", context, status=422 if errors else 200)


def _safe_next(request: HttpRequest) -> str:
    """Where to go back to after saving: only a path of this site."""
    target = str(request.POST.get("next") or request.GET.get("next") or "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts=None) and target.startswith("/")
    return target if safe else ""


@requires("can_edit_clinical")
def template_list(request: HttpRequest) -> HttpResponse:
    """The user's own phrases and note templates in this clinic."""
    templates = list(services.my_templates(request.user))
    labels = services.FIELD_LABELS
    return render(
        request,
        "notes/templates.html",
        {"templates": [(t, labels.get(t.field, t.field)) for t in templates]},
    )


@requires("can_edit_clinical")
def template_add(request: HttpRequest) -> HttpResponse:
    values: dict[str, Any] = {"name": "", "field": request.GET.get("field", "plan"), "text": "", "fields": {}}
    if request.method == "POST":
        values = _template_data(request.POST)
        try:
            services.do_create_template(request.user, getattr(request, "clinic", None), _role(request), values)
        except ValidationError as exc:
            return _template_form(request, None, values, forms.field_errors(exc))
        messages.success(request, "Phrase saved.")
        return redirect(_safe_next(request) or "notes:templates")
    return _template_form(request, None, values, {})


@requires("can_edit_clinical")
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    template = services.get_template(request.user, template_id)
    values: dict[str, Any] = {
        "name": template.name,
        "field": template.field,
        "text": template.text,
        "fields": template.fields,
    }
    if request.method == "POST":
        values = _template_data(request.POST)
        try:
            services.do_update_template(template, request.user, _role(request), values)
        except ValidationError as exc:
            return _template_form(request, template, values, forms.field_errors(exc))
        messages.success(request, "Phrase saved.")
        return redirect("notes:templates")
    return _template_form(request, template, values, {})


@require_POST
@requires("can_edit_clinical")
def template_delete(request: HttpRequest, template_id: int) -> HttpResponse:
    template = services.get_template(request.user, template_id)
    services.do_delete_template(template, request.user, _role(request))
    messages.success(request, f"Deleted “{template.name}”. Notes it was used in keep their text.")
    return redirect("notes:templates")
