"""OpenPose JSON and TRC marker files become keypoint series; malformed files name the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from taut.core.errors import MediaError
from taut.core.vision.importers import landmark_for_marker, read_openpose, read_trc


def _person(offset: float, n: int = 25, conf: float = 0.9) -> dict[str, list[float]]:
    values: list[float] = []
    for i in range(n):
        values += [offset + i, 100.0 + 10 * i, conf]
    return {"pose_keypoints_2d": values}


def _write_frames(folder: Path, frames: list[list[dict[str, list[float]]]]) -> None:
    for index, people in enumerate(frames):
        (folder / f"walk_{index:012d}_keypoints.json").write_text(json.dumps({"version": 1.3, "people": people}))


def test_openpose_body25_maps_names_and_keeps_the_same_person(tmp_path: Path) -> None:
    """BODY_25 indices map onto our names, and the person nearest the previous frame's is kept."""
    _write_frames(
        tmp_path,
        [
            [_person(0.0)],
            [_person(500.0), _person(4.0)],  # a newcomer far away is ignored
            [],
        ],
    )
    series = read_openpose(tmp_path, fps=25.0, width=1000, height=600)
    assert (len(series), series.fps, series.width, series.height) == (3, 25.0, 1000, 600)
    first, second, third = series.frames
    assert first is not None
    assert second is not None
    assert third is None
    assert first.keypoints["right_heel"].x == 24.0  # index 24 is RHeel
    assert first.keypoints["left_foot_index"].y == 100.0 + 10 * 19  # index 19 is LBigToe
    assert first.keypoints["right_hip"].x == 9.0
    assert second.keypoints["nose"].x == 4.0


def test_openpose_coco18_is_read(tmp_path: Path) -> None:
    """COCO-18 files map index 8 to the right hip and have no heel."""
    _write_frames(tmp_path, [[_person(0.0, n=18)]])
    pose = read_openpose(tmp_path, fps=30.0).frames[0]
    assert pose is not None
    assert pose.keypoints["right_hip"].x == 8.0
    assert "right_heel" not in pose.keypoints


def test_openpose_zero_confidence_points_are_left_out(tmp_path: Path) -> None:
    """Keypoints with confidence 0 are missing, not placed at (0, 0)."""
    person = _person(0.0)
    person["pose_keypoints_2d"][0:3] = [0.0, 0.0, 0.0]
    _write_frames(tmp_path, [[person]])
    pose = read_openpose(tmp_path, fps=30.0).frames[0]
    assert pose is not None
    assert "nose" not in pose.keypoints


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('{\n  "people": [\n    {"pose_keypoints_2d": [1, 2, \n', 4),
        ('{\n  "version": 1.3,\n  "people": [\n    {"pose_keypoints_2d": [1, 2, 3, 4]}\n  ]\n}\n', 4),
    ],
)
def test_openpose_malformed_file_names_the_line(tmp_path: Path, text: str, line: int) -> None:
    """Broken JSON and wrong keypoint counts are errors naming the file and line."""
    path = tmp_path / "x_keypoints.json"
    path.write_text(text)
    with pytest.raises(MediaError) as caught:
        read_openpose([path], fps=30.0)
    assert caught.value.code == "bad_keypoints"
    assert f"x_keypoints.json:{line}" in str(caught.value)


MARKERS = ["Hip", "RHip", "RKnee", "RAnkle", "RHeel", "RBigToe", "LHip", "Neck", "Nose", "RShoulder"]


def _trc(rows: list[list[float]], units: str = "m", markers: list[str] = MARKERS) -> str:
    head = [
        "PathFileType\t4\t(X/Y/Z)\twalk.trc",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"60.00\t60.00\t{len(rows)}\t{len(markers)}\t{units}\t60.00\t1\t{len(rows)}",
        "Frame#\tTime\t" + "\t\t\t".join(markers) + "\t\t\t",
        "\t\t" + "\t".join(f"X{i + 1}\tY{i + 1}\tZ{i + 1}" for i in range(len(markers))),
        "",
    ]
    body = ["\t".join([str(i + 1), f"{i / 60:.4f}"] + [f"{v:.5f}" for v in row]) for i, row in enumerate(rows)]
    return "\n".join(head + body) + "\n"


def _walker(frames: int = 5, scale: float = 1.0) -> list[list[float]]:
    """Y up, walking along +Z (so Z is the sagittal horizontal axis), a little sway along X."""
    heights = {"Hip": 0.95, "RHip": 0.95, "RKnee": 0.5, "RAnkle": 0.1, "RHeel": 0.05, "RBigToe": 0.02,
               "LHip": 0.95, "Neck": 1.45, "Nose": 1.6, "RShoulder": 1.42}  # fmt: skip
    forward = {"RHeel": -0.05, "RBigToe": 0.15}
    rows = []
    for i in range(frames):
        row: list[float] = []
        for name in MARKERS:
            row += [0.01 * (i % 2) * scale, heights[name] * scale, (0.2 * i + forward.get(name, 0.0)) * scale]
        rows.append(row)
    return rows


def test_trc_is_projected_onto_the_sagittal_plane(tmp_path: Path) -> None:
    """A walk along Z with Y up becomes x = forward travel and y = downward height, in pixels."""
    path = tmp_path / "walk.trc"
    path.write_text(_trc(_walker()))
    series = read_trc(path, pixels_per_metre=500.0)
    assert (series.fps, len(series)) == (60.0, 5)
    first, last = series.frames[0], series.frames[-1]
    assert first is not None
    assert last is not None
    assert last.keypoints["right_hip"].x - first.keypoints["right_hip"].x == pytest.approx(0.8 * 500)
    assert first.keypoints["right_heel"].y - first.keypoints["nose"].y == pytest.approx((1.6 - 0.05) * 500)
    assert first.keypoints["right_foot_index"].x - first.keypoints["right_heel"].x == pytest.approx(0.2 * 500)
    assert set(first.keypoints) >= {"right_knee", "right_ankle", "right_shoulder", "left_hip"}
    assert all(0 <= k.x <= series.width and 0 <= k.y <= series.height for k in first.keypoints.values())


def test_trc_in_millimetres_matches_metres(tmp_path: Path) -> None:
    """Millimetre files give the same pixels as metre files."""
    metres, millimetres = tmp_path / "m.trc", tmp_path / "mm.trc"
    metres.write_text(_trc(_walker()))
    millimetres.write_text(_trc(_walker(scale=1000.0), units="mm"))
    a, b = read_trc(metres).frames[2], read_trc(millimetres).frames[2]
    assert a is not None
    assert b is not None
    assert b.keypoints["right_knee"].x == pytest.approx(a.keypoints["right_knee"].x)
    assert b.keypoints["right_knee"].y == pytest.approx(a.keypoints["right_knee"].y)


@pytest.mark.parametrize(
    ("marker", "landmark"),
    [
        ("RHeel", "right_heel"),
        ("LHeel", "left_heel"),
        ("RBigToe", "right_foot_index"),
        ("r_calc_study", "right_heel"),
        ("L.Heel", "left_heel"),
        ("r_toe_study", "right_foot_index"),
        ("r_knee_study", "right_knee"),
        ("right_shoulder", "right_shoulder"),
        ("Nose", "nose"),
        ("C7_study", "c7"),
        ("Neck", None),
        ("Hip", None),
        ("r.ASIS_study", None),
    ],
)
def test_marker_names_map_onto_landmarks(marker: str, landmark: str | None) -> None:
    """Pose2Sim and OpenCap marker names map onto our landmark names, or to nothing."""
    assert landmark_for_marker(marker) == landmark


def test_trc_short_row_names_the_line(tmp_path: Path) -> None:
    """A data row with missing columns is an error naming its line."""
    lines = _trc(_walker()).splitlines()
    lines[7] = "\t".join(lines[7].split("\t")[:10])  # the second data row, line 8
    path = tmp_path / "walk.trc"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(MediaError) as caught:
        read_trc(path)
    assert "walk.trc:8" in str(caught.value)


def test_trc_non_number_names_the_line(tmp_path: Path) -> None:
    """A value that is not a number is an error naming its line."""
    text = _trc(_walker()).replace("0.95000", "abc", 1)
    path = tmp_path / "walk.trc"
    path.write_text(text)
    with pytest.raises(MediaError) as caught:
        read_trc(path)
    assert "walk.trc:7" in str(caught.value)
    assert "abc" in str(caught.value)


def test_not_a_trc_file_is_refused(tmp_path: Path) -> None:
    """A file without the TRC header is refused at line 1."""
    path = tmp_path / "walk.trc"
    path.write_text("hello\nworld\n1\n2\n3\n4\n")
    with pytest.raises(MediaError) as caught:
        read_trc(path)
    assert "walk.trc:1" in str(caught.value)
