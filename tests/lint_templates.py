"""Lint for escaping, raw SQL and scoping escapes in taut/ (run: `python -m tests.lint_templates`).

Python files (AST): `mark_safe`, `SafeString` (outside the reviewed MARK_SAFE_FILES), raw SQL
(`.raw(`, `.extra(`, `.execute(`, `.executemany(`, `.executescript(`) outside the few files that
need it, and `scopes_disabled` / `unscoped` outside the allow-list. Templates (regex): `|safe`, `|safeseq` and
`{% autoescape off %}`. Each finding prints `file:line: message` with how to fix it; the exit
status is 1 when there is any finding.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# Files that may run SQL by hand (and, for views.py, only inside these functions).
# A backup and its restore copy and count whole databases (every clinic, every table, below the ORM).
RAW_SQL_FILES = {"taut/audit/service.py", "taut/web/durability.py", "taut/privacy/backup.py", "taut/privacy/restore.py"}
RAW_SQL_FUNCTIONS = {"taut/web/views.py": {"healthz"}}
RAW_SQL_CALLS = {"raw", "extra", "execute", "executemany", "executescript"}
UNSCOPED_FILES = {
    "taut/access/scoping.py",
    "taut/access/services.py",
    "taut/audit/service.py",
    "taut/demo/__init__.py",
    "taut/demo/course.py",
    "taut/cli.py",
    "taut/privacy/restore.py",  # a restored database is checked whole: every clinic's rows and audit chain
    "taut/motion/tasks.py",  # a starting worker finds every clinic's dead jobs (ids only); each runs in its clinic
    "taut/directory/public.py",  # the public directory: published listings of every clinic, no client data
    "taut/privacy/erasure.py",  # the purge finds due requests in every clinic, and a client's rows below the scope
}
UNSCOPED_NAMES = {"scopes_disabled", "unscoped"}
UNSAFE_NAMES = {"mark_safe", "SafeString", "SafeText"}
# Reviewed exceptions: markup built only from knowledge-base geometry, escaped where it is made
# (taut.core.bodymap.svg escapes every text and allow-lists the CSS classes); no user text.
# The one JSON-LD tag (directory and self-care pages): JSON with <, > and & as \u escapes.
MARK_SAFE_FILES = {"taut/atlas/templatetags/bodymap.py", "taut/directory/templatetags/directory_jsonld.py"}

TEMPLATE_RULES = [
    (
        re.compile(r"\|\s*safe(seq)?\b"),
        "the |safe filter turns off escaping; render the value as is (Django escapes it) "
        "or build markup in the template",
    ),
    (
        re.compile(r"{%\s*autoescape\s+off\s*%}"),
        "{% autoescape off %} turns off escaping; remove it and let Django escape values",
    ),
]


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _is_migration(rel: str) -> bool:
    return "/migrations/" in rel


class _PythonVisitor(ast.NodeVisitor):
    def __init__(self, rel: str) -> None:
        self.rel = rel
        self.findings: list[Finding] = []
        self.functions: list[str] = []

    def _add(self, node: ast.AST, message: str) -> None:
        self.findings.append(Finding(self.rel, getattr(node, "lineno", 0), message))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    def _name_used(self, node: ast.AST, name: str) -> None:
        if name in UNSAFE_NAMES and self.rel not in MARK_SAFE_FILES:
            self._add(node, f"{name} marks text as safe HTML; pass plain strings and let templates escape them")
        if name in UNSCOPED_NAMES and self.rel not in UNSCOPED_FILES:
            self._add(
                node,
                f"{name} crosses clinic boundaries; use clinic_scope() (or move the code into "
                "taut/access/services.py and call it from there)",
            )

    def visit_Name(self, node: ast.Name) -> None:
        self._name_used(node, node.id)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self._name_used(node, node.attr)
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            self._name_used(node, alias.name)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in RAW_SQL_CALLS and not self._sql_allowed():
            self._add(
                node,
                f".{func.attr}() runs raw SQL outside the scoping mechanism; use the ORM through "
                "a clinic-scoped manager (raw SQL belongs in migrations or taut/audit/service.py)",
            )
        self.generic_visit(node)

    def _sql_allowed(self) -> bool:
        if self.rel in RAW_SQL_FILES or _is_migration(self.rel):
            return True
        allowed = RAW_SQL_FUNCTIONS.get(self.rel, set())
        return bool(self.functions) and self.functions[0] in allowed


def lint_python(rel: str, source: str) -> list[Finding]:
    try:
        tree = ast.parse(source, filename=rel)
    except SyntaxError as exc:
        return [Finding(rel, exc.lineno or 0, f"cannot parse: {exc.msg}")]
    visitor = _PythonVisitor(rel)
    visitor.visit(tree)
    return visitor.findings


def lint_template(rel: str, source: str) -> list[Finding]:
    findings = []
    for number, line in enumerate(source.splitlines(), start=1):
        for pattern, message in TEMPLATE_RULES:
            if pattern.search(line):
                findings.append(Finding(rel, number, message))
    return findings


def lint(root: Path) -> list[Finding]:
    """Lint every Python file and template under root/taut."""
    findings: list[Finding] = []
    for path in sorted((root / "taut").rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        if path.suffix == ".py":
            findings += lint_python(rel, path.read_text(encoding="utf-8"))
        elif "/templates/" in rel and path.suffix in {".html", ".txt", ".xml", ".svg", ".md"}:
            findings += lint_template(rel, path.read_text(encoding="utf-8"))
    return findings


def main(root: Path | None = None) -> int:
    root = root or Path(__file__).resolve().parent.parent
    findings = lint(root)
    for finding in findings:
        sys.stdout.write(f"{finding}\n")
    if findings:
        sys.stderr.write(f"{len(findings)} finding(s).\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
