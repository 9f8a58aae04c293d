"""The organiser's near-duplicates page on the demo's campus contest: a copy of an entry's picture added
to the reference set is flagged, and the organiser dismisses that pair with a note: it leaves the open
list and stays readable, with the note, under "dismissed"."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import screenshot
from tests.browser.helpers import ORGANISER, log_in

pytestmark = pytest.mark.browser

JUDGE = ("judge2@jury.wenchuang.cn", "demo-judge-2026")
NOTE = "已核实：投诉附图即该作品本身，非抄袭"


async def a_judging_copy(browser, live_server) -> bytes:
    """The picture of one campus entry as judges receive it (a re-encoded copy, not the original file)."""
    context = await browser.new_context(locale="zh-CN")
    judge = await context.new_page()
    await log_in(judge, live_server, JUDGE)
    await judge.goto(live_server.url("/judge/"))
    await judge.locator(".judge-round", has_text="「匠心校园」").locator(".card-title a").click()
    await judge.locator(".judge-queue-item a").first.click()
    src = await judge.locator("#score-stage-img").get_attribute("src")
    response = await judge.request.get(live_server.url(src))
    body = await response.body()
    await context.close()
    return body


async def test_an_organiser_dismisses_a_flagged_pair_with_a_note(page, browser, live_server):
    copy = await a_judging_copy(browser, live_server)
    await log_in(page, live_server, ORGANISER)
    await page.goto(live_server.url("/admin/c/campus-2026/duplicates"))
    open_rows = page.locator(".duplicates tbody tr")
    before = await open_rows.count()

    await page.fill("#f-label", "投诉附图")
    await page.set_input_files("#f-file", files=[{"name": "complaint.jpg", "mimeType": "image/jpeg", "buffer": copy}])
    async with page.expect_navigation():
        await page.click("text=添加参照图片")
    await expect(open_rows).to_have_count(before + 1)
    row = open_rows.filter(has_text="投诉附图")
    assert int(re.search(r"(\d+)%", await row.text_content()).group(1)) >= 90
    await screenshot(page, "organiser-duplicates-open")

    await row.locator("textarea[name=note]").fill(NOTE)
    async with page.expect_navigation():
        await row.locator("button", has_text="不是重复").click()
    await expect(page.locator(".flash")).to_contain_text("已标记为不是重复")
    await expect(open_rows).to_have_count(before)
    # the open list may now be empty (the demo's entries are no longer flagged), so look for the row itself
    await expect(open_rows.filter(has_text="投诉附图")).to_have_count(0)
    dismissed = page.locator(".duplicates-dismissed")
    await dismissed.locator("summary").click()
    await expect(dismissed.locator("tbody tr")).to_have_count(1)
    await expect(dismissed).to_contain_text(NOTE)
    await expect(dismissed).to_contain_text("投诉附图")
    await screenshot(page, "organiser-duplicates-dismissed")
