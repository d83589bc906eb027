"""Safe decoding of posture photos and gait videos.

Photos and videos are accepted by their content, never by their file name, and every limit
is checked before the expensive work: the byte count first, then the format's magic bytes,
then the pixel count read from the header, and only then the decoding.

Photos (:func:`load_image`) come back as an RGB array plus a fresh JPEG: orientation applied,
no EXIF, GPS, ICC profile or text chunks, nothing of the upload's bytes carried over.

Videos (:func:`probe_video`, :func:`iter_frames`) are opened with FFmpeg's ``file`` protocol
only and a forced MP4/QuickTime demuxer, so a file cannot make the decoder read playlists,
other files or the network. Only common phone codecs are decoded, and decoding stops at a
frame count and a wall-clock budget.

Error codes (``MediaError.code``):

* photos: ``not_an_image``, ``unsupported_format``, ``too_large``, ``too_many_pixels``,
  ``truncated``, ``too_small``, ``too_dark``;
* videos: ``not_a_video``, ``empty``, ``too_large``, ``unsupported_codec``, ``too_long``,
  ``too_many_pixels``, ``truncated``, ``inconsistent``, ``no_frames``, ``too_slow``.
"""

from __future__ import annotations

import io
import math
import time
import warnings
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from taut.core.errors import MediaError

if TYPE_CHECKING:
    from PIL import Image as PILImage

RGBArray = NDArray[np.uint8]

MAX_IMAGE_BYTES = 25_000_000
MAX_IMAGE_PIXELS = 40_000_000
MIN_IMAGE_SIDE = 480
MIN_MEAN_LUMINANCE = 35.0  # of 255: below this a photo is too dark to find landmarks in

MAX_VIDEO_BYTES = 500_000_000
MAX_VIDEO_SECONDS = 60.0
MAX_VIDEO_SIDE = 4096  # the longer side of a video frame, before rotation (4K phones)
MAX_DECODE_FRAMES = 3_600  # 60 s at 60 fps
DECODE_BUDGET_SECONDS = 300.0

VIDEO_DEMUXER = "mov,mp4,m4a,3gp,3g2,mj2"
VIDEO_CODECS = frozenset({"h264", "hevc", "vp9", "av1", "mpeg4"})
# The first box of an MP4 or QuickTime file: ftyp in modern files, the others in old QuickTime.
_MP4_FIRST_BOXES = frozenset({b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"})
# Markers of web pages and scripts hidden in an image (polyglot files); none occurs in real photos.
_ACTIVE_MARKERS = (b"<html", b"<script", b"<!doctype", b"<svg", b"<iframe", b"<?php", b"<body", b"javascript:")


# --------------------------------------------------------------------------------------------
# Photos
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Photo:
    """A decoded photo: upright RGB pixels and a clean JPEG of the same pixels."""

    rgb: RGBArray
    width: int
    height: int
    format: str  # the upload's format: "JPEG", "PNG", "WEBP" or "HEIF"
    jpeg: bytes


def _sniff_image(data: bytes) -> str:
    """The image format named by the magic bytes; raises for anything not on the allowlist."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        if _heif_supported():
            return "HEIF"
        raise MediaError(
            "unsupported_format",
            "HEIC/HEIF photos cannot be read on this server. Set the phone camera to 'Most compatible'"
            " (JPEG), or export the photo as JPEG, and upload it again.",
        )
    if data.startswith((b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")):
        raise MediaError(
            "unsupported_format",
            "This picture format (GIF, BMP or TIFF) is not accepted. Upload a JPEG, PNG or WebP photo.",
        )
    raise MediaError(
        "not_an_image",
        "This file is not a photo (its content is not JPEG, PNG, WebP or HEIC, whatever its name says)."
        " Upload the photo file itself.",
    )


def _heif_supported() -> bool:
    from PIL import Image

    Image.init()
    return "HEIF" in Image.OPEN


def _jpeg_metadata(data: bytes) -> list[bytes]:
    """The JPEG's marker segments before the image data (APPn, COM ...) and anything after its end."""
    parts: list[bytes] = []
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            break
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            i += 2
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if marker == 0xDA:  # start of scan: compressed pixels follow, which may hold any bytes
            break
        parts.append(data[i + 4 : i + 2 + length])
        i += 2 + length
    end = data.rfind(b"\xff\xd9")
    if end != -1:
        parts.append(data[end + 2 :])
    return parts


def _png_metadata(data: bytes) -> list[bytes]:
    """The PNG's chunks except the compressed pixels (IDAT), and anything after IEND."""
    parts: list[bytes] = []
    i = 8
    while i + 8 <= len(data):
        length = int.from_bytes(data[i : i + 4], "big")
        kind = data[i + 4 : i + 8]
        if kind != b"IDAT":
            parts.append(data[i + 8 : i + 8 + length])
        i += 12 + length
        if kind == b"IEND":
            parts.append(data[i:])
            break
    return parts


def _webp_metadata(data: bytes) -> list[bytes]:
    """The WebP's chunks except the compressed pixels, and anything after the RIFF container."""
    parts: list[bytes] = []
    riff_end = 8 + int.from_bytes(data[4:8], "little")
    i = 12
    while i + 8 <= min(len(data), riff_end):
        length = int.from_bytes(data[i + 4 : i + 8], "little")
        if data[i : i + 4] not in (b"VP8 ", b"VP8L", b"ALPH", b"ANMF"):
            parts.append(data[i + 8 : i + 8 + length])
        i += 8 + length + (length & 1)
    parts.append(data[riff_end:])
    return parts


def _check_active_content(data: bytes, fmt: str) -> None:
    """Refuse markup or script hidden in the file's metadata or after its end (polyglot files).

    Only the parts a browser or another program could read as text are searched: the compressed
    pixels can hold any byte sequence by chance, and they are re-encoded anyway.
    """
    regions = {"JPEG": _jpeg_metadata, "PNG": _png_metadata, "WEBP": _webp_metadata}.get(fmt)
    for part in regions(data) if regions is not None else [data]:
        lowered = part.lower()
        if any(marker in lowered for marker in _ACTIVE_MARKERS):
            raise MediaError(
                "not_an_image",
                "This file holds web-page or script content besides a picture, so it is refused."
                " Take or export the photo again and upload that file.",
            )
    if fmt == "PNG":
        end = data.rfind(b"IEND")
        if end != -1 and len(data) > end + 8:  # the IEND chunk is its type plus a 4-byte CRC
            raise MediaError(
                "not_an_image",
                "This PNG file carries extra data after the end of the picture, so it is refused."
                " Export the photo again and upload that file.",
            )


def _open_image(data: bytes, fmt: str) -> PILImage.Image:
    from PIL import Image

    formats = [fmt]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaError(
            "too_many_pixels",
            f"This photo has far too many pixels (the limit is {MAX_IMAGE_PIXELS // 1_000_000} megapixels)."
            " Upload a smaller copy.",
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaError(
            "truncated",
            "This photo's file is damaged or incomplete and cannot be read. Upload the original file again.",
        ) from exc


def load_image(
    data: bytes,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_pixels: int = MAX_IMAGE_PIXELS,
    min_side: int = MIN_IMAGE_SIDE,
) -> Photo:
    """Check, decode and re-encode an uploaded photo; raise :class:`MediaError` when it cannot be used."""
    from PIL import Image, ImageOps

    if not data:
        raise MediaError("not_an_image", "The file is empty. Choose the photo again and upload it.")
    if len(data) > max_bytes:
        raise MediaError(
            "too_large",
            f"This photo is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB."
            " Upload a smaller copy (most phones have a 'share as smaller size' option).",
        )
    fmt = _sniff_image(data)
    _check_active_content(data, fmt)

    image = _open_image(data, fmt)
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > max_pixels:
        raise MediaError(
            "too_many_pixels",
            f"This photo is {width} x {height} pixels; the limit is {max_pixels / 1e6:.0f} megapixels."
            " Upload a smaller copy.",
        )
    try:
        image.verify()  # checks the structure (CRCs, markers) without keeping pixels
        image = _open_image(data, fmt)
        image.load()
        image = ImageOps.exif_transpose(image)
    except MediaError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise MediaError(
            "truncated",
            "This photo's file is damaged or incomplete and cannot be read. Upload the original file again.",
        ) from exc

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba).convert("RGB")
    elif image.mode != "RGB":
        image = image.convert("RGB")

    width, height = image.size
    if min(width, height) < min_side:
        raise MediaError(
            "too_small",
            f"This photo is only {width} x {height} pixels; the shorter side needs at least {min_side} pixels."
            " Upload the original photo rather than a thumbnail or screenshot.",
        )
    rgb = np.asarray(image, dtype=np.uint8).copy()
    luminance = float((rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114).mean())
    if luminance < MIN_MEAN_LUMINANCE:
        raise MediaError(
            "too_dark",
            "This photo is too dark to find the body's landmarks. Take it again in better light"
            " (light in front of the client, not behind).",
        )
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=90, optimize=True)
    return Photo(rgb=rgb, width=width, height=height, format=fmt, jpeg=buffer.getvalue())


# --------------------------------------------------------------------------------------------
# Videos
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What the header of a video says, checked against the caps.

    ``width`` and ``height`` are the upright frame size (after ``rotation`` is applied);
    ``rotation`` is the counter-clockwise turn, in degrees, that makes the stored frames upright.
    """

    container: str
    codec: str
    fps: float
    frames: int
    duration: float
    width: int
    height: int
    rotation: int


def _sniff_video(path: Path, max_bytes: int) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise MediaError("not_a_video", "The video file cannot be found or read. Upload it again.") from exc
    if size == 0:
        raise MediaError("empty", "The video file is empty (0 bytes). Record or export the video again.")
    if size > max_bytes:
        raise MediaError(
            "too_large",
            f"This video is {size / 1e6:.0f} MB; the limit is {max_bytes / 1e6:.0f} MB."
            " Trim it to the walk itself (a few passes of 10–20 seconds are enough).",
        )
    with path.open("rb") as handle:
        head = handle.read(12)
    if len(head) < 8 or head[4:8] not in _MP4_FIRST_BOXES:
        raise MediaError(
            "not_a_video",
            "This file is not an MP4 or MOV video, whatever its name says. Upload the video as the phone"
            " recorded it (MP4 or MOV).",
        )


def _open_container(path: Path) -> Any:
    """Open a video with the file protocol only and the MP4/QuickTime demuxer forced."""
    import av

    url = "file:" + str(path.resolve())
    try:
        return av.open(
            url,
            mode="r",
            format=VIDEO_DEMUXER,
            options={"protocol_whitelist": "file", "enable_drefs": "0", "use_absolute_path": "0"},
        )
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(
            "truncated",
            "This video cannot be opened: the file is damaged, incomplete or not really an MP4/MOV video."
            " Upload the original file from the phone again.",
        ) from exc


def _video_stream(container: Any) -> Any:
    if not container.streams.video:
        raise MediaError("not_a_video", "This file holds no video picture. Upload the video of the walk.")
    stream = container.streams.video[0]
    codec = stream.codec_context.name
    if codec not in VIDEO_CODECS:
        raise MediaError(
            "unsupported_codec",
            f"This video is encoded as {codec!r}, which is not accepted. Phone videos in H.264, HEVC (H.265),"
            " VP9, AV1 or MPEG-4 work: record with the phone's camera app or export in one of those.",
        )
    return stream


def _fps(stream: Any) -> float:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    return float(rate) if rate else 0.0


def _claimed_duration(container: Any, stream: Any) -> float:
    durations = []
    if container.duration:
        durations.append(container.duration / 1_000_000)
    if stream.duration and stream.time_base:
        durations.append(float(stream.duration * stream.time_base))
    return max(durations, default=0.0)


def _upright(width: int, height: int, rotation: int) -> tuple[int, int]:
    return (height, width) if rotation % 180 else (width, height)


def probe_video(
    path: str | Path,
    *,
    max_bytes: int = MAX_VIDEO_BYTES,
    max_seconds: float = MAX_VIDEO_SECONDS,
    max_side: int = MAX_VIDEO_SIDE,
) -> VideoInfo:
    """Check a video against the caps and read its header; decode its first frame to prove it plays."""
    import av

    path = Path(path)
    _sniff_video(path, max_bytes)
    container = _open_container(path)
    try:
        stream = _video_stream(container)
        codec = stream.codec_context.name
        width, height = int(stream.codec_context.width), int(stream.codec_context.height)
        if width <= 0 or height <= 0:
            raise MediaError("no_frames", "This video has no readable picture size. Upload the original file.")
        if max(width, height) > max_side:
            raise MediaError(
                "too_many_pixels",
                f"This video is {width} x {height}; the limit is {max_side} pixels on the longer side."
                " Record in 1080p or 4K at most.",
            )
        fps = _fps(stream)
        if not 1.0 <= fps <= 480.0:
            raise MediaError("no_frames", "This video has no usable frame rate. Upload the original file.")
        duration = _claimed_duration(container, stream)
        if duration > max_seconds:
            raise MediaError(
                "too_long",
                f"This video lasts {duration:.0f} s; the limit is {max_seconds:.0f} s. Trim it to the walk itself.",
            )
        frames = int(stream.frames) or round(duration * fps)
        entries = list(stream.index_entries)
        size = path.stat().st_size
        if entries:
            last = max(entries, key=lambda e: e.pos + e.size)
            if last.pos + last.size > size:
                raise MediaError(
                    "truncated",
                    "This video file is incomplete (it ends before its last pictures)."
                    " Copy or upload the original file again.",
                )
            held = len(entries) / fps
            if duration > 1.5 * held + 1.0:
                raise MediaError(
                    "inconsistent",
                    f"This video's header says it lasts {duration:.1f} s but the file holds only {held:.1f} s"
                    " of pictures, so it is refused. Export the video again from the phone.",
                )
            frames = len(entries)
        rotation = 0
        try:
            for frame in container.decode(stream):
                rotation = round(frame.rotation / 90.0) * 90 % 360
                break
            else:
                raise MediaError("no_frames", "No picture in this video could be decoded. Upload the original file.")
        except av.FFmpegError as exc:
            raise MediaError(
                "truncated", "This video's pictures cannot be decoded; the file is damaged. Upload it again."
            ) from exc
        up_w, up_h = _upright(width, height, rotation)
        return VideoInfo(
            container=str(container.format.name),
            codec=codec,
            fps=fps,
            frames=frames,
            duration=duration if duration > 0 else frames / fps,
            width=up_w,
            height=up_h,
            rotation=rotation,
        )
    finally:
        container.close()


def scaled_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """The size (even numbers) that brings the longer side down to ``max_side``; unchanged if already small."""
    longer = max(width, height)
    if longer <= max_side:
        return width, height
    factor = max_side / longer
    return max(2, round(width * factor / 2) * 2), max(2, round(height * factor / 2) * 2)


def iter_frames(
    path: str | Path,
    *,
    every: int = 1,
    max_side: int = 960,
    max_frames: int = MAX_DECODE_FRAMES,
    budget_seconds: float = DECODE_BUDGET_SECONDS,
    max_bytes: int = MAX_VIDEO_BYTES,
) -> Generator[tuple[int, float, RGBArray], None, None]:
    """Yield ``(index, seconds, rgb)`` for every ``every``-th frame, upright and at most ``max_side`` long.

    ``index`` counts every decoded frame (also the skipped ones). Decoding stops after ``max_frames``
    frames; it raises ``too_slow`` past ``budget_seconds`` of wall-clock time, and, once the file
    ends, ``inconsistent`` when it held far fewer frames than its header claims.
    """
    import av

    if every < 1:
        raise ValueError("every must be 1 or more")
    path = Path(path)
    _sniff_video(path, max_bytes)
    started = time.monotonic()
    container = _open_container(path)
    try:
        stream = _video_stream(container)
        stream.thread_type = "AUTO"
        fps = _fps(stream) or 30.0
        claimed = _claimed_duration(container, stream)
        width, height = int(stream.codec_context.width), int(stream.codec_context.height)
        if max(width, height) > MAX_VIDEO_SIDE:
            raise MediaError("too_many_pixels", f"This video is {width} x {height}; it is too large to decode.")
        header_frames = int(stream.frames)
        index = -1
        damaged = 0
        for packet in container.demux(stream):
            try:
                pictures = packet.decode()
            except av.FFmpegError:
                damaged += 1  # a damaged packet: skipped, and counted against the header below
                if damaged > max(30, header_frames // 2):
                    raise MediaError(
                        "truncated",
                        "Most of this video's pictures cannot be decoded; the file is damaged."
                        " Upload the original file from the phone again.",
                    ) from None
                continue
            for frame in pictures:
                index += 1
                if index >= max_frames:
                    return
                if time.monotonic() - started > budget_seconds:
                    raise MediaError(
                        "too_slow",
                        f"Decoding this video took longer than {budget_seconds:.0f} s, so it was stopped."
                        " Upload a shorter or lower-resolution video (1080p, 30 fps is plenty).",
                    )
                if index % every:
                    continue
                out_w, out_h = scaled_size(frame.width, frame.height, max_side)
                rgb = frame.to_ndarray(width=out_w, height=out_h, format="rgb24")
                turns = round(frame.rotation / 90.0) % 4
                if turns:
                    rgb = np.ascontiguousarray(np.rot90(rgb, k=turns))
                seconds = float(frame.time) if frame.time is not None else index / fps
                yield index, seconds, rgb
        decoded = index + 1
        if decoded == 0:
            raise MediaError("no_frames", "No picture in this video could be decoded. Upload the original file.")
        held = decoded / fps
        if claimed > 1.5 * held + 1.0 or (header_frames and decoded < 0.5 * header_frames):
            raise MediaError(
                "inconsistent",
                f"This video's header promises {claimed:.1f} s ({header_frames} pictures) but only {decoded}"
                f" pictures ({held:.1f} s) could be decoded, so it is refused. Export the video again from the phone.",
            )
    finally:
        container.close()


def frame_at(path: str | Path, seconds: float, *, max_side: int = 960) -> tuple[float, RGBArray]:
    """The first decodable frame at or after ``seconds`` (or the last frame of a shorter video)."""
    last: tuple[float, RGBArray] | None = None
    frames = iter_frames(path, max_side=max_side)
    try:
        for _, time_s, rgb in frames:
            last = (time_s, rgb)
            if time_s + 1e-6 >= seconds:
                break
    finally:
        frames.close()
    if last is None or math.isnan(last[0]):
        raise MediaError("no_frames", "No picture in this video could be decoded. Upload the original file.")
    return last
