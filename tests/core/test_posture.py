"""Posture measures from landmarks: exact geometry, invariances, flags, views and findings."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taut.core.errors import MeasurementError
from taut.core.knowledge import load_base
from taut.core.measures.posture import PostureReport, analyse
from taut.core.vision.types import Point

P = Point
RAD = math.radians

# A client standing square to the camera (front view): the client's left is on the image right.
FRONT = {
    "nose": P(500, 100),
    "left_eye": P(520, 90),
    "right_eye": P(480, 90),
    "left_ear": P(540, 100),
    "right_ear": P(460, 100),
    "left_shoulder": P(600, 200),
    "right_shoulder": P(400, 200),
    "left_hip": P(560, 500),
    "right_hip": P(440, 500),
    "left_knee": P(560, 700),
    "right_knee": P(440, 700),
    "left_ankle": P(560, 900),
    "right_ankle": P(440, 900),
}

# A client seen from their left (facing image-left): ear, shoulder, hip, knee, ankle on one vertical.
SIDE = {
    "nose": P(200, 110),
    "left_ear": P(300, 100),
    "left_shoulder": P(300, 230),
    "left_hip": P(300, 500),
    "left_knee": P(300, 700),
    "left_ankle": P(300, 900),
}


def with_(base: dict[str, Point], **changes: Point) -> dict[str, Point]:
    return {**base, **changes}


def at(origin: Point, length: float, degrees_up: float, forward: float = -1.0) -> Point:
    """The point ``length`` px from ``origin`` at ``degrees_up`` above the horizontal, toward ``forward``."""
    return P(origin.x + forward * length * math.cos(RAD(degrees_up)), origin.y - length * math.sin(RAD(degrees_up)))


# ------------------------------------------------------------------ exact geometry

C7 = P(330, 200)
FRONT_CASES = [
    # (case, changes, measure, side, value, status)
    (
        "shoulder line 10 degrees, left higher",
        {"right_shoulder": P(400, 200 + 200 * math.tan(RAD(10)))},
        "shoulder_tilt",
        None,
        (10.0, "left", "high"),
    ),
    (
        "shoulder line 2 degrees: within the error",
        {"left_shoulder": P(600, 200 - 200 * math.tan(RAD(2)))},
        "shoulder_tilt",
        None,
        (2.0, "left", "normal"),
    ),
    (
        "eye line 5 degrees: head tilts to the client's right",
        {"left_eye": P(520, 90 - 40 * math.tan(RAD(5)))},
        "head_tilt",
        None,
        (5.0, "right", "high"),
    ),
    (
        "hip line 4 degrees, right higher",
        {"right_hip": P(440, 500 - 120 * math.tan(RAD(4)))},
        "pelvic_obliquity",
        None,
        (4.0, "right", "high"),
    ),
    (
        "left knee 5 degrees toward the midline each half: valgus 10",
        {"left_knee": P(560 - 200 * math.tan(RAD(5)), 700)},
        "knee_frontal_angle",
        "left",
        (10.0, "left", "high"),
    ),
    (
        "right knee away from the midline: varus 6",
        {"right_knee": P(440 - 200 * math.tan(RAD(3)), 700)},
        "knee_frontal_angle",
        "right",
        (-6.0, "right", "low"),
    ),
    (
        "shoulders shifted toward image-right by 4 degrees: client's left",
        {"left_shoulder": P(600 + 300 * math.tan(RAD(4)), 200), "right_shoulder": P(400 + 300 * math.tan(RAD(4)), 200)},
        "trunk_lateral_shift",
        None,
        (4.0, "left", "high"),
    ),
    (
        "nose 24 px right of mid-ankle over an 800 px height: 3 percent",
        {"nose": P(524, 100)},
        "weight_line_offset",
        None,
        (3.0, "left", "high"),
    ),
]


@pytest.mark.parametrize(("changes", "measure", "which", "expected"), [c[1:] for c in FRONT_CASES],
                         ids=[c[0] for c in FRONT_CASES])  # fmt: skip
def test_front_view_geometry(
    changes: dict[str, Point], measure: str, which: str | None, expected: tuple[float, str, str]
) -> None:
    """Hand-built landmarks give the angle they were built with, the side and the flag."""
    report = analyse(with_(FRONT, **changes), "front")
    m = report.measure(measure, which)
    assert (m.value, m.side, m.status) == expected


SIDE_CASES = [
    ("CVA 45 degrees", {"c7": C7, "left_ear": at(C7, 120, 45)}, "craniovertebral_angle", (45.0, "low")),
    ("CVA 52 degrees", {"c7": C7, "left_ear": at(C7, 120, 52)}, "craniovertebral_angle", (52.0, "normal")),
    ("shoulder 35 degrees below C7", {"c7": C7, "left_shoulder": at(C7, 80, -35)}, "shoulder_c7_angle", (35.0, "low")),
    (
        "knee 6 degrees behind the hip-ankle line each half: 12 past straight",
        {"left_knee": P(300 + 200 * math.tan(RAD(6)), 700)},
        "knee_hyperextension",
        (12.0, "high"),
    ),
    (
        "knee bent forward: negative, normal",
        {"left_knee": P(300 - 200 * math.tan(RAD(4)), 700)},
        "knee_hyperextension",
        (-8.0, "normal"),
    ),
    (
        "shoulder 6 degrees forward of the ankle: anterior sway",
        {"left_shoulder": P(300 - 670 * math.tan(RAD(6)), 230)},
        "body_sway_angle",
        (6.0, "high"),
    ),
    (
        "shoulder 3 degrees behind the ankle: posterior sway",
        {"left_shoulder": P(300 + 670 * math.tan(RAD(3)), 230)},
        "body_sway_angle",
        (-3.0, "low"),
    ),
    ("hip 40 px forward over 800 px: 5 percent", {"left_hip": P(260, 500)}, "pelvis_forward_offset", (5.0, "high")),
    ("ear 16 px forward over 800 px: 2 percent", {"left_ear": P(284, 100)}, "plumb_ear_offset", (2.0, "normal")),
]


@pytest.mark.parametrize(
    ("changes", "measure", "expected"), [c[1:] for c in SIDE_CASES], ids=[c[0] for c in SIDE_CASES]
)
def test_side_view_geometry(changes: dict[str, Point], measure: str, expected: tuple[float, str]) -> None:
    """Side-view angles and plumb offsets equal their construction, forward being the way the client faces."""
    m = analyse(with_(SIDE, **changes), "left").measure(measure)
    assert (m.value, m.status) == expected


def test_proxy_is_used_and_labelled_without_c7() -> None:
    """Without C7 the ear-shoulder angle stands in for the CVA, marked as a proxy; the true CVA is skipped."""
    shoulder = SIDE["left_shoulder"]
    report = analyse(with_(SIDE, left_ear=at(shoulder, 130, 70)), "left")
    proxy = report.measure("craniovertebral_angle_proxy")
    assert (proxy.value, proxy.proxy, proxy.status, proxy.finding) == (70.0, True, "low", "forward_head")
    assert any(s.id == "craniovertebral_angle" and "C7" in s.reason for s in report.skipped)
    assert not any(m.id == "craniovertebral_angle" for m in report.measures)


def test_true_cva_is_not_a_proxy() -> None:
    """With C7 placed the true angle is reported and the proxy is not."""
    report = analyse(with_(SIDE, c7=C7, left_ear=at(C7, 120, 51)), "left")
    assert report.measure("craniovertebral_angle").proxy is False
    assert all(m.id != "craniovertebral_angle_proxy" for m in report.measures)


# ------------------------------------------------------------------ flag threshold


@pytest.mark.parametrize(
    ("degrees", "status"),
    [(2.9, "normal"), (3.0, "normal"), (3.1, "high"), (6.0, "high")],
)
def test_shoulder_flag_only_beyond_the_error(degrees: float, status: str) -> None:
    """Normal level 0 with a 3-degree error: 3.0 is not flagged, 3.1 is."""
    report = analyse(with_(FRONT, right_shoulder=P(400, 200 + 200 * math.tan(RAD(degrees)))), "front")
    m = report.measure("shoulder_tilt")
    assert (m.value, m.status) == (degrees, status)
    assert (m.finding == "elevated_shoulder") is (status == "high")


@pytest.mark.parametrize(("degrees", "status"), [(47.1, "normal"), (47.0, "normal"), (46.9, "low")])
def test_cva_flag_only_beyond_the_error(degrees: float, status: str) -> None:
    """CVA normal from 50 with a 3-degree error: flagged only below 47."""
    m = analyse(with_(SIDE, c7=C7, left_ear=at(C7, 120, degrees)), "left").measure("craniovertebral_angle")
    assert (m.value, m.status) == (degrees, status)


# ------------------------------------------------------------------ invariances

jitter = st.floats(min_value=-15, max_value=15, allow_nan=False)


@st.composite
def poses(draw: st.DrawFn, base: dict[str, Point]) -> dict[str, Point]:
    return {name: P(p.x + draw(jitter), p.y + draw(jitter)) for name, p in base.items()}


def rotated(points: dict[str, Point], degrees: float, pivot: Point) -> dict[str, Point]:
    r = RAD(degrees)
    c, s = math.cos(r), math.sin(r)
    return {
        n: P(pivot.x + (p.x - pivot.x) * c - (p.y - pivot.y) * s, pivot.y + (p.x - pivot.x) * s + (p.y - pivot.y) * c)
        for n, p in points.items()
    }


def same(a: PostureReport, b: PostureReport, tol: float = 0.01) -> None:
    assert [(m.id, m.side) for m in a.measures] == [(m.id, m.side) for m in b.measures]
    for x, y in zip(a.measures, b.measures, strict=True):
        assert abs(x.exact - y.exact) <= tol, (x.id, x.exact, y.exact)


SIDE_C7 = with_(SIDE, c7=C7)
VIEWS = [(FRONT, "front"), (FRONT, "back"), (SIDE_C7, "left")]


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    which=st.sampled_from(range(len(VIEWS))),
    degrees=st.floats(min_value=-40, max_value=40),
    px=st.floats(min_value=-500, max_value=1500),
    py=st.floats(min_value=-500, max_value=1500),
)
def test_rotating_photo_and_vertical_together_changes_nothing(
    data: st.DataObject, which: int, degrees: float, px: float, py: float
) -> None:
    """A phone tilted by any angle, with the true vertical marked, reads exactly as an upright one."""
    base, view = VIEWS[which]
    pose = data.draw(poses(base))
    upright = analyse(pose, view)
    pivot = P(px, py)
    line = rotated({"a": P(50, 900), "b": P(50, 100)}, degrees, pivot)
    tilted = analyse(rotated(pose, degrees, pivot), view, vertical=(line["a"], line["b"]))
    same(upright, tilted)
    assert abs(tilted.tilt_correction_deg + degrees) < 0.01


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    which=st.sampled_from(range(len(VIEWS))),
    scale=st.floats(min_value=0.2, max_value=5),
    dx=st.floats(min_value=-2000, max_value=2000),
    dy=st.floats(min_value=-2000, max_value=2000),
)
def test_scaling_and_moving_change_nothing(data: st.DataObject, which: int, scale: float, dx: float, dy: float) -> None:
    """Angles and percent-of-height offsets do not depend on photo size or where the client stands in it."""
    base, view = VIEWS[which]
    pose = data.draw(poses(base))
    moved = {n: P(p.x * scale + dx, p.y * scale + dy) for n, p in pose.items()}
    same(analyse(pose, view), analyse(moved, view))


def mirror(points: dict[str, Point]) -> dict[str, Point]:
    swap = {"left_": "right_", "right_": "left_"}
    out = {}
    for name, p in points.items():
        for a, b in swap.items():
            if name.startswith(a):
                name = b + name[len(a) :]
                break
        out[name] = P(-p.x, p.y)
    return out


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_mirroring_swaps_sides_in_a_front_view(data: st.DataObject) -> None:
    """The mirror image of a client (left and right exchanged) gives the same values on the other sides."""
    pose = data.draw(poses(FRONT))
    a, b = analyse(pose, "front"), analyse(mirror(pose), "front")
    other = {"left": "right", "right": "left", None: None}
    assert sorted((m.id, other[m.side], round(m.exact, 6)) for m in a.measures) == sorted(
        (m.id, m.side, round(m.exact, 6)) for m in b.measures
    )


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_mirroring_a_side_view_gives_the_other_side_view(data: st.DataObject) -> None:
    """A left-side photo mirrored is a right-side photo with the same measures, facing the other way."""
    pose = data.draw(poses(SIDE_C7))
    a, b = analyse(pose, "left"), analyse(mirror(pose), "right")
    same(a, b)
    assert (a.facing, b.facing) == ("left", "right")


def test_tilted_phone_reads_as_a_lean_only_without_the_vertical() -> None:
    """An upright client on an 8-degree tilted phone leans in the raw image; marking the vertical removes it."""
    pivot = P(300, 900)
    tilted = rotated(SIDE_C7, 8, pivot)
    raw = analyse(tilted, "left").measure("body_sway_angle")
    line = rotated({"a": P(0, 900), "b": P(0, 0)}, 8, pivot)
    fixed = analyse(tilted, "left", vertical=(line["a"], line["b"])).measure("body_sway_angle")
    assert raw.status != "normal"
    assert abs(raw.value) == pytest.approx(8.0, abs=0.1)
    assert (fixed.value, fixed.status) == (0.0, "normal")


# ------------------------------------------------------------------ views and sides


def test_front_and_back_name_the_shift_side_from_the_view() -> None:
    """The same image shift is the client's left in a front view and the client's right in a back view."""
    shift = 300 * math.tan(RAD(5))
    pose = with_(FRONT, left_shoulder=P(600 + shift, 200), right_shoulder=P(400 + shift, 200))
    assert analyse(pose, "front").measure("trunk_lateral_shift").side == "left"
    back = dict(pose.items())
    # In a back view the client's left is on the image left: swap the x of each pair.
    for part in ("eye", "ear", "shoulder", "hip", "knee", "ankle"):
        lp, rp = back[f"left_{part}"], back[f"right_{part}"]
        back[f"left_{part}"], back[f"right_{part}"] = P(rp.x, lp.y), P(lp.x, rp.y)
    report = analyse(back, "back")
    assert report.measure("trunk_lateral_shift").side == "right"
    assert report.warnings == ()


def test_higher_shoulder_comes_from_the_landmark_names() -> None:
    """The higher shoulder is named by its landmark, whatever the view; a view contradicting the layout is warned."""
    pose = with_(FRONT, left_shoulder=P(600, 180))
    front, back = analyse(pose, "front"), analyse(pose, "back")
    assert front.measure("shoulder_tilt").side == back.measure("shoulder_tilt").side == "left"
    assert front.warnings == ()
    assert back.warnings
    assert "front view" in back.warnings[0]


def test_back_view_uses_the_ear_line_for_head_tilt() -> None:
    """From behind the eyes are not used; the ear line gives the head tilt."""
    pose = with_(FRONT, left_eye=P(520, 60))  # a wild eye landmark must not matter from behind
    report = analyse(pose, "back")
    m = report.measure("head_tilt")
    assert m.landmarks == ("left_ear", "right_ear")
    assert m.value == 0.0


def test_facing_falls_back_to_the_view_without_a_nose() -> None:
    """Without nose and ears the view says which way the client faces."""
    pose = {k: v for k, v in SIDE.items() if k not in ("nose",)}
    assert analyse(pose, "left").facing == "left"
    assert analyse(pose, "right").facing == "right"


def test_nose_overrides_the_view_for_facing() -> None:
    """A nose to the right of the ear means the client faces image-right, even in a 'left' view."""
    pose = with_(SIDE, nose=P(340, 110))
    assert analyse(pose, "left").facing == "right"


# ------------------------------------------------------------------ missing and bad input


def test_missing_landmarks_are_listed_with_reasons() -> None:
    """Measures needing absent landmarks are skipped with a reason; the others are still made."""
    pose = {k: v for k, v in FRONT.items() if k not in ("left_knee", "right_knee")}
    report = analyse(pose, "front")
    skipped = {(s.id, s.side): s.reason for s in report.skipped}
    assert "left_knee" in skipped[("knee_frontal_angle", "left")]
    assert "right_knee" in skipped[("knee_frontal_angle", "right")]
    assert report.measure("shoulder_tilt").value == 0.0


def test_no_measure_possible_raises() -> None:
    """With nothing measurable the error says which measures needed what."""
    with pytest.raises(MeasurementError, match="no posture measure") as caught:
        analyse({"nose": P(1, 1)}, "front")
    assert "shoulder" in str(caught.value)


@pytest.mark.parametrize(
    ("landmarks", "view", "vertical", "words"),
    [
        (FRONT, "top", None, "not a photo view"),
        (with_(FRONT, left_elbw=P(1, 1)), "front", None, "not a landmark name"),
        (with_(FRONT, nose=P(float("nan"), 1)), "front", None, "finite"),
        (FRONT, "front", (P(5, 5), P(5, 5)), "same"),
        (FRONT, "front", (P(0, 0), P(100, 10)), "sideways"),
        ({n: P(p.x, 1000 - p.y) for n, p in FRONT.items()}, "front", None, "upside down"),
    ],
    ids=["view", "name", "nan", "vertical-point", "vertical-flat", "upside-down"],
)
def test_bad_input_is_refused_with_a_fix(
    landmarks: dict[str, Point], view: str, vertical: tuple[Point, Point] | None, words: str
) -> None:
    """Bad views, names, coordinates and verticals raise MeasurementError saying what to do."""
    with pytest.raises(MeasurementError, match=words):
        analyse(landmarks, view, vertical=vertical)


# ------------------------------------------------------------------ findings, patterns, output


def forward_head_rounded_shoulders() -> dict[str, Point]:
    return with_(SIDE, c7=C7, left_ear=at(C7, 120, 42), left_shoulder=at(C7, 80, -30))


def test_forward_head_and_protracted_shoulders_suggest_upper_crossed() -> None:
    """Both flags raise their findings, which together suggest the upper crossed pattern with its muscles."""
    report = analyse(forward_head_rounded_shoulders(), "left")
    assert {f.id for f in report.findings} == {"forward_head", "protracted_shoulders"}
    upper = next(p for p in report.patterns if p.id == "upper_crossed")
    assert set(upper.matched) == {"forward_head", "protracted_shoulders"}
    short = {m.id: m.name for m in upper.short}
    long = {m.id for m in upper.long}
    kb = load_base()
    assert "pectoralis_minor" in short
    assert short["pectoralis_minor"] == kb.muscles["pectoralis_minor"].name
    assert {"longus_colli", "lower_trapezius"} <= long
    head = next(f for f in report.findings if f.id == "forward_head")
    assert head.measures == ("craniovertebral_angle",)
    assert any(m.id == "sternocleidomastoid" for m in head.short)


def test_one_finding_alone_does_not_suggest_upper_crossed() -> None:
    """A forward head with normal shoulders raises forward_head but not the two-finding pattern."""
    report = analyse(with_(SIDE, c7=C7, left_ear=at(C7, 120, 42), left_shoulder=at(C7, 80, -55)), "left")
    assert [f.id for f in report.findings] == ["forward_head"]
    assert all(p.id != "upper_crossed" for p in report.patterns)


def test_sided_findings_carry_their_sides() -> None:
    """Valgus of both knees is one finding on both sides."""
    d = 200 * math.tan(RAD(5))
    report = analyse(with_(FRONT, left_knee=P(560 - d, 700), right_knee=P(440 + d, 700)), "front")
    valgus = next(f for f in report.findings if f.id == "knee_valgus")
    assert set(valgus.sides) == {"left", "right"}


def test_report_is_json_ready_with_version_and_geometry() -> None:
    """to_dict() dumps to JSON with the KB version, each measure's norm and error, and drawable geometry."""
    report = analyse(forward_head_rounded_shoulders(), "left")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["kb_version"] == load_base().version
    cva = next(m for m in data["measures"] if m["id"] == "craniovertebral_angle")
    assert cva["normal"] == {"low": 50.0, "high": None}
    assert cva["error"] == 3.0
    assert cva["status"] == "low"
    assert data["geometry"]["plumb"]["a"] == [300.0, 900.0]
    assert {s["measure"] for s in data["geometry"]["segments"]} >= {"craniovertebral_angle", "shoulder_c7_angle"}
    assert set(data["geometry"]["points"]) >= {"c7", "left_ear", "left_shoulder", "left_ankle"}


def span(start: float, end: float) -> float:
    d = (end - start) % 360
    return min(d, 360 - d)


@pytest.mark.parametrize("tilt", [0.0, 12.0, -20.0])
def test_arcs_span_the_measured_angle_in_photo_coordinates(tilt: float) -> None:
    """Each drawn arc opens by the measured angle, and the plumb line runs along the marked vertical."""
    pivot = P(300, 900)
    pose = rotated(forward_head_rounded_shoulders(), tilt, pivot)
    line = rotated({"a": P(0, 900), "b": P(0, 0)}, tilt, pivot)
    report = analyse(pose, "left", vertical=(line["a"], line["b"]))
    for measure in ("craniovertebral_angle", "shoulder_c7_angle", "body_sway_angle"):
        arc = next(a for a in report.geometry.arcs if a.measure == measure)
        assert span(arc.start_deg, arc.end_deg) == pytest.approx(abs(report.measure(measure).exact), abs=1e-6)
    plumb = report.geometry.plumb
    assert plumb is not None
    vx, vy = line["b"].x - line["a"].x, line["b"].y - line["a"].y
    px, py = plumb.b.x - plumb.a.x, plumb.b.y - plumb.a.y
    assert abs(vx * py - vy * px) / (math.hypot(vx, vy) * math.hypot(px, py)) < 1e-9


def test_a_client_bending_over_gets_a_warning_and_an_upright_one_does_not() -> None:
    """A trunk leaning 35 degrees from the vertical is not the standing position the norms assume: warned."""
    assert not analyse(FRONT, "front").warnings
    hips = P(500, 500)
    lean = RAD(35)
    shoulders_mid = P(hips.x + 300 * math.sin(lean), hips.y - 300 * math.cos(lean))
    bent = with_(
        FRONT,
        left_shoulder=P(shoulders_mid.x + 100, shoulders_mid.y),
        right_shoulder=P(shoulders_mid.x - 100, shoulders_mid.y),
    )
    warnings = analyse(bent, "front").warnings
    assert any("does not seem to stand upright" in w and "35°" in w for w in warnings), warnings


def _crouched(knee_bend: float) -> dict[str, Point]:
    """SIDE with the knee pushed forward (the client faces image-left) so the leg bends ``knee_bend``°."""
    hip, ankle = SIDE["left_hip"], SIDE["left_ankle"]
    half = (ankle.y - hip.y) / 2
    forward = half * math.tan(RAD(knee_bend / 2))
    return with_(SIDE, left_knee=P(hip.x - forward, hip.y + half))


def test_bent_knees_withhold_the_standing_measures_with_a_warning() -> None:
    """Knees bent 60 degrees (a walking frame, a crouch) do not read as 'within the normal range'."""
    report = analyse(_crouched(60), "left")
    ids = {m.id for m in report.measures}
    assert not ids & {"knee_hyperextension", "body_sway_angle", "plumb_hip_offset", "plumb_knee_offset"}
    assert "craniovertebral_angle_proxy" in ids  # the head and neck are still measured
    withheld = {s.id: s.reason for s in report.skipped}
    assert "the knee is bent 60°" in withheld["knee_hyperextension"]
    assert any("knee is bent 60°" in w and "withheld" in w for w in report.warnings), report.warnings
    assert report.geometry.plumb is None
    assert not any(s.measure == "knee_hyperextension" for s in report.geometry.segments)


def test_a_slightly_soft_knee_and_a_hyperextended_one_are_still_measured() -> None:
    """Below the limit, and a knee behind the hip-ankle line (past straight), the measures stay."""
    soft = analyse(_crouched(10), "left")
    assert soft.measure("knee_hyperextension").value == pytest.approx(-10.0, abs=0.2)
    assert not soft.warnings
    hip, ankle = SIDE["left_hip"], SIDE["left_ankle"]
    back = with_(SIDE, left_knee=P(hip.x + 40, (hip.y + ankle.y) / 2))  # behind the line: past straight
    report = analyse(back, "left")
    assert report.measure("knee_hyperextension").value > 20
    assert not report.warnings


def test_a_bent_hip_withholds_the_standing_measures() -> None:
    """A client sitting or leaning at the hips (shoulder far forward of the hip-knee line) is warned."""
    hip = SIDE["left_hip"]
    shoulder = at(hip, 270, 90 - 45)  # trunk 45 degrees forward of vertical, toward image-left
    report = analyse(with_(SIDE, left_shoulder=shoulder, left_ear=P(shoulder.x - 20, shoulder.y - 100),
                           nose=P(shoulder.x - 100, shoulder.y - 90)), "left")  # fmt: skip
    assert any("hip is bent" in w for w in report.warnings), report.warnings
    assert "plumb_shoulder_offset" not in {m.id for m in report.measures}
