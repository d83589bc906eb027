"""One person's keypoints through a gait video, and the people to choose from."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from taut.core.errors import MediaError
from taut.core.vision.boxes import blank_people
from taut.core.vision.media import MAX_VIDEO_BYTES, MAX_VIDEO_SECONDS, RGBArray, frame_at, iter_frames, probe_video
from taut.core.vision.photo import default_backend
from taut.core.vision.types import Keypoint, KeypointSeries, Point, Pose, PoseBackend

MAX_PEOPLE = 4
# Decoded frames held ready for the model: enough to ride over a slow frame, small in memory
# (a 960 x 540 frame is 1.5 MB).
PREFETCH_FRAMES = 24

T = TypeVar("T")


def prefetch(source: Iterable[T], size: int = PREFETCH_FRAMES) -> Generator[T, None, None]:
    """``source``'s items, produced by a background thread up to ``size`` ahead of the consumer.

    Decoding (PyAV) and the pose model (MediaPipe) both release the GIL, so on two cores the next
    frames decode while the model looks at this one. An error in ``source`` is raised here, at the
    item where it happened; closing this iterator stops the thread and closes ``source``.
    """
    items: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=max(1, size))
    stop = threading.Event()

    def put(kind: str, value: object) -> bool:
        while not stop.is_set():
            try:
                items.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        iterator = iter(source)
        try:
            for item in iterator:
                if not put("item", item):
                    break
            else:
                put("end", None)
        except BaseException as exc:  # handed to the consumer, raised there
            put("error", exc)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="taut-decode", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = items.get()
            if kind == "end":
                return
            if kind == "error":
                assert isinstance(value, BaseException)
                raise value
            yield value  # type: ignore[misc]  # an item of source
    finally:
        stop.set()
        thread.join()


def _scale(pose: Pose, sx: float, sy: float) -> Pose:
    return Pose({n: Keypoint(n, k.x * sx, k.y * sy, k.score) for n, k in pose.keypoints.items()}, score=pose.score)


def extract_series(
    path: str | Path,
    *,
    seed: Point | None = None,
    backend: PoseBackend | None = None,
    progress: Callable[[float], None] | None = None,
    max_side: int = 960,
    max_bytes: int = MAX_VIDEO_BYTES,
    max_seconds: float = MAX_VIDEO_SECONDS,
    max_fps: float = 30.0,
) -> KeypointSeries:
    """Probe, decode and track one person through a video.

    Frames beyond ``max_fps`` per second are decoded but not sent to the model (a 60 fps phone
    video is analysed at 30 fps: events are then found within a frame of 33 ms, which is enough,
    and the analysis keeps ahead of real time).

    ``seed`` is a point on the person to follow, in the original (upright) frame's pixels; without
    it the person who walks is followed. Keypoints come back in the original frame's pixels.
    ``progress`` is called with the share of frames done, 0 to 1.
    """
    info = probe_video(path, max_bytes=max_bytes, max_seconds=max_seconds)
    model = backend or default_backend()
    expected = max(info.frames, 1)
    every = max(1, round(info.fps / max_fps)) if max_fps > 0 else 1
    scale: list[float] = []

    ready = prefetch(iter_frames(path, every=every, max_side=max_side, max_bytes=max_bytes))

    def frames() -> Iterator[RGBArray]:
        for index, _, rgb in ready:
            if not scale:
                scale.extend((info.width / rgb.shape[1], info.height / rgb.shape[0]))
            if progress is not None:
                progress(min(1.0, index / expected))
            yield rgb

    small_seed = None
    if seed is not None:
        factor = min(1.0, max_side / max(info.width, info.height))
        small_seed = Point(seed.x * factor, seed.y * factor)
    try:
        tracked = list(model.track(frames(), seed=small_seed))
    finally:
        ready.close()  # stops the decoding thread when the model stopped early or failed
    if not any(p is not None for p in tracked):
        raise MediaError(
            "no_person",
            "No person could be followed in this video. Film the walk from the side, with the whole body"
            " in view and good light.",
        )
    sx, sy = scale or (1.0, 1.0)
    poses = [None if p is None else _scale(p, sx, sy) for p in tracked]
    if progress is not None:
        progress(1.0)
    return KeypointSeries(
        fps=info.fps / every,
        width=info.width,
        height=info.height,
        frames=poses,
        source=Path(path).name,
        backend=f"{model.info.name} {model.info.version} ({model.info.model})",
    )


def people_in(rgb: RGBArray, model: PoseBackend, max_people: int = MAX_PEOPLE) -> list[Pose]:
    """Everyone the model finds in one frame: look, blank out who was found, look again."""
    found: list[Pose] = []
    image = rgb
    while len(found) < max_people:
        new = model.detect(image)[: max_people - len(found)]
        if not new:
            break
        found.extend(new)
        image = blank_people(rgb, found)
    return found


def preview_frame(
    path: str | Path, at_seconds: float = 0.5, *, backend: PoseBackend | None = None, max_side: int = 960
) -> tuple[RGBArray, list[Pose]]:
    """The frame at ``at_seconds`` (at most ``max_side`` long) and the people on it, in that frame's pixels."""
    _, rgb = frame_at(path, at_seconds, max_side=max_side)
    return rgb, people_in(rgb, backend or default_backend())


def preview_people(
    path: str | Path,
    at_seconds: float = 0.5,
    *,
    backend: PoseBackend | None = None,
    max_side: int = 960,
) -> list[Pose]:
    """The people visible in the frame at ``at_seconds`` (up to four), in the original frame's pixels."""
    info = probe_video(path)
    rgb, found = preview_frame(path, at_seconds, backend=backend, max_side=max_side)
    sx, sy = info.width / rgb.shape[1], info.height / rgb.shape[0]
    return [_scale(p, sx, sy) for p in found]
