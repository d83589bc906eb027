"""Range of motion from a photo of a joint at end range: measured, stored, audited, and put into the
visit's range-of-motion record on request."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from taut.access import capabilities
from taut.access.scoping import get_or_404
from taut.assessments import services as assessments
from taut.audit import service as audit
from taut.clients.gate import CLINICAL, MEDIA, require_consent
from taut.clients.models import Visit
from taut.core.errors import MeasurementError, MediaError
from taut.core.knowledge.loader import load_base
from taut.core.vision import media
from taut.core.vision.types import Point
from taut.motion import storage
from taut.motion.models import RomPhoto
from taut.motion.points import clean_landmarks, detect, hand_landmarks, invalid


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
        raise invalid(exc.field, exc) from None


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
    require_consent(visit.client, MEDIA)
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
    require_consent(photo.client, CLINICAL)
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
    capabilities.require(role, "can_edit_clinical")
    require_consent(photo.client, CLINICAL)
    record = assessments.get_rom(photo.visit)
    entries = [dict(e) for e in (record.entries if record is not None else [])]
    entry = next((e for e in entries if e.get("motion") == photo.motion and e.get("side") == photo.side), None)
    if entry is None:
        entry = {"motion": photo.motion, "side": photo.side}
        entries.append(entry)
    entry[photo.mode] = photo.degrees
    with transaction.atomic():
        rom = assessments.do_save_rom(photo.visit, entries, user, role)
        photo.applied_at = timezone.now()
        photo.save(update_fields=["applied_at", "updated_at"])
        audit.record("update", photo, object_type="romphoto", detail={"applied": photo.mode, "degrees": photo.degrees})
    return rom
