"""The layout's rules, checked: the domain never speaks HTTP, uploads are never a static mount,
templates extend their audience's layout."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from contest.app import create_app
from contest.settings import load_settings
from tests.web.routing import iter_routes

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "contest"
AUDIENCES = ("public", "designer", "judge", "organiser", "auth")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_domain_code_never_imports_starlette_or_the_web_layer():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "web" or relative.name in {"app.py", "__main__.py"}:
            continue
        bad = {m for m in imported_modules(path) if m.split(".")[0] == "starlette" or m.startswith("contest.web")}
        if bad:
            offenders.append((str(relative), sorted(bad)))
    assert offenders == []


def test_the_upload_folder_is_never_served_as_static_files(tmp_path):
    from starlette.staticfiles import StaticFiles

    settings = load_settings({"CONTEST_DATA_DIR": str(tmp_path)})
    app = create_app(settings, manage_database=False)
    static_dirs = [Path(route.app.directory).resolve() for route in app.routes
                   if isinstance(getattr(route, "app", None), StaticFiles)]
    assert static_dirs == [ROOT / "static"]
    assert all(not d.is_relative_to(settings.upload_dir) and not settings.upload_dir.is_relative_to(d) for d in static_dirs)


def test_every_audience_template_extends_its_layout():
    wrong = []
    for audience in AUDIENCES:
        for path in (ROOT / "templates" / audience).glob("*.html"):
            if path.name == "layout.html":
                continue
            first = path.read_text(encoding="utf-8").lstrip().splitlines()[0]
            if first != f'{{% extends "{audience}/layout.html" %}}':
                wrong.append(str(path.relative_to(ROOT)))
    assert wrong == []


def test_templates_contain_no_inline_script_or_style():
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html")
                 if inline.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_route_names_follow_audience_and_page(tmp_path):
    app = create_app(load_settings({"CONTEST_DATA_DIR": str(tmp_path)}), manage_database=False)
    names = [name for _, name, _ in iter_routes(app.routes)]
    assert names and all(re.fullmatch(r"[a-z]+:[a-z_]+", name) for name in names), names


def conditional_assertions(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert) and isinstance(node.test, ast.IfExp)]


def test_no_assertion_is_a_bare_conditional_expression():
    # `assert a == b if c else d` parses as `assert (a == b) if c else d`: the else branch asserts only d.
    offenders = {str(path.relative_to(ROOT)): lines for path in (ROOT / "tests").rglob("*.py")
                 if (lines := conditional_assertions(path))}
    assert offenders == {}
