"""The escaping/raw-SQL/scoping lint finds planted examples and passes on the real tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import lint_templates

REPO = Path(__file__).resolve().parent.parent


def _plant(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _lines(root: Path) -> set[tuple[str, int]]:
    return {(f.path, f.line) for f in lint_templates.lint(root)}


@pytest.mark.parametrize(
    ("rel", "source", "line"),
    [
        ("taut/clients/views.py", "from django.utils.safestring import mark_safe\n", 1),
        ("taut/atlas/templatetags/other.py", "from django.utils.safestring import SafeString\n", 1),
        ("taut/clients/views.py", "import x\n\n\ndef f(n):\n    return x.mark_safe(n)\n", 5),
        ("taut/clients/views.py", "def f(qs):\n    return qs.raw('SELECT 1')\n", 2),
        ("taut/clients/views.py", "def f(qs):\n    return qs.extra(where=['1=1'])\n", 2),
        ("taut/clients/services.py", "def f(c):\n    with c.cursor() as cur:\n        cur.execute('x')\n", 3),
        ("taut/web/views.py", "def other(c):\n    c.cursor().execute('SELECT 1')\n", 2),
        ("taut/clients/views.py", "from django_scopes import scopes_disabled\n", 1),
        ("taut/clients/views.py", "from taut.access import scoping\n\nwith scoping.unscoped():\n    pass\n", 3),
    ],
)
def test_lint_reports_planted_python_examples(tmp_path: Path, rel: str, source: str, line: int) -> None:
    """Each banned construct in a Python file is reported at its file and line."""
    _plant(tmp_path, rel, source)
    assert (rel, line) in _lines(tmp_path)
    assert lint_templates.main(tmp_path) == 1


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("<p>ok</p>\n<p>{{ client.given_name|safe }}</p>\n", 2),
        ("<p>{{ client.notes | safe }}</p>\n", 1),
        ("{% load x %}\n\n{% autoescape off %}{{ a }}{% endautoescape %}\n", 3),
    ],
)
def test_lint_reports_planted_template_examples(tmp_path: Path, source: str, line: int) -> None:
    """|safe and {% autoescape off %} in a template are reported at their line."""
    rel = "taut/clients/templates/clients/planted.html"
    _plant(tmp_path, rel, source)
    assert _lines(tmp_path) == {(rel, line)}


@pytest.mark.parametrize(
    ("rel", "source"),
    [
        ("taut/web/views.py", "def healthz(c):\n    c.cursor().execute('SELECT 1')\n"),
        ("taut/audit/service.py", "def f(cur):\n    cur.execute('SELECT 1')\n"),
        ("taut/audit/migrations/0009_x.py", "def f(s):\n    s.execute('CREATE TRIGGER t')\n"),
        ("taut/access/services.py", "from taut.access.scoping import unscoped\n\nwith unscoped():\n    pass\n"),
        ("taut/access/scoping.py", "from django_scopes import scopes_disabled\n"),
        ("taut/atlas/templatetags/bodymap.py", "from django.utils.safestring import mark_safe\n"),
        ("taut/clients/templates/clients/ok.html", "<p>{{ client.given_name }} {{ x|safe_join }}</p>\n"),
    ],
)
def test_lint_allows_the_allow_listed_places(tmp_path: Path, rel: str, source: str) -> None:
    """Raw SQL in healthz, the audit service and migrations, and unscoped() in the allow-list pass."""
    _plant(tmp_path, rel, source)
    assert lint_templates.lint(tmp_path) == []
    assert lint_templates.main(tmp_path) == 0


def test_lint_output_names_file_line_and_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The report says where the problem is and what to use instead."""
    _plant(tmp_path, "taut/clients/views.py", "x = 1\nfrom django.utils.safestring import mark_safe\n")
    assert lint_templates.main(tmp_path) == 1
    out = capsys.readouterr().out
    assert "taut/clients/views.py:2:" in out
    assert "let templates escape" in out


def test_the_real_tree_is_clean() -> None:
    """`python -m tests.lint_templates` exits 0 on the repository (as `make lint` runs it)."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.lint_templates"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
