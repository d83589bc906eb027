"""Write and read paths for posture photos and gait videos: checked by the core, stored, audited.

A rejected photo or video stores nothing: the media is validated and measured before any
file is written, and a file written for a record that then fails to save is deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from taut.access import capabilities
from taut.access.scoping import get_or_404
from taut.audit import service as audit
from taut.clients.models import Visit
from taut.core.errors import MeasurementError, MediaError
from taut.core.knowledge.loader import load_base
from taut.core.measures import posture
from taut.core.vision import media
from taut.core.vision.types import ALL_LANDMARKS, Point
from taut.motion import storage
from taut.motion.models import GaitVideo, MediaRecord, PosturePhoto, RomPhoto

# Where a hand-placed figure starts, as fractions of the photo (x from the left, y from the top),
# for a person standing in the middle of the frame. The practitioner drags each point into place.
HAND_TEMPLATE: dict[str, tuple[float, float]] = {
    "nose": (0.50, 0.14),
    "left_eye": (0.52, 0.12),
    "right_eye": (0.48, 0.12),
    "left_ear": (0.54, 0.13),
    "right_ear": (0.46, 0.13),
    "left_shoulder": (0.58, 0.24),
    "right_shoulder": (0.42, 0.24),
    "left_elbow": (0.61, 0.38),
    "right_elbow": (0.39, 0.38),
    "left_wrist": (0.62, 0.50),
    "right_wrist": (0.38, 0.50),
    "left_index": (0.63, 0.54),
    "right_index": (0.37, 0.54),
    "left_hip": (0.55, 0.52),
    "right_hip": (0.45, 0.52),
    "left_knee": (0.55, 0.70),
    "right_knee": (0.45, 0.70),
    "left_ankle": (0.55, 0.88),
    "right_ankle": (0.45, 0.88),
    "left_heel": (0.54, 0.90),
    "right_heel": (0.46, 0.90),
    "left_foot_index": (0.56, 0.92),
    "right_foot_index": (0.44, 0.92),
}


# The landmarks shown for dragging: those the posture and joint-angle measures use (the model's
# other points, around the mouth, eyes and fingers, are kept in `detected` but not shown).
SHOWN_LANDMARKS = frozenset(HAND_TEMPLATE) | {"c7"}


def _invalid(field: str, exc: Exception) -> ValidationError:
    return ValidationError({field: str(exc)})


# Posture -------------------------------------------------------------------------------------


def get_photo(visit: Visit, photo_id: Any) -> PosturePhoto:
    return get_or_404(PosturePhoto.objects.filter(visit=visit), pk=photo_id)


def photos_of(visit: Visit) -> list[PosturePhoto]:
    return list(PosturePhoto.objects.filter(visit=visit).order_by("view"))


def check_view(view: str, choices: Any) -> str:
    values = [c.value for c in choices]
    if view not in values:
        raise ValidationError({"view": f"Choose the view: one of {', '.join(values)}."})
    return view


def measure(landmarks: dict[str, list[float]], view: str, vertical: Any) -> dict[str, Any]:
    """The posture report for landmarks as placed (a ValidationError says which field is wrong)."""
    points = {name: Point(float(x), float(y)) for name, (x, y) in landmarks.items()}
    line = (Point(*vertical[0]), Point(*vertical[1])) if vertical else None
    try:
        report = posture.analyse(points, view, vertical=line)
    except MeasurementError as exc:
        raise _invalid("landmarks", exc) from None
    return report.to_dict()


def clean_point(value: Any, field: str, width: int, height: int) -> list[float]:
    """One [x, y] from a form or the API: two finite numbers inside the picture (``field`` names it in errors)."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValidationError({field: "Give [x, y] in picture pixels."})
    try:
        x, y = float(value[0]), float(value[1])
    except (TypeError, ValueError):
        raise ValidationError({field: "x and y must be numbers."}) from None
    if not (math.isfinite(x) and math.isfinite(y)) or not (0 <= x <= width and 0 <= y <= height):
        raise ValidationError({field: f"({x}, {y}) is outside the {width}x{height} picture."})
    return [round(x, 1), round(y, 1)]


def clean_landmarks(raw: Any, width: int, height: int) -> dict[str, list[float]]:
    """Landmarks from a form or the API: known names, finite numbers inside the photo."""
    if not isinstance(raw, dict) or not raw:
        raise ValidationError({"landmarks": "Send the landmarks as {name: [x, y]} in photo pixels."})
    out: dict[str, list[float]] = {}
    for name, value in raw.items():
        if name not in ALL_LANDMARKS:
            raise ValidationError({f"landmarks.{name}": f"{name!r} is not a landmark Taut knows."})
        out[name] = clean_point(value, f"landmarks.{name}", width, height)
    return out


def clean_vertical(raw: Any, width: int, height: int) -> list[list[float]] | None:
    if raw in (None, "", []):
        return None
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        raise ValidationError({"vertical": "Give the true vertical as two points [[x, y], [x, y]]."})
    a, b = (clean_point(p, f"vertical.{i}", width, height) for i, p in enumerate(raw))
    if math.hypot(a[0] - b[0], a[1] - b[1]) < 20:
        raise ValidationError({"vertical": "Place the two ends of the vertical line further apart."})
    if abs(a[0] - b[0]) > abs(a[1] - b[1]):
        raise ValidationError({"vertical": "That line is closer to horizontal; mark a vertical edge (a door frame)."})
    return [a, b]


def detect(photo: media.Photo) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """Landmarks the pose model finds (MediaError when there is no single clear person)."""
    from taut.core.vision.photo import default_backend, find_pose

    backend = default_backend()
    pose = find_pose(photo, backend)
    landmarks = {
        n: [round(k.x, 1), round(k.y, 1)] for n, k in pose.keypoints.items() if k.score >= 0.5 and n in SHOWN_LANDMARKS
    }
    info = backend.info
    detected = {
        "model": {"name": info.name, "version": info.version, "file": info.model},
        "keypoints": {n: [round(k.x, 1), round(k.y, 1), round(k.score, 3)] for n, k in pose.keypoints.items()},
    }
    return landmarks, detected


def hand_landmarks(width: int, height: int) -> dict[str, list[float]]:
    return {n: [round(fx * width, 1), round(fy * height, 1)] for n, (fx, fy) in HAND_TEMPLATE.items()}


def do_add_photo(
    visit: Visit, view: str, data: bytes, user: Any, role: str | None, *, by_hand: bool = False
) -> PosturePhoto:
    """Check the photo, find the landmarks, measure, and file it (replacing the visit's photo of that view)."""
    capabilities.require(role, "can_edit_clinical")
    check_view(view, PosturePhoto.View)
    storage.check_quota(visit.clinic_id, len(data))
    try:
        photo = media.load_image(data)
        if by_hand:
            landmarks, detected = hand_landmarks(photo.width, photo.height), dict[str, Any]()
        else:
            landmarks, detected = detect(photo)
    except MediaError as exc:
        hint = " Or upload it again with the landmarks placed by hand." if exc.code == "no_person" else ""
        raise ValidationError({"photo": str(exc) + hint}, code=exc.code) from None
    report = measure(landmarks, view, None)
    name = storage.new_name(visit.clinic_id, "posture", "jpg")
    storage.write(name, photo.jpeg)
    old_name = ""
    with storage.kept_only_if_committed(name), transaction.atomic():
        record = PosturePhoto.objects.select_for_update().filter(visit=visit, view=view).first()
        created = record is None
        if record is None:
            record = PosturePhoto(clinic=visit.clinic, client=visit.client, visit=visit, view=view)
        else:
            old_name = record.media_name
        record.recorded_by = user
        record.media_name = name
        record.media_bytes = len(photo.jpeg)
        record.sha256 = hashlib.sha256(photo.jpeg).hexdigest()
        record.width, record.height = photo.width, photo.height
        record.detected = detected
        record.landmarks = landmarks
        record.vertical = None
        record.placed_by_hand = by_hand
        record.report = report
        record.kb_version = load_base().version
        record.save()
        audit.record(
            "create" if created else "update",
            record,
            object_type="posturephoto",
            detail={"view": view, "by_hand": by_hand, "kb_version": record.kb_version},
        )
    if old_name:
        transaction.on_commit(lambda: storage.delete(old_name))
    return record


def do_place_landmarks(photo: PosturePhoto, landmarks: Any, vertical: Any, user: Any, role: str | None) -> PosturePhoto:
    """Save the landmarks as the practitioner placed them, and the true vertical; measure again."""
    capabilities.require(role, "can_edit_clinical")
    cleaned = clean_landmarks(landmarks, photo.width, photo.height)
    line = clean_vertical(vertical, photo.width, photo.height)
    report = measure(cleaned, photo.view, line)
    with transaction.atomic():
        photo.landmarks = cleaned
        photo.vertical = line
        photo.report = report
        photo.kb_version = load_base().version
        photo.recorded_by = user
        photo.save()
        audit.record("update", photo, object_type="posturephoto", detail={"landmarks": len(cleaned)})
    return photo


def read_media(record: MediaRecord) -> bytes:
    return storage.path_of(record.media_name).read_bytes()


# Gait ----------------------------------------------------------------------------------------


def get_video(visit: Visit, video_id: Any) -> GaitVideo:
    return get_or_404(GaitVideo.objects.filter(visit=visit), pk=video_id)


def videos_of(visit: Visit) -> list[GaitVideo]:
    return list(GaitVideo.objects.filter(visit=visit).order_by("-created_at"))


def clean_seed(raw: Any, width: int, height: int) -> list[float] | None:
    if raw in (None, "", []):
        return None
    return clean_point(raw, "seed", width, height)


def do_add_video(visit: Visit, view: str, upload: Path, user: Any, role: str | None, *, seed: Any = None) -> GaitVideo:
    """Check the video by its content, keep it under a generated name, and queue its analysis.

    ``upload`` is a temporary file holding the bytes as received; it is moved, never copied.
    """
    from django.conf import settings

    capabilities.require(role, "can_edit_clinical")
    check_view(view, GaitVideo.View)
    size = upload.stat().st_size
    storage.check_quota(visit.clinic_id, size)
    try:
        info = media.probe_video(
            upload, max_bytes=int(settings.TAUT_VIDEO_MAX_MB) * 2**20, max_seconds=settings.TAUT_VIDEO_MAX_SECONDS
        )
    except MediaError as exc:
        raise ValidationError({"video": str(exc)}, code=exc.code) from None
    point = clean_seed(seed, info.width, info.height)
    digest = hashlib.sha256()
    with open(upload, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    name = storage.new_name(visit.clinic_id, "gait", "mp4" if info.container != "mov" else "mov")
    storage.move_in(upload, name)
    with storage.kept_only_if_committed(name), transaction.atomic():
        record = GaitVideo.objects.create(
            clinic=visit.clinic,
            client=visit.client,
            visit=visit,
            recorded_by=user,
            view=view,
            media_name=name,
            media_bytes=size,
            sha256=digest.hexdigest(),
            width=info.width,
            height=info.height,
            fps=info.fps,
            duration=info.duration,
            codec=info.codec,
            seed=point,
        )
        audit.record("create", record, object_type="gaitvideo", detail={"view": view, "seconds": info.duration})
        enqueue(record)
    return record


def do_reanalyse(video: GaitVideo, seed: Any, user: Any, role: str | None) -> GaitVideo:
    """Analyse again, following the person at ``seed`` (the practitioner's pick)."""
    capabilities.require(role, "can_edit_clinical")
    if video.source != GaitVideo.Source.VIDEO:
        raise ValidationError(
            {"seed": "These keypoints came from another program: there is no video to pick a person in."}
        )
    point = clean_seed(seed, video.width, video.height)
    with transaction.atomic():
        video.seed = point
        video.status = GaitVideo.Status.QUEUED
        video.progress = 0.0
        video.error = ""
        video.report = None
        video.series = None
        video.save()
        audit.record("update", video, object_type="gaitvideo", detail={"seed": point})
        enqueue(video)
    return video


def enqueue(video: GaitVideo) -> None:
    """Queue the analysis once the record is committed (a rolled-back upload queues nothing)."""
    from taut.motion.tasks import analyse_gait

    video_id, clinic_id = int(video.pk), int(video.clinic_id)
    transaction.on_commit(lambda: analyse_gait.enqueue(video_id, clinic_id))


def stale_after() -> int:
    """Seconds without a heartbeat after which a running analysis is taken as dead."""
    from django.conf import settings

    return int(settings.TAUT_JOB_STALE_SECONDS)


def stale() -> list[GaitVideo]:
    """Analyses whose worker died: running with no heartbeat for STALE_AFTER seconds."""
    limit = timezone.now() - dt.timedelta(seconds=stale_after())
    return list(GaitVideo.objects.filter(status=GaitVideo.Status.RUNNING, heartbeat_at__lt=limit))


def claim(video_id: int) -> bool:
    """Take the job: only one worker runs a given analysis, and a finished one is never redone."""
    limit = timezone.now() - dt.timedelta(seconds=stale_after())
    now = timezone.now()
    from django.db.models import F, Q

    taken = GaitVideo.objects.filter(pk=video_id).filter(
        Q(status=GaitVideo.Status.QUEUED) | Q(status=GaitVideo.Status.RUNNING, heartbeat_at__lt=limit)
    )
    return (
        taken.update(status=GaitVideo.Status.RUNNING, heartbeat_at=now, progress=0.0, attempts=F("attempts") + 1) == 1
    )


def beat(video_id: int, progress: float) -> None:
    GaitVideo.objects.filter(pk=video_id, status=GaitVideo.Status.RUNNING).update(
        progress=max(0.0, min(1.0, progress)), heartbeat_at=timezone.now()
    )


def run_analysis(video_id: int) -> str:
    """The job: track the walker, measure the gait, file the report. Safe to run twice."""
    from taut.core.measures import gait
    from taut.core.vision.video import extract_series

    if not claim(video_id):
        return "skipped"
    video = GaitVideo.objects.get(pk=video_id)
    last = [0.0]

    def progress(share: float) -> None:
        if share - last[0] >= 0.02 or share >= 1.0:
            last[0] = share
            beat(video_id, 0.95 * share)

    try:
        seed = Point(*video.seed) if video.seed else None
        series = extract_series(storage.path_of(video.media_name), seed=seed, progress=progress)
        report = gait.analyse(series, video.view).to_dict()
    except (MediaError, MeasurementError) as exc:
        with transaction.atomic():
            GaitVideo.objects.filter(pk=video_id).update(
                status=GaitVideo.Status.FAILED, error=str(exc), finished_at=timezone.now()
            )
            audit.record("update", video, object_type="gaitvideo", outcome="failure", detail={"error": str(exc)[:200]})
        return "failed"
    with transaction.atomic():
        GaitVideo.objects.filter(pk=video_id).update(
            status=GaitVideo.Status.DONE,
            progress=1.0,
            series=series_to_json(series),
            report=report,
            kb_version=load_base().version,
            finished_at=timezone.now(),
            error="",
        )
        audit.record("update", video, object_type="gaitvideo", detail={"job": "analysed"})
    return "done"


def series_to_json(series: Any) -> dict[str, Any]:
    frames: list[dict[str, list[float]] | None] = []
    for pose in series.frames:
        if pose is None:
            frames.append(None)
        else:
            frames.append({n: [round(k.x, 1), round(k.y, 1), round(k.score, 2)] for n, k in pose.keypoints.items()})
    return {"fps": series.fps, "width": series.width, "height": series.height, "frames": frames}


def revive_if_stale(video: GaitVideo) -> bool:
    """Queue a dead analysis again (its worker stopped mid-job); True when this call queued it.

    The row goes back to "queued" in one conditional update, so however many pages or workers
    notice the dead job at once, it is queued once.
    """
    limit = timezone.now() - dt.timedelta(seconds=stale_after())
    revived = GaitVideo.objects.filter(pk=video.pk, status=GaitVideo.Status.RUNNING, heartbeat_at__lt=limit).update(
        status=GaitVideo.Status.QUEUED, progress=0.0
    )
    if not revived:
        return False
    from taut.motion.tasks import analyse_gait

    video.status, video.progress = GaitVideo.Status.QUEUED, 0.0
    analyse_gait.enqueue(int(video.pk), int(video.clinic_id))
    return True


def plot_png(video: GaitVideo) -> bytes:
    """The joint-angle plot of the stored report; a 404 while the analysis is not done."""
    import io

    from django.http import Http404

    from taut.core.measures import gait_plot

    if video.status != GaitVideo.Status.DONE or not video.report:
        raise Http404("This video has no report yet.")
    out = io.BytesIO()
    gait_plot.plot(video.report, out)
    return out.getvalue()


def people_frame(video: GaitVideo) -> bytes:
    """A frame from the middle of the video with each person the model sees boxed and numbered (JPEG)."""
    from django.http import Http404

    from taut.core.vision.annotate import people_jpeg
    from taut.core.vision.video import preview_frame

    if video.source != GaitVideo.Source.VIDEO:
        raise Http404("These keypoints came from another program; there is no video frame.")
    try:
        rgb, people = preview_frame(storage.path_of(video.media_name), max(0.0, video.duration / 2))
    except MediaError as exc:
        raise Http404(str(exc)) from None
    return people_jpeg(rgb, people)


# Comparison ----------------------------------------------------------------------------------


def earlier_photos(visit: Visit) -> list[PosturePhoto]:
    """The client's photos from other visits, newest first (to compare with)."""
    return list(
        PosturePhoto.objects.filter(client=visit.client).exclude(visit=visit).order_by("-visit__date", "view")[:40]
    )


def client_photos(client: Any) -> list[PosturePhoto]:
    """All the client's posture photos, newest visit first."""
    return list(PosturePhoto.objects.filter(client=client).select_related("visit").order_by("-visit__date", "view"))


def compare_pair(client: Any, first_id: Any, second_id: Any) -> tuple[PosturePhoto, PosturePhoto]:
    """Two photos of this client, older first; both must exist and show the same view."""
    photos = PosturePhoto.objects.filter(client=client)
    try:
        first = photos.select_related("visit").get(pk=int(first_id))
        second = photos.select_related("visit").get(pk=int(second_id))
    except (TypeError, ValueError, PosturePhoto.DoesNotExist):
        raise ValidationError({"photos": "Choose two photos of this client to compare."}) from None
    if first.view != second.view:
        raise ValidationError({"photos": "Compare photos taken from the same view (front with front ...)."})
    if (first.visit.date, first.pk) > (second.visit.date, second.pk):
        first, second = second, first
    return first, second


def compare_rows(first: PosturePhoto, second: PosturePhoto) -> list[dict[str, Any]]:
    """Each measure in either report: both values, the change, and whether it moved toward normal."""
    a = {m["id"]: m for m in first.report.get("measures", [])}
    b = {m["id"]: m for m in second.report.get("measures", [])}
    rows = []
    for mid in list(dict.fromkeys([*a, *b])):
        ma, mb = a.get(mid), b.get(mid)
        ref = mb or ma
        assert ref is not None
        change = None
        if ma is not None and mb is not None and ma.get("value") is not None and mb.get("value") is not None:
            change = round(float(mb["value"]) - float(ma["value"]), 1)
        rows.append(
            {
                "id": mid,
                "name": ref.get("name", mid),
                "unit": ref.get("unit", ""),
                "first": ma,
                "second": mb,
                "change": change,
                "better": (ma or {}).get("status") not in (None, "normal") and (mb or {}).get("status") == "normal",
                "worse": (ma or {}).get("status") == "normal" and (mb or {}).get("status") not in (None, "normal"),
            }
        )
    return rows


# Range of motion from a photo ------------------------------------------------------------------


def get_rom_photo(visit: Visit, photo_id: Any) -> RomPhoto:
    return get_or_404(RomPhoto.objects.filter(visit=visit), pk=photo_id)


def rom_photos_of(visit: Visit) -> list[RomPhoto]:
    return list(RomPhoto.objects.filter(visit=visit).order_by("-created_at"))


def _rom_reading(motion: str, side: str, landmarks: dict[str, list[float]]) -> Any:
    from taut.core.measures import rom_photo

    points = {n: Point(float(x), float(y)) for n, (x, y) in landmarks.items()}
    try:
        return rom_photo.measure(motion, side, points)
    except MeasurementError as exc:
        raise _invalid(exc.field, exc) from None


def _rom_choice(motion: str, side: str, mode: str) -> None:
    from taut.core.measures.rom_photo import MOTIONS

    if motion not in MOTIONS:
        raise ValidationError({"motion": "Choose a motion that can be measured from a photo."})
    if side not in ("left", "right"):
        raise ValidationError({"side": "Choose the left or the right side."})
    if mode not in RomPhoto.Mode.values:
        raise ValidationError({"mode": "Choose active or passive."})


def do_add_rom_photo(
    visit: Visit, motion: str, side: str, mode: str, data: bytes, user: Any, role: str | None, *, by_hand: bool = False
) -> RomPhoto:
    """Check the photo, find the joint's landmarks, read the angle, and file it with the visit."""
    from taut.core.measures.rom_photo import landmarks_for

    capabilities.require(role, "can_edit_clinical")
    _rom_choice(motion, side, mode)
    storage.check_quota(visit.clinic_id, len(data))
    try:
        photo = media.load_image(data)
        if by_hand:
            found, detected = hand_landmarks(photo.width, photo.height), dict[str, Any]()
        else:
            found, detected = detect(photo)
    except MediaError as exc:
        raise ValidationError({"photo": str(exc)}, code=exc.code) from None
    needed = landmarks_for(motion, side)
    template = hand_landmarks(photo.width, photo.height)
    landmarks = {n: found.get(n) or template.get(n) or [photo.width / 2, photo.height / 2] for n in needed}
    reading = _rom_reading(motion, side, landmarks)
    name = storage.new_name(visit.clinic_id, "posture", "jpg")
    storage.write(name, photo.jpeg)
    with storage.kept_only_if_committed(name), transaction.atomic():
        record = RomPhoto.objects.create(
            clinic=visit.clinic, client=visit.client, visit=visit, recorded_by=user, motion=motion, side=side,
            mode=mode, media_name=name, media_bytes=len(photo.jpeg), sha256=hashlib.sha256(photo.jpeg).hexdigest(),
            width=photo.width, height=photo.height, detected=detected, landmarks=landmarks,
            placed_by_hand=by_hand or any(n not in found for n in needed), degrees=reading.degrees,
            reading=reading.reading, kb_version=load_base().version,
        )  # fmt: skip
        audit.record("create", record, object_type="romphoto", detail={"motion": motion, "side": side})
    return record


def do_place_rom_landmarks(photo: RomPhoto, landmarks: Any, user: Any, role: str | None) -> RomPhoto:
    """Save the joint's landmarks as placed and read the angle again."""
    capabilities.require(role, "can_edit_clinical")
    cleaned = clean_landmarks(landmarks, photo.width, photo.height)
    reading = _rom_reading(photo.motion, photo.side, cleaned)
    with transaction.atomic():
        photo.landmarks = cleaned
        photo.degrees = reading.degrees
        photo.reading = reading.reading
        photo.recorded_by = user
        photo.save()
        audit.record("update", photo, object_type="romphoto", detail={"degrees": photo.degrees})
    return photo


def do_apply_rom_photo(photo: RomPhoto, user: Any, role: str | None) -> Any:
    """Put the photo's angle into the visit's range-of-motion entries (active or passive, that side)."""
    from taut.assessments import services as assessments

    capabilities.require(role, "can_edit_clinical")
    record = assessments.get_rom(photo.visit)
    entries = [dict(e) for e in (record.entries if record is not None else [])]
    entry = next((e for e in entries if e.get("motion") == photo.motion and e.get("side") == photo.side), None)
    if entry is None:
        entry = {"motion": photo.motion, "side": photo.side}
        entries.append(entry)
    entry[photo.mode] = photo.degrees
    with transaction.atomic():
        rom = assessments.do_save_rom(photo.visit, entries, user, role)
        RomPhoto.objects.filter(pk=photo.pk).update(applied_at=timezone.now())
    return rom


# Keypoints made elsewhere ------------------------------------------------------------------------

KEYPOINT_FILES_MAX = 20_000  # frames of OpenPose JSON in one zip
KEYPOINT_UNPACKED_MAX = 200 * 2**20  # bytes once unzipped


def read_keypoints(data: bytes, fps: float | None) -> tuple[str, str, Any]:
    """A TRC file or a zip of OpenPose JSON as a keypoint series: (source, extension, series)."""
    import io
    import tempfile
    import zipfile

    from taut.core.vision import importers

    if data.startswith(b"PathFileType"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "markers.trc"
            path.write_bytes(data)
            return GaitVideo.Source.TRC, "trc", importers.read_trc(path)
    if data.startswith(b"PK\x03\x04"):
        if not fps or fps <= 0:
            raise ValidationError({"fps": "OpenPose keypoints carry no frame rate: give the video's (for example 30)."})
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            members = [m for m in archive.infolist() if not m.is_dir()]
        except zipfile.BadZipFile:
            raise ValidationError({"file": "This zip file is damaged; create it again."}) from None
        json_members = [m for m in members if m.filename.endswith("_keypoints.json")]
        if not json_members:
            raise ValidationError({"file": "The zip holds no OpenPose *_keypoints.json files."})
        if len(members) > KEYPOINT_FILES_MAX or sum(m.file_size for m in members) > KEYPOINT_UNPACKED_MAX:
            raise ValidationError({"file": "The zip unpacks to too much; send at most 20,000 frames."})
        with tempfile.TemporaryDirectory() as tmp:
            for n, member in enumerate(sorted(json_members, key=lambda m: m.filename)):
                # names are generated: nothing in the archive chooses where a file goes
                (Path(tmp) / f"{n:06d}_keypoints.json").write_bytes(archive.read(member))
            return GaitVideo.Source.OPENPOSE, "zip", importers.read_openpose(tmp, float(fps))
    raise ValidationError(
        {"file": "Send a TRC marker file (Pose2Sim, OpenCap) or a zip of OpenPose *_keypoints.json files."}
    )


def do_import_keypoints(
    visit: Visit, view: str, data: bytes, user: Any, role: str | None, *, fps: float | None = None
) -> GaitVideo:
    """Analyse keypoints made by another pipeline and file the report with the visit (no video, no job)."""
    from taut.core.measures import gait

    capabilities.require(role, "can_edit_clinical")
    check_view(view, GaitVideo.View)
    storage.check_quota(visit.clinic_id, len(data))
    try:
        source, ext, series = read_keypoints(data, fps)
        report = gait.analyse(series, view).to_dict()
    except (MediaError, MeasurementError) as exc:
        raise ValidationError({"file": str(exc)}) from None
    name = storage.new_name(visit.clinic_id, "gait", ext)
    storage.write(name, data)
    with storage.kept_only_if_committed(name), transaction.atomic():
        record = GaitVideo.objects.create(
            clinic=visit.clinic, client=visit.client, visit=visit, recorded_by=user, view=view, source=source,
            media_name=name, media_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), width=series.width,
            height=series.height, fps=series.fps, duration=series.duration, codec=source,
            status=GaitVideo.Status.DONE, progress=1.0, finished_at=timezone.now(),
            series=series_to_json(series), report=report, kb_version=load_base().version,
        )  # fmt: skip
        audit.record("create", record, object_type="gaitvideo", detail={"view": view, "source": source})
    return record
