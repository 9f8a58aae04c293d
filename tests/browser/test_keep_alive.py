"""An open scoring page keeps the judge's session alive (issue 18): the page's own timers run on Playwright's
clock, so five minutes pass at once and no test waits for them. The log-in page then serves every role."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import screenshot
from tests.browser.helpers import log_in, submit

pytestmark = pytest.mark.browser

JUDGE = ("judge2@jury.wenchuang.cn", "demo-judge-2026")


def keep_alive(request) -> bool:
    return request.url.endswith("/account/keep-alive")


async def next_due(page, after: str | None = None) -> str:
    """When the page's next sign of life is due (page time, ms), once it differs from `after`: the script sets it
    when it has run and again when an answer has arrived, so advancing the clock before would skip the timer."""
    script = page.locator("script[data-url$='/account/keep-alive']")
    await expect(script).to_have_attribute("data-next", re.compile(r"^\d+$"))
    if after is not None:
        await expect(script).not_to_have_attribute("data-next", after)
    return await script.get_attribute("data-next")


async def test_an_open_scoring_page_says_it_is_there_every_five_minutes_and_the_log_in_page_serves_every_role(
        page, live_server):
    await page.clock.install()
    await log_in(page, live_server, JUDGE)
    await page.goto(live_server.url("/judge/"))
    await page.locator(".judge-round", has_text="「匠心校园」").locator(".card-title a").click()
    await page.locator(".judge-queue-item a").first.click()
    await expect(page.locator("#score-page")).to_be_visible()
    due = await next_due(page)
    for _ in range(2):  # the second shows the first answer scheduled the next
        async with page.expect_request(keep_alive) as sent:
            await page.clock.run_for("05:00")
        answer = await (await sent.value).response()
        assert answer.status == 200 and 0 < (await answer.json())["ends_in"] <= 12 * 3600
        following = await next_due(page, after=due)
        assert 5 * 60_000 <= int(following) - int(due) < 6 * 60_000
        due = following

    await submit(page, ".user-menu button")
    await page.goto(live_server.url("/account/login"))
    main = page.locator("main")
    await expect(main).to_contain_text("评委和组委会成员凭邀请加入")
    await expect(main.get_by_role("link", name="注册参赛账号")).to_be_visible()
    await screenshot(page, "login-every-role")
