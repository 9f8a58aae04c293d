"""Loose ends of issue 12 on the shared demo: an organiser withdraws an entry (reason, confirmation, audit,
e-mail), the designer's checklist follows image changes, and the demo's accounts use today's password hash."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.async_api import expect

from contest.accounts import passwords
from tests.browser.conftest import screenshot
from tests.browser.helpers import DESIGNER, ORGANISER, design, log_in, new_entry

pytestmark = pytest.mark.browser

CONTEST = "renmin-2026"
REASON = "设计者来信要求撤回：作品已在别处发表。"


async def test_an_organiser_withdraws_an_entry_with_a_reason_after_confirming(page, live_server):
    await log_in(page, live_server, ORGANISER)
    await page.goto(live_server.url(f"/admin/c/{CONTEST}/"))
    await page.click("main a[href$='/entries']")
    row = page.locator("tr.entry-row").filter(has_not_text=DESIGNER[0]).last
    number = (await row.locator("td.entry-number").inner_text()).strip()
    designer = (await row.locator(".designer-email").inner_text()).strip()
    await row.locator("a", has_text="撤回").click()

    await page.fill("#f-reason", REASON)
    await page.click("main button[type=submit]")
    await expect(page.locator("main [role=alert]")).to_contain_text("恢复为草稿")  # it asks, saying what follows
    assert await page.input_value("#f-reason") == REASON
    await screenshot(page, "organiser-withdraw-confirm")
    await page.check("main input[name=confirm]")
    async with page.expect_navigation():
        await page.click("main button[type=submit]")
    await expect(page.locator(".flash")).to_contain_text(number)
    await expect(page.locator("tr.entry-row", has_text=number)).to_contain_text("已撤回")
    await screenshot(page, "organiser-entries")

    await page.goto(live_server.url(f"/admin/c/{CONTEST}/audit"))
    await expect(page.locator(".audit-sentence").first).to_contain_text(REASON)
    # to the minute, the zone named once in the column's header
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", await page.locator(".audit-time").first.inner_text())
    await expect(page.locator(".audit-table th").nth(1)).to_contain_text("北京时间")
    await screenshot(page, "organiser-audit-withdrawal")
    await page.goto(live_server.url(f"/admin/c/{CONTEST}/outbox"))
    message = page.locator("tr", has_text=designer).filter(has_text=number).first
    await expect(message).to_contain_text("已由组委会撤回")


async def test_the_checklist_follows_the_images_without_a_reload(page, live_server, tmp_path):
    await new_entry(page, live_server)
    missing = page.locator(".missing-list")
    await expect(missing).to_contain_text("请为每个文件项上传不少于要求数量的文件")
    await page.set_input_files("#f-files-boards", [design(tmp_path, "第一张.jpg", seed=700)])
    await expect(page.locator(".image-item")).to_have_count(1, timeout=60_000)
    await expect(missing).not_to_contain_text("请为每个文件项上传不少于要求数量的文件")
    await page.locator(".image-item button", has_text="删除").click()
    await expect(page.locator(".image-item")).to_have_count(0)
    await expect(missing).to_contain_text("请为每个文件项上传不少于要求数量的文件")
    await screenshot(page, "designer-checklist-follows-images")
    assert await page.evaluate("window.__samePage === true"), "the page was reloaded"


def test_the_demo_accounts_are_hashed_with_todays_profile(live_server):
    """Otherwise each demo account's first log-in rehashes its password (and building the demo costs more)."""
    database = live_server.log.parent / "data" / "e2e.sqlite3"
    with sqlite3.connect(database) as connection:
        hashes = [row[0] for row in connection.execute("select password_hash from user where password_hash != ''")]
    assert hashes
    assert [h for h in hashes if passwords.needs_rehash(h)] == []
