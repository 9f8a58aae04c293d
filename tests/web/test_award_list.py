"""The award list (获奖名单) as PDF and XLSX, public from the announcement and the organisers' before it; and the
organisers' press kit of the winners' public images."""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from contest import cache_stamp, clock
from contest.audit.models import AuditEvent
from contest.entries.models import Entry, EntryImage
from contest.media.provenance import Provenance, read_provenance
from contest.results.models import Award, AwardStatus
from tests.factories import login_as
from tests.results.award_list_builders import EXPECTED, HIDDEN_TITLES, award_list_edition
from tests.web.helpers import organiser_of

pytestmark = pytest.mark.web

SECOND = timedelta(seconds=1)
FORMATS = ("pdf", "xlsx")
HEADER = ["赛道／类别", "奖项", "序号", "作品编号", "作品名称", "获奖者", "单位／学校"]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def announced_day(contest) -> str:
    day = clock.to_zone(contest.announce_at, contest.time_zone)
    return f"{day.year}年{day.month}月{day.day}日"


def sheet_rows(data: bytes, title: str) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(data), read_only=True)[title].iter_rows(values_only=True)]


@pytest.fixture
async def contest(app):
    return await award_list_edition(app.state.store)


@pytest.mark.parametrize("fmt", FORMATS)
async def test_before_the_announcement_the_public_list_is_the_missing_page(client, contest, at, fmt):
    at(contest.announce_at - SECOND)
    hidden = await client.get(f"/c/{contest.slug}/awards.{fmt}")
    missing = await client.get(f"/c/no-such-contest/awards.{fmt}")
    assert [hidden.status_code, missing.status_code] == [404, 404]
    assert hidden.headers["cache-control"] == missing.headers["cache-control"] == "no-store"
    assert hidden.text.replace(contest.slug, "SLUG") == missing.text.replace("no-such-contest", "SLUG")
    at(contest.announce_at)
    shown = await client.get(f"/c/{contest.slug}/awards.{fmt}")
    assert (shown.status_code, shown.headers["cache-control"]) == (200, "public, max-age=60")


@pytest.mark.parametrize("fmt", FORMATS)
async def test_organisers_have_the_list_before_the_announcement(client, settings, contest, at, fmt):
    at(contest.announce_at - SECOND)
    await login_as(client, await organiser_of(contest), secret=settings.secret_key)
    preview = await client.get(f"/c/{contest.slug}/awards.{fmt}")
    export = await client.get(f"/admin/c/{contest.slug}/exports/awards.{fmt}")
    assert [preview.status_code, export.status_code] == [200, 200]
    assert preview.headers["cache-control"] == "no-store"
    assert export.headers["content-disposition"].startswith("attachment;")
    assert f"awards-2026-awards.{fmt}" in export.headers["content-disposition"]
    logged = await AuditEvent.filter(action="export.downloaded").values_list("data", flat=True)
    assert logged == [{"export": "award_list", "format": fmt, "anonymised": False, "track_id": None}]


async def test_the_pdf_names_the_bodies_the_date_the_seal_and_every_award(client, contest):
    response = await client.get(f"/c/{contest.slug}/awards.pdf")
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    lines = text.splitlines()
    assert lines[:6] == ["人民城市 百年工运 2026", "获奖名单", "指导单位：上海市总工会",
                         "主办单位：上海市总工会宣传部、上海市工人文化宫", "承办单位：上海市工人文化宫文创中心",
                         f"发布日期：{announced_day(contest)}"]
    heading = "奖项 作品编号 作品名称 获奖者 单位／学校"
    row = {number: f"{number} {title} {name} {where}" for _, _, number, title, name, where in EXPECTED}
    # a grade with one line is named on it; a grade with more is named once, in a cell over its lines
    assert lines[6:] == [
        "现将人民城市 百年工运 2026获奖名单公布如下，共 5 件作品获奖。",
        "一、工运IP赛道（3 件）", heading, "一等奖 " + row["R-01-0001"], "二等奖", row["R-01-0002"], row["R-01-0003"],
        "二、生活实用产品赛道（1 件）", heading, "一等奖 " + row["R-02-0001"],
        "三、特别奖（2 件）", heading, "评委会特别奖 " + row["R-02-0002"], "网络人气奖 " + row["R-01-0001"],
        # the 落款: each hosting body, the date, the seal's place
        "上海市总工会宣传部", "上海市工人文化宫", announced_day(contest), "（盖章）", "第 1 页 共 1 页"]
    assert not any(title in text for title in HIDDEN_TITLES)


async def test_the_xlsx_holds_the_same_list_cell_by_cell(client, contest):
    response = await client.get(f"/c/{contest.slug}/awards.xlsx")
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    numbering = (1, 1, 2, 1, 1, 1)
    assert sheet_rows(response.content, "获奖名单") == [HEADER, *(
        [section, grade, n, number, title, name, where]
        for n, (section, grade, number, title, name, where) in zip(numbering, EXPECTED, strict=True))]
    assert sheet_rows(response.content, "发布信息") == [
        ["项目", "内容"], ["名单", "人民城市 百年工运 2026获奖名单"], ["指导单位", "上海市总工会"],
        ["主办单位", "上海市总工会宣传部、上海市工人文化宫"], ["承办单位", "上海市工人文化宫文创中心"],
        ["发布单位", "上海市总工会宣传部、上海市工人文化宫"], ["发布日期", announced_day(contest)], ["获奖作品数", 5]]
    widths = load_workbook(io.BytesIO(response.content))["获奖名单"].column_dimensions
    assert widths["E"].width == len("海派剪纸茶杯") * 2 + 2  # the widest title, CJK counted double


async def test_an_award_revoked_after_an_objection_leaves_the_public_list(client, contest):
    await Award.filter(entry__number="R-01-0003").update(status=AwardStatus.REVOKED)
    await cache_stamp.invalidate_results(contest.id)
    text = pdf_text((await client.get(f"/c/{contest.slug}/awards.pdf")).content)
    rows = sheet_rows((await client.get(f"/c/{contest.slug}/awards.xlsx")).content, "获奖名单")
    assert ["钢花" in text, "共 4 件作品获奖" in text, "二等奖 R-01-0002 铆钉 陈晓 上海大学美术学院" in text] == [
        False, True, True]
    assert [r[3] for r in rows[1:]] == ["R-01-0001", "R-01-0002", "R-02-0001", "R-02-0002", "R-01-0001"]


async def test_the_exports_page_links_the_award_list_and_the_press_kit(client, settings, contest):
    await login_as(client, await organiser_of(contest), secret=settings.secret_key)
    page = (await client.get(f"/admin/c/{contest.slug}/exports")).text
    links = re.findall(r'href="(/[^"]*(?:awards\.(?:pdf|xlsx)|press-kit\.zip))"', page)
    assert links == [f"/admin/c/{contest.slug}/exports/awards.pdf", f"/admin/c/{contest.slug}/exports/awards.xlsx",
                     f"/admin/c/{contest.slug}/exports/press-kit.zip"]
    assert f"/c/{contest.slug}/awards.pdf" in page


# --- the press kit ---------------------------------------------------------------------------------


@pytest.fixture
async def pictured(app):
    return await award_list_edition(app.state.store, images=2)


def provenance_of(data: bytes) -> Provenance:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "copy.jpg"
        path.write_bytes(data)
        return read_provenance(path)


async def gallery_copy(client, image: EntryImage) -> bytes:
    digest = image.derivatives["display.jpeg"]["sha256"][:16]
    response = await client.get(f"/pub/{digest}/{image.key}-display.jpeg")
    assert response.status_code == 200
    return response.content


async def test_the_press_kit_holds_the_gallerys_largest_copies_and_a_caption_sheet(client, settings, pictured):
    await Entry.filter(number="R-02-0001").update(ai_disclosure={"extent": "generated", "tools": "某模型"})
    await login_as(client, await organiser_of(pictured), secret=settings.secret_key)
    response = await client.get(f"/admin/c/{pictured.slug}/exports/press-kit.zip")
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    # the gallery's order: first prizes, second prizes, then the special awards; two images each
    order = [("R-01-0001", "小工匠-阿铆"), ("R-02-0001", "海派剪纸茶杯"), ("R-01-0002", "铆钉"),
             ("R-01-0003", "钢花"), ("R-02-0002", "劳模笔记本")]
    files = [f"{number}-{n:02d}-{title}.jpg" for number, title in order for n in (1, 2)]
    assert archive.namelist() == ["captions.xlsx", "captions.csv", *(f"images/{f}" for f in files)]
    for number, _ in order:
        images = await EntryImage.filter(entry__number=number).order_by("position")
        copies = [archive.read(f"images/{f}") for f in files if f.startswith(number)]
        assert copies == [await gallery_copy(client, image) for image in images]
    labels = [provenance_of(archive.read(f"images/{f}")).aigc_label for f in (files[2], files[4])]
    assert [bool(labels[0]), labels[1]] == [True, None]  # the AI-generated entry's copy is labelled, as served
    assert not any(title in name for name in archive.namelist() for title in HIDDEN_TITLES)
    captions = sheet_rows(archive.read("captions.xlsx"), "图片说明")
    assert captions[0] == ["文件名", "作品编号", "作品名称", "赛道", "奖项", "获奖者", "AI 标识", "作品简介"]
    assert captions[1:3] == [[f, "R-01-0001", "小工匠·阿铆", "工运IP赛道", "一等奖；网络人气奖", "林间设计工作室", None,
                              "一颗铆钉成了精。"] for f in files[:2]]
    assert captions[3][:7] == [files[2], "R-02-0001", "海派剪纸茶杯", "生活实用产品赛道", "一等奖", "张三", "人工智能生成"]
    assert [row[0] for row in captions[1:]] == files
    from_csv = list(csv.reader(io.StringIO(archive.read("captions.csv").decode("utf-8-sig"))))
    assert from_csv == [[cell if cell is not None else "" for cell in r] for r in captions]


