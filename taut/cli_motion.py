"""`taut posture` and `taut gait`: measure a photo or a walking video from the command line.

Both run the same core as the web app, offline, and store nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

PHOTO_VIEWS = ("front", "back", "left", "right", "side")
WALK_VIEWS = ("sagittal", "frontal")


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def posture_command(
    photo: Annotated[Path, typer.Argument(help="A standing photo (JPEG, PNG or WebP).")],
    view: Annotated[str, typer.Option(help="front, back, left or right (side = the side the camera sees).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    annotate_to: Annotated[
        Path | None, typer.Option("--annotate", help="Write the photo with landmarks, plumb line and angles (PNG).")
    ] = None,
) -> None:
    """Find the landmarks on a posture photo and measure it against the norms."""
    from taut.core.errors import MeasurementError, MediaError
    from taut.core.measures import posture
    from taut.core.vision import media
    from taut.core.vision.photo import find_pose

    if view not in PHOTO_VIEWS:
        _fail(f"--view must be one of {', '.join(PHOTO_VIEWS[:4])}.")
    if view == "side":
        view = "left"
    if not photo.is_file():
        _fail(f"No file at {photo}.")
    try:
        image = media.load_image(photo.read_bytes())
        pose = find_pose(image)
        points = {n: k.point for n, k in pose.keypoints.items() if k.score >= 0.5}
        report = posture.analyse(points, view).to_dict()
    except (MediaError, MeasurementError) as exc:
        _fail(str(exc))
    if annotate_to is not None:
        from taut.core.vision.annotate import annotate

        landmarks = {n: [p.x, p.y] for n, p in points.items()}
        annotate_to.write_bytes(annotate(image.jpeg, landmarks, report))
    if as_json:
        typer.echo(json.dumps(report, indent=2, default=str))
        return
    for m in report.get("measures", []):
        flag = "" if m.get("status") == "normal" else f"  <- {m.get('status')}"
        side = f" [{m['side']}]" if m.get("side") else ""
        typer.echo(f"{m['name'][:44]:44} {_num(m.get('value')):>7} {m.get('unit', '')}{side}{flag}")
    for f in report.get("findings", []):
        typer.echo(f"Finding: {f['name']}{_muscles(f)}")
    for w in report.get("warnings", []):
        typer.secho(f"Note: {w}", fg=typer.colors.YELLOW)
    for p in report.get("patterns", []):
        typer.echo(f"Pattern: {p['name']}")
    if annotate_to is not None:
        typer.echo(f"Annotated photo written to {annotate_to}")


def gait_command(
    video: Annotated[
        Path,
        typer.Argument(
            help="A walking video (MP4 or MOV), or keypoints made elsewhere: a TRC file (Pose2Sim, OpenCap) or a"
            " folder of OpenPose JSON files (give --fps)."
        ),
    ],
    view: Annotated[str, typer.Option(help="sagittal (from the side) or frontal (from in front or behind).")] = (
        "sagittal"
    ),
    seed: Annotated[
        str | None, typer.Option(help="x,y in video pixels on the person to follow (default: the walker).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    plot_to: Annotated[Path | None, typer.Option("--plot", help="Write the joint-angle plot (PNG).")] = None,
    fps: Annotated[float, typer.Option(help="Frame rate of OpenPose JSON keypoints (TRC files carry theirs).")] = 0.0,
) -> None:
    """Track the walker in a video (or read imported keypoints), find the gait events and measure the gait."""
    from taut.core.errors import MeasurementError, MediaError
    from taut.core.measures import gait
    from taut.core.vision.types import Point

    if view not in WALK_VIEWS:
        _fail("--view must be sagittal or frontal.")
    if not video.exists():
        _fail(f"No file at {video}.")
    point = None
    if seed:
        try:
            x, y = (float(v) for v in seed.split(","))
        except ValueError:
            _fail("--seed must be two numbers: x,y (video pixels).")
        point = Point(x, y)
    try:
        imported = _imported(video, fps)
        result = gait.analyse(imported, view) if imported is not None else _tracked(video, point, view, as_json)
    except (MediaError, MeasurementError) as exc:
        _fail(str(exc))
    _report(result, as_json, plot_to)


def _imported(path: Path, fps: float) -> Any:
    """Keypoints made elsewhere (TRC, or a folder or file of OpenPose JSON), or None for a video."""
    from taut.core.vision import importers

    if path.suffix.lower() == ".trc":
        return importers.read_trc(path)
    if path.is_dir() or path.suffix.lower() == ".json":
        if fps <= 0:
            _fail("OpenPose keypoints carry no frame rate: give the video's with --fps (for example --fps 30).")
        return importers.read_openpose(path, fps)
    return None


def _tracked(video: Path, point: Any, view: str, as_json: bool) -> Any:
    from taut.core.measures import gait
    from taut.core.vision.video import extract_series

    with typer.progressbar(length=1000, label="Tracking", file=None if not as_json else _stderr()) as bar:
        done = [0]

        def progress(share: float) -> None:
            step = int(share * 1000) - done[0]
            if step > 0:
                bar.update(step)
                done[0] += step

        series = extract_series(video, seed=point, progress=progress)
    return gait.analyse(series, view)


def _report(result: Any, as_json: bool, plot_to: Path | None) -> None:
    report = result.to_dict()
    if plot_to is not None:
        from taut.core.measures import gait_plot

        with open(plot_to, "wb") as fh:
            gait_plot.plot(report, fh)
    if as_json:
        typer.echo(json.dumps(report, indent=2, default=str))
        return
    for m in report.get("metrics", []):
        status = next((s for s in (m.get("left_status"), m.get("right_status"), m.get("status")) if s in FLAGS), "")
        flag = f"  <- {status}" if m.get("flagged") and status else ""
        sides = ""
        if m.get("left") is not None or m.get("right") is not None:
            sides = f"  (left {_num(m.get('left'))}, right {_num(m.get('right'))})"
        typer.echo(f"{m['name'][:44]:44} {_num(m.get('value')):>7} {m.get('unit', '')}{sides}{flag}")
    for f in report.get("findings", []):
        side = f" ({f['side']})" if f.get("side") not in (None, "both") else ""
        typer.echo(f"Finding: {f['name']}{side}{_muscles(f)}")
    for w in report.get("warnings", []):
        typer.secho(f"Note: {w}", fg=typer.colors.YELLOW)
    if plot_to is not None:
        typer.echo(f"Plot written to {plot_to}")


FLAGS = ("low", "high")


def _muscles(finding: dict[str, Any]) -> str:
    parts = []
    for key, label in (("short", "tend to be short"), ("long", "tend to be long or weak")):
        names = ", ".join(m["name"] for m in finding.get(key, []))
        if names:
            parts.append(f"{label}: {names}")
    return ("; " + "; ".join(parts)) if parts else ""


def _num(value: object) -> str:
    if isinstance(value, int | float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return "-" if value is None else str(value)


def _stderr() -> typer.FileText:
    import sys

    return sys.stderr  # type: ignore[return-value]
