"""Every document the code and the docs name is in the repository: a comment that cites a page nobody can
open explains nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.unit, pytest.mark.any_database]

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("contest", "tests", "benchmarks", "docs", "templates", "static", ".ci", "README.md", "Makefile", "pyproject.toml")
TEXT_SUFFIXES = {".py", ".md", ".html", ".txt", ".toml", ".cfg", ".sh", ".js", ".css", ""}
SKIPPED_PARTS = {"__pycache__", "node_modules"}
THIS_FILE = Path(__file__).resolve()  # its examples name documents on purpose

# a Markdown file (`README.md`, `docs/stack.md`, `reliability.md`) or anything under docs/, not part of a URL
MARKDOWN = re.compile(r"(?<![\w/.:-])((?:[\w-][\w.-]*/)*[\w-][\w.-]*\.md)(?!\w)")
UNDER_DOCS = re.compile(r"(?<![\w/.:-])(docs/[\w./-]*\w)")


def scanned_files() -> list[Path]:
    files = []
    for name in SCANNED:
        path = ROOT / name
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        files += [f for f in candidates if f.is_file() and f.suffix in TEXT_SUFFIXES
                  and f != THIS_FILE and not SKIPPED_PARTS & set(f.relative_to(ROOT).parts)]
    return files


def named_documents(text: str) -> set[str]:
    return {m.group(1) for pattern in (MARKDOWN, UNDER_DOCS) for m in pattern.finditer(text)}


def exists(name: str, cited_in: Path) -> bool:
    """From the repository's root, or relative to the citing file (links between pages of docs/)."""
    return (ROOT / name).exists() or (cited_in.parent / name).exists()


def dangling() -> list[str]:
    found = []
    for path in scanned_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            found += [f"{path.relative_to(ROOT)}:{number}: {name}" for name in sorted(named_documents(line))
                      if not exists(name, path)]
    return found


def test_every_document_named_in_code_or_docs_is_in_the_repository():
    assert dangling() == []


@pytest.mark.parametrize(("text", "names"), [
    ("see docs/stack.md, \"SQLite\"", {"docs/stack.md"}),
    ("(RELIABILITY.md G4)", {"RELIABILITY.md"}),
    ("[reliability.md](reliability.md) G4", {"reliability.md"}),
    ("![home](docs/screenshots/home.png)", {"docs/screenshots/home.png"}),
    ("https://github.com/encode/starlette/blob/master/README.md", set()),
    ("every *.md file under docs/ or a_docs/x", set()),
])
def test_a_document_is_recognised_by_its_name_and_a_url_is_not(text, names):
    assert named_documents(text) == names
