"""The judge's queue and scoring page in a real browser, as the demo's second judge (the first one's
journey is test_judging.py): what the queue shows, what comes next, keys while typing, the running total."""

from __future__ import annotations

import asyncio
import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import screenshot
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser

JUDGE = ("judge2@jury.wenchuang.cn", "demo-judge-2026")
WALL_TIME = r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}（北京时间）"
TRACKS = ("工运IP赛道", "生活实用产品赛道", "潮玩老字号赛道")


async def open_queue(page, live_server) -> None:
    await log_in(page, live_server, JUDGE)
    await page.goto(live_server.url("/judge/"))
    await page.locator(".judge-round", has_text="「匠心校园」").locator(".card-title a").click()


async def test_the_queue_shows_deadline_track_and_thumbnails_and_what_comes_next(page, live_server):
    await log_in(page, live_server, JUDGE)
    await page.goto(live_server.url("/judge/"))
    upcoming = page.locator(".judge-upcoming li", has_text="「人民城市 百年工运」文创设计大赛（2026）")
    await expect(upcoming).to_contain_text(re.compile(f"初评将于 {WALL_TIME} 开始"))
    await screenshot(page, "judge-rounds-upcoming")

    await page.locator(".judge-round", has_text="「匠心校园」").locator(".card-title a").click()
    await expect(page.locator(".judge-deadline")).to_have_text(re.compile(f"^评审截止：{WALL_TIME}$"))
    items = page.locator(".judge-queue-item")
    await expect(items).to_have_count(6)
    tracks = [text.strip() for text in await page.locator(".judge-queue-track").all_text_contents()]
    assert sorted(tracks) == sorted(TRACKS * 2)
    thumbs = page.locator(".judge-queue-item img")
    await expect(thumbs).to_have_count(6)
    for n in range(6):
        src = await thumbs.nth(n).get_attribute("src")
        assert re.fullmatch(r"/judge/r/\d+/[A-Z0-9-]+/1\.thumb\.jpeg", src), src  # the judging copy, by alias
        await expect(thumbs.nth(n)).to_have_js_property("complete", True)
        assert await thumbs.nth(n).evaluate("img => img.naturalWidth") > 0
    await screenshot(page, "judge-queue-deadline-thumbnails")


async def test_keys_do_nothing_while_typing_and_esc_leaves_the_field(page, live_server):
    await open_queue(page, live_server)
    await page.locator(".judge-queue-item a").first.click()
    score_url = page.url
    comment = page.locator("#f-comment")
    await comment.click()
    await page.keyboard.type("jkz 作品")
    await page.keyboard.press("ArrowLeft")
    await page.keyboard.press("ArrowRight")
    assert page.url == score_url
    await expect(comment).to_have_value(re.compile("^jkz 作品"))
    await expect(page.locator("#score-stage")).not_to_have_class(re.compile("is-zoomed"))

    await page.keyboard.press("Escape")
    await expect(comment).not_to_be_focused()
    await page.keyboard.press("z")
    await expect(page.locator("#score-stage")).to_have_class(re.compile("is-zoomed"))

    first = page.locator(".score-form .criterion input").first
    await first.click()
    await page.keyboard.press("Escape")
    await expect(first).not_to_be_focused()
    async with page.expect_navigation():
        await page.keyboard.press("j")
    await expect(page.locator(".score-pager .muted")).to_have_text("2 / 6")


async def test_the_running_weighted_total_follows_the_judges_scores(page, live_server):
    await open_queue(page, live_server)
    await page.locator(".judge-queue-item a").nth(2).click()
    total = page.locator("[data-running-total]")
    inputs = page.locator(".score-form .criterion input")
    await expect(total).to_have_text("—")
    await inputs.nth(0).fill("9")  # 文化内涵, weight 0.3
    await expect(total).to_have_text("90.0")
    await expect(page.locator(".running-total")).to_contain_text("1 / 3")
    await inputs.nth(1).fill("8.5")  # 创意设计, weight 0.4
    await expect(total).to_have_text("87.1")  # (0.3 × 90 + 0.4 × 85) / 0.7
    await inputs.nth(2).fill("6")  # 转化可行性, weight 0.3
    await expect(total).to_have_text("79.0")  # 0.3 × 90 + 0.4 × 85 + 0.3 × 60
    await expect(page.locator(".score-form .criterion .save-status").nth(2)).to_have_text("已保存 ✓")
    await screenshot(page, "judge-running-total")

    await page.reload()
    await expect(total).to_have_text("79.0")  # the server's figure for what was saved


async def test_a_score_typed_before_the_pages_script_arrived_is_still_saved(page, live_server):
    """A judge on a slow line types while score.js is still on its way: the script, once there, saves what was
    typed instead of taking it for what the server already has."""
    await open_queue(page, live_server)
    arrived = asyncio.Event()

    async def late(route) -> None:
        await arrived.wait()
        await route.continue_()

    await page.route(re.compile(r"/judge/js/score\.js"), late)
    await page.locator(".judge-queue-item a").nth(3).click()
    first = page.locator(".score-form .criterion input").first
    await first.fill("7")
    await first.blur()
    arrived.set()
    await expect(page.locator(".score-form .criterion .save-status").first).to_have_text("已保存 ✓")
    await page.unroute(re.compile(r"/judge/js/score\.js"))
    await page.reload()
    await expect(first).to_have_value("7")
