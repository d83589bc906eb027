"""Keypoints made elsewhere, read into a :class:`KeypointSeries`.

* OpenPose: one ``*_keypoints.json`` file per frame, BODY_25 or COCO-18 layout. Where a frame
  holds several people, the one nearest the person chosen in the previous frame is kept (in
  the first frame: the largest, most confident one).
* TRC (Pose2Sim, OpenCap, OpenSim): 3D marker trajectories. They are projected onto a side
  view: the vertical axis is the one along which the head sits furthest above the feet, the
  horizontal axis the other one along which the pelvis travels most. Coordinates are scaled to
  pixels (:data:`TRC_PIXELS_PER_METRE`) with y down, so the series measures like a side-view video.

Marker names are matched loosely (case, ``_study`` suffixes, ``R``/``r_``/``right_``/``r.`` side
prefixes); see :func:`landmark_for_marker`. Neck, mid-hip, ASIS and medial markers have no
counterpart among our landmarks and are ignored. OpenCap's ``calc`` (calcaneus) is the heel and
``toe`` the foot's tip; its lateral knee and ankle markers stand in for the joint centres.

A malformed file raises :class:`MediaError` (code ``bad_keypoints``) naming the file and line.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from taut.core.errors import MediaError
from taut.core.vision.types import Keypoint, KeypointSeries, Point, Pose

TRC_PIXELS_PER_METRE = 500.0
TRC_MARGIN_PIXELS = 50.0

# OpenPose keypoint index -> our landmark name (None: no counterpart).
BODY_25: tuple[str | None, ...] = (
    "nose",
    None,  # neck
    "right_shoulder",
    "right_elbow",
    "right_wrist",
    "left_shoulder",
    "left_elbow",
    "left_wrist",
    None,  # mid-hip
    "right_hip",
    "right_knee",
    "right_ankle",
    "left_hip",
    "left_knee",
    "left_ankle",
    "right_eye",
    "left_eye",
    "right_ear",
    "left_ear",
    "left_foot_index",  # big toe
    None,  # small toe
    "left_heel",
    "right_foot_index",
    None,
    "right_heel",
)
COCO_18: tuple[str | None, ...] = (
    "nose",
    None,  # neck
    "right_shoulder",
    "right_elbow",
    "right_wrist",
    "left_shoulder",
    "left_elbow",
    "left_wrist",
    "right_hip",
    "right_knee",
    "right_ankle",
    "left_hip",
    "left_knee",
    "left_ankle",
    "right_eye",
    "left_eye",
    "right_ear",
    "left_ear",
)
_LAYOUTS = {25: BODY_25, 18: COCO_18}


def _bad(where: str, what: str, fix: str) -> MediaError:
    return MediaError("bad_keypoints", f"{where}: {what}. {fix}")


# --------------------------------------------------------------------------------------------
# OpenPose
# --------------------------------------------------------------------------------------------


def _openpose_files(source: str | Path | Sequence[str | Path]) -> list[Path]:
    if isinstance(source, str | Path):
        folder = Path(source)
        if folder.is_dir():
            files = sorted(folder.glob("*_keypoints.json"))
            if not files:
                raise _bad(str(folder), "no *_keypoints.json files in this folder", "Point at OpenPose's JSON output.")
            return files
        return [folder]
    return [Path(p) for p in source]


def _openpose_people(path: Path) -> list[Pose]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(str(path), "the file cannot be read as text", "Export the keypoints again.") from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _bad(f"{path}:{exc.lineno}", f"not valid JSON ({exc.msg})", "Export the keypoints again.") from exc
    if not isinstance(document, dict) or not isinstance(document.get("people"), list):
        raise _bad(f"{path}:1", "no 'people' list", "This does not look like an OpenPose keypoints file.")
    people = []
    for number, person in enumerate(document["people"]):
        values = person.get("pose_keypoints_2d") if isinstance(person, dict) else None
        where = f"{path}:{_line_of(text, number)}"
        if not isinstance(values, list) or len(values) % 3:
            raise _bad(where, f"person {number} has no pose_keypoints_2d triples", "Export BODY_25 or COCO keypoints.")
        layout = _LAYOUTS.get(len(values) // 3)
        if layout is None:
            raise _bad(
                where,
                f"person {number} has {len(values) // 3} keypoints; BODY_25 (25) or COCO (18) are read",
                "Run OpenPose with the BODY_25 or COCO model.",
            )
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
            raise _bad(where, f"person {number} has a keypoint value that is not a number", "Export again.")
        keypoints = {}
        for index, name in enumerate(layout):
            x, y, c = (float(v) for v in values[3 * index : 3 * index + 3])
            if name is None or c <= 0.0:
                continue
            keypoints[name] = Keypoint(name, x, y, min(1.0, c))
        if keypoints:
            people.append(Pose(keypoints, score=float(np.mean([k.score for k in keypoints.values()]))))
    return people


def _line_of(text: str, person: int) -> int:
    """The line of the ``person``-th pose_keypoints_2d key (1 when it cannot be found)."""
    positions = [m.start() for m in re.finditer(r'"pose_keypoints_2d"', text)]
    if person < len(positions):
        return text.count("\n", 0, positions[person]) + 1
    return 1


def _centre(pose: Pose) -> Point:
    x0, y0, x1, y1 = pose.box()
    return Point((x0 + x1) / 2, (y0 + y1) / 2)


def read_openpose(
    source: str | Path | Sequence[str | Path],
    fps: float,
    *,
    width: int | None = None,
    height: int | None = None,
) -> KeypointSeries:
    """Read OpenPose per-frame JSON files (a folder, or paths in frame order) as one person's series.

    ``width`` and ``height`` are the video's frame size; without them the extent of the keypoints is used.
    """
    if not fps > 0:
        raise _bad("fps", f"the frame rate must be positive, not {fps}", "Give the video's frame rate.")
    frames: list[Pose | None] = []
    previous: Pose | None = None
    for path in _openpose_files(source):
        people = _openpose_people(path)
        if not people:
            frames.append(None)
            continue
        if previous is None:

            def prominence(p: Pose) -> float:
                _x0, y0, _x1, y1 = p.box()
                return (y1 - y0) * p.score

            chosen = max(people, key=prominence)
        else:
            anchor = _centre(previous)
            chosen = min(people, key=lambda p: _centre(p).distance(anchor))
        frames.append(chosen)
        previous = chosen
    seen = [k for f in frames if f is not None for k in f.keypoints.values()]
    w = width or (math.ceil(max((k.x for k in seen), default=1.0)) + 1)
    h = height or (math.ceil(max((k.y for k in seen), default=1.0)) + 1)
    name = str(source) if isinstance(source, str | Path) else (str(Path(source[0]).parent) if source else "")
    return KeypointSeries(fps=fps, width=w, height=h, frames=frames, source=name, backend="openpose")


# --------------------------------------------------------------------------------------------
# TRC
# --------------------------------------------------------------------------------------------

_SIDES = (("right_", "right"), ("left_", "left"), ("r_", "right"), ("l_", "left"), ("r", "right"), ("l", "left"))
_PARTS = {
    "hip": "hip",
    "knee": "knee",
    "ankle": "ankle",
    "heel": "heel",
    "calc": "heel",
    "bigtoe": "foot_index",
    "toe": "foot_index",
    "footindex": "foot_index",
    "shoulder": "shoulder",
    "elbow": "elbow",
    "wrist": "wrist",
    "eye": "eye",
    "ear": "ear",
    "pinky": "pinky",
    "thumb": "thumb",
}
_UNSIDED = {"nose": "nose", "c7": "c7"}


def landmark_for_marker(marker: str) -> str | None:
    """Our landmark name for a TRC marker name, or None.

    ``RHeel``, ``r_calc_study``, ``r.heel``, ``right_heel`` -> ``right_heel``; ``LBigToe`` ->
    ``left_foot_index``; ``Nose`` -> ``nose``; ``C7_study`` -> ``c7``; ``Neck``, ``Hip`` -> None.
    """
    name = marker.strip().lower().replace(".", "_").replace("-", "_").replace(" ", "_")
    name = re.sub(r"_study$", "", name)
    if name in _UNSIDED:
        return _UNSIDED[name]
    for prefix, side in _SIDES:
        if name.startswith(prefix):
            part = name[len(prefix) :].replace("_", "")
            if part in _PARTS:
                return f"{side}_{_PARTS[part]}"
    return None


def _split(line: str) -> list[str]:
    return line.rstrip("\r\n").split("\t")


def _number(text: str, where: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _bad(where, f"{what} {text!r} is not a number", "Export the TRC file again.") from None
    return value


def read_trc(path: str | Path, *, pixels_per_metre: float = TRC_PIXELS_PER_METRE) -> KeypointSeries:
    """Read a TRC marker file as a side-view 2D series in pixels (y down)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(str(path), "the file cannot be read as text", "Export the TRC file again.") from exc
    if len(lines) < 5 or not lines[0].startswith("PathFileType"):
        raise _bad(f"{path}:1", "this is not a TRC file (it should start with 'PathFileType')", "Choose a .trc file.")
    keys, values = _split(lines[1]), _split(lines[2])
    header = dict(zip([k.strip() for k in keys], [v.strip() for v in values], strict=False))
    if "DataRate" not in header or "Units" not in header:
        raise _bad(f"{path}:2", "the header has no DataRate or Units", "Export the TRC file again.")
    fps = _number(header["DataRate"], f"{path}:3", "DataRate")
    if not fps > 0:
        raise _bad(f"{path}:3", f"DataRate must be positive, not {fps}", "Export the TRC file again.")
    units = header["Units"].lower()
    scale = {"m": 1.0, "mm": 0.001, "cm": 0.01}.get(units)
    if scale is None:
        raise _bad(f"{path}:3", f"unknown Units {header['Units']!r} (m, cm or mm are read)", "Export in metres.")
    names_row = _split(lines[3])
    if len(names_row) < 3 or names_row[0].strip() != "Frame#":
        raise _bad(f"{path}:4", "the marker-name row should start with 'Frame#' and 'Time'", "Export again.")
    markers = [(col, n.strip()) for col, n in enumerate(names_row) if col >= 2 and n.strip()]
    columns: dict[str, int] = {}
    for col, marker in markers:
        landmark = landmark_for_marker(marker)
        if landmark is not None and landmark not in columns:
            columns[landmark] = col
    if not columns:
        raise _bad(f"{path}:4", "no marker name matches a body landmark (e.g. RHeel, RKnee, RHip)", "Check the file.")
    expected = 2 + 3 * len(markers)

    rows: list[list[float]] = []
    for number, line in enumerate(lines[5:], start=6):
        if not line.strip():
            continue
        cells = _split(line)
        if len(cells) < expected:
            raise _bad(
                f"{path}:{number}",
                f"the row has {len(cells)} columns; {expected} are needed for {len(markers)} markers",
                "Export the TRC file again.",
            )
        row = []
        for text in cells[:expected]:
            row.append(float("nan") if not text.strip() else _number(text, f"{path}:{number}", "value"))
        rows.append(row)
    if not rows:
        raise _bad(f"{path}:6", "the file has no data rows", "Export the TRC file again.")
    data = np.asarray(rows, dtype=float)

    def xyz(name: str) -> NDArray[np.float64]:
        col = columns[name]
        return data[:, col : col + 3] * scale

    # Vertical: the axis along which the upper body sits furthest from the feet.
    upper = [n for n in ("nose", "left_shoulder", "right_shoulder", "c7") if n in columns]
    lower = [n for n in ("left_ankle", "right_ankle", "left_heel", "right_heel") if n in columns]
    hips = [n for n in ("left_hip", "right_hip") if n in columns]
    if not upper or not lower or not hips:
        raise _bad(
            f"{path}:4",
            "the markers need a head or shoulder, an ankle or heel, and a hip to find the side view",
            "Export the TRC with the full-body markers.",
        )
    rise = np.nanmean(np.mean([xyz(n) for n in upper], axis=0) - np.mean([xyz(n) for n in lower], axis=0), axis=0)
    vertical = int(np.nanargmax(np.abs(rise)))
    up_sign = 1.0 if rise[vertical] > 0 else -1.0
    pelvis = np.mean([xyz(n) for n in hips], axis=0)
    others = [a for a in range(3) if a != vertical]
    travel = [float(np.nanmax(pelvis[:, a]) - np.nanmin(pelvis[:, a])) for a in others]
    horizontal = others[int(np.argmax(travel))]

    every = np.stack([xyz(n) for n in columns])
    h_min = float(np.nanmin(every[:, :, horizontal]))
    v_max = float(np.nanmax(every[:, :, vertical] * up_sign))
    h_max = float(np.nanmax(every[:, :, horizontal]))
    v_min = float(np.nanmin(every[:, :, vertical] * up_sign))
    margin = TRC_MARGIN_PIXELS
    frames: list[Pose | None] = []
    for index in range(len(data)):
        keypoints = {}
        for name in columns:
            point = xyz(name)[index]
            if not np.all(np.isfinite(point)):
                continue
            x = (float(point[horizontal]) - h_min) * pixels_per_metre + margin
            y = (v_max - float(point[vertical]) * up_sign) * pixels_per_metre + margin
            keypoints[name] = Keypoint(name, x, y, 1.0)
        frames.append(Pose(keypoints) if keypoints else None)
    width = math.ceil((h_max - h_min) * pixels_per_metre + 2 * margin)
    height = math.ceil((v_max - v_min) * pixels_per_metre + 2 * margin)
    return KeypointSeries(fps=fps, width=width, height=height, frames=frames, source=str(path), backend="trc")
