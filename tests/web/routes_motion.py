"""Rows of the permission table for posture photos and gait videos (see routes.py for what a row means)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.factories import ClinicWorld
from tests.web import motion_media
from tests.web.routes import CV, Route, statuses

OWNER, PRACTITIONER, FRONT_DESK = "owner", "practitioner", "front_desk"
CLINICAL = (OWNER, PRACTITIONER)
OK = statuses(200, CLINICAL)
MOVED = statuses(302, CLINICAL)
CP = (*CV, "photo_id")
CG = (*CV, "video_id")
VIEW_FOR = {OWNER: "front", PRACTITIONER: "back", FRONT_DESK: "left"}


def photo_id(world: ClinicWorld, role: str) -> int:
    if "photo" not in world.extra:
        world.extra["photo"] = motion_media.make_photo(world)
    return int(world.extra["photo"].pk)


def video_id(world: ClinicWorld, role: str) -> int:
    if "video" not in world.extra:
        world.extra["video"] = motion_media.make_video(world)
    return int(world.extra["video"].pk)


def photo_form(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"view": VIEW_FOR[role], "by_hand": "1", "photo": motion_media.photo_upload()}


def photo_api_form(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"view": VIEW_FOR[role], "by_hand": "true", "photo": motion_media.photo_upload()}


def landmarks_form(world: ClinicWorld, role: str) -> dict[str, Any]:
    import json

    photo_id(world, role)
    marks = dict(world.extra["photo"].landmarks)
    marks["left_shoulder"] = [marks["left_shoulder"][0], marks["left_shoulder"][1] + 4]
    return {"landmarks": json.dumps(marks), "vertical": json.dumps([[40, 40], [42, 900]])}


def landmarks_json(world: ClinicWorld, role: str) -> dict[str, Any]:
    import json

    form = landmarks_form(world, role)
    return {"landmarks": json.loads(form["landmarks"]), "vertical": json.loads(form["vertical"])}


def video_form(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"view": "sagittal", "video": motion_media.video_upload()}


def keypoints_form(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"view": "sagittal", "keypoints": motion_media.trc_upload()}


def seed_form(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"seed_x": "320", "seed_y": "180"}


def seed_json(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"seed": [320, 180]}


P = "/clients/{client_id}/visits/{visit_id}/posture"
G = "/clients/{client_id}/visits/{visit_id}/gait"

WEB_ROUTES: tuple[Route, ...] = (
    Route("motion:posture", "web", "GET", CV, "can_edit_clinical", OK, audit=("read", "visit"), client_data=True),
    Route("motion:posture", "web", "POST", CV, "can_edit_clinical", MOVED, photo_form, audit=("create", "posturephoto"),
          client_data=True),
    Route("motion:posture_photo", "web", "GET", CP, "can_edit_clinical", OK, audit=("read", "posturephoto"),
          client_data=True),
    Route("motion:posture_photo", "web", "POST", CP, "can_edit_clinical", MOVED, landmarks_form,
          audit=("update", "posturephoto"), client_data=True),
    Route("motion:posture_image", "web", "GET", CP, "can_view_clinical", OK, audit=("read", "posturephoto"),
          client_data=True),
    Route("motion:posture_annotated", "web", "GET", CP, "can_view_clinical", OK, audit=("read", "posturephoto"),
          client_data=True),
    Route("motion:posture_compare", "web", "GET", ("client_id",), "can_view_clinical", OK, audit=("read", "client"),
          client_data=True),
    Route("motion:gait", "web", "GET", CV, "can_edit_clinical", OK, audit=("read", "visit"), client_data=True),
    Route("motion:gait", "web", "POST", CV, "can_edit_clinical", MOVED, video_form, audit=("create", "gaitvideo"),
          client_data=True),
    Route("motion:gait_import", "web", "POST", CV, "can_edit_clinical", MOVED, keypoints_form,
          audit=("create", "gaitvideo"), client_data=True),
    Route("motion:gait_video", "web", "GET", CG, "can_edit_clinical", OK, audit=("read", "gaitvideo"),
          client_data=True),
    Route("motion:gait_video", "web", "POST", CG, "can_edit_clinical", MOVED, seed_form, audit=("update", "gaitvideo"),
          client_data=True),
    Route("motion:gait_status", "web", "GET", CG, "can_edit_clinical", OK, audit=("read", "gaitvideo"),
          client_data=True),
    Route("motion:gait_plot", "web", "GET", CG, "can_view_clinical", OK, audit=("read", "gaitvideo"), client_data=True),
    Route("motion:gait_frame", "web", "GET", CG, "can_view_clinical", OK, audit=("read", "gaitvideo"),
          client_data=True),
)  # fmt: skip

API_ROUTES: tuple[Route, ...] = (
    Route("add_posture_photo", "api", "POST", CV, "can_edit_clinical", statuses(201, CLINICAL), photo_api_form, P,
          ("create", "posturephoto"), client_data=True, multipart=True),
    Route("list_posture_photos", "api", "GET", CV, "can_view_clinical", OK, api_path=P,
          audit=("list", "posturephoto"), client_data=True),
    Route("get_posture_photo", "api", "GET", CP, "can_view_clinical", OK, api_path=P + "/{photo_id}",
          audit=("read", "posturephoto"), client_data=True),
    Route("put_posture_landmarks", "api", "PUT", CP, "can_edit_clinical", OK, landmarks_json,
          P + "/{photo_id}/landmarks", ("update", "posturephoto"), client_data=True),
    Route("get_posture_image", "api", "GET", CP, "can_view_clinical", OK, api_path=P + "/{photo_id}/image",
          audit=("read", "posturephoto"), client_data=True),
    Route("get_posture_annotated", "api", "GET", CP, "can_view_clinical", OK,
          api_path=P + "/{photo_id}/annotated", audit=("read", "posturephoto"), client_data=True),
    Route("add_gait_video", "api", "POST", CV, "can_edit_clinical", statuses(202, CLINICAL), video_form, G,
          ("create", "gaitvideo"), client_data=True, multipart=True),
    Route("import_gait_keypoints", "api", "POST", CV, "can_edit_clinical", statuses(201, CLINICAL), keypoints_form,
          G + "/import", ("create", "gaitvideo"), client_data=True, multipart=True),
    Route("list_gait_videos", "api", "GET", CV, "can_view_clinical", OK, api_path=G, audit=("list", "gaitvideo"),
          client_data=True),
    Route("get_gait_video", "api", "GET", CG, "can_view_clinical", OK, api_path=G + "/{video_id}",
          audit=("read", "gaitvideo"), client_data=True),
    Route("reanalyse_gait_video", "api", "POST", CG, "can_edit_clinical", statuses(202, CLINICAL), seed_json,
          G + "/{video_id}/reanalyse", ("update", "gaitvideo"), client_data=True),
    Route("get_gait_plot", "api", "GET", CG, "can_view_clinical", OK, api_path=G + "/{video_id}/plot",
          audit=("read", "gaitvideo"), client_data=True),
)  # fmt: skip

# Range of motion from a photo ----------------------------------------------------------------------

CR = (*CV, "rom_photo_id")
R = "/clients/{client_id}/visits/{visit_id}/rom-photos"


def rom_photo_id(world: ClinicWorld, role: str) -> int:
    if "rom_photo" not in world.extra:
        world.extra["rom_photo"] = motion_media.make_rom_photo(world)
    return int(world.extra["rom_photo"].pk)


def rom_photo_form(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"motion": "knee_flexion", "side": "left", "mode": "active", "by_hand": "1",
            "photo": motion_media.photo_upload()}  # fmt: skip


def rom_photo_api_form(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {**rom_photo_form(world, role), "by_hand": "true"}


def rom_landmarks_form(world: ClinicWorld, role: str) -> dict[str, Any]:
    import json

    return {"landmarks": json.dumps(rom_landmarks_json(world, role)["landmarks"])}


def rom_landmarks_json(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"landmarks": {"left_hip": [300, 300], "left_knee": [300, 500], "left_ankle": [450, 560]}}


WEB_ROUTES += (
    Route("motion:rom_photos", "web", "GET", CV, "can_edit_clinical", OK, audit=("read", "visit"), client_data=True),
    Route("motion:rom_photos", "web", "POST", CV, "can_edit_clinical", MOVED, rom_photo_form, audit=("create",
          "romphoto"),
          client_data=True),
    Route("motion:rom_photo", "web", "GET", CR, "can_edit_clinical", OK, audit=("read", "romphoto"), client_data=True),
    Route("motion:rom_photo", "web", "POST", CR, "can_edit_clinical", MOVED, rom_landmarks_form,
          audit=("update", "romphoto"), client_data=True),
    Route("motion:rom_photo_apply", "web", "POST", CR, "can_edit_clinical", MOVED, audit=("create", "romassessment"),
          also_audits=(("update", "romphoto"),), client_data=True),  # the photo's applied_at
    Route("motion:rom_photo_image", "web", "GET", CR, "can_view_clinical", OK, audit=("read", "romphoto"),
          client_data=True),
)  # fmt: skip
API_ROUTES += (
    Route("add_rom_photo", "api", "POST", CV, "can_edit_clinical", statuses(201, CLINICAL), rom_photo_api_form, R,
          ("create", "romphoto"), client_data=True, multipart=True),
    Route("list_rom_photos", "api", "GET", CV, "can_view_clinical", OK, api_path=R, audit=("list", "romphoto"),
          client_data=True),
    Route("put_rom_photo_landmarks", "api", "PUT", CR, "can_edit_clinical", OK, rom_landmarks_json,
          R + "/{rom_photo_id}/landmarks", ("update", "romphoto"), client_data=True),
    Route("apply_rom_photo", "api", "POST", CR, "can_edit_clinical", OK, api_path=R + "/{rom_photo_id}/apply",
          audit=("create", "romassessment"), also_audits=(("update", "romphoto"),), client_data=True),
)  # fmt: skip

OBJECT_IDS: dict[str, Callable[[ClinicWorld, str], Any]] = {
    "photo_id": photo_id,
    "video_id": video_id,
    "rom_photo_id": rom_photo_id,
}
