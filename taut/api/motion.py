"""Posture photos and gait videos through the API: upload, read the report, correct landmarks."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field, StrictFloat

from taut.api.errors import UPLOAD_ERR
from taut.api.schemas import Strict
from taut.motion import gait as gait_service
from taut.motion import keypoints as keypoint_import
from taut.motion import plots, points, tasks
from taut.motion import posture as posture_service
from taut.motion import rom_photos as rom_service
from taut.motion.http import Spooled, media_response
from taut.motion.models import GaitVideo, PosturePhoto
from taut.records import services as records

router = Router(tags=["posture and gait"])
VISIT = "/clients/{client_id}/visits/{visit_id}"


class PhotoOut(Strict):
    id: int
    visit_id: int
    view: str
    width: int
    height: int
    placed_by_hand: bool
    landmarks: dict[str, list[float]]
    vertical: list[list[float]] | None
    detected: dict[str, Any]
    report: dict[str, Any]
    kb_version: str
    created_at: dt.datetime
    updated_at: dt.datetime


class LandmarksIn(Strict):
    landmarks: dict[str, list[StrictFloat]] = Field(description="name -> [x, y] in photo pixels", max_length=40)
    vertical: list[list[StrictFloat]] | None = Field(None, description="two points on a true vertical", max_length=2)


class VideoOut(Strict):
    id: int
    visit_id: int
    view: str
    source: str
    width: int
    height: int
    fps: float
    duration: float
    codec: str
    seed: list[float] | None
    status: str
    progress: float
    error: str
    report: dict[str, Any] | None
    kb_version: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ReanalyseIn(Strict):
    seed: list[StrictFloat] | None = Field(
        None, description="[x, y] in video pixels on the person to follow", max_length=2
    )


def _photo(p: PosturePhoto) -> dict[str, Any]:
    fields = ("id", "visit_id", "view", "width", "height", "placed_by_hand", "landmarks", "vertical", "detected",
              "report", "kb_version", "created_at", "updated_at")  # fmt: skip
    return {f: getattr(p, f) for f in fields}


def _video(v: GaitVideo) -> dict[str, Any]:
    fields = ("id", "visit_id", "view", "source", "width", "height", "fps", "duration", "codec", "seed", "status",
              "progress", "error", "report", "kb_version", "created_at", "updated_at")  # fmt: skip
    return {f: getattr(v, f) for f in fields}


def _role(request: HttpRequest) -> str | None:
    return getattr(request, "role", None)


def _visit(request: HttpRequest, client_id: int, visit_id: int, capability: str) -> Any:
    return records.visit_for(_role(request), client_id, visit_id, capability)


@router.post(VISIT + "/posture", response={201: PhotoOut, **UPLOAD_ERR})
def add_posture_photo(
    request: HttpRequest,
    client_id: int,
    visit_id: int,
    view: Form[Literal["front", "back", "left", "right"]],
    photo: File[UploadedFile],
    by_hand: Form[bool] = False,
) -> Any:
    """Upload a standing photo: landmarks are found, measured and filed (replacing the visit's photo of that view).
    A photo with no person, several people, too small or too dark is refused and nothing is stored."""
    visit = _visit(request, client_id, visit_id, "can_edit_clinical")
    record = posture_service.do_add_photo(visit, view, photo.read(), request.user, getattr(request, "role", None),
                                   by_hand=by_hand)  # fmt: skip
    return Status(201, _photo(record))


@router.get(VISIT + "/posture", response={200: list[PhotoOut], **UPLOAD_ERR})
def list_posture_photos(request: HttpRequest, client_id: int, visit_id: int) -> Any:
    """The visit's posture photos with their landmarks and reports."""
    found = records.list_records(_role(request), client_id, visit_id, "posturephoto", posture_service.photos_of)
    return [_photo(p) for p in found]


@router.get(VISIT + "/posture/{photo_id}", response={200: PhotoOut, **UPLOAD_ERR})
def get_posture_photo(request: HttpRequest, client_id: int, visit_id: int, photo_id: int) -> Any:
    """One photo's landmarks and report."""
    photo = records.read_record(_role(request), client_id, visit_id, lambda v: posture_service.get_photo(v, photo_id))
    return _photo(photo)


@router.put(VISIT + "/posture/{photo_id}/landmarks", response={200: PhotoOut, **UPLOAD_ERR})
def put_posture_landmarks(
    request: HttpRequest, client_id: int, visit_id: int, photo_id: int, payload: LandmarksIn
) -> Any:
    """Replace the landmarks (and the true vertical) as placed; the report is measured again from them."""
    visit = _visit(request, client_id, visit_id, "can_edit_clinical")
    photo = posture_service.get_photo(visit, photo_id)
    posture_service.do_place_landmarks(photo, payload.landmarks, payload.vertical, request.user,
                                getattr(request, "role", None))  # fmt: skip
    return _photo(photo)


@router.get(VISIT + "/posture/{photo_id}/image", response={200: None, **UPLOAD_ERR})
def get_posture_image(request: HttpRequest, client_id: int, visit_id: int, photo_id: int) -> Any:
    """The stored photo (JPEG, re-encoded without EXIF or GPS)."""
    photo = records.read_record(_role(request), client_id, visit_id, lambda v: posture_service.get_photo(v, photo_id))
    return media_response(points.read_media(photo), "image/jpeg", f"posture-{photo.pk}.jpg")


@router.get(VISIT + "/posture/{photo_id}/annotated", response={200: None, **UPLOAD_ERR})
def get_posture_annotated(request: HttpRequest, client_id: int, visit_id: int, photo_id: int) -> Any:
    """The photo with plumb line, landmarks and angles drawn (PNG)."""
    from taut.core.vision.annotate import annotate

    photo = records.read_record(_role(request), client_id, visit_id, lambda v: posture_service.get_photo(v, photo_id))
    png = annotate(points.read_media(photo), photo.landmarks, photo.report)
    return media_response(png, "image/png", f"posture-{photo.pk}-annotated.png")


@router.post(VISIT + "/gait", response={202: VideoOut, **UPLOAD_ERR})
def add_gait_video(
    request: HttpRequest,
    client_id: int,
    visit_id: int,
    view: Form[Literal["sagittal", "frontal"]],
    video: File[UploadedFile],
) -> Any:
    """Upload a walking video (MP4 or MOV, up to a minute); the analysis runs in the background.
    Poll the video until `status` is `done` (or `failed`, with `error`)."""
    visit = _visit(request, client_id, visit_id, "can_edit_clinical")
    with Spooled(video) as path:
        record = gait_service.do_add_video(visit, view, path, request.user, getattr(request, "role", None))
    return Status(202, _video(record))


@router.post(VISIT + "/gait/import", response={201: VideoOut, **UPLOAD_ERR})
def import_gait_keypoints(
    request: HttpRequest,
    client_id: int,
    visit_id: int,
    view: Form[Literal["sagittal", "frontal"]],
    keypoints: File[UploadedFile],
    fps: Form[float | None] = None,
) -> Any:
    """Keypoints made by another program, analysed at once: a TRC marker file (Pose2Sim, OpenCap) or a zip of
    OpenPose `*_keypoints.json` files (give `fps`). Answers with the finished report."""
    visit = _visit(request, client_id, visit_id, "can_edit_clinical")
    if fps is not None and not 1 <= fps <= 1000:
        raise ValidationError({"fps": "The frame rate must be between 1 and 1000 frames per second."})
    role = getattr(request, "role", None)
    record = keypoint_import.do_import_keypoints(visit, view, keypoints.read(), request.user, role, fps=fps)
    return Status(201, _video(record))


@router.get(VISIT + "/gait", response={200: list[VideoOut], **UPLOAD_ERR})
def list_gait_videos(request: HttpRequest, client_id: int, visit_id: int) -> Any:
    """The visit's gait videos with their status and reports."""
    found = records.list_records(_role(request), client_id, visit_id, "gaitvideo", gait_service.videos_of)
    return [_video(v) for v in found]


@router.get(VISIT + "/gait/{video_id}", response={200: VideoOut, **UPLOAD_ERR})
def get_gait_video(request: HttpRequest, client_id: int, visit_id: int, video_id: int) -> Any:
    """One video: status and progress while it is analysed, then the report."""
    video = records.read_record(_role(request), client_id, visit_id, lambda v: gait_service.get_video(v, video_id))
    tasks.revive_if_stale(video)
    return _video(video)


@router.post(VISIT + "/gait/{video_id}/reanalyse", response={202: VideoOut, **UPLOAD_ERR})
def reanalyse_gait_video(
    request: HttpRequest, client_id: int, visit_id: int, video_id: int, payload: ReanalyseIn
) -> Any:
    """Analyse again, following the person at `seed` (or the walker, when null)."""
    visit = _visit(request, client_id, visit_id, "can_edit_clinical")
    video = gait_service.get_video(visit, video_id)
    gait_service.do_reanalyse(video, payload.seed, request.user, getattr(request, "role", None))
    return Status(202, _video(video))


@router.get(VISIT + "/gait/{video_id}/plot", response={200: None, **UPLOAD_ERR})
def get_gait_plot(request: HttpRequest, client_id: int, visit_id: int, video_id: int) -> Any:
    """Joint angles per gait cycle against the typical bands (PNG); 404 until the analysis is done."""
    video = records.read_record(_role(request), client_id, visit_id, lambda v: gait_service.get_video(v, video_id))
    return media_response(plots.plot_png(video), "image/png", f"gait-{video.pk}.png")


# Range of motion from a photo ---------------------------------------------------------------------


class RomPhotoOut(Strict):
    id: int
    visit_id: int
    motion: str
    side: str
    mode: str
    width: int
    height: int
    placed_by_hand: bool
    landmarks: dict[str, list[float]]
    degrees: float
    reading: str
    applied_at: dt.datetime | None
    kb_version: str
    created_at: dt.datetime
    updated_at: dt.datetime


class RomLandmarksIn(Strict):
    landmarks: dict[str, list[StrictFloat]] = Field(description="name -> [x, y] in photo pixels", max_length=8)


def _rom(p: Any) -> dict[str, Any]:
    fields = ("id", "visit_id", "motion", "side", "mode", "width", "height", "placed_by_hand", "landmarks", "degrees",
              "reading", "applied_at", "kb_version", "created_at", "updated_at")  # fmt: skip
    return {f: getattr(p, f) for f in fields}


@router.post(VISIT + "/rom-photos", response={201: RomPhotoOut, **UPLOAD_ERR})
def add_rom_photo(
    request: HttpRequest,
    client_id: int,
    visit_id: int,
    motion: Form[str],
    side: Form[Literal["left", "right"]],
    photo: File[UploadedFile],
    mode: Form[Literal["active", "passive"]] = "active",
    by_hand: Form[bool] = False,
) -> Any:
    """Upload a photo of a joint at end range; the angle is read from the landmarks (see `motion` choices in
    the docs: shoulder_flexion, knee_flexion, ankle_dorsiflexion ...)."""
    visit = _visit(request, client_id, visit_id, "can_edit_clinical")
    record = rom_service.do_add_rom_photo(visit, motion, side, mode, photo.read(), request.user,
                                       getattr(request, "role", None), by_hand=by_hand)  # fmt: skip
    return Status(201, _rom(record))


@router.get(VISIT + "/rom-photos", response={200: list[RomPhotoOut], **UPLOAD_ERR})
def list_rom_photos(request: HttpRequest, client_id: int, visit_id: int) -> Any:
    """The visit's joint photos and their angles."""
    found = records.list_records(_role(request), client_id, visit_id, "romphoto", rom_service.rom_photos_of)
    return [_rom(p) for p in found]


@router.put(VISIT + "/rom-photos/{rom_photo_id}/landmarks", response={200: RomPhotoOut, **UPLOAD_ERR})
def put_rom_photo_landmarks(
    request: HttpRequest, client_id: int, visit_id: int, rom_photo_id: int, payload: RomLandmarksIn
) -> Any:
    """Replace the points the angle uses; the angle is read again."""
    visit = _visit(request, client_id, visit_id, "can_edit_clinical")
    photo = rom_service.get_rom_photo(visit, rom_photo_id)
    rom_service.do_place_rom_landmarks(photo, payload.landmarks, request.user, getattr(request, "role", None))
    return _rom(photo)


@router.post(VISIT + "/rom-photos/{rom_photo_id}/apply", response={200: RomPhotoOut, **UPLOAD_ERR})
def apply_rom_photo(request: HttpRequest, client_id: int, visit_id: int, rom_photo_id: int) -> Any:
    """Put the angle into the visit's range of motion (as active or passive, on its side)."""
    visit = _visit(request, client_id, visit_id, "can_edit_clinical")
    photo = rom_service.get_rom_photo(visit, rom_photo_id)
    rom_service.do_apply_rom_photo(photo, request.user, getattr(request, "role", None))
    photo.refresh_from_db()
    return _rom(photo)
