"""Posture photos: checked by the core, measured, stored with the visit, audited.

A rejected photo stores nothing: it is validated and measured before any file is written, and a
file written for a record that then fails to save is deleted.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from taut.access import capabilities
from taut.access.scoping import get_or_404
from taut.audit import service as audit
from taut.clients.gate import CLINICAL, MEDIA, require_consent
from taut.clients.models import Visit
from taut.core.errors import MeasurementError, MediaError
from taut.core.knowledge.loader import load_base
from taut.core.measures import posture
from taut.core.vision import media
from taut.core.vision.types import Point
from taut.motion import storage
from taut.motion.models import PosturePhoto
from taut.motion.points import check_view, clean_landmarks, clean_vertical, detect, hand_landmarks, invalid


def get_photo(visit: Visit, photo_id: Any) -> PosturePhoto:
    return get_or_404(PosturePhoto.objects.filter(visit=visit), pk=photo_id)


def photos_of(visit: Visit) -> list[PosturePhoto]:
    return list(PosturePhoto.objects.filter(visit=visit).order_by("view"))


def measure(landmarks: dict[str, list[float]], view: str, vertical: Any) -> dict[str, Any]:
    """The posture report for landmarks as placed (a ValidationError says which field is wrong)."""
    points = {name: Point(float(x), float(y)) for name, (x, y) in landmarks.items()}
    line = (Point(*vertical[0]), Point(*vertical[1])) if vertical else None
    try:
        report = posture.analyse(points, view, vertical=line)
    except MeasurementError as exc:
        raise invalid("landmarks", exc) from None
    return report.to_dict()


def do_add_photo(
    visit: Visit, view: str, data: bytes, user: Any, role: str | None, *, by_hand: bool = False
) -> PosturePhoto:
    """Check the photo, find the landmarks, measure, and file it (replacing the visit's photo of that view)."""
    capabilities.require(role, "can_edit_clinical")
    require_consent(visit.client, MEDIA)
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
    require_consent(photo.client, CLINICAL)
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
