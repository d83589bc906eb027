"""Keypoints made by another program (TRC, or a zip of OpenPose JSON): read, analysed at once, filed
as a gait record with no video and no job."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from taut.access import capabilities
from taut.audit import service as audit
from taut.clients.gate import CLINICAL, require_consent
from taut.clients.models import Visit
from taut.core.errors import MeasurementError, MediaError
from taut.core.knowledge.loader import load_base
from taut.motion import storage
from taut.motion.jobs import series_to_json
from taut.motion.models import GaitVideo
from taut.motion.points import check_view

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
    require_consent(visit.client, CLINICAL)
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
