"""Hypothesis sends broken uploads and landmarks to the posture, gait and joint-photo endpoints:
every one gets a 4xx with a reason, and row counts and the media folder are unchanged (item 12)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taut.access.scoping import unscoped
from taut.motion import storage
from taut.motion.models import GaitVideo, PosturePhoto, RomPhoto
from tests.factories import make_clinic
from tests.web import motion_media
from tests.web.routes import FAST_HASHERS, http_for

pytestmark = pytest.mark.django_db
EXAMPLES = 25
HEADERS = [b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"RIFF\0\0\0\0WEBP", b"\0\0\0\x18ftypmp42", b"%PDF-1.4", b""]


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _state() -> tuple[int, int, int, list[str]]:
    with unscoped():
        return PosturePhoto.objects.count(), GaitVideo.objects.count(), RomPhoto.objects.count(), storage.listing()


# A file that starts like a real format and then goes wrong.
broken_files = st.builds(lambda head, body: head + body, st.sampled_from(HEADERS), st.binary(max_size=3000))


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=broken_files, channel=st.sampled_from(["web", "api"]), kind=st.sampled_from(["posture", "gait", "rom"]))
def test_broken_uploads_are_refused_and_store_nothing(data: bytes, channel: str, kind: str) -> None:
    """Truncated or disguised photos and videos: 4xx (never 5xx, never accepted), nothing stored."""
    world = make_clinic()
    http = http_for(channel, world, "practitioner")
    prefix = "/api/v1" if channel == "api" else ""
    base = f"{prefix}/clients/{world.client.pk}/visits/{world.visit.pk}"
    if kind == "posture":
        url, form = f"{base}/posture", {"view": "front", "photo": SimpleUploadedFile("p.jpg", data)}
    elif kind == "gait":
        url, form = f"{base}/gait", {"view": "sagittal", "video": SimpleUploadedFile("v.mp4", data)}
    else:
        url = f"{base}/rom-photos"
        form = {"motion": "knee_flexion", "side": "left", "photo": SimpleUploadedFile("r.jpg", data)}
    if channel == "web":
        url += "/"
    before = _state()
    response = http.post(url, form)
    assert 400 <= response.status_code < 500, response.content[:300]
    if channel == "api":
        assert response.json()["errors"][0]["msg"]
    assert _state() == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=15), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(landmarks=json_values, vertical=json_values)
def test_broken_landmarks_change_nothing(landmarks: Any, vertical: Any) -> None:
    """Random JSON as landmarks or vertical: a 4xx and the photo's landmarks and report are unchanged."""
    world = make_clinic()
    photo = motion_media.make_photo(world)
    http = http_for("api", world, "practitioner")
    url = f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}/posture/{photo.pk}/landmarks"
    before = _state()
    response = http.put(
        url, json.dumps({"landmarks": landmarks, "vertical": vertical}), content_type="application/json"
    )
    assert 400 <= response.status_code < 500, response.content[:300]
    with unscoped():
        fresh = PosturePhoto.objects.get(pk=photo.pk)
    assert (fresh.landmarks, fresh.report, fresh.vertical) == (photo.landmarks, photo.report, photo.vertical)
    assert _state() == before


@pytest.mark.parametrize("seed", [[True, True], [False, 1], ["10", "10"], [1], [1, 2, 3]])
def test_a_seed_that_is_not_two_numbers_is_refused_and_changes_nothing(seed: Any) -> None:
    """JSON true is not a pixel: a seed of booleans (once read as [1.0, 1.0]) or strings is a 4xx."""
    world = make_clinic()
    video = motion_media.make_video(world)
    http = http_for("api", world, "practitioner")
    url = f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}/gait/{video.pk}/reanalyse"
    response = http.post(url, json.dumps({"seed": seed}), content_type="application/json")
    assert 400 <= response.status_code < 500, response.content[:300]
    with unscoped():
        fresh = GaitVideo.objects.get(pk=video.pk)
    assert (fresh.seed, fresh.status) == (video.seed, video.status)


def test_landmarks_given_as_booleans_are_refused() -> None:
    world = make_clinic()
    photo = motion_media.make_photo(world)
    http = http_for("api", world, "practitioner")
    url = f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}/posture/{photo.pk}/landmarks"
    response = http.put(url, json.dumps({"landmarks": {"nose": [True, True]}}), content_type="application/json")
    assert response.status_code == 422, response.content[:300]
