"""Videos are opened safely and refused when they break a rule (security item 14)."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest

from taut.core.errors import MediaError
from taut.core.vision.media import _open_container, iter_frames, probe_video

SECRET = "taut-secret-7f3a9c"


def make_video(
    path: Path,
    *,
    codec: str = "libx264",
    seconds: float = 2.0,
    fps: int = 30,
    size: tuple[int, int] = (320, 240),
    rotation: int | None = None,
    container: str = "mp4",
) -> Path:
    """A small video of a white square moving right, with a white band along the stored top edge."""
    width, height = size
    out = av.open(str(path), "w", format=container)
    stream = out.add_stream(codec, rate=fps)
    stream.width, stream.height = width, height
    stream.pix_fmt = "yuvj420p" if codec == "mjpeg" else "yuv420p"
    if rotation is not None:
        stream.set_display_rotation(rotation)
    for index in range(int(seconds * fps)):
        rgb = np.full((height, width, 3), 40, dtype=np.uint8)
        rgb[: height // 8] = 255
        x = 10 + index * 2
        rgb[height // 2 : height // 2 + 20, x : x + 20] = 255
        for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    return path


def _refusal(path: Path, **caps: object) -> MediaError:
    with pytest.raises(MediaError) as caught:
        probe_video(path, **caps)  # type: ignore[arg-type]
    return caught.value


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    target = tmp_path / "secret.txt"
    target.write_text(f"{SECRET}\nroot:x:0:0:root:/root:/bin/bash\n")
    return target


def _playlist(target: Path) -> bytes:
    return (
        "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-TARGETDURATION:10\n"
        f"#EXTINF:10.0,\nfile://{target}\n#EXTINF:10.0,\n{target}\n#EXT-X-ENDLIST\n"
    ).encode()


def _avi_with_hls(target: Path) -> bytes:
    """An AVI whose subtitle stream is a GAB2 blob holding an HLS playlist that points at a local file."""
    playlist = _playlist(target)
    gab2 = b"GAB2\x00\x02\x00" + struct.pack("<I", len(playlist)) + playlist
    strh = b"txts" + b"\x00" * 52
    strl = b"LIST" + struct.pack("<I", 4 + 8 + len(strh)) + b"strl" + b"strh" + struct.pack("<I", len(strh)) + strh
    avih = b"avih" + struct.pack("<I", 56) + b"\x00" * 56
    hdrl_body = b"hdrl" + avih + strl
    hdrl = b"LIST" + struct.pack("<I", len(hdrl_body)) + hdrl_body
    chunk = b"00tx" + struct.pack("<I", len(gab2)) + gab2
    movi_body = b"movi" + chunk
    movi = b"LIST" + struct.pack("<I", len(movi_body)) + movi_body
    body = b"AVI " + hdrl + movi
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _no_leak(error: MediaError) -> None:
    assert SECRET not in str(error)
    assert "root:" not in str(error)


def test_tiny_h264_video_is_accepted_and_decoded(tmp_path: Path) -> None:
    """A 2-second H.264 MP4 is probed correctly and all 60 frames decode at their size."""
    path = make_video(tmp_path / "walk.mp4")
    info = probe_video(path)
    assert (info.codec, info.width, info.height, info.rotation) == ("h264", 320, 240, 0)
    assert info.fps == pytest.approx(30.0)
    assert info.frames == 60
    assert info.duration == pytest.approx(2.0, abs=0.1)
    frames = list(iter_frames(path))
    assert [i for i, _, _ in frames] == list(range(60))
    assert frames[0][2].shape == (240, 320, 3)
    assert frames[30][1] == pytest.approx(1.0, abs=0.05)


def test_mpeg4_in_quicktime_is_accepted(tmp_path: Path) -> None:
    """An MPEG-4 Part 2 video in a MOV container is accepted."""
    path = make_video(tmp_path / "walk.mov", codec="mpeg4", container="mov")
    assert probe_video(path).codec == "mpeg4"
    assert len(list(iter_frames(path, every=3))) == 20


def test_codec_outside_the_allowlist_is_refused(tmp_path: Path) -> None:
    """An MJPEG video in a MOV container is refused for its codec."""
    path = make_video(tmp_path / "walk.mov", codec="mjpeg", container="mov")
    assert _refusal(path).code == "unsupported_codec"


def test_phone_rotation_is_applied(tmp_path: Path) -> None:
    """A video stored landscape with a 90° display rotation comes out portrait, band on the right."""
    path = make_video(tmp_path / "portrait.mp4", rotation=-90)
    info = probe_video(path)
    assert (info.width, info.height, info.rotation) == (240, 320, 270)
    _, _, rgb = next(iter_frames(path))
    assert rgb.shape == (320, 240, 3)
    assert rgb[:, -20:].mean() > 200  # the stored top band, turned clockwise, is the right edge
    assert rgb[:, :20].mean() < 150


def test_large_frames_are_downscaled(tmp_path: Path) -> None:
    """Frames are scaled so the longer side is at most max_side."""
    path = make_video(tmp_path / "big.mp4", size=(1280, 720), seconds=0.5)
    _, _, rgb = next(iter_frames(path, max_side=640))
    assert rgb.shape == (360, 640, 3)


def test_frame_cap_stops_decoding(tmp_path: Path) -> None:
    """No more than max_frames frames are decoded."""
    path = make_video(tmp_path / "walk.mp4")
    assert len(list(iter_frames(path, max_frames=7))) == 7


def test_decoding_past_the_time_budget_is_stopped(tmp_path: Path) -> None:
    """With no time budget left, decoding stops with too_slow."""
    path = make_video(tmp_path / "walk.mp4")
    with pytest.raises(MediaError) as caught:
        list(iter_frames(path, budget_seconds=0.0))
    assert caught.value.code == "too_slow"


def test_avi_with_hls_reference_is_refused_and_leaks_nothing(tmp_path: Path, secret_file: Path) -> None:
    """The crafted AVI (an HLS playlist pointing at a local file) is refused without reading that file."""
    path = tmp_path / "walk.mp4"
    path.write_bytes(_avi_with_hls(secret_file))
    error = _refusal(path)
    assert error.code == "not_a_video"
    _no_leak(error)
    with pytest.raises(MediaError) as caught:
        list(iter_frames(path))
    _no_leak(caught.value)


def test_forced_demuxer_does_not_follow_playlists(tmp_path: Path, secret_file: Path) -> None:
    """Even past the content check, the opener never treats a playlist or an AVI as anything but MP4/MOV."""
    for name, data in {"playlist.m3u8": _playlist(secret_file), "crafted.avi": _avi_with_hls(secret_file)}.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(MediaError) as caught:
            _open_container(path)
        _no_leak(caught.value)


def test_playlist_disguised_with_an_mp4_box_is_refused(tmp_path: Path, secret_file: Path) -> None:
    """A playlist behind an 'ftyp' box passes the content check but not the MP4 demuxer."""
    path = tmp_path / "walk.mp4"
    path.write_bytes(b"\x00\x00\x00\x14ftypisom\x00\x00\x02\x00isom" + _playlist(secret_file))
    error = _refusal(path)
    assert error.code in {"truncated", "not_a_video"}
    _no_leak(error)


def test_zero_length_file_is_refused(tmp_path: Path) -> None:
    """An empty file is refused as empty."""
    path = tmp_path / "walk.mp4"
    path.write_bytes(b"")
    assert _refusal(path).code == "empty"


def test_text_named_mp4_is_refused(tmp_path: Path) -> None:
    """A text file named .mp4 is not a video."""
    path = tmp_path / "walk.mp4"
    path.write_text("this is not a video, just some text\n" * 20)
    assert _refusal(path).code == "not_a_video"


def test_too_big_and_too_long_are_refused(tmp_path: Path) -> None:
    """Byte and duration caps are enforced from the header."""
    path = make_video(tmp_path / "walk.mp4")
    assert _refusal(path, max_bytes=100).code == "too_large"
    assert _refusal(path, max_seconds=1.0).code == "too_long"


def test_frames_above_the_side_cap_are_refused(tmp_path: Path) -> None:
    """A video larger than the resolution cap is refused before decoding."""
    path = make_video(tmp_path / "walk.mp4", seconds=0.2)
    assert _refusal(path, max_side=200).code == "too_many_pixels"


def _hollow(path: Path, keep: int) -> None:
    """Overwrite every H.264 sample after the first ``keep`` with filler data of the same length.

    The header still promises every frame and the file has all its bytes, but only ``keep``
    pictures can be decoded.
    """
    container = av.open(str(path))
    entries = [(e.pos, e.size) for e in container.streams.video[0].index_entries]
    container.close()
    data = bytearray(path.read_bytes())
    for pos, size in entries[keep:]:
        data[pos : pos + size] = struct.pack(">I", size - 4) + b"\x0c" + b"\xff" * (size - 6) + b"\x80"
    path.write_bytes(bytes(data))


def test_header_promising_more_frames_than_decode_is_refused(tmp_path: Path) -> None:
    """A video whose header promises 60 frames but holds only 10 decodable ones is refused while decoding."""
    path = make_video(tmp_path / "walk.mp4")
    _hollow(path, keep=10)
    assert probe_video(path).frames == 60  # the header alone looks fine
    with pytest.raises(MediaError) as caught:
        list(iter_frames(path))
    assert caught.value.code in {"inconsistent", "truncated"}


def test_all_frames_decoded_pass_the_consistency_check(tmp_path: Path) -> None:
    """The same video left whole decodes to the end without a refusal."""
    path = make_video(tmp_path / "walk.mp4")
    assert len(list(iter_frames(path))) == 60


def test_truncated_real_video_is_refused(tmp_path: Path, media_file: Callable[[str], Path]) -> None:
    """The first 30% of sports2d's demo.mp4 is refused as truncated."""
    data = media_file("sports2d_demo").read_bytes()
    path = tmp_path / "walk.mp4"
    path.write_bytes(data[: int(len(data) * 0.3)])
    assert _refusal(path).code == "truncated"


def test_truncated_tiny_video_is_refused_by_probe_or_decoding(tmp_path: Path) -> None:
    """A generated MP4 cut in half (index kept, pictures missing) is refused."""
    path = make_video(tmp_path / "walk.mp4", codec="mpeg4")
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])

    def decode_all() -> None:
        probe_video(cut)
        list(iter_frames(cut))

    with pytest.raises(MediaError) as caught:
        decode_all()
    assert caught.value.code in {"truncated", "inconsistent"}
