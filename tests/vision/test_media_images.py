"""Photos are accepted by content; everything else is refused with a stable code (security item 13)."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from taut.core.errors import MediaError
from taut.core.vision.media import load_image


def _scene(width: int = 640, height: int = 800, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = np.linspace(60, 200, width, dtype=np.float64)[None, :, None]
    noise = rng.integers(0, 40, size=(height, width, 3))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def _encode(rgb: np.ndarray, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format=fmt, **params)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A few hundred bytes whose header claims ``width`` x ``height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1000)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


def _code(data: bytes) -> str:
    with pytest.raises(MediaError) as caught:
        load_image(data)
    assert str(caught.value)  # every refusal explains itself
    return caught.value.code


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_allowed_formats_are_decoded_and_reencoded_as_jpeg(fmt: str) -> None:
    """JPEG, PNG and WebP photos decode to RGB of the right size and come back as a fresh JPEG."""
    rgb = _scene()
    photo = load_image(_encode(rgb, fmt))
    assert (photo.width, photo.height, photo.format) == (640, 800, fmt)
    assert photo.rgb.shape == (800, 640, 3)
    assert photo.jpeg.startswith(b"\xff\xd8\xff")
    assert Image.open(io.BytesIO(photo.jpeg)).size == (640, 800)
    assert abs(float(photo.rgb.mean()) - float(rgb.mean())) < 3


CORPUS = {
    "empty": (b"", "not_an_image"),
    "pdf renamed .jpg": (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "not_an_image"),
    "fits renamed .jpg": (
        b"SIMPLE  =                    T" + b" " * 50 + b"BITPIX  =                    8",
        "not_an_image",
    ),
    "html renamed .jpg": (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "not_an_image"),
    "gif": (b"GIF89a" + b"\x00" * 100, "unsupported_format"),
    "bmp": (b"BM" + b"\x00" * 100, "unsupported_format"),
    "20k x 20k bomb": (_bomb_png(), "too_many_pixels"),
    "41 MP header": (_bomb_png(8000, 5200), "too_many_pixels"),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_of_bad_files_is_refused_with_its_code(name: str) -> None:
    """Each bad file is refused with the code that names its problem."""
    data, code = CORPUS[name]
    assert _code(data) == code


def test_bomb_is_refused_from_the_header_without_decoding() -> None:
    """A tiny file claiming 400 megapixels is refused though it is only a few hundred bytes."""
    data = _bomb_png()
    assert len(data) < 1000
    assert _code(data) == "too_many_pixels"


def test_truncated_jpeg_is_refused() -> None:
    """A JPEG cut in half is refused as truncated."""
    data = _encode(_scene(), "JPEG")
    assert _code(data[: len(data) // 2]) == "truncated"


def test_png_html_polyglot_is_refused() -> None:
    """A valid PNG with a web page appended after its end is refused, though Pillow would read it."""
    png = _encode(_scene(), "PNG")
    polyglot = png + b"<html><body><script>fetch('/steal')</script></body></html>"
    Image.open(io.BytesIO(polyglot)).load()  # a naive check would pass it
    assert _code(polyglot) == "not_an_image"


def test_png_with_script_in_a_text_chunk_is_refused() -> None:
    """A PNG carrying a script in a text chunk is refused."""
    png = _encode(_scene(), "PNG")
    chunk = _png_chunk(b"tEXt", b"Comment\x00<script>alert(document.cookie)</script>")
    assert _code(png[:33] + chunk + png[33:]) == "not_an_image"


def test_oversized_file_is_refused_before_anything_else() -> None:
    """More bytes than the cap is too_large, whatever the content."""
    with pytest.raises(MediaError) as caught:
        load_image(_encode(_scene(), "PNG"), max_bytes=1000)
    assert caught.value.code == "too_large"


def test_tiny_photo_is_refused_saying_what_is_needed() -> None:
    """A photo whose shorter side is under 480 px is refused, naming the size needed."""
    with pytest.raises(MediaError) as caught:
        load_image(_encode(_scene(300, 400), "JPEG"))
    assert caught.value.code == "too_small"
    assert "480" in str(caught.value)


def test_dark_photo_is_refused() -> None:
    """A nearly black photo is refused as too dark."""
    dark = (_scene() // 12).astype(np.uint8)
    assert _code(_encode(dark, "JPEG")) == "too_dark"


def test_transparent_png_is_flattened_on_white() -> None:
    """Transparent pixels of a PNG become white, not black."""
    rgba = np.zeros((600, 600, 4), dtype=np.uint8)
    rgba[:, :300] = (120, 60, 30, 255)
    out = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(out, format="PNG")
    photo = load_image(out.getvalue())
    assert photo.rgb[300, 450].tolist() == [255, 255, 255]
    assert photo.rgb[300, 150].tolist() == [120, 60, 30]


def test_gps_and_exif_are_stripped_and_orientation_applied(gps_photo: bytes, person_frame: np.ndarray) -> None:
    """A sideways photo with EXIF orientation 6 and a GPS tag comes back upright with no EXIF at all."""
    source = Image.open(io.BytesIO(gps_photo))
    assert source.getexif().get_ifd(0x8825)  # the fixture really carries GPS
    assert source.size == (person_frame.shape[0], person_frame.shape[1])  # stored sideways

    photo = load_image(gps_photo)
    assert (photo.width, photo.height) == (person_frame.shape[1], person_frame.shape[0])
    difference = np.abs(photo.rgb.astype(int) - person_frame.astype(int)).mean()
    assert difference < 6  # upright again: same pixels, up to JPEG loss

    clean = Image.open(io.BytesIO(photo.jpeg))
    assert len(clean.getexif()) == 0
    assert "exif" not in clean.info
    assert "icc_profile" not in clean.info
    assert b"Exif" not in photo.jpeg
    assert b"TestCam" not in photo.jpeg


def _noisy_jpeg(comment: bytes = b"") -> bytes:
    rng = np.random.default_rng(0)
    out = io.BytesIO()
    Image.fromarray(rng.integers(60, 200, (600, 800, 3), dtype=np.uint8)).save(out, "JPEG", quality=90)
    data = out.getvalue()
    if comment:  # a COM segment right after SOI
        data = data[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + data[2:]
    return data


def test_markup_bytes_inside_the_compressed_pixels_are_not_a_polyglot() -> None:
    """Compressed pixel data can hold '<svg' by chance: such a photo is accepted (and re-encoded)."""
    data = _noisy_jpeg()
    sos = data.find(b"\xff\xda")
    start = sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big")
    middle = start + (len(data) - start) // 2
    lucky = data[:middle] + b"<svg" + data[middle + 4 :]
    photo = load_image(lucky)
    assert photo.width == 800
    assert b"<svg" not in photo.jpeg


def test_markup_in_a_jpeg_comment_or_after_its_end_is_refused() -> None:
    """The same bytes in a comment segment, or appended after the image, are refused."""
    with pytest.raises(MediaError) as comment:
        load_image(_noisy_jpeg(b"<svg onload=alert(1)>"))
    assert comment.value.code == "not_an_image"
    with pytest.raises(MediaError) as appended:
        load_image(_noisy_jpeg() + b"<html><script>alert(1)</script></html>")
    assert appended.value.code == "not_an_image"
