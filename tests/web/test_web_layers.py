"""The web layer in two halves: infrastructure whose modules import in one written order (imports inside
functions count too). That audiences import infrastructure and never each other is the rank table's rule
(tests/test_architecture.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

WEB = Path(__file__).resolve().parents[2] / "contest" / "web"
AUDIENCES = ("auth", "public", "designer", "judge", "organiser")
# Each infrastructure module imports only those before it (contest/web/infra/__init__.py says why).
INFRA_ORDER = ("cookies", "headers", "request_id", "access", "probes", "server", "constant_gettext", "compression",
               "limits", "uploads", "session", "flash", "csrf", "templating", "errors", "forms", "csrf_check",
               "page_cache", "media", "labels", "redirects", "lookups", "resumable", "events", "metrics_endpoint")


def web_imports(path: Path) -> set[str]:
    """The `contest.web` modules and packages a file imports, `from package import module` included."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return {name for name in names if name.startswith("contest.web.")}


def part_of(module: str) -> str:
    """`infra.<module>`, the audience, or `routes` for a `contest.web.…` name."""
    parts = module.split(".")[2:]
    return ".".join(parts[:2]) if parts[0] == "infra" else parts[0]


def test_every_web_module_is_infrastructure_or_an_audience_or_the_route_table():
    top = sorted(p.name for p in WEB.iterdir() if p.suffix == ".py" or (p.is_dir() and p.name != "__pycache__"))
    assert top == sorted(["__init__.py", "routes.py", "infra", *AUDIENCES])
    assert sorted(p.stem for p in (WEB / "infra").glob("*.py") if p.stem != "__init__") == sorted(INFRA_ORDER)


def test_infrastructure_imports_one_way():
    backwards = {}
    for position, name in enumerate(INFRA_ORDER):
        allowed = {f"infra.{earlier}" for earlier in INFRA_ORDER[:position]} | {"infra.__init__"}
        used = {part_of(m) for m in web_imports(WEB / "infra" / f"{name}.py")} - {"infra"}
        if used - allowed:
            backwards[name] = sorted(used - allowed)
    assert backwards == {}

