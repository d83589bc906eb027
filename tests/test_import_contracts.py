"""The import contracts in pyproject.toml hold the package's shape: these tests plant a violation in a
copy of the package and check that `lint-imports` (what `make lint` runs) refuses it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _copy_of_taut(tmp_path: Path) -> Path:
    """The package's Python files and the project's contracts, in a fresh directory."""

    def not_python(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if not (n.endswith(".py") or (Path(folder) / n).is_dir()) or n == "__pycache__"]

    shutil.copytree(ROOT / "taut", tmp_path / "taut", ignore=not_python)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "pyproject.toml", "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _plant(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = path.with_suffix("") / "__init__.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_package_keeps_its_contracts(tmp_path: Path) -> None:
    result = _lint(_copy_of_taut(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    assert result.stdout.count("KEPT") == 3


@pytest.mark.parametrize(
    ("module", "line", "broken", "named"),
    [
        # a cycle inside an app: the job machinery importing the task that imports it
        ("taut.motion.jobs", "import taut.motion.tasks", "No import cycles", "allowed in taut.motion."),
        # a cycle between two sibling modules of the core
        (
            "taut.core.knowledge.loader",
            "import taut.core.measures.rom",
            "No import cycles",
            "allowed in taut.core.",
        ),
        # an upward import: a lower app reaching into one built on it
        ("taut.clients.services", "import taut.motion.models", "Layers", "taut.clients.services"),
        # access reaching up into an app
        ("taut.access.scoping", "import taut.clients.models", "Layers", "taut.access.scoping"),
        # the core reaching Django through an app (no indirect-import loophole)
        ("taut.core.csvsafe", "import taut.audit.context", "The core is framework-free", "taut.core.csvsafe"),
        # the core importing Django itself
        ("taut.core.csvsafe", "import django.db", "The core is framework-free", "django"),
        # a new top-level package that no layer lists
        ("taut.sessions", "import taut.clients", "Layers", "sessions"),
    ],
)
def test_a_planted_violation_fails_lint(tmp_path: Path, module: str, line: str, broken: str, named: str) -> None:
    tree = _copy_of_taut(tmp_path)
    _plant(tree, module, line)
    result = _lint(tree)
    assert result.returncode != 0, result.stdout
    report = result.stdout + result.stderr
    assert named in report, report
    assert any(ln.startswith(broken) and ln.endswith("BROKEN") for ln in result.stdout.splitlines()), report
