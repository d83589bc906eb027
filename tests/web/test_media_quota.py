"""The clinic media quota counts every stored file (issue 10, item 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from taut.access.scoping import clinic_scope
from taut.motion import storage
from tests.factories import make_clinic
from tests.web import motion_media
from tests.web.routes import FAST_HASHERS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.TAUT_TASKS_IMMEDIATE = True


def _bytes_on_disk(clinic_id: int) -> int:
    folder = storage.root() / f"clinic-{clinic_id}"
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_used_bytes_equal_the_clinics_files_on_disk() -> None:
    """With a posture photo, a ROM photo and a gait video stored, the quota's count is exactly
    the size of the clinic's media folder: no kind of stored file is left out."""
    world = make_clinic()
    motion_media.make_photo(world, "front")
    motion_media.make_rom_photo(world)
    motion_media.make_video(world, analysed=False)
    other = make_clinic()
    motion_media.make_rom_photo(other)
    on_disk = _bytes_on_disk(world.clinic.pk)
    assert on_disk > 0
    with clinic_scope(world.clinic):
        assert storage.used_bytes(world.clinic.pk) == on_disk
    with clinic_scope(other.clinic):
        assert storage.used_bytes(other.clinic.pk) == _bytes_on_disk(other.clinic.pk)


def test_rom_photos_count_against_the_quota(settings: Any) -> None:
    """A stored ROM photo takes its bytes from the quota: an upload that would fit only without it
    is refused with the reason, one byte less is accepted."""
    world = make_clinic()
    rom = motion_media.make_rom_photo(world)
    settings.TAUT_CLINIC_MEDIA_QUOTA_MB = 1
    room = storage.quota_bytes() - rom.media_bytes
    with clinic_scope(world.clinic):
        storage.check_quota(world.clinic.pk, room)
        with pytest.raises(ValidationError, match="storage is full"):
            storage.check_quota(world.clinic.pk, room + 1)
