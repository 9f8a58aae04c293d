"""A visitor on a phone: nothing of the results before the announcement, then the gallery filtered by
track and grade, an entry opened and its images swiped through in the lightbox.

The server's own clock decides. The demo's past edition is given an announcement a few seconds
ahead, written into the server's database by another process (as an organiser's change would be),
with the results stamp that tells every worker; the test then waits for the real time to pass.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import expect

from tests.browser.conftest import LiveServer, screenshot

pytestmark = pytest.mark.browser

SLUG = "renmin-2025"
LEAD = timedelta(seconds=10)
SET_ANNOUNCEMENT = """
import asyncio, sys
from datetime import datetime
from tortoise import Tortoise
from contest.contests.models import Contest
from contest.db import settings_config
from contest import cache_stamp
from contest.settings import load_settings

async def main(slug, moment):
    settings = load_settings()
    await Tortoise.init(config=settings_config(settings), _enable_global_fallback=True)
    try:
        contest = await Contest.get(slug=slug)
        before = contest.announce_at
        contest.announce_at = datetime.fromisoformat(moment)
        await contest.save(update_fields=["announce_at"])
    finally:
        await Tortoise.close_connections()
    cache_stamp.configure(settings.data_dir)
    await cache_stamp.invalidate_results(contest.id)
    print(before.isoformat())

asyncio.run(main(*sys.argv[1:]))
"""


def set_announcement(server: LiveServer, moment: datetime) -> datetime:
    """Move the contest's announcement in the server's database; returns the previous time."""
    work = server.log.parent
    env = {"CONTEST_DATA_DIR": str(work / "data"), "CONTEST_UPLOAD_DIR": str(work / "uploads"),
           "CONTEST_DATABASE_URL": f"sqlite://{work / 'data' / 'e2e.sqlite3'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", SET_ANNOUNCEMENT, SLUG, moment.isoformat()], env=env,
                          capture_output=True, text=True, check=True)
    return datetime.fromisoformat(done.stdout.strip())


async def swipe_left(cdp, y: float) -> None:
    """A finger moved right to left across the screen (Chromium turns it into touch pointer events)."""
    xs = [330, 270, 210, 150, 90, 60]
    await cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": xs[0], "y": y}]})
    for x in xs[1:]:
        await cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    await cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


@pytest.fixture
async def phone(browser):
    context = await browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                        is_mobile=True, has_touch=True, locale="zh-CN")
    page = await context.new_page()
    failures: list[str] = []
    page.on("pageerror", lambda exc: failures.append(str(exc)))
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document" else None)
    yield page
    await context.close()
    assert failures == []


async def test_a_visitor_sees_nothing_before_the_time_then_browses_the_gallery(phone, live_server):
    page = phone
    announce_at = datetime.now(UTC).replace(microsecond=0) + LEAD
    original = set_announcement(live_server, announce_at)
    try:
        await page.goto(live_server.url(f"/c/{SLUG}"))
        assert await page.locator(f"a[href$='/c/{SLUG}/gallery']").count() == 0
        for path in (f"/c/{SLUG}/gallery", f"/c/{SLUG}/results", f"/c/{SLUG}/gallery?track=product"):
            response = await page.goto(live_server.url(path))
            assert (response.status, response.headers["cache-control"]) == (404, "no-store")
        assert await page.locator(".gallery-card").count() == 0
        await screenshot(page, "gallery-phone-before")

        await asyncio.sleep((announce_at - datetime.now(UTC)).total_seconds() + 0.5)

        await page.goto(live_server.url(f"/c/{SLUG}"))
        async with page.expect_navigation():
            await page.click(f"a[href$='/c/{SLUG}/gallery']")
        await expect(page.locator(".gallery-card")).to_have_count(18)
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390
        await screenshot(page, "gallery-phone")

        async with page.expect_navigation():
            await page.click(".gallery-filters >> text=生活实用产品赛道")
        await expect(page.locator(".gallery-card")).to_have_count(6)
        async with page.expect_navigation():
            await page.click(".gallery-filters >> text=二等奖")
        assert page.url.endswith("/gallery?track=product&grade=2")
        cards = page.locator(".gallery-card")
        await expect(cards).to_have_count(2)
        assert set(await page.locator(".gallery-card .card-meta").all_text_contents()) <= {
            f"{name} · 生活实用产品赛道" for name in ("陈晓雯", "林间设计工作室", "周子涵", "王建国", "李想团队", "赵红梅")}
        assert await page.locator(".gallery-card .badge-award").all_text_contents() == ["二等奖", "二等奖"]
        await page.evaluate("document.querySelectorAll('.gallery-card img').forEach(i => i.loading = 'eager')")
        await expect(page.locator(".gallery-card img").first).to_have_js_property("complete", True)
        await screenshot(page, "gallery-phone-filtered")

        title = await cards.first.locator(".card-title").text_content()
        async with page.expect_navigation():
            await cards.first.locator(".card-title a").click()
        assert await page.text_content("h1") == title
        links = page.locator(".lightbox-link")
        await expect(links).to_have_count(2)
        widths = await page.eval_on_selector_all(".entry-image", "imgs => imgs.map(i => i.naturalWidth)")
        await screenshot(page, "gallery-phone-entry")

        await links.first.tap()
        dialog = page.locator(".lightbox")
        await expect(dialog).to_be_visible()
        await expect(page.locator(".lightbox-counter")).to_have_text("1 / 2")
        cdp = await page.context.new_cdp_session(page)
        await swipe_left(cdp, y=420)
        await expect(page.locator(".lightbox-counter")).to_have_text("2 / 2")
        await expect(page.locator(".lightbox-stage img")).to_have_js_property("complete", True)
        await screenshot(page, "gallery-phone-lightbox", full_page=False)
        await page.keyboard.press("Escape")
        await expect(dialog).to_be_hidden()
    finally:
        set_announcement(live_server, original)
    assert widths[0] > 0
