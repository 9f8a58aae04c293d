"""A site organiser sets up a new contest from scratch in the browser (details, a track with its own
questions, an award tier, publication), a designer submits to it with the new questions, the
organiser's dashboard counts the entry in its SVG charts; then the organiser adds a round with a
criterion, invites a judge who scores the entry, reads the round's results and downloads the
exports, whose cells are checked one by one."""

from __future__ import annotations

import asyncio
import mailbox
import re
import time
from datetime import datetime, timedelta
from itertools import zip_longest

import openpyxl
import pytest
from PIL import Image
from playwright.async_api import expect

from tests.browser.conftest import screenshot
from tests.browser.helpers import ORGANISER, download, log_in, submit

pytestmark = pytest.mark.browser

DESIGNER = ("zhou.student@demo.wenchuang.cn", "demo-designer-2026")
SLUG = "union-2027"
JUDGE_EMAIL = "prof.wu@jury.example.net"


def local(days: int) -> str:
    """A datetime-local value `days` from now on Shanghai's wall clock (near enough for the window)."""
    return (datetime.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


async def set_up_contest(page, live_server) -> None:
    await log_in(page, live_server, ORGANISER)
    await page.goto(live_server.url("/admin/contests/new"))
    await page.fill("#new-slug", SLUG)
    await page.fill("#new-title", "2027 职工文创设计大赛")
    await page.fill("#new-title_en", "Workers' Design Contest 2027")
    await page.fill("#new-submissions_open_at", local(-1))
    await page.fill("#new-submissions_close_at", local(30))
    await page.fill("#new-announce_at", local(60))
    await submit(page, "form[action$='/contests/new'] button[type=submit]")
    assert page.url == live_server.url(f"/admin/c/{SLUG}/settings")

    await page.click("section[aria-labelledby=tracks-title] details summary")
    await page.fill("#track-new-name", "工运IP赛道")
    await page.fill("#track-new-slug", "ip")
    await submit(page, "form[action$='/tracks'] button[type=submit]")
    await expect(page.locator("h1")).to_have_text("工运IP赛道")

    await page.click("section[aria-labelledby=fields-title] details.console-add summary")
    await page.fill("#field-new-label", "角色名")
    await page.fill("#field-new-label_en", "Character name")
    await submit(page, "form[action$='/fields'] button[type=submit]")
    await page.click("section[aria-labelledby=fields-title] details.console-add summary")
    await page.select_option("#field-new-kind", "multi_choice")
    await page.fill("#field-new-label", "延展场景")
    await page.fill("#field-new-label_en", "Scenes")
    for row, (label, label_en) in enumerate([("玩具", "Toy"), ("文具", "Stationery")], start=1):
        await page.fill(f"#field-new-option-{row}", label)
        await page.fill(f"#field-new-option-{row}-en", label_en)
    await submit(page, "form[action$='/fields'] button[type=submit]")
    await expect(page.locator("section[aria-labelledby=fields-title] .config-card form[aria-label]")).to_have_count(2)
    await screenshot(page, "organiser-contest-track")

    await page.goto(live_server.url(f"/admin/c/{SLUG}/settings"))
    await page.click("section[aria-labelledby=tiers-title] details.console-add summary")
    await page.select_option("#tier-new-track", label="工运IP赛道")
    await page.fill("#tier-new-name", "一等奖")
    await submit(page, "form[action$='/tiers'] button[type=submit]")
    for kind in ("originality", "ip_terms"):
        await page.click(f"details:has(input[name=kind][value={kind}]) summary")
        await submit(page, f"details:has(input[name=kind][value={kind}]) button[type=submit]")
    await page.fill("#c-rules_md", "## 参赛须知\n\n作品须为**原创**。")
    await page.check("#c-is_published")
    await submit(page, "form[action$='/settings'] button[type=submit]")
    await expect(page.locator(".prose h2")).to_have_text("参赛须知")
    await screenshot(page, "organiser-contest-settings")


async def test_an_organiser_sets_up_a_contest_a_designer_submits_and_a_judge_scores(page, browser, live_server,
                                                                                    tmp_path):
    await set_up_contest(page, live_server)

    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    designer = await context.new_page()
    await log_in(designer, live_server, DESIGNER)
    await designer.goto(live_server.url(f"/me/c/{SLUG}/new"))
    await designer.check("label.track-choice:has-text('工运IP赛道') input")
    await submit(designer, "main button[type=submit]")
    image = tmp_path / "设计稿.jpg"
    Image.new("RGB", (1600, 1200), (200, 40, 50)).save(image, "JPEG")
    await designer.set_input_files("#f-files-images", [str(image)])
    await expect(designer.locator(".image-item")).to_have_count(1, timeout=60_000)
    await designer.fill("#f-title", "铆钉娃娃")
    await designer.fill("#f-concept", "一颗铆钉见证百年工运。")
    await designer.fill("#f-character_name", "铆钉")
    await designer.check("input[name=scenes][value=toy]")
    await designer.check("input[name=originality]")
    await designer.check("input[name=ip_terms]")
    await submit(designer, "button[value=submit]")
    assert "/receipt" in designer.url
    await context.close()

    await page.goto(live_server.url(f"/admin/c/{SLUG}/"))
    await expect(page.locator("#chart-track-desc")).to_have_text("工运IP赛道: 1")
    await expect(page.locator("#chart-category-desc")).to_contain_text("学生: 1")
    await screenshot(page, "organiser-dashboard")
    await run_judging(page, browser, live_server)


async def invitation_path(live_server) -> str:
    """The link in the judge's invitation e-mail, delivered into the development server's mail folder."""
    folder = live_server.log.parent / "data" / "mail"
    deadline = time.monotonic() + 180  # the sender beside the server looks every 15 s
    while time.monotonic() < deadline:
        mails = [m for m in mailbox.Maildir(folder, create=True) if m["To"] == JUDGE_EMAIL]
        if mails:
            return re.search(r"(/account/invite/\S+)", mails[-1].get_payload(decode=True).decode()).group(1)
        await asyncio.sleep(0.5)
    raise AssertionError(f"no invitation reached {folder}")  # the organisers' pages never show the link


async def set_up_judging(page, live_server) -> None:
    await page.goto(live_server.url(f"/admin/c/{SLUG}/rounds"))
    await page.fill("#f-name", "初评")
    await page.fill("#f-opens_at", local(-1))
    await page.fill("#f-closes_at", local(40))
    await submit(page, "form[action$='/rounds/new'] button[type=submit]")
    await page.click("details.console-add summary")
    await page.fill("#criterion-new-name", "创意")
    await submit(page, "form[action$='/criteria'] button[type=submit]")
    await page.goto(live_server.url(f"/admin/c/{SLUG}/people"))
    await page.fill("#f-email", JUDGE_EMAIL)
    await page.select_option("#f-role", "judge")
    await submit(page, "form[action$='/people/invite'] button[type=submit]")


async def accept_invitation(browser, live_server) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    judge = await context.new_page()
    await judge.goto(live_server.url(await invitation_path(live_server)))
    await judge.fill("#f-display_name", "吴教授")
    await judge.fill("#f-password", "a long judge password")
    await judge.fill("#f-password_repeat", "a long judge password")
    await judge.check("#r-privacy")
    await submit(judge, "main form button[type=submit]")
    await context.close()


async def assign(page, live_server, round_url: str) -> None:
    await page.goto(round_url)
    await page.fill("form[action$='/panels'] #f-name", "专家组")
    await submit(page, "form[action$='/panels'] button[type=submit]")
    await page.select_option("select[name=judge]", label=f"吴教授 · {JUDGE_EMAIL}")
    await submit(page, "form[action*='/members'] button[type=submit]:not([formaction])")
    await submit(page, "form[action$='/entries'] button[type=submit]")
    await submit(page, "form[action$='/assign'] button[type=submit]")


async def score(browser, live_server) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    judge = await context.new_page()
    await log_in(judge, live_server, (JUDGE_EMAIL, "a long judge password"))
    await judge.goto(live_server.url("/judge/"))
    await judge.locator(".judge-round", has_text="2027 职工文创设计大赛").locator(".card-title a").click()
    await judge.locator(".judge-queue-item a").first.click()
    await judge.locator(".score-form .criterion input").first.fill("8")
    await judge.keyboard.press("Tab")
    await expect(judge.locator(".score-form .criterion .save-status").first).to_have_text("已保存 ✓")
    await submit(judge, ".score-complete button")
    await context.close()


async def run_judging(page, browser, live_server) -> None:
    await set_up_judging(page, live_server)
    await accept_invitation(browser, live_server)
    await page.goto(live_server.url(f"/admin/c/{SLUG}/rounds"))
    await page.locator("table a", has_text="初评").click()
    round_url = page.url
    await assign(page, live_server, round_url)
    await score(browser, live_server)
    await page.goto(round_url + "/results")
    rows = page.locator(".results-table > tbody > tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first.locator(":scope > td").nth(2)).to_contain_text("铆钉娃娃")
    await expect(rows.first.locator(":scope > td").nth(3)).to_have_text("80.00")
    await screenshot(page, "organiser-new-contest-results")
    await check_exports(page, live_server)


async def check_exports(page, live_server) -> None:
    await page.goto(live_server.url(f"/admin/c/{SLUG}/exports"))
    await screenshot(page, "organiser-exports")
    folder = live_server.log.parent
    entries = openpyxl.load_workbook(await download(page, "a[href$='/exports/entries.xlsx']", folder), read_only=True)
    sheet = entries[entries.sheetnames[0]]
    header, row = (list(r) for r in sheet.iter_rows(min_row=1, max_row=2, values_only=True))
    answers = dict(zip_longest(header, row))  # a reader drops a row's empty cells at its end (no screening yet)
    assert len(row) <= len(header)
    assert answers["作品名称"] == "铆钉娃娃" and answers["角色名"] == "铆钉" and answers["延展场景"] == "玩具"
    scores = openpyxl.load_workbook(await download(page, "a[href$='/exports/scores.xlsx']", folder), read_only=True)
    header, row = (list(r) for r in scores[scores.sheetnames[0]].iter_rows(min_row=1, max_row=2, values_only=True))
    given = dict(zip_longest(header, row))  # a reader drops empty cells at the end of a row
    assert len(row) <= len(header)
    assert given["评委"] == "吴教授" and given["评分标准"] == "创意" and float(given["分值"]) == 8
    results = openpyxl.load_workbook(await download(page, "a[href$='/exports/results.xlsx']", folder))
    sheet = results[results.sheetnames[0]]
    figure = sheet.cell(2, [c.value for c in sheet[1]].index("排名依据分") + 1)
    assert (figure.value, figure.number_format) == (80, "0.00")  # the results page printed 80.00
    await page.locator("form.exports-headers input[name=headers]").check()
    await page.locator("form.exports-headers button").click()
    await screenshot(page, "organiser-exports-bilingual")
    bilingual = openpyxl.load_workbook(await download(page, "a[href$='/exports/scores.xlsx?headers=bilingual']", folder))
    assert [row[0] for row in bilingual[bilingual.sheetnames[0]].iter_rows(max_row=2, values_only=True)] == [
        "轮次", "Round"]
