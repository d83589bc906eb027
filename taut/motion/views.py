"""Posture photos and gait videos on the visit: upload, check the landmarks, read the findings.

Photos and videos are sent only through these clinic-scoped views, never from a public folder.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from taut.access.decorators import requires
from taut.clients import services as clients
from taut.core.errors import NotAvailable
from taut.motion import compare, keypoints, plots, points, tasks
from taut.motion import gait as gait_service
from taut.motion import posture as posture_service
from taut.motion import rom_photos as rom_service
from taut.motion.http import Spooled, media_response
from taut.motion.models import GaitVideo, PosturePhoto, RomPhoto

PHOTO_TIPS = (
    "Stand the client about 3 m from the camera, feet hip-width apart, arms relaxed, looking straight ahead.",
    "Hold the phone upright at the height of the client's navel, or use a tripod; the whole body must be in frame.",
    "Fitted clothing, bare feet, a plain wall behind. One person in the picture.",
    "Take front, back and both sides. If the phone was not level, mark a true vertical (a door frame) on the photo.",
)
VIDEO_TIPS = (
    "Film in landscape at 30 frames per second or more, the phone at hip height, 3–4 m from the walkway.",
    "Film from the side for timing and joint angles, from in front or behind for pelvic drop and trunk lean.",
    "Six to eight steps at the client's own pace, the whole body in frame.",
    "Bystanders are fine: if the wrong person is followed, you can pick the walker.",
)


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [" ".join(v) for v in exc.message_dict.values()]
    return list(exc.messages)


def _visit(client_id: int, visit_id: int) -> tuple[Any, Any]:
    client = clients.get_client(client_id)
    return client, clients.get_visit(client, visit_id)


def _role(request: HttpRequest) -> str | None:
    return getattr(request, "role", None)


# Posture -------------------------------------------------------------------------------------


@requires("can_edit_clinical")
def posture(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    """The visit's posture photos, one per view, and the form to add one."""
    client, visit = _visit(client_id, visit_id)
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("photo")
        view = str(request.POST.get("view", ""))[:10]
        try:
            if not isinstance(upload, UploadedFile):
                raise ValidationError({"photo": "Choose a photo to upload."})
            data = upload.read()
            photo = posture_service.do_add_photo(
                visit, view, data, request.user, _role(request), by_hand=request.POST.get("by_hand") == "1"
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "Photo measured. Check the landmarks and drag any that are off.")
            return redirect("motion:posture_photo", client_id=client.pk, visit_id=visit.pk, photo_id=photo.pk)
    else:
        clients.audit_read(visit)
    photos = {p.view: p for p in posture_service.photos_of(visit)}
    slots = [(value, label, photos.get(value)) for value, label in PosturePhoto.View.choices]
    earlier = compare.earlier_photos(visit)
    context = {"client": client, "visit": visit, "slots": slots, "errors": errors, "tips": PHOTO_TIPS,
               "views": PosturePhoto.View.choices, "earlier": earlier}  # fmt: skip
    return render(request, "motion/posture.html", context, status=400 if errors else 200)


@requires("can_edit_clinical")
def posture_photo(request: HttpRequest, client_id: int, visit_id: int, photo_id: int) -> HttpResponse:
    """One photo with its landmarks (draggable), the true vertical, the measures and the findings."""
    client, visit = _visit(client_id, visit_id)
    photo = posture_service.get_photo(visit, photo_id)
    errors: list[str] = []
    if request.method == "POST":
        try:
            landmarks = _json_field(request.POST.get("landmarks", ""), "landmarks")
            vertical = (
                _json_field(request.POST.get("vertical", ""), "vertical") if request.POST.get("vertical") else None
            )
            posture_service.do_place_landmarks(photo, landmarks, vertical, request.user, _role(request))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "Landmarks saved; the measures use them as placed.")
            return redirect("motion:posture_photo", client_id=client.pk, visit_id=visit.pk, photo_id=photo.pk)
    else:
        clients.audit_read(photo)
    context = {
        "client": client,
        "visit": visit,
        "photo": photo,
        "report": photo.report,
        "errors": errors,
        "landmarks_json": json.dumps(photo.landmarks),
        "vertical_json": json.dumps(photo.vertical) if photo.vertical else "",
    }
    return render(request, "motion/posture_photo.html", context, status=400 if errors else 200)


def _json_field(raw: str, field: str) -> Any:
    if len(raw) > 20_000:
        raise ValidationError({field: "Too much data."})
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        raise ValidationError({field: "Could not read the placed points; reload the page and try again."}) from None


@require_GET
@requires("can_view_clinical")
def posture_image(request: HttpRequest, client_id: int, visit_id: int, photo_id: int) -> HttpResponse:
    """The stored photo (re-encoded, without EXIF or GPS), for this clinic's staff only."""
    _, visit = _visit(client_id, visit_id)
    photo = posture_service.get_photo(visit, photo_id)
    clients.audit_read(photo)
    return media_response(points.read_media(photo), "image/jpeg", f"posture-{photo.pk}.jpg")


@require_GET
@requires("can_view_clinical")
def posture_annotated(request: HttpRequest, client_id: int, visit_id: int, photo_id: int) -> HttpResponse:
    """The photo with the plumb line, the landmarks and the angles drawn on it (PNG)."""
    from taut.core.vision.annotate import annotate

    _, visit = _visit(client_id, visit_id)
    photo = posture_service.get_photo(visit, photo_id)
    clients.audit_read(photo)
    png = annotate(points.read_media(photo), photo.landmarks, photo.report)
    return media_response(png, "image/png", f"posture-{photo.pk}-annotated.png")


@require_GET
@requires("can_view_clinical")
def posture_compare(request: HttpRequest, client_id: int) -> HttpResponse:
    """Two photos of the same client side by side, with each measure's change (or a chooser)."""
    client = clients.get_client(client_id)
    photos = compare.client_photos(client)
    context: dict[str, Any] = {"client": client, "photos": photos, "errors": [], "rows": None}
    if request.GET.get("a") or request.GET.get("b"):
        try:
            first, second = compare.compare_pair(client, request.GET.get("a"), request.GET.get("b"))
        except ValidationError as exc:
            context["errors"] = _errors(exc)
            return render(request, "motion/compare.html", context, status=400)
        context.update(first=first, second=second, pair=[first, second], rows=compare.compare_rows(first, second))
    clients.audit_read(client)
    return render(request, "motion/compare.html", context)


# Gait ----------------------------------------------------------------------------------------


@requires("can_edit_clinical")
def gait(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    """The visit's walking videos and the form to add one; analysis runs in the background."""
    client, visit = _visit(client_id, visit_id)
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("video")
        view = str(request.POST.get("view", ""))[:10]
        try:
            if not isinstance(upload, UploadedFile):
                raise ValidationError({"video": "Choose a video to upload."})
            with Spooled(upload) as path:
                video = gait_service.do_add_video(visit, view, path, request.user, _role(request))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "Video received. The analysis runs now; you can leave this page.")
            return redirect("motion:gait_video", client_id=client.pk, visit_id=visit.pk, video_id=video.pk)
    else:
        clients.audit_read(visit)
    context = {"client": client, "visit": visit, "videos": gait_service.videos_of(visit), "errors": errors,
               "tips": VIDEO_TIPS, "views": GaitVideo.View.choices}  # fmt: skip
    return render(request, "motion/gait.html", context, status=400 if errors else 200)


@require_POST
@requires("can_edit_clinical")
def gait_import(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    """Keypoints made by another program (TRC, or a zip of OpenPose JSON): analysed at once, no video."""
    client, visit = _visit(client_id, visit_id)
    upload = request.FILES.get("keypoints")
    try:
        if not isinstance(upload, UploadedFile):
            raise ValidationError({"keypoints": "Choose a TRC file or a zip of OpenPose JSON files."})
        fps = _fps(request.POST.get("fps", ""))
        video = keypoints.do_import_keypoints(
            visit, str(request.POST.get("view", ""))[:10], upload.read(), request.user, _role(request), fps=fps
        )
    except ValidationError as exc:
        context = {"client": client, "visit": visit, "videos": gait_service.videos_of(visit), "errors": _errors(exc),
                   "tips": VIDEO_TIPS, "views": GaitVideo.View.choices}  # fmt: skip
        return render(request, "motion/gait.html", context, status=400)
    messages.success(request, "Keypoints analysed.")
    return redirect("motion:gait_video", client_id=client.pk, visit_id=visit.pk, video_id=video.pk)


def _fps(raw: str) -> float | None:
    text = raw.strip()[:12]
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValidationError({"fps": "The frame rate must be a number (for example 30)."}) from None
    if not 1 <= value <= 1000:
        raise ValidationError({"fps": "The frame rate must be between 1 and 1000 frames per second."})
    return value


@requires("can_edit_clinical")
def gait_video(request: HttpRequest, client_id: int, visit_id: int, video_id: int) -> HttpResponse:
    """One video: the analysis progress, then the report; pick another person to follow if needed."""
    client, visit = _visit(client_id, visit_id)
    video = gait_service.get_video(visit, video_id)
    errors: list[str] = []
    if request.method == "POST":
        try:
            seed = [request.POST.get("seed_x", ""), request.POST.get("seed_y", "")]
            gait_service.do_reanalyse(video, seed if all(seed) else None, request.user, _role(request))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "Analysing again, following the person you picked.")
            return redirect("motion:gait_video", client_id=client.pk, visit_id=visit.pk, video_id=video.pk)
    else:
        clients.audit_read(video)
        tasks.revive_if_stale(video)
    direction = str((video.report or {}).get("direction") or "").replace("_", " ")
    context = {"client": client, "visit": visit, "video": video, "report": video.report, "errors": errors,
               "direction": direction}  # fmt: skip
    return render(request, "motion/gait_video.html", context, status=400 if errors else 200)


@require_GET
@requires("can_edit_clinical")
def gait_status(request: HttpRequest, client_id: int, visit_id: int, video_id: int) -> HttpResponse:
    """The progress fragment the video page polls; when done it asks the page to reload."""
    _, visit = _visit(client_id, visit_id)
    video = gait_service.get_video(visit, video_id)
    clients.audit_read(video)
    response = render(request, "motion/_gait_status.html", {"video": video, "client_id": client_id,
                                                            "visit_id": visit_id})  # fmt: skip
    if video.status in (GaitVideo.Status.DONE, GaitVideo.Status.FAILED):
        response["HX-Refresh"] = "true"
    return response


@require_GET
@requires("can_view_clinical")
def gait_plot(request: HttpRequest, client_id: int, visit_id: int, video_id: int) -> HttpResponse:
    """Joint angles per gait cycle against the normal bands (PNG)."""
    _, visit = _visit(client_id, visit_id)
    video = gait_service.get_video(visit, video_id)
    clients.audit_read(video)
    try:
        png = plots.plot_png(video)
    except NotAvailable as exc:
        raise Http404(str(exc)) from None
    return media_response(png, "image/png", f"gait-{video.pk}.png")


@require_GET
@requires("can_view_clinical")
def gait_frame(request: HttpRequest, client_id: int, visit_id: int, video_id: int) -> HttpResponse:
    """An early frame of the video with the people found on it numbered, to pick the walker."""
    _, visit = _visit(client_id, visit_id)
    video = gait_service.get_video(visit, video_id)
    clients.audit_read(video)
    try:
        jpeg = gait_service.people_frame(video)
    except NotAvailable as exc:
        raise Http404(str(exc)) from None
    return media_response(jpeg, "image/jpeg", f"gait-{video.pk}-people.jpg")


# Range of motion from a photo -------------------------------------------------------------------


@requires("can_edit_clinical")
def rom_photos(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    """Photos of joints at end range: upload one, the angle is read and can go into the ROM form."""
    from taut.core.measures.rom_photo import MOTIONS

    client, visit = _visit(client_id, visit_id)
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("photo")
        try:
            if not isinstance(upload, UploadedFile):
                raise ValidationError({"photo": "Choose a photo to upload."})
            photo = rom_service.do_add_rom_photo(
                visit,
                str(request.POST.get("motion", ""))[:40],
                str(request.POST.get("side", ""))[:8],
                str(request.POST.get("mode", "active"))[:8],
                upload.read(),
                request.user,
                _role(request),
                by_hand=request.POST.get("by_hand") == "1",
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, f"Read {photo.degrees:.0f}°. Check the points, then put it in the ROM form.")
            return redirect("motion:rom_photo", client_id=client.pk, visit_id=visit.pk, rom_photo_id=photo.pk)
    else:
        clients.audit_read(visit)
    context = {"client": client, "visit": visit, "photos": rom_service.rom_photos_of(visit), "errors": errors,
               "motions": sorted(MOTIONS.values(), key=lambda m: m.label), "modes": RomPhoto.Mode.choices}  # fmt: skip
    return render(request, "motion/rom_photos.html", context, status=400 if errors else 200)


@requires("can_edit_clinical")
def rom_photo(request: HttpRequest, client_id: int, visit_id: int, rom_photo_id: int) -> HttpResponse:
    """One joint photo: drag the points, see the angle, put it in the visit's ROM."""
    from taut.core.measures.rom_photo import MOTIONS

    client, visit = _visit(client_id, visit_id)
    photo = rom_service.get_rom_photo(visit, rom_photo_id)
    errors: list[str] = []
    if request.method == "POST":
        try:
            landmarks = _json_field(request.POST.get("landmarks", ""), "landmarks")
            rom_service.do_place_rom_landmarks(photo, landmarks, request.user, _role(request))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, f"Points saved: {photo.degrees:.0f}°.")
            return redirect("motion:rom_photo", client_id=client.pk, visit_id=visit.pk, rom_photo_id=photo.pk)
    else:
        clients.audit_read(photo)
    context = {"client": client, "visit": visit, "photo": photo, "errors": errors, "spec": MOTIONS.get(photo.motion),
               "landmarks_json": json.dumps(photo.landmarks)}  # fmt: skip
    return render(request, "motion/rom_photo.html", context, status=400 if errors else 200)


@require_POST
@requires("can_edit_clinical")
def rom_photo_apply(request: HttpRequest, client_id: int, visit_id: int, rom_photo_id: int) -> HttpResponse:
    """Put the photo's angle into the visit's range-of-motion form."""
    client, visit = _visit(client_id, visit_id)
    photo = rom_service.get_rom_photo(visit, rom_photo_id)
    try:
        rom_service.do_apply_rom_photo(photo, request.user, _role(request))
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
        return redirect("motion:rom_photo", client_id=client.pk, visit_id=visit.pk, rom_photo_id=photo.pk)
    messages.success(request, f"{photo.degrees:.0f}° put in the range-of-motion form as {photo.mode}, {photo.side}.")
    return redirect("assessments:rom", client_id=client.pk, visit_id=visit.pk)


@require_GET
@requires("can_view_clinical")
def rom_photo_image(request: HttpRequest, client_id: int, visit_id: int, rom_photo_id: int) -> HttpResponse:
    """The stored joint photo (re-encoded, without EXIF or GPS)."""
    _, visit = _visit(client_id, visit_id)
    photo = rom_service.get_rom_photo(visit, rom_photo_id)
    clients.audit_read(photo)
    return media_response(points.read_media(photo), "image/jpeg", f"rom-{photo.pk}.jpg")
