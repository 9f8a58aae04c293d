"""From the committee's confirmation to the announcement, in a real browser, with the documents it gives out.

The final round is locked (tests/browser/results_state.py). The organiser stores the proposal, adds 网络人气奖 to a
一等奖 entry, and confirms. A 公示 that ends 40 s later is approved. The notice counts the four entries it lists,
shows the special award in its own section, and at its end (without a reload) the objection buttons go. An
objection filed during the period is upheld after the announcement.

Outputs checked: the award list PDF (its text: bodies, date, seal place, every winner), the results XLSX cell by
cell (grades, rounding, the exact sheet), a certificate's number on the public check page before and after the
revocation, and the contest page featuring the winners with a share poster whose QR code decodes to the gallery.
Screenshots: test-artifacts/screenshots/results-*.png."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import zxingcpp
from PIL import Image
from playwright.async_api import expect
from pypdf import PdfReader

from contest import demo
from tests.browser.conftest import LiveServer, screenshot, start_with_state
from tests.browser.helpers import download, log_in, submit
from tests.browser.results_state import GUIDING, HOST, ORGANISER, ORGANISING, PASSWORD, SCHOOL, SLUG, TITLE, WORKER_ORG

pytestmark = pytest.mark.browser

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEFT = timedelta(seconds=40)  # from saving the settings to the notice's end: time to open the page and object
TRACKS = [spec["name"] for spec in demo.TRACKS[:2]]
FIRSTS = [spec["titles"][0] for spec in demo.TRACKS[:2]]  # 一等奖 of each track (86.67)
SECONDS = [spec["titles"][1] for spec in demo.TRACKS[:2]]  # 二等奖 (78.33)
SPECIAL_HOLDER = FIRSTS[1]
PATTERN = "〔{year}〕工运文创第{seq:03}号"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_with_state(tmp_path_factory.mktemp("results"), "results_state")
    yield server
    server.stop()


def shanghai(at: datetime) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


async def option_with(page, select: str, text: str) -> str:
    return next(label for label in await page.locator(f"{select} option").all_inner_texts() if text in label)


async def confirm_with_a_special_award(page, server: LiveServer) -> None:
    await page.goto(server.url(f"/admin/c/{SLUG}/awards"))
    await submit(page, "form[action$='/awards/store'] button[type=submit]")
    await page.select_option("#add-entry", label=await option_with(page, "#add-entry", SPECIAL_HOLDER))
    await page.select_option("#add-tier", label=await option_with(page, "#add-tier", "网络人气奖"))
    await page.fill("#add-reason", "网络投票第一名")
    await submit(page, "form[action$='/awards/add'] button[type=submit]")
    await page.check("form[action$='/awards/confirm'] input[name=confirm]")
    await submit(page, "form[action$='/awards/confirm'] button[type=submit]")
    await expect(page.locator(".flash-list")).to_contain_text("确认")
    await screenshot(page, "results-awards-confirmed")


async def hold_a_short_notice(page, server: LiveServer) -> None:
    """The notice started a minute ago (on the minute, as the form takes it) and ends LEFT from now; approved."""
    await page.goto(server.url(f"/admin/c/{SLUG}/settings"))
    start = datetime.now(SHANGHAI).replace(second=0, microsecond=0) - timedelta(minutes=1)
    await page.fill("#c-notice_starts_at", shanghai(start))
    await page.fill("#c-notice_days", f"{(datetime.now(SHANGHAI) + LEFT - start) / timedelta(days=1):.9f}")
    await page.fill("#c-announce_at", shanghai(start + timedelta(days=30)))
    await page.fill("#c-certificate_number_pattern", PATTERN)
    await submit(page, "form[action$='/settings'] button[type=submit]")
    await expect(page.locator(".flash-list")).to_contain_text("已保存")
    await page.goto(server.url(f"/admin/c/{SLUG}/objections"))
    await submit(page, "button[formaction$='/notice/approve']")
    await expect(page.locator(".notice-state")).to_contain_text("已批准")


async def the_notice_counts_objects_and_ends(browser, server: LiveServer) -> None:
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    public = await context.new_page()
    await public.goto(server.url(f"/c/{SLUG}/notice"))
    await public.evaluate("window.__samePage = true")
    listed = public.locator("section[aria-labelledby=listed-title]")
    await expect(listed.locator(".notice-count")).to_have_text("共 4 件作品")
    await expect(listed.locator(".notice-line")).to_have_count(4)
    await expect(listed.locator("h3.notice-track")).to_have_text(TRACKS)
    special = public.locator("section[aria-labelledby=special-title]")
    await expect(special.locator("h2")).to_have_text("特别奖")
    await expect(special.locator(".notice-grade")).to_have_text("网络人气奖")
    await expect(listed.locator(".notice-grade", has_text="网络人气奖")).to_have_count(0)
    await expect(special.locator(".notice-line-title")).to_have_count(1)
    await expect(special.locator(".notice-line-title")).to_contain_text(SPECIAL_HOLDER)
    await expect(public.locator(".notice-body")).to_contain_text("名单共 4 件作品，其中 1 件同时获特别奖")
    await screenshot(public, "results-notice-open")

    objection = listed.locator(".notice-line", has_text=SECONDS[0]).locator(".notice-line-action a")
    async with public.expect_navigation():
        await objection.click()
    await public.fill("#f-name", "张三")
    await public.fill("#f-email", "objector@example.test")
    await public.fill("#f-grounds", "该作品与 2019 年某展览中的作品高度相似，见展览图录第 12 页。")
    await submit(public, "form.objection-form button[type=submit]")
    await expect(public.locator(".flash-list")).to_contain_text("异议")
    await public.evaluate("window.__samePage = true")

    over = public.locator("[data-after-deadline=notice-end]")
    await expect(over).to_be_visible(timeout=int(LEFT.total_seconds() + 60) * 1000)
    await expect(public.locator(".notice-open a.btn-primary")).to_have_count(0)
    await expect(public.locator(".notice-line-action")).to_have_count(0)
    await expect(public.locator(".countdown-passed")).to_have_text("已截止")
    assert await public.evaluate("window.__samePage") is True
    await screenshot(public, "results-notice-ended")
    await public.reload()
    await expect(public.locator("a[href*='/notice/objection']")).to_have_count(0)
    await expect(special.locator(".notice-line")).to_have_count(1)
    await context.close()


async def announce(page, server: LiveServer) -> None:
    """The announcement on this minute, which the form takes; the notice (over already) ends on it too."""
    await page.goto(server.url(f"/admin/c/{SLUG}/settings"))
    now = datetime.now(SHANGHAI).replace(second=0, microsecond=0)
    start = datetime.fromisoformat(await page.input_value("#c-notice_starts_at")).replace(tzinfo=SHANGHAI)
    days = math.floor((now - start) / timedelta(days=1) * 1e9) / 1e9  # rounded up, it would end after the announcement
    await page.fill("#c-notice_days", f"{days:.9f}")
    await page.fill("#c-announce_at", shanghai(now))
    await submit(page, "form[action$='/settings'] button[type=submit]")
    await expect(page.locator(".flash-list")).to_contain_text("已保存")


async def the_contest_page_features_the_winners(browser, server: LiveServer) -> str:
    """A visitor's contest page: the winners above the call for entries, links to the gallery and the award list,
    and a share poster whose QR code opens the gallery. Returns the award list PDF's address."""
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = await context.new_page()
    await page.goto(server.url(f"/c/{SLUG}"))
    winners = page.locator("section:has(#winners-title)")
    await expect(page.locator("#winners-title")).to_have_text("获奖作品")
    for title in [*FIRSTS, *SECONDS]:
        await expect(winners).to_contain_text(title)
    assert (await page.locator("#winners-title").bounding_box())["y"] < (
        await page.locator("#tracks-title").bounding_box())["y"]
    await expect(winners.locator("a", has_text="获奖名单（PDF）")).to_have_attribute("href", f"/c/{SLUG}/awards.pdf")
    await expect(page.locator('meta[property="og:title"]')).to_have_count(1)
    covers = winners.locator("img.card-media")
    await covers.evaluate_all("imgs => imgs.forEach(img => { img.loading = 'eager'; })")
    for n in range(await covers.count()):  # each, not the last: they load in any order
        await expect(covers.nth(n)).to_have_js_property("complete", True)
    assert min(await covers.evaluate_all("imgs => imgs.map(img => img.naturalWidth)")) > 0
    await screenshot(page, "results-contest-page")
    poster = await context.request.get(server.url(await page.get_attribute(".winners-actions a[download]", "href")))
    assert poster.headers["content-type"] == "image/png"
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(await poster.body())))
    assert [code.text for code in codes] == [server.url(f"/c/{SLUG}/gallery")]
    await context.close()
    return f"/c/{SLUG}/awards.pdf"


async def the_award_list_names_the_bodies_the_seal_and_every_winner(browser, server: LiveServer, path: str) -> None:
    """The public's copy, from the announcement on: the PDF's text as a reader extracts it."""
    context = await browser.new_context(locale="zh-CN")
    response = await context.request.get(server.url(path))
    assert (response.status, response.headers["content-type"]) == (200, "application/pdf")
    lines = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(await response.body())).pages).splitlines()
    today = datetime.now(SHANGHAI)
    assert lines[:6] == [TITLE, "获奖名单", f"指导单位：{GUIDING}", f"主办单位：{HOST}", f"承办单位：{ORGANISING}",
                         f"发布日期：{today.year}年{today.month}月{today.day}日"]
    assert f"现将{TITLE}获奖名单公布如下，共 4 件作品获奖。" in lines
    for title in [*FIRSTS, *SECONDS]:
        [row] = [line for line in lines if title in line and "网络人气奖" not in line]
        assert (WORKER_ORG if title in FIRSTS else SCHOOL) in row
    assert any(line.startswith("网络人气奖") and SPECIAL_HOLDER in line for line in lines)
    assert lines[-4:] == [HOST, f"{today.year}年{today.month}月{today.day}日", "（盖章）", "第 1 页 共 1 页"]
    await context.close()


async def certificate_number_of(page, server: LiveServer, title: str) -> str:
    """The number the organisers' awards page gives the certificate of `title`'s track award."""
    await page.goto(server.url(f"/admin/c/{SLUG}/awards"))
    card = page.locator("li.award-card", has=page.locator(".award-entry", has_text=title)).filter(
        has_not_text="网络人气奖").first
    number = await card.locator(".award-certificate-number").inner_text()
    year = datetime.now(SHANGHAI).year
    assert re.fullmatch(f"〔{year}〕工运文创第\\d{{3}}号", number)
    return number


async def check_certificate(browser, server: LiveServer, number: str, verdict: str, name: str) -> None:
    """A phone types the number into the public check page."""
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = await context.new_page()
    await page.goto(server.url("/certificates/check"))
    await page.fill("#certificate-number", number)
    async with page.expect_navigation():
        await page.click("form.certificate-form button[type=submit]")
    await expect(page.locator(".certificate-verdict")).to_have_text(verdict)
    await expect(page.locator(".certificate-number")).to_have_text(number)
    await screenshot(page, f"results-certificate-{name}")
    await context.close()


async def uphold_the_objection(page, server: LiveServer) -> None:
    """After the announcement the experts find the objection well founded: the entry's award is revoked."""
    await page.goto(server.url(f"/admin/c/{SLUG}/objections"))
    async with page.expect_navigation():
        await page.click("td a[href*='/objections/']")
    await page.fill("#review-note", "请两位专家比对展览图录")
    await submit(page, "form[action$='/review'] button[type=submit]")
    await page.check("input[name=verdict][value=upheld]")
    await page.check("input[name=policy][value=leave_vacant]")
    await page.fill("#decide-note", "与图录第 12 页作品构图、配色一致，属抄袭")
    await page.fill("#decide-public_text", "经专家复核，该作品与已发表作品高度相似，撤销其奖项。")
    await submit(page, "form[action$='/decide'] button[type=submit]")
    await expect(page.locator(".flash-list")).to_be_visible()


def figures_of(sheet) -> dict[str, dict[str, object]]:
    header = [cell.value for cell in sheet[1]]
    return {row[header.index("作品名称")]: dict(zip(header, row, strict=True))
            for row in sheet.iter_rows(min_row=2, values_only=True)}


async def the_results_workbook_reads_as_results(page, server: LiveServer, folder) -> None:
    await page.goto(server.url(f"/admin/c/{SLUG}/exports"))
    workbook = openpyxl.load_workbook(await download(page, "a[href$='/exports/results.xlsx']", folder))
    assert workbook.sheetnames == [*TRACKS, *(f"{track} 精确值" for track in TRACKS)]
    for track, first, second in zip(TRACKS, FIRSTS, SECONDS, strict=True):
        rows = figures_of(workbook[track])
        assert (rows[first]["排名"], rows[second]["排名"]) == (1, 2)
        assert rows[first]["奖项"] == ("一等奖；网络人气奖" if first == SPECIAL_HOLDER else "一等奖")
        assert rows[second]["奖项"] == "二等奖"
        assert [row["奖项"] for title, row in rows.items() if title not in (first, second)] == [None]
        assert (rows[first]["排名依据分"], rows[second]["排名依据分"]) == (86.67, 78.33)
        assert rows[first]["各评委总分"].count("；") == 2
        exact = figures_of_exact(workbook[f"{track} 精确值"])
        assert abs(exact[rows[first]["作品编号"]] - 260 / 3) < 1e-9
    assert "电话" not in [cell.value for cell in workbook[TRACKS[0]][1]]


def figures_of_exact(sheet) -> dict[str, float]:
    header = [cell.value for cell in sheet[1]]
    return {row[header.index("作品编号")]: row[header.index("排名依据分")]
            for row in sheet.iter_rows(min_row=2, values_only=True)}


async def test_from_the_committees_confirmation_to_the_announcement(page, browser, live_server, tmp_path):
    await log_in(page, live_server, (ORGANISER, PASSWORD))
    await confirm_with_a_special_award(page, live_server)
    await hold_a_short_notice(page, live_server)
    await the_notice_counts_objects_and_ends(browser, live_server)
    await announce(page, live_server)
    await the_results_workbook_reads_as_results(page, live_server, tmp_path)
    award_list = await the_contest_page_features_the_winners(browser, live_server)
    await the_award_list_names_the_bodies_the_seal_and_every_winner(browser, live_server, award_list)
    number = await certificate_number_of(page, live_server, SECONDS[0])
    await check_certificate(browser, live_server, number, "有效", "valid")
    await uphold_the_objection(page, live_server)
    await check_certificate(browser, live_server, number, "已撤销", "revoked")
