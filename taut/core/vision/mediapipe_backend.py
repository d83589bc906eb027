"""BlazePose (MediaPipe's legacy pose solution) behind the :class:`PoseBackend` interface.

Only the "full" model (``model_complexity=1``) ships inside the mediapipe wheel; the lite and
heavy models are downloaded on first use, so they are refused here: this backend never
touches the network. The model finds one person per call, the most prominent; several people
are found by blanking each person found and looking again, and one person is followed
through a video by showing the model only a window around where that person was.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import queue
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from taut.core.errors import TautError
from taut.core.vision.boxes import blank, hip_centre, mean_colour, padded_box, spotlight
from taut.core.vision.types import LANDMARKS, BackendInfo, Keypoint, Point, Pose

RGBArray = NDArray[np.uint8]

MODEL_FILES = ("modules/pose_landmark/pose_landmark_full.tflite", "modules/pose_detection/pose_detection.tflite")
# The landmarks whose visibility makes a person's score: the trunk and legs.
_BODY = ("left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_knee", "right_knee")


class PoseModelError(TautError, RuntimeError):
    """The pose model cannot run here (missing files, or a configuration that would download)."""


def _mediapipe_dir() -> Path:
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or spec.origin is None:
        raise PoseModelError(
            "The pose model is not installed: the 'mediapipe' package is missing. Reinstall Taut"
            " (pip install -e .) to bring it back."
        )
    return Path(spec.origin).parent


def check_model_files() -> tuple[Path, ...]:
    """The model files inside the installed mediapipe package; raise when any is missing."""
    base = _mediapipe_dir()
    paths = tuple(base / name for name in MODEL_FILES)
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise PoseModelError(
            "The pose model files are missing from the installed mediapipe package: "
            + ", ".join(missing)
            + ". Reinstall mediapipe==0.10.21, whose wheel ships them."
        )
    return paths


def pose_from_landmarks(landmarks: Sequence[Any], width: int, height: int) -> Pose:
    """A :class:`Pose` in pixels from MediaPipe's normalised landmarks (visibility becomes score)."""
    keypoints = {}
    for name, lm in zip(LANDMARKS, landmarks, strict=False):
        score = float(min(1.0, max(0.0, lm.visibility)))
        keypoints[name] = Keypoint(name, float(lm.x) * width, float(lm.y) * height, score)
    body = [keypoints[n].score for n in _BODY if n in keypoints]
    return Pose(keypoints, score=float(np.mean(body)) if body else 0.0)


def _torso(pose: Pose) -> float:
    """Shoulder-centre to hip-centre distance in pixels (a size that arm and leg poses do not change)."""
    k = pose.keypoints
    try:
        left, right = k["left_shoulder"], k["right_shoulder"]
    except KeyError:
        return _height(pose) / 3
    return Point((left.x + right.x) / 2, (left.y + right.y) / 2).distance(hip_centre(pose))


def _height(pose: Pose) -> float:
    _, y0, _, y1 = pose.box()
    return y1 - y0


def _inside(point: Point, box: tuple[int, int, int, int]) -> bool:
    return box[0] <= point.x <= box[2] and box[1] <= point.y <= box[3]


@dataclass
class _Tracklet:
    """One person seen in sampled frames: (frame index, pose) pairs."""

    seen: list[tuple[int, Pose]] = field(default_factory=list)

    @property
    def last(self) -> Pose:
        return self.seen[-1][1]

    def walking(self) -> float:
        """How fast the person moves, in torso lengths per frame: sideways travel of the hips, plus
        the change of apparent size of someone walking towards or away from the camera."""
        if len(self.seen) < 3:
            return 0.0
        (i0, first), (i1, last) = self.seen[0], self.seen[-1]
        t0, t1 = _torso(first), _torso(last)
        torso = max((t0 + t1) / 2, 1.0)
        sideways = abs(hip_centre(last).x - hip_centre(first).x) / torso
        towards = 3.0 * abs(float(np.log(max(t1, 1.0) / max(t0, 1.0))))
        return (sideways + towards) / max(i1 - i0, 1)

    def travel(self) -> float:
        xs = [hip_centre(p).x for _, p in self.seen]
        return max(xs) - min(xs)

    def prominence(self) -> float:
        return len(self.seen) * float(np.mean([_height(p) * p.score for _, p in self.seen]))


class MediaPipeBackend:
    """BlazePose full (MediaPipe 0.10 legacy API): 33 landmarks, one person per model run."""

    def __init__(
        self,
        *,
        model_complexity: int = 1,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        min_person_score: float = 0.5,
        min_person_height: float = 0.08,
        selection_seconds: float = 4.0,
        sample_every: int = 5,
    ) -> None:
        if model_complexity != 1:
            raise PoseModelError(
                f"model_complexity={model_complexity} would download its model at run time; only the full"
                " model (model_complexity=1), which ships inside the mediapipe package, can be used."
            )
        self._files = check_model_files()
        self._min_detection = min_detection_confidence
        self._min_tracking = min_tracking_confidence
        self.min_person_score = min_person_score
        self.min_person_height = min_person_height
        self.selection_seconds = selection_seconds
        self.sample_every = sample_every
        self._static: Any = None
        self._statics: list[Any] = []  # the still graphs the selection of a walker runs on, side by side
        try:
            version = importlib.metadata.version("mediapipe")
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - find_spec found it
            version = "unknown"
        self._info = BackendInfo(name="mediapipe-blazepose", version=version, model=self._files[0].name)

    @property
    def info(self) -> BackendInfo:
        return self._info

    # -- graphs ---------------------------------------------------------------------------------

    def _new_graph(self, *, static: bool) -> Any:
        from mediapipe.python.solutions import pose as mp_pose

        return mp_pose.Pose(
            static_image_mode=static,
            model_complexity=1,
            smooth_landmarks=not static,
            enable_segmentation=False,
            min_detection_confidence=self._min_detection,
            min_tracking_confidence=self._min_tracking,
        )

    def _run(self, graph: Any, rgb: RGBArray) -> Pose | None:
        height, width = rgb.shape[:2]
        result = graph.process(np.ascontiguousarray(rgb))
        if result.pose_landmarks is None:
            return None
        return pose_from_landmarks(result.pose_landmarks.landmark, width, height)

    def _detect_one(self, rgb: RGBArray) -> Pose | None:
        if self._static is None:
            self._static = self._new_graph(static=True)
        return self._run(self._static, rgb)

    # -- stills ---------------------------------------------------------------------------------

    def detect_people(self, rgb: object, max_people: int = 4, *, graph: Any = None) -> list[Pose]:
        """Up to ``max_people`` people, each found after blanking the ones found before.

        ``graph`` is a still-image graph to run on (one per thread); by default the backend's own.
        """
        image = _as_rgb(rgb)
        height, width = image.shape[:2]
        fill = mean_colour(image)
        found: list[Pose] = []
        blanked: list[tuple[int, int, int, int]] = []
        for _ in range(max_people):
            view = blank(image, blanked, fill) if blanked else image
            pose = self._detect_one(view) if graph is None else self._run(graph, view)
            if pose is None or pose.score < self.min_person_score:
                break
            if _height(pose) < self.min_person_height * height:
                break  # a speck in the background, not a person to measure
            if any(_inside(hip_centre(pose), b) for b in blanked):
                break  # the model re-found a blanked person
            found.append(pose)
            blanked.append(padded_box(pose.box(), 0.15, 0.08, width, height))
        return found

    def detect(self, rgb: object) -> list[Pose]:
        """The person in a still, plus a second one if there is one (enough to refuse group photos)."""
        return self.detect_people(rgb, max_people=2)

    # -- videos ---------------------------------------------------------------------------------

    def track(self, frames: Iterator[object], seed: Point | None = None) -> Iterator[Pose | None]:
        """Follow one person: the one at ``seed``, or else the one whose hips travel furthest sideways.

        The first ``selection_seconds`` of frames (at 30 fps) are held back; people are found in
        every ``sample_every``-th of them and linked by position, and the person to follow is
        chosen among them. Then the model sees only a window around that person, frame by frame.
        """
        window = max(1, int(self.selection_seconds * 30))
        step = max(1, self.sample_every)
        buffered: list[RGBArray] = []
        iterator = iter(frames)
        # People are looked for in each sampled frame as soon as it arrives, by two still graphs
        # in turn (each on its own thread), while the next frames decode: the same answers as
        # one graph looking at the frames one after the other, since a still graph keeps no state.
        graphs = self._still_graphs(2)
        free: queue.Queue[Any] = queue.Queue()
        for g in graphs:
            free.put(g)

        def people(rgb: RGBArray) -> list[Pose]:
            g = free.get()
            try:
                return self.detect_people(rgb, max_people=4, graph=g)
            finally:
                free.put(g)

        found: list[Future[list[Pose]]] = []
        with ThreadPoolExecutor(max_workers=len(graphs), thread_name_prefix="taut-people") as pool:
            for item in iterator:
                buffered.append(_as_rgb(item))
                if (len(buffered) - 1) % step == 0:
                    found.append(pool.submit(people, buffered[-1]))
                if len(buffered) >= window:
                    break
            seen = [f.result() for f in found]
        if not buffered:
            return
        chosen = self._choose(buffered, seed, seen)
        if chosen is None:
            yield from self._follow(buffered, iterator, start=0, first=None)
        else:
            start, first = chosen.seen[0]
            yield from self._follow(buffered, iterator, start=start, first=first)

    def _still_graphs(self, count: int) -> list[Any]:
        """``count`` still-image graphs, built on first use and kept (the first is the one stills use)."""
        if self._static is None:
            self._static = self._new_graph(static=True)
        while len(self._statics) < count - 1:
            self._statics.append(self._new_graph(static=True))
        return [self._static, *self._statics[: count - 1]]

    def _choose(
        self, buffered: Sequence[RGBArray], seed: Point | None, seen: Sequence[list[Pose]] | None = None
    ) -> _Tracklet | None:
        """The person to follow; ``seen`` holds the people already found in each sampled frame."""
        tracklets: list[_Tracklet] = []
        step = max(1, self.sample_every)
        for number, index in enumerate(range(0, len(buffered), step)):
            people = seen[number] if seen is not None else self.detect_people(buffered[index], max_people=4)
            _link(tracklets, index, people, step)
            if seed is not None and tracklets:
                break  # the practitioner pointed at someone in the first frames
        if not tracklets:
            return None
        if seed is not None:

            def distance(t: _Tracklet) -> float:
                x0, y0, x1, y1 = t.seen[0][1].box()
                if x0 <= seed.x <= x1 and y0 <= seed.y <= y1:
                    return 0.0
                return hip_centre(t.seen[0][1]).distance(seed)

            return min(tracklets, key=distance)
        longest = max(len(t.seen) for t in tracklets)
        steady = [t for t in tracklets if len(t.seen) >= max(2, 0.3 * longest)] or tracklets
        walker = max(steady, key=lambda t: t.walking())
        width = buffered[0].shape[1]
        if walker.travel() >= 0.05 * width or walker.walking() > 0.02:
            return walker
        return max(steady, key=lambda t: t.prominence())

    def _follow(
        self, buffered: list[RGBArray], rest: Iterator[object], *, start: int, first: Pose | None
    ) -> Iterator[Pose | None]:
        graph = self._new_graph(static=False)
        try:
            previous = first
            velocity = Point(0.0, 0.0)
            lost = 0
            index = 0

            def frames() -> Iterator[RGBArray]:
                while buffered:
                    yield buffered.pop(0)
                for item in rest:
                    yield _as_rgb(item)

            for rgb in frames():
                if index < start:
                    index += 1
                    yield None
                    continue
                index += 1
                height, width = rgb.shape[:2]
                if previous is None:
                    view = rgb
                    window = (0, 0, width, height)
                else:
                    x0, y0, x1, y1 = previous.box()
                    shift = (1 + lost) * 1.0
                    box = (
                        x0 + velocity.x * shift,
                        y0 + velocity.y * shift,
                        x1 + velocity.x * shift,
                        y1 + velocity.y * shift,
                    )
                    grow = min(0.35 + 0.1 * lost, 1.5)
                    window = padded_box(box, grow, 0.15 + 0.05 * lost, width, height)
                    fill = mean_colour(rgb)
                    view = spotlight(rgb, window, fill)
                pose = self._run(graph, view)
                if pose is None or pose.score < self._min_tracking or not _inside(hip_centre(pose), window):
                    lost += 1
                    yield None
                    continue
                if previous is not None:
                    old, new = hip_centre(previous), hip_centre(pose)
                    step = Point((new.x - old.x) / (1 + lost), (new.y - old.y) / (1 + lost))
                    velocity = Point(0.7 * velocity.x + 0.3 * step.x, 0.7 * velocity.y + 0.3 * step.y)
                previous = pose
                lost = 0
                yield pose
        finally:
            graph.close()

    def close(self) -> None:
        """Release the model graph; the backend builds a new one if used again."""
        if self._static is not None:
            self._static.close()
            self._static = None
        for graph in self._statics:
            graph.close()
        self._statics = []


def _as_rgb(item: object) -> RGBArray:
    array = np.asarray(item)
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8:
        raise ValueError("a frame must be an H x W x 3 uint8 RGB array")
    return array


def _link(tracklets: list[_Tracklet], index: int, people: Sequence[Pose], step: int) -> None:
    """Add each person to the tracklet whose last position is near enough, or start a new tracklet.

    Near enough: within 0.6 body heights per ``step`` frames since the tracklet was last seen.
    """
    free = list(people)
    pairs = []
    for t_index, tracklet in enumerate(tracklets):
        seen_at, last = tracklet.seen[-1]
        reach = 0.6 * _height(last) * max(1.0, (index - seen_at) / step)
        for p_index, person in enumerate(free):
            d = hip_centre(last).distance(hip_centre(person))
            if d <= reach:
                pairs.append((d, t_index, p_index))
    used_t: set[int] = set()
    used_p: set[int] = set()
    for _, t_index, p_index in sorted(pairs):
        if t_index in used_t or p_index in used_p:
            continue
        tracklets[t_index].seen.append((index, free[p_index]))
        used_t.add(t_index)
        used_p.add(p_index)
    for p_index, person in enumerate(free):
        if p_index not in used_p:
            tracklets.append(_Tracklet([(index, person)]))
