"""What every export shares: column headers in the reader's language, sheets read in batches, cell
values made safe, and how wide a cell reads.

A file has one header row in the language of the organiser who downloads it, or both (Chinese
first, English second) when asked, for a file that will travel between languages; cell values use
the contest's Chinese labels.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from contest import clock
from contest.accounts.models import EntrantCategory, EntrantKind
from contest.entries.states import EntryState, LeakStatus

Cell = str | int | float | datetime | None
Row = list[Cell]
BATCH = 500
HeaderLanguages = tuple[str, ...]  # "zh" and/or "en", one header row each
BILINGUAL: HeaderLanguages = ("zh", "en")
_HEADER_LANGUAGE = {"zh_CN": "zh", "en": "en"}  # by the site's locale

STATE = {EntryState.DRAFT: "草稿", EntryState.SUBMITTED: "已提交", EntryState.WITHDRAWN: "已撤回",
         EntryState.RETURNED: "退回修改", EntryState.DISQUALIFIED: "已取消资格"}
CATEGORY = {EntrantCategory.PROFESSIONAL: "专业团队", EntrantCategory.WORKER: "职工",
            EntrantCategory.STUDENT: "学生", EntrantCategory.MASTER: "大师工匠"}
KIND = {EntrantKind.INDIVIDUAL: "个人", EntrantKind.TEAM: "团队", EntrantKind.ORGANISATION: "单位"}
LEAK = {LeakStatus.UNCHECKED: "未检查", LeakStatus.CLEAR: "通过", LeakStatus.FLAGGED: "待处理",
        LeakStatus.REDACTED: "已删改"}


@dataclass(frozen=True)
class Column:
    zh: str
    en: str
    digits: int | None = None  # decimals a spreadsheet shows of its figures, as the screen does

    def label(self, language: str) -> str:
        return self.en if language == "en" else self.zh

    @property
    def number_format(self) -> str | None:
        return None if self.digits is None else "0." + "0" * self.digits


@dataclass(frozen=True)
class Sheet:
    """One track's table: its columns and a fresh async iterator over batches of rows for each read."""

    title: str
    columns: tuple[Column, ...]
    batches: Callable[[], AsyncIterator[list[Row]]]

    def header_rows(self, languages: HeaderLanguages) -> list[list[str]]:
        return [[c.label(language) for c in self.columns] for language in languages]


def header_languages(locale: str, *, bilingual: bool) -> HeaderLanguages:
    """The header rows for a reader of `locale`: their language, or both languages when asked."""
    return BILINGUAL if bilingual else (_HEADER_LANGUAGE.get(locale, "zh"),)


def local_time(moment: datetime | None, zone: str) -> datetime | None:
    """The contest's wall-clock time without a zone (spreadsheets cannot hold one)."""
    return clock.to_zone(moment, zone).replace(tzinfo=None, microsecond=0) if moment else None


def number(value: Decimal | float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if isinstance(value, Decimal) and value == value.to_integral_value() else float(value)


def clean_text(value: str) -> str:
    """Control characters removed: XML (and so XLSX) cannot carry them."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: str) -> str:
    """A leading quote for text a spreadsheet would run as a formula (CSV injection, OWASP)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def joined(values: Iterable[str]) -> str:
    return "；".join(v for v in values if v)


_UNSAFE_TITLE = re.compile(r"[\[\]:*?/\\]")


def sheet_titles(names: Iterable[str]) -> list[str]:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique (case-insensitively)."""
    titles: list[str] = []
    for name in names:
        base = _UNSAFE_TITLE.sub("-", name).strip("'") or "-"
        title, n = base[:31], 1
        while title.casefold() in {t.casefold() for t in titles}:
            n += 1
            title = f"{base[:31 - len(str(n)) - 1]}-{n}"
        titles.append(title)
    return titles


@functools.lru_cache(maxsize=4096)  # a column repeats its values: rounds, judges, criteria, states
def _text_width(text: str) -> int:
    lines = text.split("\n")
    if text.isascii():
        return max(map(len, lines))
    return max(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) for line in lines)


def display_width(value: Cell) -> int:
    """How many columns the value's longest line takes in a spreadsheet: wide (CJK) characters count two."""
    if isinstance(value, datetime):
        return len("2026-01-01 00:00:00")
    return _text_width("" if value is None else str(value))
