"""A site organiser sets up a new contest from scratch in the browser (details, a track with its own
questions, an award tier, publication), a designer submits to it with the new questions, and the
organiser's dashboard counts the entry in its SVG charts."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PIL import Image
from playwright.async_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

ORGANISER = ("organiser@demo.wenchuang.cn", "demo-organiser-2026")
DESIGNER = ("zhou.student@demo.wenchuang.cn", "demo-designer-2026")
SLUG = "union-2027"


def local(days: int) -> str:
    """A datetime-local value `days` from now on Shanghai's wall clock (near enough for the window)."""
    return (datetime.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


async def log_in(page, live_server, account: tuple[str, str]) -> None:
    await page.goto(live_server.url("/account/login"))
    await page.fill("#f-email", account[0])
    await page.fill("#f-password", account[1])
    async with page.expect_navigation():
        await page.click("main button[type=submit]")


async def submit(page, selector: str) -> None:
    async with page.expect_navigation():
        await page.click(selector)


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
    await page.fill("#field-new-key", "character_name")
    await page.fill("#field-new-label", "角色名")
    await submit(page, "form[action$='/fields'] button[type=submit]")
    await page.click("section[aria-labelledby=fields-title] details.console-add summary")
    await page.fill("#field-new-key", "scenes")
    await page.select_option("#field-new-kind", "multi_choice")
    await page.fill("#field-new-label", "延展场景")
    await page.fill("#field-new-options", "toy|玩具|Toy\nstationery|文具|Stationery")
    await submit(page, "form[action$='/fields'] button[type=submit]")
    await expect(page.locator(".config-card form[aria-label]")).to_have_count(2)
    await screenshot(page, "organiser-contest-track")

    await page.goto(live_server.url(f"/admin/c/{SLUG}/settings"))
    await page.click("section[aria-labelledby=tiers-title] details.console-add summary")
    await page.select_option("#tier-new-track", label="工运IP赛道")
    await page.fill("#tier-new-name", "一等奖")
    await submit(page, "form[action$='/tiers'] button[type=submit]")
    await page.fill("#c-rules_md", "## 参赛须知\n\n作品须为**原创**。")
    await page.check("#c-is_published")
    await submit(page, "form[action$='/settings'] button[type=submit]")
    await expect(page.locator(".prose h2")).to_have_text("参赛须知")
    await screenshot(page, "organiser-contest-settings")


async def test_an_organiser_sets_up_a_contest_and_a_designer_submits_to_it(page, browser, live_server, tmp_path):
    await set_up_contest(page, live_server)

    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    designer = await context.new_page()
    await log_in(designer, live_server, DESIGNER)
    await designer.goto(live_server.url(f"/me/c/{SLUG}/new"))
    await designer.check("label.track-choice:has-text('工运IP赛道') input")
    await submit(designer, "main button[type=submit]")
    image = tmp_path / "设计稿.jpg"
    Image.new("RGB", (1600, 1200), (200, 40, 50)).save(image, "JPEG")
    await designer.set_input_files("#f-files", [str(image)])
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
