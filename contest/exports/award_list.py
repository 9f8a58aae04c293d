"""The award list (contest.results.award_list) as an XLSX workbook: the list, one line per award in the PDF's
order, and a sheet naming the document, its bodies, issuers and date. Chinese headers, as the list is."""

from __future__ import annotations

from collections.abc import AsyncIterator

from contest.exports.tables import Column, Row, Sheet
from contest.exports.xlsx import workbook_bytes
from contest.results.award_list import AwardList, date_label

LIST_COLUMNS = (Column("赛道／类别", "Track or category"), Column("奖项", "Award"), Column("序号", "No."),
                Column("作品编号", "Entry number"), Column("作品名称", "Title"), Column("获奖者", "Winner"),
                Column("单位／学校", "Organisation or school"))
ABOUT_COLUMNS = (Column("项目", "Item"), Column("内容", "Content"))
LIST_TITLE, ABOUT_TITLE = "获奖名单", "发布信息"
HEADERS = ("zh",)


def list_rows(award_list: AwardList) -> list[Row]:
    rows: list[Row] = []
    for section in award_list.sections:
        for grade in section.grades:
            rows += [[section.heading, grade.grade, n, line.number, line.title, line.public_name, line.affiliation]
                     for n, line in enumerate(grade.lines, start=1)]
    return rows


def about_rows(award_list: AwardList) -> list[Row]:
    bodies = award_list.bodies
    return [["名单", award_list.title], ["指导单位", bodies.guiding], ["主办单位", bodies.hosting],
            ["承办单位", bodies.organising], ["发布单位", "、".join(award_list.issuers)],
            ["发布日期", date_label(award_list.issued_on)], ["获奖作品数", award_list.entries]]


def _sheet(title: str, columns: tuple[Column, ...], rows: list[Row]) -> Sheet:
    async def batches() -> AsyncIterator[list[Row]]:
        yield rows
    return Sheet(title, columns, batches)


def sheets(award_list: AwardList) -> list[Sheet]:
    return [_sheet(LIST_TITLE, LIST_COLUMNS, list_rows(award_list)),
            _sheet(ABOUT_TITLE, ABOUT_COLUMNS, about_rows(award_list))]


async def award_list_workbook(award_list: AwardList) -> bytes:
    """The workbook's bytes (a list is small: it is sent whole, and the public's is cached)."""
    return await workbook_bytes(sheets(award_list), languages=HEADERS)
