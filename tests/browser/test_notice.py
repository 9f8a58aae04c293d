"""The 公示 in a real browser: it counts the nine entries it lists (ten awards, one entry holding a grade and
网络人气奖), lists that special award in a section of its own, not under 潮玩老字号, and at the end of the period
the countdown ends, the objection buttons go and the page says the period is over, without a reload.

The organiser shortens the running notice through the settings page, so that it ends while the page is open.
Screenshots: test-artifacts/screenshots/notice-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from contest import demo
from tests.browser.conftest import LiveServer, screenshot, start_with_state
from tests.browser.helpers import log_in, submit
from tests.browser.notice_state import ORGANISER, PASSWORD, SLUG, SPECIAL_HOLDER

pytestmark = pytest.mark.browser

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEFT = timedelta(seconds=40)  # from saving the settings to the end: time enough to open the page before it
ENDED = "公示期已结束，所有异议均已处理完毕：以上为最终结果。"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_with_state(tmp_path_factory.mktemp("notice"), "notice_state")
    yield server
    server.stop()


async def end_the_notice_soon(browser, server: LiveServer) -> None:
    """The organiser keeps the notice's start (on the minute, as the form takes it) and sets its days so that
    it ends LEFT from now."""
    context = await browser.new_context(locale="zh-CN")
    organiser = await context.new_page()
    await log_in(organiser, server, (ORGANISER, PASSWORD))
    await organiser.goto(server.url(f"/admin/c/{SLUG}/settings"))
    start = datetime.now(SHANGHAI).replace(second=0, microsecond=0) - timedelta(minutes=1)
    await organiser.fill("#c-notice_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    await organiser.fill("#c-notice_days", f"{(datetime.now(SHANGHAI) + LEFT - start) / timedelta(days=1):.9f}")
    await submit(organiser, "form[action$='/settings'] button[type=submit]")
    await expect(organiser.locator(".flash-list")).to_contain_text("已保存")
    await context.close()


async def test_the_notice_counts_what_it_lists_and_ends_without_a_reload(page, browser, live_server):
    await end_the_notice_soon(browser, live_server)
    await page.goto(live_server.url(f"/c/{SLUG}/notice"))
    await page.evaluate("window.__samePage = true")
    objection = page.locator(".notice-open a.btn-primary")
    await expect(objection).to_have_text("提出异议")
    await expect(page.locator(".countdown-parts")).to_be_visible()

    listed = page.locator("section[aria-labelledby=listed-title]")
    await expect(listed.locator(".notice-count")).to_have_text("共 9 件作品")
    await expect(listed.locator(".notice-line")).to_have_count(9)
    await expect(listed.locator("h3.notice-track")).to_have_text([spec["name"] for spec in demo.TRACKS])
    await expect(listed.locator(".notice-grade", has_text="网络人气奖")).to_have_count(0)
    special = page.locator("section[aria-labelledby=special-title]")
    await expect(special.locator("h2")).to_have_text("特别奖")
    await expect(special.locator(".notice-line-title")).to_have_count(1)
    await expect(special.locator(".notice-line-title")).to_contain_text(SPECIAL_HOLDER)
    await expect(special.locator(".notice-grade")).to_have_text("网络人气奖")
    await expect(page.locator(".notice-body")).to_contain_text("名单共 9 件作品，其中 1 件同时获特别奖")
    await expect(page.locator(".notice-body")).to_contain_text("特别奖（不分赛道）：")
    await screenshot(page, "notice-open")

    over = page.locator("[data-after-deadline=notice-end]")
    await expect(over).to_be_hidden()
    await expect(over).to_be_visible(timeout=int(LEFT.total_seconds() + 60) * 1000)
    await expect(over).to_have_text(ENDED)
    await expect(objection).to_have_count(0)
    await expect(page.locator(".notice-line-action")).to_have_count(0)
    await expect(page.locator(".notice-phase-open")).to_have_count(0)
    await expect(page.locator(".countdown-passed")).to_have_text("已截止")
    assert await page.evaluate("window.__samePage") is True
    await screenshot(page, "notice-ended")

    await page.reload()
    await expect(page.locator(".notice-phase")).to_have_text(ENDED)
    await expect(page.locator("a[href*='/notice/objection']")).to_have_count(0)
    await expect(special.locator(".notice-line")).to_have_count(1)
