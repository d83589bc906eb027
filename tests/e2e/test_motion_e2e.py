"""Posture photos and gait videos in a real browser, against `taut serve` with its background worker
and the real pose model, on real media (fetched by tests/media_files.py, never committed)."""

from __future__ import annotations

import io
import json
import math
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from benchmarks.browser import log_in
from benchmarks.server import DemoServer
from taut.demo import CLIENTS, DEMO_PASSWORD
from tests.e2e.watch import CSP_LISTENER, Watcher
from tests.media_files import media

pytestmark = pytest.mark.e2e

NewPage = Callable[[], Any]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ANALYSIS_TIMEOUT_MS = 240_000  # two shared cores: a 7.7 s clip takes 10-60 s to track


def _media(name: str) -> Path:
    path = media(name)
    if path is None:
        pytest.skip(f"test media {name!r} could not be downloaded from PyPI (offline?)")
    return path


@pytest.fixture(scope="module")
def standing_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first frame of pose2sim's cam04 (one person standing, seen from behind, portrait) as a JPEG file."""
    from taut.core.vision.media import frame_at

    _, rgb = frame_at(_media("pose2sim_cam04"), 0.0, max_side=4096)
    path = tmp_path_factory.mktemp("photos") / "standing.jpg"
    Image.fromarray(rgb).save(path, format="JPEG", quality=90)
    return path


def _open_visit(page: Any, given: str, family: str) -> str:
    """Open the client's first visit; returns the visit page's path."""
    page.goto("/clients/")
    page.get_by_role("link", name=f"{family}, {given}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{given} {family}")
    page.locator("ol.timeline a").first.click()
    expect(page).to_have_url(re.compile(r"/clients/\d+/visits/\d+/$"))
    return re.sub(r"^https?://[^/]+", "", page.url)


def _slot(page: Any, label: str) -> Any:
    return page.locator("section.photo-slot", has=page.get_by_role("heading", name=label, exact=True))


def _saved_landmarks(page: Any) -> dict[str, list[float]]:
    """The landmarks the server rendered into the page (what it has stored)."""
    raw = page.locator("#posture-svg").get_attribute("data-landmarks")
    return dict(json.loads(raw or "{}"))


def _field_landmarks(page: Any) -> dict[str, list[float]]:
    """The landmarks the form will post (what the script keeps in step with the drawing)."""
    return dict(json.loads(page.locator("#landmarks-field").input_value()))


def _handle(page: Any, title: str) -> Any:
    return page.locator("#posture-svg circle", has=page.locator("title", has_text=re.compile(f"^{title}$")))


def _centre(locator: Any) -> tuple[float, float]:
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None, "the handle is not drawn"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _photo_px_per_css_px(page: Any) -> float:
    box = page.locator("#posture-svg").bounding_box()
    assert box is not None
    return float(page.locator("#posture-svg").get_attribute("data-width") or 0) / float(box["width"])


def _drag(page: Any, locator: Any, dx: float, dy: float) -> None:
    x, y = _centre(locator)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=10)
    page.mouse.up()


def _measure_cells(page: Any, name: str) -> list[str]:
    row = page.locator("table.measures tbody tr", has=page.locator("td", has_text=re.compile(f"^{name}")))
    expect(row.first).to_be_visible()
    return [str(t).strip() for t in row.first.locator("td").all_inner_texts()]


def _measure_value(page: Any, name: str) -> str:
    return _measure_cells(page, name)[1]


def _media_files(server: DemoServer) -> list[str]:
    root = server.data_dir / "media"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_practitioner_uploads_a_posture_photo_drags_a_landmark_and_sets_the_vertical(
    new_page: NewPage, server: DemoServer, watcher: Watcher, standing_photo: Path
) -> None:
    """Leo uploads a real standing photo (from behind) as the back view and sees the pose model's landmarks over it,
    and measures with their typical range. Dragging the left shoulder moves that point by the dragged
    distance and, once saved, changes the shoulder measure. Turning on the true vertical and tilting it
    is saved and corrects for the tilt. The annotated image opens as a PNG of the photo's size.
    """
    given, family, *_ = CLIENTS["harbour-street"][2]
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    visit_path = _open_visit(leo, given, family)
    leo.get_by_role("link", name="Posture photos").click()
    expect(leo.get_by_role("heading", level=1)).to_have_text("Posture photos")
    back = _slot(leo, "Back")
    back.locator("input[name=photo]").set_input_files(str(standing_photo))
    back.get_by_role("button", name="Upload and measure").click()

    expect(leo).to_have_url(re.compile(re.escape(visit_path) + r"posture/\d+/$"))
    expect(leo.get_by_role("heading", level=1)).to_have_text("Back photo")
    expect(leo.get_by_text("Photo measured.")).to_be_visible()
    photo = leo.locator("#posture-stage img")
    expect(photo).to_have_js_property("complete", True)
    with Image.open(standing_photo) as original:
        size = list(original.size)
    assert photo.evaluate("img => [img.naturalWidth, img.naturalHeight]") == size
    assert leo.locator("#posture-svg circle.landmark").count() >= 12
    detected = _saved_landmarks(leo)
    assert {"left_shoulder", "right_shoulder", "left_hip", "right_hip"} <= set(detected)
    shoulder = _handle(leo, "left shoulder")
    expect(shoulder).to_have_count(1)
    assert float(shoulder.get_attribute("cx") or "nan") == pytest.approx(detected["left_shoulder"][0], abs=0.1)
    before = _measure_value(leo, "Shoulder height difference")
    typical = _measure_cells(leo, "Shoulder height difference")[2]
    assert re.search(r"\d", typical.split("(±")[0]), f"no typical range shown: {typical!r}"

    # drag the client's left shoulder 40 CSS pixels up and 15 to the right
    scale = _photo_px_per_css_px(leo)
    _drag(leo, shoulder, 15, -40)
    moved = _field_landmarks(leo)["left_shoulder"]
    start = detected["left_shoulder"]
    assert moved[0] - start[0] == pytest.approx(15 * scale, abs=2 * scale)
    assert moved[1] - start[1] == pytest.approx(-40 * scale, abs=2 * scale)
    others = {k: v for k, v in _field_landmarks(leo).items() if k != "left_shoulder"}
    assert others == {k: v for k, v in detected.items() if k != "left_shoulder"}

    leo.get_by_role("button", name="Save landmarks and measure").click()
    expect(leo.get_by_text("Landmarks saved; the measures use them as placed.")).to_be_visible()
    saved = _saved_landmarks(leo)
    assert saved["left_shoulder"] == pytest.approx(moved, abs=0.11)
    after = _measure_value(leo, "Shoulder height difference")
    assert after != before, f"the shoulder measure stayed at {before} after the shoulder was moved"

    # the true vertical: two handles appear; tilt its lower end and save
    expect(leo.locator("#posture-svg circle.vertical-end")).to_have_count(0)
    expect(leo.get_by_text("Corrected for a camera tilt")).to_have_count(0)
    leo.get_by_label("Set the true vertical").check()
    ends = leo.locator("#posture-svg circle.vertical-end")
    expect(ends).to_have_count(2)
    expect(leo.locator("#posture-svg line.vertical")).to_have_count(1)
    _drag(leo, ends.nth(1), 20, 0)
    posted = json.loads(leo.locator("#vertical-field").input_value())
    (x0, y0), (x1, y1) = posted
    assert x1 - x0 == pytest.approx(20 * scale, abs=2 * scale)
    leo.get_by_role("button", name="Save landmarks and measure").click()
    expect(leo.get_by_text("Landmarks saved; the measures use them as placed.")).to_be_visible()
    expect(leo.get_by_label("Set the true vertical")).to_be_checked()
    stored = json.loads(leo.locator("#posture-svg").get_attribute("data-vertical") or "null")
    assert [*stored[0], *stored[1]] == pytest.approx([x0, y0, x1, y1], abs=0.11)
    tilt_text = leo.get_by_text(re.compile(r"Corrected for a camera tilt of -?[\d.]+°"))
    expect(tilt_text).to_be_visible()
    shown = float(re.findall(r"-?[\d.]+", tilt_text.inner_text())[0])
    expected = math.degrees(math.atan2(abs(x1 - x0), abs(y1 - y0)))
    assert abs(shown) == pytest.approx(expected, abs=0.05)
    assert _saved_landmarks(leo)["left_shoulder"] == saved["left_shoulder"]  # the landmarks were kept

    # the annotated image opens as a PNG of the photo
    link = leo.get_by_role("link", name="Annotated image")
    response = leo.request.get(link.get_attribute("href") or "")
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"].startswith("no-store")
    body = response.body()
    assert body.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(body)) as annotated:
        assert list(annotated.size) == size
    # the browser decodes it too (as an <img>, the way the comparison page shows it: opened on its own,
    # chromium's image viewer styles itself inline, which the CSP refuses)
    decoded = leo.evaluate(
        """href => new Promise((done, fail) => {
             const img = new Image(); img.onload = () => done([img.naturalWidth, img.naturalHeight]);
             img.onerror = () => fail(new Error("the annotated image did not load")); img.src = href; })""",
        link.get_attribute("href"),
    )
    assert decoded == size
    watcher.assert_clean()


def test_a_text_file_uploaded_as_a_photo_is_refused_and_nothing_is_stored(
    new_page: NewPage, server: DemoServer, watcher: Watcher
) -> None:
    """A text file named like a JPEG, uploaded as the back view, gets the error box saying it is not a
    photo; no photo appears in any slot and no file is added to the media folder.
    """
    given, family, *_ = CLIENTS["harbour-street"][4]
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    _open_visit(leo, given, family)
    leo.get_by_role("link", name="Posture photos").click()
    thumbs = leo.locator("img.thumb")
    thumbs_before = thumbs.count()
    files_before = _media_files(server)
    back = _slot(leo, "Back")
    back.locator("input[name=photo]").set_input_files(
        files=[{"name": "back.jpg", "mimeType": "image/jpeg", "buffer": b"Shoulders level, pelvis even.\n" * 40}]
    )
    with leo.expect_response(lambda r: r.request.method == "POST") as posted:
        back.get_by_role("button", name="Upload and measure").click()
    assert posted.value.status == 400
    error = leo.locator(".error-box[role=alert]")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Nothing was stored.")
    expect(error).to_contain_text("This file is not a photo")
    expect(leo.get_by_role("heading", level=1)).to_have_text("Posture photos")
    expect(thumbs).to_have_count(thumbs_before)
    expect(_slot(leo, "Back").locator("img")).to_have_count(0)
    expect(_slot(leo, "Back").get_by_role("link", name="Open and check the landmarks")).to_have_count(0)
    assert _media_files(server) == files_before
    watcher.assert_clean()


def test_a_landmark_can_be_dragged_by_touch_on_a_phone(
    browser: Any, server: DemoServer, watcher: Watcher, standing_photo: Path
) -> None:
    """On a phone-sized touch screen, a finger dragging the left hip (the near side of a left-side view)
    moves that landmark (and only it) rather than scrolling the page."""
    context = browser.new_context(
        base_url=server.base_url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    context.add_init_script(CSP_LISTENER)
    try:
        page = context.new_page()
        watcher.attach(page)
        given, family, *_ = CLIENTS["harbour-street"][3]
        log_in(page, "priya", DEMO_PASSWORD)
        _open_visit(page, given, family)
        page.get_by_role("link", name="Posture photos").click()
        left = _slot(page, "Left side")
        left.locator("input[name=photo]").set_input_files(str(standing_photo))
        left.get_by_role("button", name="Upload and measure").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Left side photo")
        hip = _handle(page, "left hip")
        expect(hip).to_have_count(1)
        start = _saved_landmarks(page)["left_hip"]
        scale = _photo_px_per_css_px(page)
        x, y = _centre(hip)
        scrolled = page.evaluate("window.scrollY")
        cdp = context.new_cdp_session(page)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        for n in range(1, 11):
            point = {"x": x - 3 * n, "y": y + 3 * n}  # 30 CSS px left and 30 down, in ten moves
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        moved = _field_landmarks(page)
        assert moved["left_hip"][0] - start[0] == pytest.approx(-30 * scale, abs=3 * scale)
        assert moved["left_hip"][1] - start[1] == pytest.approx(30 * scale, abs=3 * scale)
        assert page.evaluate("window.scrollY") == scrolled
        saved = _saved_landmarks(page)
        assert {k: v for k, v in moved.items() if k != "left_hip"} == {
            k: v for k, v in saved.items() if k != "left_hip"
        }
        page.get_by_role("button", name="Save landmarks and measure").click()
        expect(page.get_by_text("Landmarks saved; the measures use them as placed.")).to_be_visible()
        assert _saved_landmarks(page)["left_hip"] == pytest.approx(moved["left_hip"], abs=0.11)
    finally:
        context.close()
    watcher.assert_clean()


def _progress(page: Any) -> float | None:
    """The progress bar's value, or None when the page shows no progress bar."""
    bar = page.locator("#gait-status progress")
    if bar.count() == 0:
        return None
    return float(bar.get_attribute("value") or "nan")


def _wait_for_progress_above(page: Any, floor: float, timeout: float = 120.0) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = _progress(page)
        if value is None:
            raise AssertionError(f"the progress bar went away before passing {floor}")
        if value > floor:
            return value
        page.wait_for_timeout(250)
    raise AssertionError(f"the progress stayed at or below {floor} for {timeout:.0f} s")


def test_practitioner_uploads_a_gait_video_watches_it_analysed_and_picks_another_person(
    new_page: NewPage, watcher: Watcher
) -> None:
    """Leo uploads the sports2d walk (from the side). The video page shows a progress bar that the
    background worker advances, still there after a reload mid-analysis, and then the report: the
    measures with cadence, the joint-angle plot and the frame to pick the walker. Clicking a person on
    that frame and analysing again puts the page back into the progress state, and the new run ends
    with the pick remembered.
    """
    video_path = _media("sports2d_demo")
    from taut.core.vision.media import probe_video
    from taut.core.vision.video import preview_people

    info = probe_video(video_path)
    given, family, *_ = CLIENTS["harbour-street"][5]
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    visit_path = _open_visit(leo, given, family)
    leo.get_by_role("link", name="Gait video").click()
    expect(leo.get_by_role("heading", level=1)).to_have_text("Gait video")
    leo.get_by_label("From the side").check()
    leo.get_by_label("Video").set_input_files(str(video_path))
    leo.get_by_role("button", name="Upload and analyse").click()

    expect(leo).to_have_url(re.compile(re.escape(visit_path) + r"gait/\d+/$"))
    expect(leo.get_by_role("heading", level=1)).to_have_text("Gait · from the side")
    expect(
        leo.get_by_text(f"{info.duration:.1f} s at {info.fps:.0f} frames per second, {info.width}×{info.height}.")
    ).to_be_visible()
    bar = leo.get_by_role("progressbar", name="Analysis progress")
    expect(bar).to_be_visible()
    expect(leo.get_by_role("heading", name="Measures")).to_have_count(0)

    first = _wait_for_progress_above(leo, 0.0)
    expect(leo.locator("#gait-status")).to_contain_text("Analysing")
    leo.reload()
    expect(bar).to_be_visible()
    after_reload = _progress(leo)
    assert after_reload is not None
    assert after_reload >= first
    _wait_for_progress_above(leo, after_reload)

    # the page reloads itself when the worker is done
    expect(leo.get_by_role("heading", name="Measures")).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    expect(bar).to_have_count(0)
    expect(leo.locator("#gait-status")).to_contain_text("Done")
    measures = leo.locator("table.measures tbody tr")
    cadence = measures.filter(has=leo.locator("td", has_text=re.compile(r"^Cadence$")))
    expect(cadence).to_have_count(1)
    expect(cadence.locator("td").nth(1)).to_contain_text(re.compile(r"\d"))
    # a flagged row names what is outside the typical range (and on which side), never "normal"
    for row in measures.all():
        cells = [str(t).strip() for t in row.locator("td").all_inner_texts()]
        outside = row.locator("td.status-low, td.status-high").count() + (
            1 if re.search(r"\bstatus-(low|high)\b", row.get_attribute("class") or "") else 0
        )
        assert re.fullmatch(r"((low|high)\b ?)?((left|right) (low|high) ?)*", cells[5]), cells
        assert bool(cells[5]) == bool(outside), cells
    plot = leo.get_by_role("img", name="Joint angles over the gait cycle against the typical band")
    expect(plot).to_have_js_property("complete", True)
    assert plot.evaluate("img => img.naturalWidth") > 0
    expect(leo.get_by_role("heading", name="Followed the wrong person?")).to_be_visible()
    frame = leo.locator("#people-frame")
    expect(frame).to_have_js_property("complete", True)
    assert frame.evaluate("img => img.naturalWidth") > 0

    # pick a person the model sees on that frame (the middle of the clip, as the page draws it)
    people = preview_people(video_path, info.duration / 2)
    assert people, "the model found nobody on the middle frame"
    x0, y0, x1, y1 = people[0].box()
    target = ((x0 + x1) / 2, (y0 + y1) / 2)
    frame.scroll_into_view_if_needed()
    box = frame.bounding_box()
    assert box is not None
    submit = leo.locator("#seed-submit")
    expect(submit).to_be_disabled()
    frame.click(position={"x": target[0] * box["width"] / info.width, "y": target[1] * box["height"] / info.height})
    expect(submit).to_be_enabled()
    seed = (float(leo.locator("#seed-x").input_value()), float(leo.locator("#seed-y").input_value()))
    assert seed == pytest.approx(target, abs=info.width / box["width"] + 1)
    expect(submit).to_have_text(f"Analyse again following the person at ({seed[0]:.0f}, {seed[1]:.0f})")
    submit.click()

    expect(leo.get_by_text("Analysing again, following the person you picked.")).to_be_visible()
    expect(bar).to_be_visible()
    expect(leo.locator("#gait-status")).to_contain_text(re.compile(r"Waiting|Analysing"))
    expect(leo.get_by_role("heading", name="Measures")).to_have_count(0)
    expect(leo.get_by_role("heading", name="Followed the wrong person?")).to_have_count(0)

    # the second run ends (done, or failed if the pick does not walk) and remembers the pick
    expect(leo.get_by_role("heading", name="Followed the wrong person?")).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    expect(leo.get_by_text(f"Now following the person at ({seed[0]:.0f}, {seed[1]:.0f}).")).to_be_visible()
    expect(leo.locator("#gait-status")).to_contain_text(re.compile(r"Done|Could not be analysed"))
    watcher.assert_clean()


def _texts(page: Any, selector: str) -> list[str]:
    """The text of SVG elements (they have no innerText)."""
    return [str(t) for t in page.locator(selector).evaluate_all("els => els.map(e => e.textContent)")]


def test_a_side_photo_shows_labelled_near_side_points_and_c7_can_be_placed(
    new_page: NewPage, server: DemoServer, watcher: Watcher, standing_photo: Path
) -> None:
    """In a side view only the near side's points are drawn, each labelled on the photo; the far side
    shows on request. C7, which no model finds, is placed with a button, dragged and saved, and then
    the true craniovertebral angle is measured from it.
    """
    given, family, *_ = CLIENTS["harbour-street"][2]
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    _open_visit(leo, given, family)
    leo.get_by_role("link", name="Posture photos").click()
    side = _slot(leo, "Left side")
    side.locator("input[name=photo]").set_input_files(str(standing_photo))
    side.get_by_label("I will place the landmarks by hand").check()  # the hand template has both sides
    side.get_by_role("button", name="Upload and measure").click()
    expect(leo.get_by_role("heading", level=1)).to_have_text("Left side photo")

    saved = _saved_landmarks(leo)
    assert any(n.startswith("right_") for n in saved), "no far-side point to hide"
    titles = _texts(leo, "#posture-svg circle.landmark title")
    assert titles
    assert not [t for t in titles if t.startswith("right ")], titles
    labels = _texts(leo, "#posture-svg text.landmark-label")
    assert "L shoulder" in labels, labels
    assert len(labels) == len(titles), labels
    leo.get_by_label("Show the far side's points too").check()
    expect(leo.locator("#posture-svg circle.far-side").first).to_be_visible()
    assert "R shoulder" in _texts(leo, "#posture-svg text.landmark-label")
    leo.get_by_label("Show the far side's points too").uncheck()
    expect(leo.locator("#posture-svg circle.far-side")).to_have_count(0)

    assert "c7" not in saved
    leo.get_by_role("button", name="Place C7").click()
    c7 = _handle(leo, "C7")
    expect(c7).to_have_count(1)
    expect(leo.get_by_role("button", name="Remove C7")).to_be_visible()
    _drag(leo, c7, 5, 5)
    placed = _field_landmarks(leo)["c7"]
    leo.get_by_role("button", name="Save landmarks and measure").click()
    expect(leo.get_by_text("Landmarks saved; the measures use them as placed.")).to_be_visible()
    assert _saved_landmarks(leo)["c7"] == pytest.approx(placed, abs=0.11)
    assert _saved_landmarks(leo).keys() == {*saved, "c7"}  # the hidden far-side points were kept
    row = leo.locator("table.measures tbody tr", has=leo.locator("td", has_text=re.compile(r"^Craniovertebral angle")))
    expect(row.first).to_be_visible()
    expect(row.first).not_to_contain_text("proxy")
    watcher.assert_clean()
