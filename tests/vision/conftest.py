from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.media_files import media


@pytest.fixture(scope="session")
def media_file() -> Callable[[str], Path]:
    """A real test video by name; the test is skipped when it cannot be fetched."""

    def get(name: str) -> Path:
        path = media(name)
        if path is None:
            pytest.skip(f"test media {name!r} could not be downloaded from PyPI (offline?)")
        return path

    return get


@pytest.fixture(scope="session")
def person_frame(media_file: Callable[[str], Path]) -> np.ndarray:
    """Frame 10 of pose2sim's cam04 (one person, full body, seen from behind, upright 1080 x 1920)."""
    from taut.core.vision.media import iter_frames

    for index, _, rgb in iter_frames(media_file("pose2sim_cam04"), max_side=4096):
        if index == 10:
            return rgb
    raise AssertionError("cam04 has fewer than 11 frames")


def exif_jpeg(rgb: np.ndarray, *, orientation: int, gps: bool) -> bytes:
    """``rgb`` as a JPEG carrying an EXIF orientation tag and, optionally, a GPS position."""
    image = Image.fromarray(rgb)
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "TestCam"
    if gps:
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()


@pytest.fixture(scope="session")
def gps_photo(person_frame: np.ndarray) -> bytes:
    """The cam04 frame stored sideways (rotated 90° clockwise) with EXIF orientation 6 and a GPS tag."""
    sideways = np.ascontiguousarray(np.rot90(person_frame, k=1))  # stored as a camera held sideways would
    return exif_jpeg(sideways, orientation=6, gps=True)
