"""Posture photos and gait videos on the web and the API: upload limits, scoped media, bad input
that stores nothing, landmark editing, comparison and the analysis job."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.scoping import clinic_scope, unscoped
from taut.audit.models import AuditEntry
from taut.motion import gait as gait_service
from taut.motion import jobs, keypoints, points, storage, tasks
from taut.motion import posture as posture_service
from taut.motion import rom_photos as rom_service
from taut.motion.models import GaitVideo, PosturePhoto
from tests.factories import ClinicWorld, make_clinic
from tests.web import motion_media
from tests.web.routes import FAST_HASHERS, http_for

pytestmark = pytest.mark.django_db

PRACTITIONER = "practitioner"


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _counts() -> tuple[int, int, list[str]]:
    with unscoped():
        return PosturePhoto.objects.count(), GaitVideo.objects.count(), storage.listing()


def _posture_url(world: ClinicWorld) -> str:
    return reverse("motion:posture", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk})


def _gait_url(world: ClinicWorld) -> str:
    return reverse("motion:gait", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk})


# Upload limits (security item 15) -------------------------------------------------------------


def test_an_upload_over_the_cap_gets_413_before_it_is_read(settings: Any) -> None:
    """A body that declares more than the photo cap is refused with 413; nothing is stored."""
    settings.TAUT_PHOTO_MAX_MB = 1
    world = make_clinic()
    http = http_for("web", world, PRACTITIONER)
    before = _counts()
    big = motion_media.photo_bytes() + b"\0" * (3 * 1024 * 1024)
    response = http.post(_posture_url(world), {"view": "front", "photo": motion_media.photo_upload(data=big)})
    assert response.status_code == 413
    assert b"1 MB" in response.content
    assert _counts() == before


def test_a_chunked_upload_gets_413_without_being_read() -> None:
    """A chunked body (no declared size) is refused at once: a 1 GB stream costs nothing."""
    world = make_clinic()
    http = http_for("web", world, PRACTITIONER)

    class Endless(io.RawIOBase):
        reads = 0

        def readable(self) -> bool:
            return True

        def readinto(self, b: Any) -> int:
            Endless.reads += 1
            b[: len(b)] = b"\0" * len(b)
            return len(b)

    response = http.generic(
        "POST",
        _gait_url(world),
        b"",
        content_type="multipart/form-data; boundary=x",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": Endless()},
    )
    assert response.status_code == 413
    assert Endless.reads == 0


def test_the_api_answers_413_in_the_error_shape(settings: Any) -> None:
    """The API's 413 carries the one error shape."""
    settings.TAUT_VIDEO_MAX_MB = 1
    world = make_clinic()
    http = http_for("api", world, PRACTITIONER)
    url = f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}/gait"
    big = motion_media.video_upload(data=b"\0" * (3 * 1024 * 1024))
    response = http.post(url, {"view": "sagittal", "video": big})
    assert response.status_code == 413
    body = response.json()
    assert body["errors"][0]["type"] == "too_large"


def test_other_endpoints_refuse_large_bodies() -> None:
    """A large body sent to an address that takes no upload is refused with 413."""
    world = make_clinic()
    http = http_for("web", world, PRACTITIONER)
    url = reverse("clients:visit_edit", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk})
    response = http.post(url, {"notes": "x" * (5 * 1024 * 1024)})
    assert response.status_code == 413


def test_more_than_100_files_get_400_and_nothing_is_stored() -> None:
    """A form with 101 files is refused (Django's file count cap); nothing is stored."""
    world = make_clinic()
    http = http_for("web", world, PRACTITIONER)
    before = _counts()
    files = {f"photo{i}": motion_media.photo_upload(data=b"x") for i in range(101)}
    response = http.post(_posture_url(world), {"view": "front", **files})
    assert response.status_code == 400
    assert _counts() == before


def test_a_clinic_over_its_media_quota_is_refused(settings: Any) -> None:
    """Once a clinic's media reach the quota, a new photo is refused with the reason; nothing stored."""
    world = make_clinic()
    motion_media.make_photo(world, "front")
    settings.TAUT_CLINIC_MEDIA_QUOTA_MB = 0
    http = http_for("web", world, PRACTITIONER)
    before = _counts()
    response = http.post(_posture_url(world), {"view": "back", "by_hand": "1", "photo": motion_media.photo_upload()})
    assert response.status_code == 400
    assert "storage is full" in response.content.decode()
    assert _counts() == before


# Media served only through scoped views (security item 16) -------------------------------------


def test_media_are_not_reachable_by_their_file_path() -> None:
    """The stored file's own path under /media/ is a 404, even for a logged-in clinician."""
    world = make_clinic()
    photo = motion_media.make_photo(world)
    http = http_for("web", world, PRACTITIONER)
    for prefix in ("/media/", "/static/", "/"):
        assert http.get(prefix + photo.media_name).status_code == 404


def test_photo_is_served_with_private_headers() -> None:
    """The photo view answers with nosniff, no-store and an inline Content-Disposition."""
    world = make_clinic()
    photo = motion_media.make_photo(world)
    http = http_for("web", world, PRACTITIONER)
    kwargs = {"client_id": world.client.pk, "visit_id": world.visit.pk, "photo_id": photo.pk}
    for name, kind in (("posture_image", "image/jpeg"), ("posture_annotated", "image/png")):
        response = http.get(reverse(f"motion:{name}", kwargs=kwargs))
        assert response.status_code == 200
        assert response["Content-Type"] == kind
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert response["Content-Disposition"].startswith("inline; filename=")
        assert str(photo.pk) in response["Content-Disposition"]


def test_another_clinics_photo_is_404_under_own_ids() -> None:
    """Clinic B's photo id under clinic A's client and visit is a 404 and serves no bytes."""
    a, b = make_clinic(), make_clinic()
    photo_b = motion_media.make_photo(b)
    http = http_for("web", a, PRACTITIONER)
    url = reverse(
        "motion:posture_image", kwargs={"client_id": a.client.pk, "visit_id": a.visit.pk, "photo_id": photo_b.pk}
    )
    response = http.get(url)
    assert response.status_code == 404
    assert response.get("Content-Type", "").startswith("text/html")


# Bad photos store nothing (security item 13, at the web layer) ----------------------------------

BAD_PHOTOS = {
    "text named .jpg": b"hello, this is not a photo",
    "pdf named .jpg": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
    "truncated jpeg": None,
    "empty": b"",
}


@pytest.mark.parametrize("case", sorted(BAD_PHOTOS))
def test_a_bad_photo_is_refused_with_a_reason_and_nothing_is_stored(case: str) -> None:
    """Not an image, a truncated one or an empty file: 400 with the reason, no row and no file."""
    data = BAD_PHOTOS[case]
    if data is None:
        data = motion_media.photo_bytes()[:2000]
    world = make_clinic()
    http = http_for("web", world, PRACTITIONER)
    before = _counts()
    response = http.post(_posture_url(world), {"view": "front", "photo": motion_media.photo_upload(data=data)})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert _counts() == before


def test_a_photo_with_no_person_is_refused_unless_placed_by_hand() -> None:
    """A photo where the model finds nobody is refused; asking to place the landmarks by hand files it."""
    world = make_clinic()
    http = http_for("web", world, PRACTITIONER)
    before = _counts()
    response = http.post(_posture_url(world), {"view": "front", "photo": motion_media.photo_upload()})
    assert response.status_code == 400
    assert "person" in response.content.decode().lower()
    assert "placed by hand" in response.content.decode()
    assert _counts() == before
    response = http.post(_posture_url(world), {"view": "front", "by_hand": "1", "photo": motion_media.photo_upload()})
    assert response.status_code == 302
    with clinic_scope(world.clinic):
        photo = PosturePhoto.objects.get(visit=world.visit, view="front")
    assert photo.placed_by_hand
    assert set(photo.landmarks) >= {"left_shoulder", "right_shoulder", "left_hip", "right_hip"}


def test_the_stored_photo_has_no_gps_or_camera_data() -> None:
    """A GPS-tagged photo is stored re-encoded, without EXIF."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS IFD
    data = motion_media.photo_bytes(exif=exif)
    assert b"PhoneMaker" in data
    world = make_clinic()
    with clinic_scope(world.clinic):
        user = world.users[PRACTITIONER]
        photo = posture_service.do_add_photo(world.visit, "front", data, user, PRACTITIONER, by_hand=True)
        stored = points.read_media(photo)
    assert b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()


# Landmarks as placed ----------------------------------------------------------------------------


def _photo_url(world: ClinicWorld, photo: PosturePhoto) -> str:
    return reverse("motion:posture_photo", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk,
                                            "photo_id": photo.pk})  # fmt: skip


@pytest.mark.parametrize(
    ("landmarks", "message"),
    [
        ({"left_elbowz": [10, 10]}, "not a landmark"),
        ({"left_shoulder": [10]}, "[x, y]"),
        ({"left_shoulder": [-5, 10]}, "outside"),
        ({"left_shoulder": ["a", 10]}, "numbers"),
        ({}, "landmarks"),
    ],
)
def test_bad_landmarks_are_refused_and_change_nothing(landmarks: dict[str, Any], message: str) -> None:
    """Unknown names, wrong shapes and points outside the photo are refused with the reason."""
    world = make_clinic()
    photo = motion_media.make_photo(world)
    http = http_for("web", world, PRACTITIONER)
    response = http.post(_photo_url(world, photo), {"landmarks": json.dumps(landmarks)})
    assert response.status_code == 400
    assert message in response.content.decode()
    with clinic_scope(world.clinic):
        fresh = PosturePhoto.objects.get(pk=photo.pk)
    assert fresh.landmarks == photo.landmarks
    assert fresh.report == photo.report


def test_the_measures_use_the_landmarks_as_placed() -> None:
    """Dragging a shoulder down changes the shoulder measure, and the report is saved with the new points."""
    world = make_clinic()
    photo = motion_media.make_photo(world)
    marks = dict(photo.landmarks)
    x, y = marks["left_shoulder"]
    marks["left_shoulder"] = [x, y + 60]
    http = http_for("web", world, PRACTITIONER)
    assert http.post(_photo_url(world, photo), {"landmarks": json.dumps(marks)}).status_code == 302
    with clinic_scope(world.clinic):
        fresh = PosturePhoto.objects.get(pk=photo.pk)
    assert fresh.landmarks["left_shoulder"] == [x, y + 60]
    before = {m["id"]: m["value"] for m in photo.report["measures"]}
    after = {m["id"]: m["value"] for m in fresh.report["measures"]}
    changed = [k for k in after if before.get(k) != after[k]]
    assert any("shoulder" in k for k in changed), changed


def test_a_true_vertical_corrects_a_tilted_photo() -> None:
    """Rotating every landmark by 5 degrees reads as a lean; marking the rotated vertical undoes it."""
    import math

    world = make_clinic()
    photo = motion_media.make_photo(world)
    cx, cy = photo.width / 2, photo.height / 2
    angle = math.radians(5)

    def turn(p: list[float]) -> list[float]:
        dx, dy = p[0] - cx, p[1] - cy
        return [round(cx + dx * math.cos(angle) - dy * math.sin(angle), 1),
                round(cy + dx * math.sin(angle) + dy * math.cos(angle), 1)]  # fmt: skip

    tilted = {n: turn(p) for n, p in photo.landmarks.items()}
    vertical = [turn([cx, 100.0]), turn([cx, photo.height - 100.0])]
    with clinic_scope(world.clinic):
        user = world.users[PRACTITIONER]
        straight = {m["id"]: m["value"] for m in photo.report["measures"]}
        posture_service.do_place_landmarks(photo, tilted, None, user, PRACTITIONER)
        leaning = {m["id"]: m["value"] for m in photo.report["measures"]}
        posture_service.do_place_landmarks(photo, tilted, vertical, user, PRACTITIONER)
        corrected = {m["id"]: m["value"] for m in photo.report["measures"]}
    assert leaning != straight
    for key, value in straight.items():
        if isinstance(value, int | float):
            assert corrected[key] == pytest.approx(value, abs=0.6), key


def test_comparison_shows_the_change_between_two_dates() -> None:
    """Two front photos on two visits compare side by side with each measure's change."""
    import datetime as dt

    from taut.clients import services as clients

    world = make_clinic()
    first = motion_media.make_photo(world, "front")
    with clinic_scope(world.clinic):
        later = clients.do_create_visit(world.client, {"date": world.visit.date + dt.timedelta(days=14)},
                                        world.users[PRACTITIONER].pk, PRACTITIONER)  # fmt: skip
        second = posture_service.do_add_photo(later, "front", motion_media.photo_bytes(), world.users[PRACTITIONER],
                                       PRACTITIONER, by_hand=True)  # fmt: skip
        marks = dict(second.landmarks)
        marks["right_shoulder"] = [marks["right_shoulder"][0], marks["right_shoulder"][1] + 40]
        posture_service.do_place_landmarks(second, marks, None, world.users[PRACTITIONER], PRACTITIONER)
    http = http_for("web", world, PRACTITIONER)
    url = reverse("motion:posture_compare", kwargs={"client_id": world.client.pk})
    response = http.get(url, {"a": second.pk, "b": first.pk})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert response.context["first"].pk == first.pk  # older first, whatever the order asked
    changed = [r for r in rows if r["change"]]
    assert changed
    assert any("shoulder" in r["id"] for r in changed)


def test_comparing_different_views_is_refused() -> None:
    """A front photo cannot be compared with a side photo."""
    world = make_clinic()
    front = motion_media.make_photo(world, "front")
    side = motion_media.make_photo(world, "left")
    http = http_for("web", world, PRACTITIONER)
    url = reverse("motion:posture_compare", kwargs={"client_id": world.client.pk})
    response = http.get(url, {"a": front.pk, "b": side.pk})
    assert response.status_code == 400
    assert "same view" in response.content.decode()


def test_a_photo_is_never_compared_with_itself() -> None:
    """Asking to compare a photo with itself is refused with a reason, not shown as 'no change'."""
    world = make_clinic()
    front = motion_media.make_photo(world, "front")
    http = http_for("web", world, PRACTITIONER)
    url = reverse("motion:posture_compare", kwargs={"client_id": world.client.pk})
    response = http.get(url, {"a": front.pk, "b": front.pk})
    assert response.status_code == 400
    assert "two different photos" in response.content.decode()
    assert response.context["rows"] is None


def test_the_visit_page_links_each_photo_to_its_comparison_with_the_last_earlier_one() -> None:
    """A later visit's front photo links straight to the comparison with the earlier front photo."""
    import datetime as dt

    from taut.clients import services as clients

    world = make_clinic()
    first = motion_media.make_photo(world, "front")
    with clinic_scope(world.clinic):
        later = clients.do_create_visit(world.client, {"date": world.visit.date + dt.timedelta(days=14)},
                                        world.users[PRACTITIONER].pk, PRACTITIONER)  # fmt: skip
        second = posture_service.do_add_photo(later, "front", motion_media.photo_bytes(), world.users[PRACTITIONER],
                                              PRACTITIONER, by_hand=True)  # fmt: skip
    http = http_for("web", world, PRACTITIONER)
    page = http.get(reverse("clients:visit_detail", kwargs={"client_id": world.client.pk, "visit_id": later.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    compare = reverse("motion:posture_compare", kwargs={"client_id": world.client.pk})
    assert f'href="{compare}?a={first.pk}&amp;b={second.pk}"' in html
    assert f"Compare with {world.visit.date:%Y-%m-%d}" in html
    first_page = http.get(reverse("clients:visit_detail", kwargs={"client_id": world.client.pk,
                                                                   "visit_id": world.visit.pk}))  # fmt: skip
    assert "Compare with" not in first_page.content.decode()  # nothing earlier to compare with
    assert http.get(f"{compare}?a={first.pk}&b={second.pk}").status_code == 200


# Gait uploads and the job --------------------------------------------------------------------------


def test_a_video_is_accepted_and_queued() -> None:
    """A valid MP4 is stored under a generated name and waits for its analysis."""
    world = make_clinic()
    http = http_for("web", world, PRACTITIONER)
    response = http.post(_gait_url(world), {"view": "sagittal", "video": motion_media.video_upload("../../evil.mp4")})
    assert response.status_code == 302
    with clinic_scope(world.clinic):
        video = GaitVideo.objects.get(visit=world.visit)
    assert video.status == GaitVideo.Status.QUEUED
    assert "evil" not in video.media_name
    assert video.media_name.startswith(f"clinic-{world.clinic.pk}/gait/")
    assert storage.path_of(video.media_name).read_bytes()[4:8] == b"ftyp"
    assert video.duration == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize(
    "data",
    [b"", b"not a video at all", b"\x00\x00\x00\x18ftypmp42" + b"\0" * 100],
    ids=["empty", "text", "header only"],
)
def test_a_bad_video_is_refused_and_nothing_is_stored(data: bytes) -> None:
    """Empty, non-video and truncated files get 400 with the reason; no row, no file."""
    world = make_clinic()
    http = http_for("web", world, PRACTITIONER)
    before = _counts()
    response = http.post(_gait_url(world), {"view": "sagittal", "video": motion_media.video_upload(data=data)})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert _counts() == before


def test_the_analysis_job_is_idempotent() -> None:
    """Running the job twice leaves one result: the second run finds the video taken and does nothing."""
    world = make_clinic()
    video = motion_media.make_video(world, analysed=False)
    with clinic_scope(world.clinic):
        assert jobs.run_analysis(video.pk) in {"done", "failed"}
        first = GaitVideo.objects.get(pk=video.pk)
        assert jobs.run_analysis(video.pk) == "skipped"
        second = GaitVideo.objects.get(pk=video.pk)
    assert first.status == second.status
    assert first.finished_at == second.finished_at
    assert second.attempts == 1


def test_a_video_with_nobody_walking_fails_with_a_reason() -> None:
    """The test clip has no person: the job ends as failed with a message a person can act on."""
    world = make_clinic()
    video = motion_media.make_video(world, analysed=False)
    with clinic_scope(world.clinic):
        assert jobs.run_analysis(video.pk) == "failed"
        video.refresh_from_db()
    assert video.status == GaitVideo.Status.FAILED
    assert "person" in video.error.lower() or "nobody" in video.error.lower()


def test_a_dead_running_job_is_taken_over_and_a_live_one_is_not(settings: Any) -> None:
    """A job whose heartbeat stopped can be claimed again; one with a fresh heartbeat cannot."""
    from django.utils import timezone

    world = make_clinic()
    video = motion_media.make_video(world, analysed=False)
    with clinic_scope(world.clinic):
        GaitVideo.objects.filter(pk=video.pk).update(status="running", heartbeat_at=timezone.now(), attempts=1)
        assert not jobs.claim(video.pk)
        old = timezone.now() - timezone.timedelta(seconds=settings.TAUT_JOB_STALE_SECONDS + 5)
        GaitVideo.objects.filter(pk=video.pk).update(heartbeat_at=old)
        assert [v.pk for v in jobs.stale()] == [video.pk]
        assert jobs.claim(video.pk)
        assert GaitVideo.objects.get(pk=video.pk).attempts == 2


def test_the_status_fragment_reloads_the_page_when_done() -> None:
    """While running the fragment polls; once done it tells htmx to reload the page."""
    world = make_clinic()
    video = motion_media.make_video(world, analysed=False)
    http = http_for("web", world, PRACTITIONER)
    url = reverse("motion:gait_status", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk,
                                         "video_id": video.pk})  # fmt: skip
    response = http.get(url)
    assert 'hx-trigger="every 1s"' in response.content.decode()
    assert "HX-Refresh" not in response
    with clinic_scope(world.clinic):
        GaitVideo.objects.filter(pk=video.pk).update(status="done", progress=1.0)
    response = http.get(url)
    assert response["HX-Refresh"] == "true"
    assert "every 1s" not in response.content.decode()


def test_the_gait_report_page_shows_metrics_and_plot() -> None:
    """An analysed video's page lists the measures and links the joint-angle plot, which is a PNG."""
    world = make_clinic()
    video = motion_media.make_video(world)
    http = http_for("web", world, PRACTITIONER)
    kwargs = {"client_id": world.client.pk, "visit_id": world.visit.pk, "video_id": video.pk}
    text = http.get(reverse("motion:gait_video", kwargs=kwargs)).content.decode()
    assert "Cadence" in text
    plot = http.get(reverse("motion:gait_plot", kwargs=kwargs))
    assert plot.status_code == 200
    assert plot.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_people_frame_is_drawn_once_and_every_request_is_audited() -> None:
    """The numbered frame runs the pose model: drawn on the first request, then served from the
    cache (the same bytes), while each request is still checked and written to the audit log."""
    from django.core.cache import cache

    world = make_clinic()
    video = motion_media.make_video(world)
    key = gait_service.people_frame_key(video)
    cache.delete(key)
    http = http_for("web", world, PRACTITIONER)
    url = reverse("motion:gait_frame", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk,
                                        "video_id": video.pk})  # fmt: skip
    with unscoped():
        before = AuditEntry.objects.filter(action="read", object_type="gaitvideo", object_id=str(video.pk)).count()
    first = http.get(url)
    assert first.status_code == 200
    assert first.content[:2] == b"\xff\xd8"  # a JPEG
    assert cache.get(key) == first.content
    second = http.get(url)
    assert second.content == first.content
    with unscoped():
        after = AuditEntry.objects.filter(action="read", object_type="gaitvideo", object_id=str(video.pk)).count()
    assert after - before == 2


def test_the_api_walks_through_upload_and_status() -> None:
    """API: upload answers 202 with status queued; the video then reads back with its status."""
    world = make_clinic()
    http = http_for("api", world, PRACTITIONER)
    base = f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}/gait"
    response = http.post(base, {"view": "frontal", "video": motion_media.video_upload()})
    assert response.status_code == 202, response.content[:300]
    body = response.json()
    assert body["status"] == "queued"
    assert body["view"] == "frontal"
    again = http.get(f"{base}/{body['id']}")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]


def test_unauthenticated_media_requests_are_refused() -> None:
    """Without a session the photo view redirects to the login page and serves no bytes."""
    world = make_clinic()
    photo = motion_media.make_photo(world)
    url = reverse("motion:posture_image", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk,
                                           "photo_id": photo.pk})  # fmt: skip
    response = HttpClient().get(url)
    assert response.status_code == 302
    assert "/login" in response["Location"]


# Range of motion from a photo ---------------------------------------------------------------------


def _rom_photos_url(world: ClinicWorld) -> str:
    return reverse("motion:rom_photos", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk})


def test_a_joint_photo_angle_goes_into_the_rom_form_and_is_read_against_the_norm() -> None:
    """Points placed on a knee photo give the angle; applying it fills the visit's ROM entry for that side."""
    from taut.assessments import services as assessments

    world = make_clinic()
    photo = motion_media.make_rom_photo(world)
    with clinic_scope(world.clinic):
        marks = {"left_hip": [300, 300], "left_knee": [300, 500], "left_ankle": [500, 500]}  # shin at 90 degrees
        rom_service.do_place_rom_landmarks(photo, marks, world.users[PRACTITIONER], PRACTITIONER)
        assert photo.degrees == pytest.approx(90.0, abs=0.1)
    http = http_for("web", world, PRACTITIONER)
    url = reverse("motion:rom_photo_apply", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk,
                                             "rom_photo_id": photo.pk})  # fmt: skip
    response = http.post(url)
    assert response.status_code == 302
    with clinic_scope(world.clinic):
        rom = assessments.get_rom(world.visit)
    assert rom is not None
    entry = next(e for e in rom.entries if e["motion"] == "knee_flexion" and e["side"] == "left")
    assert entry["active"] == pytest.approx(90.0, abs=0.1)
    reading = next(r for r in rom.readings if r["motion"] == "knee_flexion" and r["side"] == "left")
    assert any("restricted" in f for f in reading["findings"])  # 90 of a ~135-140 degree norm


def test_applying_keeps_the_other_rom_entries() -> None:
    """Entries already in the ROM form stay; only the photo's motion and side is set."""
    from taut.assessments import services as assessments

    world = make_clinic()
    with clinic_scope(world.clinic):
        user = world.users[PRACTITIONER]
        assessments.do_save_rom(world.visit, [{"motion": "shoulder_flexion", "side": "right", "active": 150}], user,
                                PRACTITIONER)  # fmt: skip
        photo = motion_media.make_rom_photo(world)
        rom_service.do_apply_rom_photo(photo, user, PRACTITIONER)
        rom = assessments.get_rom(world.visit)
        photo.refresh_from_db()
        applied = AuditEntry.objects.filter(object_type="romphoto", object_id=str(photo.pk), action="update")
        assert photo.applied_at is not None
        assert [e.detail.get("applied") for e in applied] == ["active"]  # the applied_at write is audited
    assert rom is not None
    assert {(e["motion"], e["side"]) for e in rom.entries} == {("shoulder_flexion", "right"), ("knee_flexion", "left")}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("motion", "cervical_rotation", "motion"), ("side", "both", "left or the right"), ("mode", "x", "active")],
)
def test_a_joint_photo_with_a_bad_choice_is_refused_and_stores_nothing(field: str, value: str, message: str) -> None:
    """A motion a photo cannot measure, a side other than left/right, or an unknown mode: 400, nothing stored."""
    world = make_clinic()
    http = http_for("web", world, PRACTITIONER)
    form = {"motion": "knee_flexion", "side": "left", "mode": "active", "by_hand": "1",
            "photo": motion_media.photo_upload(), field: value}  # fmt: skip
    with unscoped():
        from taut.motion.models import RomPhoto

        before = (RomPhoto.objects.count(), storage.listing())
    response = http.post(_rom_photos_url(world), form)
    assert response.status_code == 400
    assert message in response.content.decode()
    with unscoped():
        assert (RomPhoto.objects.count(), storage.listing()) == before


def test_a_dead_job_is_queued_again_once(settings: Any) -> None:
    """Two pages noticing the same dead job queue it once: the first call revives it, the second finds it queued."""
    from django.utils import timezone

    world = make_clinic()
    video = motion_media.make_video(world, analysed=False)
    old = timezone.now() - timezone.timedelta(seconds=settings.TAUT_JOB_STALE_SECONDS + 5)
    with clinic_scope(world.clinic):
        GaitVideo.objects.filter(pk=video.pk).update(status="running", heartbeat_at=old, progress=0.4)
        video.refresh_from_db()
        assert tasks.revive_if_stale(video)
        assert not tasks.revive_if_stale(GaitVideo.objects.get(pk=video.pk))
        assert GaitVideo.objects.get(pk=video.pk).status == GaitVideo.Status.QUEUED
        requeued = AuditEntry.objects.filter(object_type="gaitvideo", object_id=str(video.pk), action="update")
        assert [e.detail.get("job") for e in requeued] == ["queued again"]  # audited once, by the call that queued


# Keypoints made elsewhere ------------------------------------------------------------------------


def _import_url(world: ClinicWorld) -> str:
    return reverse("motion:gait_import", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk})


def test_a_trc_file_is_analysed_at_once_and_filed_with_the_visit() -> None:
    """A TRC marker file gives a finished gait report straight away, with no video and no job."""
    world = make_clinic()
    http = http_for("web", world, PRACTITIONER)
    response = http.post(_import_url(world), {"view": "sagittal", "keypoints": motion_media.trc_upload()})
    assert response.status_code == 302
    with clinic_scope(world.clinic):
        video = GaitVideo.objects.get(visit=world.visit)
    assert (video.source, video.status) == ("trc", "done")
    cadence = next(m for m in video.report["metrics"] if m["id"] == "cadence")
    assert 90 <= cadence["value"] <= 130
    page = http.get(response["Location"]).content.decode()
    assert "Cadence" in page
    assert "Followed the wrong person?" not in page


def test_openpose_keypoints_in_a_zip_are_analysed_with_their_frame_rate() -> None:
    """A zip of OpenPose JSON (one file per frame) with its frame rate gives a report; without it, a clear error."""
    import zipfile

    from evaluation.gait_walker import walk

    series, _ = walk(seed=4, noise_px=0.0, dropout=0.0)
    order = ["nose", None, "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
             "left_wrist", None, "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
             "right_eye", "left_eye", "right_ear", "left_ear", "left_foot_index", None, "left_heel",
             "right_foot_index", None, "right_heel"]  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i, pose in enumerate(series.frames):
            assert pose is not None
            flat: list[float] = []
            for name in order:
                k = pose.keypoints.get(name) if name else None
                flat += [k.x, k.y, 0.9] if k is not None else [0.0, 0.0, 0.0]
            archive.writestr(f"walk_{i:012d}_keypoints.json", json.dumps({"people": [{"pose_keypoints_2d": flat}]}))
    data = buffer.getvalue()
    world = make_clinic()
    http = http_for("web", world, PRACTITIONER)
    before = _counts()
    upload = motion_media.trc_upload(data)
    response = http.post(_import_url(world), {"view": "sagittal", "keypoints": upload})
    assert response.status_code == 400
    assert "frame rate" in response.content.decode()
    assert _counts() == before
    upload = motion_media.trc_upload(data)
    response = http.post(_import_url(world), {"view": "sagittal", "keypoints": upload, "fps": str(series.fps)})
    assert response.status_code == 302, response.content[:500]
    with clinic_scope(world.clinic):
        video = GaitVideo.objects.get(visit=world.visit)
    assert video.source == "openpose"
    assert any(m["id"] == "cadence" and m["value"] for m in video.report["metrics"])


@pytest.mark.parametrize(
    "data",
    [b"", b"hello", b"PathFileType\t4\t(X/Y/Z)\tbroken.trc\n", b"PK\x03\x04 not really a zip"],
    ids=["empty", "text", "broken trc", "broken zip"],
)
def test_bad_keypoint_files_are_refused_and_store_nothing(data: bytes) -> None:
    """Anything that is not a readable TRC or OpenPose zip gets 400 with the reason; nothing stored."""
    world = make_clinic()
    http = http_for("web", world, PRACTITIONER)
    before = _counts()
    response = http.post(_import_url(world), {"view": "sagittal", "keypoints": motion_media.trc_upload(data),
                                              "fps": "30"})  # fmt: skip
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert _counts() == before


def test_a_zip_that_unpacks_to_too_much_is_refused() -> None:
    """A zip bomb of keypoint files is refused from its directory, before anything is unpacked."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big_000000000000_keypoints.json", b"0" * (210 * 2**20))
    world = make_clinic()
    http = http_for("web", world, PRACTITIONER)
    before = _counts()
    bomb = motion_media.trc_upload(buffer.getvalue())
    response = http.post(_import_url(world), {"view": "sagittal", "keypoints": bomb, "fps": "30"})
    assert response.status_code == 400
    assert "too much" in response.content.decode()
    assert _counts() == before


def test_imported_keypoints_have_no_person_to_pick() -> None:
    """Re-analysing imported keypoints with a picked person is refused: there is no video."""
    world = make_clinic()
    with clinic_scope(world.clinic):
        video = keypoints.do_import_keypoints(world.visit, "sagittal", motion_media.trc_bytes(),
                                             world.users[PRACTITIONER], PRACTITIONER)  # fmt: skip
        with pytest.raises(Exception, match="no video"):
            gait_service.do_reanalyse(video, [10, 10], world.users[PRACTITIONER], PRACTITIONER)


def test_the_annotated_photo_draws_the_marked_vertical() -> None:
    """The true vertical the practitioner marked is drawn on the annotated image (from the report's geometry)."""
    from PIL import Image

    from taut.core.vision.annotate import VERTICAL, annotate

    world = make_clinic()
    photo = motion_media.make_photo(world)
    x = 60.0
    with clinic_scope(world.clinic):
        plain = annotate(points.read_media(photo), photo.landmarks, photo.report)
        posture_service.do_place_landmarks(photo, photo.landmarks, [[x, 80.0], [x, 880.0]], world.users[PRACTITIONER],
                                    PRACTITIONER)  # fmt: skip
        marked = annotate(points.read_media(photo), photo.landmarks, photo.report)
    with Image.open(io.BytesIO(plain)) as before, Image.open(io.BytesIO(marked)) as after:
        assert before.convert("RGB").getpixel((int(x), 480)) != VERTICAL
        assert after.convert("RGB").getpixel((int(x), 480)) == VERTICAL


@pytest.mark.parametrize(
    ("vertical", "where"),
    [([[10, 10], [10]], "vertical.1"), ([[10, 10], [10, 99999]], "vertical.1"), ([[-5, 10], [10, 500]], "vertical.0")],
)
def test_a_bad_vertical_names_its_own_point(vertical: list[Any], where: str) -> None:
    """An error in the true vertical's points names the vertical, not a landmark."""
    world = make_clinic()
    photo = motion_media.make_photo(world)
    http = http_for("api", world, PRACTITIONER)
    url = f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}/posture/{photo.pk}/landmarks"
    body = {"landmarks": photo.landmarks, "vertical": vertical}
    response = http.put(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    name, index = where.split(".")
    assert response.json()["errors"][0]["loc"] == ["body", name, int(index)]
