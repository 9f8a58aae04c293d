from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = [pytest.mark.unit, pytest.mark.any_database]

MEDIA = Path(__file__).resolve().parents[2] / "contest" / "media"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_media_imports_neither_http_nor_orm_nor_other_contest_packages() -> None:
    offenders = {
        f"{path.name}: {name}"
        for path in sorted(MEDIA.glob("*.py")) for name in _imports(path)
        if name.split(".")[0] in {"starlette", "tortoise"}
        or (name.startswith("contest") and not name.startswith("contest.media"))
    }
    assert sorted(offenders) == []


def test_every_media_module_uses_postponed_annotations() -> None:
    missing = [p.name for p in sorted(MEDIA.glob("*.py"))
               if p.name != "__init__.py" and "from __future__ import annotations" not in p.read_text()]
    assert missing == []
