"""Photos, videos and records for the posture and gait tests, made here (nothing downloaded)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile

from taut.access.scoping import clinic_scope
from taut.motion import jobs, storage
from taut.motion import posture as posture_service
from taut.motion import rom_photos as rom_service
from taut.motion.models import GaitVideo, PosturePhoto
from tests.factories import ClinicWorld


def photo_bytes(width: int = 640, height: int = 960, fmt: str = "JPEG", exif: Any = None) -> bytes:
    """A bright test card (no person in it): enough for hand-placed landmarks."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (200, 205, 210))
    draw = ImageDraw.Draw(image)
    for i in range(0, width, 40):
        draw.line([(i, 0), (i, height)], fill=(150, 160, 170), width=2)
    draw.ellipse([width * 0.4, height * 0.08, width * 0.6, height * 0.2], fill=(120, 90, 80))
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def video_bytes(
    seconds: float = 2.0, fps: int = 30, width: int = 640, height: int = 360, codec: str = "mpeg4"
) -> bytes:
    """A small MP4 of a bar moving across a grey frame."""
    import av

    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(int(seconds * fps)):
            frame = np.full((height, width, 3), 120, np.uint8)
            x = (i * 8) % (width - 20)
            frame[:, x : x + 20] = 250
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


def photo_upload(name: str = "client.jpg", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else photo_bytes(), content_type="image/jpeg")


def video_upload(name: str = "walk.mp4", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else video_bytes(), content_type="video/mp4")


def trc_bytes() -> bytes:
    """The synthetic walker as a TRC marker file."""
    from evaluation.gait_walker import to_trc, walk

    series, _ = walk(seed=2, noise_px=0.0, dropout=0.0)
    return to_trc(series).encode()


def trc_upload(data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile("walk.trc", data if data is not None else trc_bytes(), content_type="text/plain")


def make_photo(world: ClinicWorld, view: str = "front") -> PosturePhoto:
    """A photo filed with the world's visit, landmarks placed by hand."""
    with clinic_scope(world.clinic):
        return posture_service.do_add_photo(
            world.visit, view, photo_bytes(), world.users["practitioner"], "practitioner", by_hand=True
        )


def make_video(world: ClinicWorld, *, analysed: bool = True) -> GaitVideo:
    """A gait video filed with the world's visit; with ``analysed``, a synthetic walk's report is attached."""
    from django.utils import timezone

    data = video_bytes()
    name = storage.new_name(world.clinic.pk, "gait", "mp4")
    storage.write(name, data)
    with clinic_scope(world.clinic):
        video = GaitVideo.objects.create(
            clinic=world.clinic,
            client=world.client,
            visit=world.visit,
            recorded_by=world.users["practitioner"],
            view="sagittal",
            media_name=name,
            media_bytes=len(data),
            sha256="0" * 64,
            width=640,
            height=360,
            fps=30.0,
            duration=2.0,
            codec="mpeg4",
        )
        if analysed:
            from evaluation.gait_walker import walk
            from taut.core.measures import gait

            series, _ = walk(seed=1)
            video.series = jobs.series_to_json(series)
            video.report = gait.analyse(series, "sagittal").to_dict()
            video.status = GaitVideo.Status.DONE
            video.progress = 1.0
            video.finished_at = timezone.now()
            video.save()
    return video


def make_rom_photo(world: ClinicWorld) -> Any:
    """A knee photo filed with the world's visit, points placed by hand."""
    with clinic_scope(world.clinic):
        return rom_service.do_add_rom_photo(
            world.visit,
            "knee_flexion",
            "left",
            "active",
            photo_bytes(),
            world.users["practitioner"],
            "practitioner",
            by_hand=True,
        )
