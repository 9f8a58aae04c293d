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

pytestmark = [pytest.mark.unit, pytest.mark.any_database]

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


# --- the rank table (docs/architecture.md) -------------------------------------------------------

RANK_ROW = re.compile(r"^\| (\d+) \| `([\w.]+)` \| ([^|]+) \|", re.MULTILINE)


def rank_table() -> tuple[dict[str, int], dict[str, str]]:
    """(rank of each layer, layer of each top-level module named in the kernel and entry rows)."""
    ranks, named = {}, {}
    for rank, layer, modules in RANK_ROW.findall((ROOT / "docs/architecture.md").read_text(encoding="utf-8")):
        ranks[layer] = int(rank)
        for name in re.findall(r"`([\w./]+)`", modules):
            if name.endswith(".py"):
                named[name] = layer
    return ranks, named


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str, named: dict[str, str]) -> str | None:
    """The layer of `contest.x.y`: a package under contest/ (web's subpackages apart), or a top-level file."""
    parts = module.split(".")[1:]
    if not parts:
        return named.get("__init__.py")
    if parts[0] == "web" and len(parts) > 1 and (PACKAGE / "web" / parts[1]).is_dir():
        return f"web.{parts[1]}"
    if parts[0] == "web":
        return named.get(f"web/{parts[1]}.py" if len(parts) > 1 else "web/__init__.py")
    if (PACKAGE / parts[0]).is_dir():
        return parts[0]
    return named.get(f"{parts[0]}.py")


def imports_of(source: str) -> list[tuple[str, int]]:
    """Every `contest` module `source` imports, at any depth (inside functions and TYPE_CHECKING too), with
    its line; `from contest.x import y` names contest.x.y when y is a module. The code has no relative
    imports (test_no_relative_imports)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.append((candidate if is_module(candidate) else node.module, node.lineno))
    return [(name, line) for name, line in found if name == "contest" or name.startswith("contest.")]


def test_no_relative_imports():
    relative = [m for m, source in contest_modules().items()
                if any(isinstance(n, ast.ImportFrom) and n.level for n in ast.walk(ast.parse(source)))]
    assert relative == []


def is_module(name: str) -> bool:
    path = ROOT / Path(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def rank_violations(module: str, source: str, ranks: dict[str, int], named: dict[str, str]) -> list[str]:
    """Each import of `source` (the text of `module`) that runs up the table or sideways to a sibling layer."""
    own = layer_of(module, named)
    problems = []
    for target, line in imports_of(source):
        theirs = layer_of(target, named)
        if theirs is None or own is None:
            problems.append(f"{module}:{line} {target}: no rank for {own if theirs else target}")
        elif theirs != own and ranks[theirs] >= ranks[own]:
            problems.append(f"{module}:{line} imports {target} ({theirs}, rank {ranks[theirs]}) "
                            f"from {own} (rank {ranks[own]})")
    return problems


def contest_modules() -> dict[str, str]:
    return {module_name(path): path.read_text(encoding="utf-8") for path in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_has_a_layer_in_the_rank_table():
    ranks, named = rank_table()
    unranked = [m for m in contest_modules() if layer_of(m, named) not in ranks]
    assert unranked == []


def test_every_import_runs_down_the_rank_table():
    ranks, named = rank_table()
    problems = [p for module, source in contest_modules().items() for p in rank_violations(module, source, ranks, named)]
    assert problems == []


def test_the_rank_check_catches_an_import_up_or_sideways():
    ranks, named = rank_table()
    assert rank_violations("contest.media.storage", "from contest.entries.models import Entry\n", ranks, named)
    assert rank_violations("contest.judging.standings", "def f():\n    from contest.results import models\n", ranks, named)
    assert rank_violations("contest.web.judge", "from contest.web.organiser import common\n", ranks, named)
    assert rank_violations("contest.accounts.models", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                           "    from contest.contests.models import Contest\n", ranks, named)
    assert rank_violations("contest.results.gallery", "from contest.judging import queries\n", ranks, named) == []


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that reach each other (groups of one without a self-loop left out)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_module_imports_itself_through_a_circle():
    modules = contest_modules()
    graph = {m: {t for t, _ in imports_of(source) if t in modules and t != m} for m, source in modules.items()}
    assert strongly_connected(graph) == []


def test_the_circle_check_finds_a_circle():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
