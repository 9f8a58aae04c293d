"""Locales, catalogs and translation lookup. Message ids are English; zh_CN is the default locale.

Catalogs are kept as .po files and compiled in memory at first use, so a fresh clone needs no
build step.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "zh_CN"
LOCALES = ("zh_CN", "en")
LOCALE_LABELS = {"zh_CN": "中文", "en": "English"}
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}
LANGUAGE_TO_LOCALE = {"zh": "zh_CN", "en": "en"}


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


@cache
def translations(locale: str) -> gettext.NullTranslations:
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def translate(locale: str, message: str, **params: object) -> str:
    text = translations(locale).gettext(message)
    return text.format(**params) if params else text


def negotiate(preferred: str | None, accept_language: str | None) -> str:
    """Pick the cookie's choice, else the best Accept-Language match, else Chinese."""
    if preferred in LOCALES:
        return preferred
    for part in (accept_language or "").split(","):
        language = part.split(";")[0].strip().split("-")[0].lower()
        if language in LANGUAGE_TO_LOCALE:
            return LANGUAGE_TO_LOCALE[language]
    return DEFAULT_LOCALE
