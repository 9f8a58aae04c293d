"""Keeping the catalogs complete: extract every message id from the code and templates, merge into the .po files.

`contest i18n` runs `update_catalogs()`; the test suite calls `missing_translations()` and fails on any gap.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from contest.i18n import LOCALE_DIR, LOCALES
from contest.settings import PROJECT_ROOT

METHODS = [("contest/**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}
KEYWORDS = {"_": None, "gettext": None, "N_": None}


def extract_messages() -> dict[str, list[tuple[str, int]]]:
    """Every message id with where it is used."""
    found: dict[str, list[tuple[str, int]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        PROJECT_ROOT, method_map=METHODS, options_map=OPTIONS, keywords=KEYWORDS, directory_filter=_searched
    ):
        if isinstance(message, str) and message:
            found.setdefault(message, []).append((filename, lineno))
    return found


def _searched(path: str) -> bool:
    """Babel skips folders starting with "_" by default, which would hide templates/_macros and _partials."""
    name = Path(path).name
    return not name.startswith(".") and name not in {"__pycache__", "node_modules"}


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


def load_catalog(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale)
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def update_catalogs() -> dict[str, int]:
    """Add new ids (English gets itself), drop unused ones; returns the untranslated count per locale."""
    messages = extract_messages()
    gaps = {}
    for locale in LOCALES:
        old = load_catalog(locale)
        new = Catalog(locale=locale, project="wenchuang-contest", fuzzy=False)
        for msgid, locations in sorted(messages.items()):
            previous = old.get(msgid)
            text = previous.string if previous is not None and previous.string else ""
            new.add(msgid, text or (msgid if locale == "en" else ""), locations=locations)
        path = po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, new, width=0, omit_header=False, sort_output=True, include_lineno=False)
        gaps[locale] = sum(1 for m in new if m.id and not m.string)
    return gaps


def missing_translations() -> dict[str, list[str]]:
    messages = extract_messages()
    missing = {}
    for locale in LOCALES:
        catalog = load_catalog(locale)
        missing[locale] = sorted(m for m in messages if not ((found := catalog.get(m)) and found.string))
    return missing
