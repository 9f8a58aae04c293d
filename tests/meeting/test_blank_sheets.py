"""The blank paper score sheets as printed: a judge's part runs over as many pages as their entries need,
and every page ends with that judge's signature line (never the next judge's)."""

from __future__ import annotations

import io
from functools import partial

import pypdf
import pytest

from contest.meeting.blank_sheets import (
    FIXED_TEXT,
    BlankSheets,
    JudgeSheet,
    SheetCriterion,
    render_blank_sheets,
)
from contest.meeting.sheet import render_with_font

pytestmark = pytest.mark.unit


def test_every_page_of_a_judges_part_ends_with_that_judges_signature_line():
    many = [f"K{n:02d}-PQR" for n in range(1, 31)]
    sheets = BlankSheets("工会文创设计大赛", "终评", [SheetCriterion("创意", 0, 40, 2, "主题鲜明"),
                                                   SheetCriterion("工艺", 0, 60, 1.5, "")],
                         [JudgeSheet("评委甲", many), JudgeSheet("评委乙", ["ZZZ-001"])])
    pdf = render_with_font(FIXED_TEXT + sheets.text(), partial(render_blank_sheets, sheets))
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) == 3
    assert [page.rstrip().endswith(f"评委签字： {judge} 日期：") for page, judge in
            zip(pages, ("评委甲", "评委甲", "评委乙"), strict=True)] == [True, True, True]
    assert all(alias in pages[0] + pages[1] for alias in many) and "ZZZ-001" in pages[2]
    assert "创意\n0–40 分\n权重 2" in pages[0] and "工艺\n0–60 分\n权重 1.5" in pages[2]
    assert "1. 创意（0–40 分，权重 2）：主题鲜明" in pages[0]
